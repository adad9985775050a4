import { describe, expect, it } from 'vitest';
import { geomean, quantile, roundOrder, timeCase } from './harness.ts';
import type { BenchCase, CallCounts, Runner } from './types.ts';

/** A runner on a fake clock: each iteration advances it by `ms`, and records the order it ran in. */
function fake(clock: { t: number }, ms: number, log: string[], name: string): Runner {
  return {
    run: async (k) => {
      log.push(`${name}×${k}`);
      clock.t += ms * k;
    },
    dispose: () => undefined,
  };
}

describe('peer bench harness', () => {
  it('quantiles, rotation and geometric mean', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 5)).toEqual(['c', 'a', 'b']);
    expect(geomean([2, 8])).toBeCloseTo(4, 12);
  });

  it('warms up, interleaves blocks, and reports median per iteration and peer/ours speedups', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const c: BenchCase = { name: 'x', kind: 'kernel', runners: { ours: fake(clock, 2, log, 'ours'), tfjs: fake(clock, 6, log, 'tfjs') }, check: { ok: true, detail: '', maxAbsDiff: 0 } };
    const r = await timeCase(c, { reps: 3, k: 4, warmup: 1 }, null, () => clock.t);
    expect(log).toEqual(['ours×1', 'tfjs×1', 'ours×4', 'tfjs×4', 'tfjs×4', 'ours×4', 'ours×4', 'tfjs×4']);
    expect(r.runtimes.ours!.median).toBe(2);
    expect(r.runtimes.tfjs!.blocks).toEqual([6, 6, 6]);
    expect(r.speedup.tfjs).toBe(3);
  });

  it('never times a case whose equal-work check failed', async () => {
    const clock = { t: 0 };
    const log: string[] = [];
    const c: BenchCase = { name: 'x', kind: 'train', runners: { ours: fake(clock, 1, log, 'ours') }, check: { ok: false, detail: 'losses differ by 0.2', maxAbsDiff: 0.2 } };
    const r = await timeCase(c, { reps: 3, k: 2, warmup: 1 }, null, () => clock.t);
    expect(log).toEqual([]);
    expect(r.runtimes).toEqual({});
  });

  it('counts calls per iteration from an untimed block', async () => {
    const clock = { t: 0 };
    let dispatches = 0;
    const runner: Runner = { run: async (k) => void (dispatches += 7 * k), dispose: () => undefined };
    const counter = { snapshot: (): CallCounts => ({ dispatches, bindGroupsCreated: 0, writeBufferBytes: 0, writeBufferCalls: 0, mapAsyncCalls: 0, submits: 0 }) };
    const r = await timeCase({ name: 'x', kind: 'kernel', runners: { ours: runner } }, { reps: 1, k: 5, warmup: 1 }, counter, () => clock.t);
    expect(r.runtimes.ours!.counts!.dispatches).toBe(7);
  });
});
