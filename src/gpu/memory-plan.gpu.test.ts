// The memory check in a real run's setup: a stated budget smaller than the plan refuses the
// session before its first buffer, with the message the engine posts as a run-error. (That the
// default budget lets presets through is checked in Node, memory-plan.test.ts; session tests build
// them for real.)
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from './arena.ts';
import { GpuError, toGpuErrorInfo } from './errors.ts';
import { MiB } from './memory-plan.ts';
import { testGpu } from './testing.ts';
import { presetConfig } from '../model/config.ts';
import { TrainingSession } from '../train/session.ts';

describe('memory budget', () => {
  it('refuses a setup over the stated budget before creating any buffer', async () => {
    const gpu = await testGpu();
    const budget = gpu.memoryBudget;
    gpu.memoryBudget = 1 * MiB; // bert-micro plans about 10 MiB (memory-plan.test.ts)
    const before = gpu.stats.buffers;
    const noBrown = () => Promise.reject(new Error('not used'));
    let err: unknown;
    try {
      await TrainingSession.create(gpu, presetConfig('bert-micro'), () => undefined, noBrown);
    } catch (e) {
      err = e;
    } finally {
      gpu.memoryBudget = budget;
    }
    expect(gpu.stats.buffers).toBe(before);
    expect(err).toBeInstanceOf(GpuError);
    const info = toGpuErrorInfo(err);
    expect(info.kind).toBe('out-of-memory');
    expect(info.message).toMatch(/This setup needs [\d.]+ MiB of GPU memory, more than the 1\.0 MiB available to a run\. Planned: params/);
    expect(info.hint).toMatch(/smaller batch, sequence length or model/);
  });

  it('creates an arena that fits inside its error scope', async () => {
    const gpu = await testGpu();
    const before = gpu.stats.buffers;
    const arena = await Arena.create(gpu, new ArenaPlan().bindWhole('w').add('w', 'a', [64]).add('t', 'b', [64]), 'scoped');
    expect(gpu.stats.buffers - before).toBe(2);
    expect(arena.poolRange('w').numel).toBe(64);
    arena.destroy();
  });
});
