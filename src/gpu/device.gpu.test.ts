// The live-buffer count (device.ts countLiveBuffers), which the soak test (cli/soak.ts) watches
// for leaks: every buffer is counted with its bytes, destroy() takes it off once, a buffer never
// destroyed stays. Whole runs giving back what they created is the soak's check (e2e/soak.spec.ts).
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from './arena.ts';
import { testGpu } from './testing.ts';

describe('live GPU buffers', () => {
  it('counts buffers and bytes until destroy(), once however often it is called', async () => {
    const gpu = await testGpu();
    const { liveBuffers, liveBytes } = gpu.snapshotStats();
    const arena = await Arena.create(gpu, new ArenaPlan().bindWhole('w').add('w', 'a', [64]).add('t', 'b', [32]), 'live');
    expect(gpu.stats.liveBuffers - liveBuffers).toBe(2);
    expect(gpu.stats.liveBytes - liveBytes).toBeGreaterThanOrEqual((64 + 32) * 4);
    arena.destroy();
    arena.destroy();
    expect(gpu.stats.liveBuffers).toBe(liveBuffers);
    expect(gpu.stats.liveBytes).toBe(liveBytes);

    // Dropped without destroy(): still alive as far as the count knows (the leak the soak catches).
    const dropped = gpu.device.createBuffer({ label: 'test.dropped', size: 16, usage: GPUBufferUsage.STORAGE });
    expect(gpu.stats.liveBuffers).toBe(liveBuffers + 1);
    dropped.destroy();
  });
});
