import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from './arena.ts';
import { StepEncoder } from './step-encoder.ts';
import { TimestampProfiler } from './profiler.ts';
import { readF32, ReadbackRing } from './readback.ts';
import { testGpu } from './testing.ts';
import { prepareAxpby } from '../model/ops/elementwise.ts';
import { opContext } from '../shaders/index.ts';

describe('device', () => {
  it('reports the adapter and raises limits to what it offers', async () => {
    const gpu = await testGpu();
    const r = gpu.report;
    console.log(`GPU tests run on: ${r.vendor} / ${r.architecture} (fallback ${r.isFallbackAdapter})`);
    expect(r.architecture.length + r.vendor.length).toBeGreaterThan(0);
    // WebGPU defaults are 128 MiB bindings and 256 invocations; we ask for the adapter's maximum.
    expect(r.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(r.limits.maxStorageBufferBindingSize).toBe(gpu.device.limits.maxStorageBufferBindingSize);
    expect(r.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(r.features.length).toBeGreaterThan(0);
  });
});

describe('arena', () => {
  it('lays tensors out by pool at aligned offsets and reads/writes them by name', async () => {
    const gpu = await testGpu();
    const plan = new ArenaPlan().add('params', 'w', [3, 5]).add('params', 'b', [7]).add('acts', 'h', [2, 2]).add('acts', 'ids', [4], 'u32');
    const arena = Arena.build(gpu, plan, 'test');
    const align = gpu.device.limits.minStorageBufferOffsetAlignment;
    expect(arena.pools.map((p) => p.pool)).toEqual(['params', 'acts']);
    expect(arena.get('w').buffer).toBe(arena.get('b').buffer);
    expect(arena.get('w').buffer).not.toBe(arena.get('h').buffer);
    expect(arena.get('b').offset % align).toBe(0);
    expect(arena.get('b').offset).toBeGreaterThanOrEqual(15 * 4);
    expect(arena.names('params')).toEqual(['w', 'b']);
    arena.write('b', new Float32Array([1, 2, 3, 4, 5, 6, 7]));
    arena.write('w', new Float32Array(15).fill(-1));
    expect([...(await readF32(gpu, arena.get('b')))]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(() => arena.write('b', new Float32Array(3))).toThrow(/b has 7 elements/);
    expect(() => arena.get('nope')).toThrow(/no tensor named "nope"/);

    const enc = new StepEncoder(gpu);
    arena.clearPool(enc.commandEncoder, 'params');
    enc.submit();
    expect([...(await readF32(gpu, arena.get('b')))]).toEqual(new Array(7).fill(0));
    arena.destroy();
  });

  it('refuses a tensor larger than one binding, naming it', async () => {
    const gpu = await testGpu();
    const huge = gpu.device.limits.maxStorageBufferBindingSize / 4 + 1;
    expect(() => Arena.build(gpu, new ArenaPlan().add('acts', 'logits', [huge]))).toThrow(/logits/);
  });
});

describe('step encoder, readback ring, profiler', () => {
  it('records many dispatches into one submit and reads results back without waiting', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const n = 1000;
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'a', [n]).add('t', 'b', [n]).add('t', 'c', [n]));
    arena.write('a', new Float32Array(n).fill(1));
    // c = a + b, then b = a + c, five times each: b = 10 only if every dispatch sees the last.
    const toC = await prepareAxpby(ctx, arena.get('a'), arena.get('b'), arena.get('c'), 1, 1);
    const toB = await prepareAxpby(ctx, arena.get('a'), arena.get('c'), arena.get('b'), 1, 1);
    const ring = new ReadbackRing(gpu, 4 * n, 2);
    const before = gpu.snapshotStats();
    const enc = new StepEncoder(gpu);
    for (let i = 0; i < 5; i++) {
      toC.record(enc);
      toB.record(enc);
    }
    const read = enc.readback(ring, [arena.get('b')]);
    enc.submit();
    const after = gpu.snapshotStats();
    expect(after.submits - before.submits).toBe(1);
    expect(after.dispatches - before.dispatches).toBe(10);
    expect(after.bindGroups - before.bindGroups).toBe(0); // recording creates no bind groups
    expect(read).not.toBeNull();
    const [buf] = await read!;
    expect(new Float32Array(buf!)[n - 1]).toBe(10);
    arena.destroy();
  });

  it('refuses a bind group whose writable binding aliases another, naming both', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'a', [16]).add('t', 'b', [16]));
    await expect(prepareAxpby(ctx, arena.get('a'), arena.get('b'), arena.get('b'), 1, 1)).rejects.toThrow(/bindings 1 \(b\) and 2 \(b\) overlap/);
    arena.destroy();
  });

  it('skips a readback instead of stalling when every slot is in flight', async () => {
    const gpu = await testGpu();
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'm', [4]));
    const ring = new ReadbackRing(gpu, 16, 2);
    const reads: (Promise<ArrayBuffer[]> | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const enc = new StepEncoder(gpu);
      reads.push(enc.readback(ring, [arena.get('m')]));
      enc.submit();
    }
    expect(reads[0]).not.toBeNull();
    expect(reads[1]).not.toBeNull();
    expect(reads[2]).toBeNull();
    await Promise.all(reads.filter((r): r is Promise<ArrayBuffer[]> => r !== null));
    expect(ring.free).toBe(2);
    arena.destroy();
  });

  it('times each named dispatch with timestamp queries when the feature exists', async (t) => {
    const gpu = await testGpu();
    if (!gpu.hasTimestamps) t.skip();
    const ctx = opContext(gpu);
    const n = 1 << 16;
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'a', [n]).add('t', 'b', [n]).add('t', 'c', [n]));
    const op = await prepareAxpby(ctx, arena.get('a'), arena.get('b'), arena.get('c'), 1, 1);
    const profiler = new TimestampProfiler(gpu, 8);
    const enc = new StepEncoder(gpu, { profiler });
    op.record(enc);
    op.record(enc);
    const { timings } = enc.submit();
    const rows = await timings!;
    console.log('profiler rows', JSON.stringify(rows));
    expect(rows.map((r) => r.label)).toEqual(['axpby c', 'axpby c']);
    for (const r of rows) expect(r.ms).toBeGreaterThanOrEqual(0);
    profiler.destroy();
    arena.destroy();
  });
});
