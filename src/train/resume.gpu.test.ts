// Save and resume on the real engine: a run saved at step k, written to a checkpoint file, read
// back and continued in a new session has, at every later step, exactly the loss (and gradient
// norm) of a run that was never interrupted. Also: a file for another model is refused and the
// session it was offered to keeps its weights.
import { describe, expect, it } from 'vitest';
import { readF32 } from '../gpu/readback.ts';
import { testGpu } from '../gpu/testing.ts';
import { presetConfig, type RunConfig } from '../model/config.ts';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint.ts';
import type { MetricPoint } from './protocol.ts';
import { TrainingSession } from './session.ts';

const noBrown = () => Promise.reject(new Error('no Brown here'));

async function newSession(cfg: RunConfig): Promise<TrainingSession> {
  return TrainingSession.create(await testGpu(), cfg, () => undefined, noBrown);
}

const trace = (m: MetricPoint[]) => m.map((p) => [p.step, p.loss, p.gradNorm, p.accuracy]);

async function resumeMatches(cfg: RunConfig, saveAt: number, until: number): Promise<void> {
  const whole = await newSession(cfg);
  await whole.train(until, () => false);
  const want = trace(whole.history.metrics);
  whole.destroy();

  const first = await newSession(cfg);
  await first.train(saveAt, () => false);
  const file = encodeCheckpoint(await first.saveState());
  first.destroy();

  const resumed = await newSession(cfg);
  resumed.restoreState(decodeCheckpoint(file));
  expect(resumed.step).toBe(saveAt);
  await resumed.train(until, () => false);
  const got = trace(resumed.history.metrics);
  resumed.destroy();
  expect(got.length).toBe(until);
  // Identical, not close: same weights, moments, batches, masks and samples.
  expect(got).toEqual(want);
}

describe('checkpoint resume', () => {
  it('bert-micro: save at step 5, resume, steps 6..12 have the uninterrupted run\'s exact losses', async () => {
    const cfg = presetConfig('bert-micro');
    cfg.train.evalEvery = 0;
    await resumeMatches(cfg, 5, 12);
  });

  it('electra-micro (generator samples keyed by step): resume gives the exact losses too', async () => {
    const cfg = presetConfig('electra-micro');
    cfg.train.evalEvery = 0;
    await resumeMatches(cfg, 4, 9);
  });

  it('refuses a checkpoint of another model and leaves the session as it was', async () => {
    const small = presetConfig('bert-micro');
    const s = await newSession(small);
    await s.train(2, () => false);
    const file = decodeCheckpoint(encodeCheckpoint(await s.saveState()));
    s.destroy();

    const wide = presetConfig('bert-micro');
    wide.model.C = 64;
    wide.model.FFN = 128;
    const target = await newSession(wide);
    const before = await readF32(target.gpu, target.model.t('l0.qkv.w'));
    expect(() => target.restoreState(file)).toThrow(/The checkpoint's "emb.wte" has shape \[\d+, 32\]; this model needs \[\d+, 64\]/);
    expect(target.step).toBe(0);
    expect(await readF32(target.gpu, target.model.t('l0.qkv.w'))).toEqual(before);
    target.destroy();
  });
});
