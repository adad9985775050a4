// Acceptance test of the ONNX export (issue [F]): bert-micro trained a few steps on our GPU
// engine, its parameters read back and exported, the ONNX model run in onnxruntime-web (WASM EP,
// wasm served by our own server) on a batch with padding, and compared with OUR GPU model's
// prediction on the same batch: MLM logits at every position (max |Δ| ≤ 1e-3) and every layer's
// attention probabilities (GPU `l{i}.probs`). The WebGPU EP is tried too, and reported.
import { describe, expect, it } from 'vitest';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import type { BertModel } from '../model/bert.ts';
import { presetConfig } from '../model/config.ts';
import { randomBatch } from '../model/random-batch.ts';
import type { EngineEvent } from '../train/protocol.ts';
import { TrainingSession } from '../train/session.ts';
import { bertOnnx } from './onnx.ts';
import { chooseEp, runOnnx, type OnnxRun } from './onnx-runtime.ts';

/** Our GPU model's MLM logits (B,T,V) at every position of (ids, mask), P slots per prediction pass. */
async function gpuLogits(model: BertModel, ids: Uint32Array, mask: Uint32Array, T: number): Promise<{ logits: Float32Array; probs: Float32Array[] }> {
  const gpu = await testGpu();
  const { B, P, V } = model.shape;
  const logits = new Float32Array(B * T * V);
  model.uploadBatch(ids, mask);
  model.arena.write('inputs', ids); // no masking: the model as a function of its input
  model.arena.write('weights', new Float32Array(B * P).fill(1));
  for (let first = 0; first < T; first += P) {
    const positions = Uint32Array.from({ length: B * P }, (_, i) => Math.min(first + (i % P), T - 1));
    model.arena.write('positions', positions);
    const enc = new StepEncoder(gpu, { label: 'onnx check' });
    model.recordPredict(enc);
    await enc.submit().done();
    const rows = await readF32(gpu, model.t('head.logits')); // (B·P, V)
    for (let b = 0; b < B; b++) for (let p = 0; p < P && first + p < T; p++) logits.set(rows.subarray((b * P + p) * V, (b * P + p + 1) * V), (b * T + first + p) * V);
  }
  const probs = await Promise.all(model.views.probs.map((name) => readF32(gpu, model.t(name))));
  return { logits, probs };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('ONNX export of a GPU-trained bert-micro, run in onnxruntime-web', () => {
  let ctx: { model: BertModel; bytes: Uint8Array; ids: Uint32Array; mask: Uint32Array; ours: { logits: Float32Array; probs: Float32Array[] }; session: TrainingSession } | null = null;
  const cfg = presetConfig('bert-micro');
  cfg.train.batch = 8;
  const { T, L } = cfg.model;

  async function setup() {
    if (ctx) return ctx;
    const gpu = await testGpu();
    const events: EngineEvent[] = [];
    const session = await TrainingSession.create(gpu, cfg, (e) => events.push(e), () => Promise.reject(new Error('no Brown here')));
    await session.train(20, () => false); // weights away from their init
    expect(events.some((e) => e.type === 'run-error' || e.type === 'diverged')).toBe(false);
    const model = session.model;
    const params = new Map<string, Float32Array>();
    for (const p of model.params) params.set(p.name, await readF32(gpu, model.t(p.name)));
    const bytes = bertOnnx(params, cfg.model, model.shape.V);
    const { tokens: ids, mask } = randomBatch(model.shape.B, T, model.shape.V, 12); // every other row padded
    ctx = { model, bytes, ids, mask, ours: await gpuLogits(model, ids, mask, T), session };
    return ctx;
  }

  function compare(run: OnnxRun, c: NonNullable<typeof ctx>): { dLogits: number; dAttn: number } {
    const dLogits = maxAbsDiff(run.outputs.logits!, c.ours.logits);
    const dAttn = Math.max(...Array.from({ length: L }, (_, l) => maxAbsDiff(run.outputs[`attentions.${l}`]!, c.ours.probs[l]!)));
    return { dLogits, dAttn };
  }

  it('WASM EP: logits at every position within 1e-3 of our GPU model, attention maps too', async () => {
    const c = await setup();
    const { B } = c.model.shape;
    const t0 = performance.now();
    const run = await runOnnx(c.bytes, { ids: c.ids, mask: c.mask, B, T }, { ep: 'wasm' });
    const ms = performance.now() - t0;
    expect(run.ep).toBe('wasm');
    // ORT's wasm came from the test server (our own origin), not a CDN.
    const wasm = performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /ort-wasm[^?]*\.wasm$/.test(u));
    expect(wasm.length).toBeGreaterThan(0);
    for (const u of wasm) expect(new URL(u).origin).toBe(location.origin);
    const { dLogits, dAttn } = compare(run, c);
    console.log(`ONNX (${(c.bytes.length / 1024).toFixed(0)} KiB, ORT ${run.ep} from ${wasm.join(', ')}, ${ms.toFixed(0)} ms incl. wasm load) vs our GPU model, B=${B} T=${T} V=${c.model.shape.V}: logits max |Δ| ${dLogits.toExponential(2)}, attention max |Δ| ${dAttn.toExponential(2)}`);
    expect(dLogits).toBeLessThanOrEqual(1e-3);
    expect(dAttn).toBeLessThanOrEqual(1e-3);
    expect(c.ours.logits.every(Number.isFinite)).toBe(true);
  });

  it('chooseEp picks WebGPU here; it runs and matches, or falls back to WASM and says why', async () => {
    const c = await setup();
    const { B } = c.model.shape;
    const choice = chooseEp();
    expect(choice.ep).toBe('webgpu'); // this page has navigator.gpu
    const run = await runOnnx(c.bytes, { ids: c.ids, mask: c.mask, B, T }, { ep: choice.ep });
    const { dLogits, dAttn } = compare(run, c);
    console.log(`ONNX via chooseEp → ${run.ep}${run.fallback ? ` (${run.fallback})` : ''}: logits max |Δ| ${dLogits.toExponential(2)}, attention max |Δ| ${dAttn.toExponential(2)}`);
    if (run.ep === 'wasm') expect(run.fallback).toMatch(/WebGPU/);
    expect(dLogits).toBeLessThanOrEqual(1e-3);
    expect(dAttn).toBeLessThanOrEqual(1e-3);
    c.session.destroy();
    ctx = null;
  });
});
