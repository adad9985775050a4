// The divergence watch on the real engine: a spike forced by a learning rate 1000× too high (real
// training dynamics, nothing injected into the numbers) is caught within one metric window, and
// rolling back puts the run exactly where it was: from the restored step on, every loss equals
// that of a run that never spiked.
import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { presetConfig, type RunConfig } from '../model/config.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import type { EngineEvent, MetricPoint } from './protocol.ts';
import { learningRate } from './schedule.ts';
import { SNAPSHOT_MIN_GAP, TrainingSession } from './session.ts';

const noBrown = () => Promise.reject(new Error('no Brown here'));
const trace = (m: MetricPoint[]) => m.map((p) => [p.step, p.loss, p.gradNorm]);

function config(): RunConfig {
  const cfg = presetConfig('bert-micro');
  cfg.train.evalEvery = 0;
  cfg.train.logEvery = 5;
  return cfg;
}

describe('divergence watch and roll-back', () => {
  it('catches a forced spike within one window; roll-back restores the exact pre-spike losses', async () => {
    const gpu = await testGpu();
    const clean = await TrainingSession.create(gpu, config(), () => undefined, noBrown);
    await clean.train(45, () => false);
    const want = trace(clean.history.metrics);
    clean.destroy();

    const events: EngineEvent[] = [];
    const s = await TrainingSession.create(gpu, config(), (e) => events.push(e), noBrown);
    await s.train(40, () => false);
    expect(s.diverged).toBe(false);
    // Copies are taken on read-back steps at least SNAPSHOT_MIN_GAP apart: 0, 14, 24, 34.
    expect(s.rollbackStep).toBe(34);
    expect(SNAPSHOT_MIN_GAP).toBe(10);
    s.lrScale = 1000; // lr 5: every AdamW update moves each weight by ~5
    await s.train(50, () => false);
    const hit = events.find((e) => e.type === 'diverged');
    expect(hit, 'no divergence event').toBeDefined();
    if (hit?.type !== 'diverged') return;
    // The first window with a step at the high rate ends at step 45 (steps 40..44).
    expect(hit.divergence.step).toBe(45);
    expect(hit.rollbackStep).toBe(34);
    expect(s.step).toBeLessThan(50); // it stopped
    expect(hit.divergence.message).toMatch(/loss/);

    s.lrScale = 1;
    expect(await s.rollback(1)).toBe(34);
    expect(s.step).toBe(34);
    expect(s.diverged).toBe(false);
    expect(s.history.metrics.at(-1)!.step).toBe(30);
    await s.train(45, () => false);
    // Identical, not close: the same weights, moments, batches and masks as the clean run.
    expect(trace(s.history.metrics)).toEqual(want);
    expect(events.filter((e) => e.type === 'diverged')).toHaveLength(1);
    s.destroy();
  });

  it('a roll-back at half the learning rate trains on at half, and a checkpoint keeps the factor', async () => {
    const gpu = await testGpu();
    const s = await TrainingSession.create(gpu, config(), () => undefined, noBrown);
    await s.train(20, () => false);
    s.lrScale = 1000;
    await s.train(40, () => false);
    expect(s.diverged).toBe(true);
    s.lrScale = 1;
    const back = await s.rollback(0.5);
    expect(back).toBe(14);
    await s.train(back + 5, () => false);
    const p = s.history.metrics.at(-1)!;
    expect(p.step).toBe(back + 5);
    const t = config().train;
    expect(p.lr).toBe(0.5 * learningRate({ peak: t.lr, warmupSteps: t.warmupSteps, totalSteps: t.steps, decay: t.decay }, back + 4));
    expect(s.diverged).toBe(false);
    const saved = decodeCheckpoint(encodeCheckpoint(await s.saveState()));
    expect(saved.lrScale).toBe(0.5);
    s.destroy();
  });

  it('refuses to roll back before any window has passed', async () => {
    const s = await TrainingSession.create(await testGpu(), config(), () => undefined, noBrown);
    await expect(s.rollback()).rejects.toThrow(/no metric window has passed/);
    s.destroy();
  });
});
