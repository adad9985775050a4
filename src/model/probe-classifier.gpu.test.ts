import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { Arena, ArenaPlan } from '../gpu/arena.ts';
import { StepEncoder } from '../gpu/step-encoder.ts';
import { readF32 } from '../gpu/readback.ts';
import { checkNoUncapturedErrors, testGpu } from '../gpu/testing.ts';
import { maxAbs, maxAbsDiff } from '../reference/compare.ts';
import { matmulForward } from '../reference/matmul.ts';
import { argmaxRows } from '../data/probe-tasks.ts';
import { trainSoftmaxRegression } from '../reference/softmax-regression.ts';
import { planClassifier, planClassifierShared, prepareClassifiers, PROBE_HYPER, type ClassifierShape } from './probe-classifier.ts';
import { opContext } from '../shaders/index.ts';

/** Overlapping Gaussian classes in D−1 dims plus the bias column of 1s, as the pooled features are. */
function features(rng: Rng, n: number, D: number, K: number, means: Float64Array) {
  const X = new Float32Array(n * D);
  const y = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(K);
    y[i] = k;
    for (let d = 0; d < D - 1; d++) X[i * D + d] = means[k * D + d]! + rng.normal();
    X[i * D + D - 1] = 1;
  }
  return { X, y };
}

async function trainOnGpu(shapes: ClassifierShape[], data: { X: Float32Array; y: Uint32Array; Xt: Float32Array }[]) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan();
  planClassifierShared(plan);
  shapes.forEach((s, i) => {
    planClassifier(plan, `c${i}`, s);
    plan.add('feat', `c${i}.x`, [s.N, s.D]).add('feat', `c${i}.xt`, [s.Nt, s.D]).add('feat', `c${i}.y`, [s.N], 'u32');
  });
  const arena = Arena.build(gpu, plan);
  data.forEach((d, i) => {
    arena.write(`c${i}.x`, d.X);
    arena.write(`c${i}.xt`, d.Xt);
    arena.write(`c${i}.y`, d.y);
  });
  const probes = await prepareClassifiers(ctx, arena, shapes.map((shape, i) => ({ name: `c${i}`, shape, train: `c${i}.x`, test: `c${i}.xt`, labels: `c${i}.y` })), PROBE_HYPER);
  const run = async () => {
    const enc = new StepEncoder(gpu);
    probes.record(enc);
    enc.submit();
    return Promise.all(shapes.map(async (_, i) => ({ w: await readF32(gpu, probes.weights(`c${i}`)), logits: await readF32(gpu, probes.testLogits(`c${i}`)) })));
  };
  const first = await run();
  const again = await run(); // record() starts from zero weights every time
  arena.destroy();
  await checkNoUncapturedErrors();
  return { first, again };
}

describe('probe classifiers (softmax regression, full-batch AdamW) vs float64', () => {
  it('trains two classifiers side by side to the float64 weights and test logits, and repeats exactly', async () => {
    const rng = new Rng(11, 0);
    const shapes: ClassifierShape[] = [
      { N: 300, Nt: 120, D: 9, K: 5 },
      { N: 200, Nt: 64, D: 6, K: 12 },
    ];
    const data = shapes.map((s) => {
      const means = new Float64Array(s.K * s.D).map(() => 1.5 * rng.normal());
      const tr = features(rng, s.N, s.D, s.K, means);
      const te = features(rng, s.Nt, s.D, s.K, means);
      return { X: tr.X, y: tr.y, Xt: te.X, yt: te.y };
    });
    const { first, again } = await trainOnGpu(shapes, data);
    shapes.forEach((s, i) => {
      const d = data[i]!;
      const W = trainSoftmaxRegression(d.X, d.y, s.N, s.D, s.K, PROBE_HYPER);
      const logits = matmulForward(d.Xt, W, null, s.Nt, s.D, s.K);
      const got = first[i]!;
      // 64 float32 AdamW steps against float64: measured ~5e-7 of the weights' scale (test
      // logits 3.8e-7); the bound leaves 20× room. Predicted classes may differ only at near ties.
      const wErr = maxAbsDiff(got.w, W) / maxAbs(W);
      const lErr = maxAbsDiff(got.logits, logits) / maxAbs(logits);
      console.log(`classifier ${i}: |ΔW|/|W| = ${wErr.toExponential(2)}, |Δlogits|/|logits| = ${lErr.toExponential(2)}`);
      expect(wErr).toBeLessThan(1e-5);
      expect(lErr).toBeLessThan(1e-5);
      const want = argmaxRows(logits, s.Nt, s.K);
      const pred = argmaxRows(got.logits, s.Nt, s.K);
      expect(pred.filter((p, n) => p !== want[n]).length).toBeLessThanOrEqual(1);
      // It learned: well above chance on held-out examples.
      const acc = pred.filter((p, n) => p === d.yt[n]).length / s.Nt;
      expect(acc).toBeGreaterThan(2 / s.K);
      // Deterministic: the same features give the same bits.
      expect(Array.from(again[i]!.w)).toEqual(Array.from(got.w));
      expect(Array.from(again[i]!.logits)).toEqual(Array.from(got.logits));
    });
  });
});
