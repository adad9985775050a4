// The peer benchmark's kernel cases at a bert-micro shape with a small batch (SwiftShader is slow):
// every case's equal-work check passes and both runners complete; and the WebGPU call counters
// count exactly (dispatches of our op against what it records, writeBuffer bytes of known writes)
// without changing what the wrapped calls do.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import { prepareMatmulForward } from '../model/ops/matmul.ts';
import { installCounters, writeBufferBytes, type Counters } from './counters.ts';
import { kernelCases } from './kernels.ts';
import type { CallCounts } from './types.ts';
import { opContext } from '../shaders/index.ts';

// bert-micro (C 32, NH 2, FFN 64, T 16, vocab 1000) with B 4 and 3 prediction slots per row.
const SHAPE = { B: 4, T: 16, C: 32, NH: 2, FFN: 64, V: 1000, P: 3, L: 2 };

let counters: Counters;
beforeAll(async () => {
  counters = installCounters();
  await tf.setBackend('webgpu');
  await tf.ready();
});
afterAll(() => counters.uninstall());

function delta(a: CallCounts, b: CallCounts): CallCounts {
  const out = {} as CallCounts;
  for (const k of Object.keys(a) as (keyof CallCounts)[]) out[k] = b[k] - a[k];
  return out;
}

describe('kernel cases', () => {
  it('agree with tfjs on the same inputs, run, and count our dispatches as recorded', async () => {
    const gpu = await testGpu();
    const cases = await kernelCases(gpu, tf, SHAPE);
    expect(cases.map((c) => c.name.split(' (')[0])).toEqual(['matmul QKV', 'matmul FFN up', 'matmul FFN down', 'matmul MLM decoder', 'attention forward', 'layernorm forward', 'AdamW']);
    try {
      for (const c of cases) {
        console.log(`${c.name}: ${c.check?.detail}`);
        expect(c.check?.ok, `${c.name}: ${c.check?.detail}`).toBe(true);
        for (const [id, runner] of Object.entries(c.runners)) {
          const stats = gpu.snapshotStats();
          const before = counters.snapshot();
          await runner.run(2);
          const d = delta(before, counters.snapshot());
          console.log(`  ${id} run(2): ${JSON.stringify(d)}`);
          expect(d.dispatches).toBeGreaterThan(0);
          if (id === 'ours') {
            // Our StepEncoder counts what the op records; the page-wide counters must agree, and a
            // prepared op creates nothing and uploads nothing per run.
            expect(d.dispatches).toBe(gpu.stats.dispatches - stats.dispatches);
            expect(d.submits).toBe(1);
            expect(d.bindGroupsCreated).toBe(0);
            expect(d.writeBufferCalls).toBe(0);
            expect(d.mapAsyncCalls).toBe(0);
          }
        }
      }
    } finally {
      for (const c of cases) for (const r of Object.values(c.runners)) r.dispose();
    }
  });
});

describe('counters', () => {
  it('count exactly the dispatches one matmul records, and nothing else', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const s = { M: 20, K: 8, N: 12 };
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'inp', [s.M, s.K]).add('t', 'weight', [s.N, s.K]).add('t', 'bias', [s.N]).add('t', 'out', [s.M, s.N]));
    const t = (n: string) => arena.get(n);
    const op = await prepareMatmulForward(ctx, { inp: t('inp'), weight: t('weight'), bias: t('bias'), out: t('out') }, s);
    const before = counters.snapshot();
    const enc = new StepEncoder(gpu);
    for (let i = 0; i < 3; i++) op.record(enc);
    await enc.submit().done();
    const d = delta(before, counters.snapshot());
    expect(enc.dispatches).toBe(3);
    expect(d).toEqual({ dispatches: 3, bindGroupsCreated: 0, writeBufferBytes: 0, writeBufferCalls: 0, mapAsyncCalls: 0, submits: 1 });
    arena.destroy();
    ctx.uniforms.destroy();
  });

  it('count writeBuffer bytes of known writes (typed arrays in elements, ArrayBuffers in bytes) and the writes still land', async () => {
    const gpu = await testGpu();
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'x', [37]).add('t', 'y', [16]));
    const q = gpu.device.queue;
    const y = arena.get('y');
    let before = counters.snapshot();
    arena.write('x', new Rng(3).uniformArray(37));
    expect(delta(before, counters.snapshot())).toMatchObject({ writeBufferCalls: 1, writeBufferBytes: 37 * 4 });

    before = counters.snapshot();
    q.writeBuffer(y.buffer, y.offset, Float32Array.from({ length: 10 }, (_, i) => i + 1), 2, 5); // elements 2..6: 20 bytes
    q.writeBuffer(y.buffer, y.offset + 20, new Float32Array([7, 8, 9, 10, 11, 12]).buffer, 8); // bytes 8..23: 16 bytes
    q.writeBuffer(y.buffer, y.offset + 36, new Float32Array([13, 14, 15]).buffer, 0, 8); // 8 bytes
    expect(delta(before, counters.snapshot())).toMatchObject({ writeBufferCalls: 3, writeBufferBytes: 44 });
    before = counters.snapshot();
    const got = await readF32(gpu, y);
    expect(delta(before, counters.snapshot())).toMatchObject({ mapAsyncCalls: 1, submits: 1, writeBufferCalls: 0 });
    expect(Array.from(got.subarray(0, 11))).toEqual([3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14]);
    expect(writeBufferBytes(new DataView(new ArrayBuffer(12)), 4)).toBe(8);
    expect(writeBufferBytes(new Uint16Array(8), 1)).toBe(14);
    arena.destroy();
  });

  it('wrap once however often installed, keep this/returns/errors, and come off with the last handle', async () => {
    const gpu = await testGpu();
    const proto = GPUQueue.prototype as unknown as Record<string, unknown>;
    const wrapped = proto.writeBuffer;
    const second = installCounters();
    expect(proto.writeBuffer).toBe(wrapped); // not wrapped twice
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'z', [4]));
    const z = arena.get('z');
    const before = counters.snapshot();
    gpu.device.queue.writeBuffer(z.buffer, z.offset, new Float32Array(4));
    expect(delta(before, second.snapshot()).writeBufferCalls).toBe(1); // counted once
    // Errors pass through unchanged: a bad argument and a wrong `this` are still TypeErrors.
    expect(() => gpu.device.queue.writeBuffer({} as GPUBuffer, 0, new Float32Array(1))).toThrow(TypeError);
    expect(() => (proto.writeBuffer as (...a: unknown[]) => void).call({}, z.buffer, 0, new Float32Array(1))).toThrow(TypeError);
    expect(() => (proto.submit as (...a: unknown[]) => void).call(gpu.device.queue, 'not a list')).toThrow(TypeError);
    second.uninstall();
    second.uninstall(); // a handle is given back once
    expect(proto.writeBuffer).toBe(wrapped); // `counters` still holds one
    await gpu.device.queue.onSubmittedWorkDone();
    arena.destroy();

    // A temporary second life: uninstalling every handle restores the originals, reinstalling wraps again.
    counters.uninstall();
    expect(proto.writeBuffer).not.toBe(wrapped);
    expect(String(proto.writeBuffer)).toContain('[native code]');
    counters = installCounters();
    expect(proto.writeBuffer).not.toBe(wrapped);
    expect(String(proto.writeBuffer)).not.toContain('[native code]');
  });
});
