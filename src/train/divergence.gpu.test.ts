// The divergence watch on the real engine: a spike forced by a learning rate 1000× too high (real
// training dynamics, nothing injected into the numbers) is caught within one metric window, and
// rolling back puts the run exactly where it was: the steps after the restored one have exactly
// the losses they had before the spike. A roll-back at half the rate trains on at half, and a
// checkpoint keeps the factor.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { presetConfig, type RunConfig } from '../model/config.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import type { EngineEvent, MetricPoint } from './protocol.ts';
import { learningRate } from './schedule.ts';
import { SNAPSHOT_MIN_GAP } from './last-good.ts';
import { TrainingSession } from './session.ts';

const noBrown = () => Promise.reject(new Error('no Brown here'));
const trace = (m: MetricPoint[]) => m.map((p) => [p.step, p.loss, p.gradNorm]);

function config(): RunConfig {
  const cfg = presetConfig('bert-micro');
  cfg.train.evalEvery = 0;
  cfg.train.logEvery = 5;
  return cfg;
}

describe('divergence watch and roll-back', () => {
  it('catches a forced spike within one window; roll-back restores the exact losses; half the rate after a second roll-back', async () => {
    const events: EngineEvent[] = [];
    const s = await TrainingSession.create(await testGpu(), config(), (e) => events.push(e), noBrown);
    await s.train(40, () => false);
    expect(s.diverged).toBe(false);
    // Copies are taken on read-back steps at least SNAPSHOT_MIN_GAP apart: 0, 14, 24, 34.
    expect(SNAPSHOT_MIN_GAP).toBe(10);
    expect(s.rollbackStep).toBe(34);
    const before = trace(s.history.metrics);
    expect(before.at(-1)![0]).toBe(40);

    const spike = async () => {
      s.lrScale = 1000; // lr 5: every AdamW update moves each weight by ~5
      await s.train(50, () => false);
      s.lrScale = 1;
    };
    await spike();
    const hits = () => events.filter((e): e is Extract<EngineEvent, { type: 'diverged' }> => e.type === 'diverged');
    expect(hits()).toHaveLength(1);
    const hit = hits()[0]!;
    // The first window with a step at the high rate ends at step 45 (steps 40..44).
    expect(hit.divergence.step).toBe(45);
    expect(hit.divergence.message).toMatch(/loss|gradient/);
    expect(hit.rollbackStep).toBe(34);
    expect(s.step).toBeLessThan(50); // it stopped

    expect(await s.rollback(1)).toBe(34);
    expect(s.step).toBe(34);
    expect(s.diverged).toBe(false);
    expect(s.history.metrics.at(-1)!.step).toBe(30);
    await s.train(40, () => false);
    // Identical, not close: the same weights, moments, batches and masks as before the spike.
    expect(trace(s.history.metrics)).toEqual(before);

    await spike();
    expect(hits()).toHaveLength(2);
    expect(await s.rollback(0.5)).toBe(34);
    await s.train(39, () => false);
    const p = s.history.metrics.at(-1)!;
    expect(p.step).toBe(39);
    const t = config().train;
    expect(p.lr).toBe(0.5 * learningRate({ peak: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.steps, decay: t.decay }, 38));
    expect(s.diverged).toBe(false);
    expect(decodeCheckpoint(encodeCheckpoint(await s.saveState())).lrScale).toBe(0.5);
    s.destroy();
  });

  it('refuses to roll back before any window has passed', async () => {
    const s = await TrainingSession.create(await testGpu(), config(), () => undefined, noBrown);
    await expect(s.rollback()).rejects.toThrow(/no metric window has passed/);
    s.destroy();
  });
});
