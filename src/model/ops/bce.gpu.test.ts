import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { maxRelError, scaledMaxRelError } from '../../reference/compare.ts';
import { bceBackward, bceForward, bceMetrics, exactAuc } from '../../reference/bce.ts';
import { BCE_METRICS, bceMetricsScratch, bceScratch, prepareBce, prepareBceMetrics } from './bce.ts';
import { opContext } from '../../shaders/index.ts';

interface Case {
  N: number;
  logits: Float32Array;
  labels: Float32Array;
  weights: Float32Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Logits mu + spread·normal; labels drawn as P(y = 1) = σ(sharp·x), so the classes overlap (AUC
 * well inside (½, 1)); every 37th logit is ±30 (the stable tails) and every 5th token is padding.
 */
function randomCase(N: number, seed: number, o: { mu?: number; spread?: number; sharp?: number } = {}): Case {
  const { mu = 0, spread = 3, sharp = 0.8 } = o;
  const rng = new Rng(seed, N);
  const logits = new Float32Array(N);
  const labels = new Float32Array(N);
  const weights = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    logits[i] = i % 37 === 5 ? (rng.uniform() < 0.5 ? -30 : 30) : mu + spread * rng.normal();
    labels[i] = rng.uniform() < sigmoid(sharp * (logits[i]! - mu)) ? 1 : 0;
    weights[i] = i % 5 === 1 ? 0 : 1;
  }
  return { N, logits, labels, weights };
}

async function run(c: Case, scale = 50) {
  const { N } = c;
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan()
    .add('act', 'logits', [N])
    .add('act', 'losses', [N])
    .add('act', 'probs', [N])
    .add('act', 'metrics', [BCE_METRICS])
    .add('batch', 'labels', [N])
    .add('batch', 'weights', [N]);
  for (const s of [...bceScratch({ N }), ...bceMetricsScratch({ N })]) plan.add('scratch', s.name, s.shape, s.dtype);
  const arena = Arena.build(gpu, plan);
  arena.write('logits', c.logits);
  arena.write('labels', c.labels);
  arena.write('weights', c.weights);
  const g = (n: string) => arena.get(n);
  const io = { labels: g('labels'), weights: g('weights'), losses: g('losses'), probs: g('probs') };
  const bce = await prepareBce(ctx, { ...io, logits: g('logits'), scratch: bceScratch({ N }).map((s) => g(s.name)) }, { N }, { scale });
  const metrics = await prepareBceMetrics(ctx, { ...io, metrics: g('metrics'), scratch: bceMetricsScratch({ N }).map((s) => g(s.name)) }, { N });
  let enc = new StepEncoder(gpu);
  bce.record(enc);
  metrics.record(enc);
  enc.submit();
  const got = {
    dlogits: await readF32(gpu, g('logits')),
    losses: await readF32(gpu, g('losses')),
    probs: await readF32(gpu, g('probs')),
    metrics: await readF32(gpu, g('metrics')),
  };
  // Again, now that the logits hold dlogits: the metrics must not change by a bit.
  enc = new StepEncoder(gpu);
  metrics.record(enc);
  enc.submit();
  const metricsAgain = await readF32(gpu, g('metrics'));
  arena.destroy();

  const fwd = bceForward(c.logits, c.labels, c.weights);
  const want = { ...fwd, dlogits: bceBackward(c.logits, c.labels, c.weights, scale), metrics: bceMetrics(c.logits, c.labels, c.weights) };
  const m = Array.from(got.metrics);
  const errs = {
    loss: scaledMaxRelError(got.losses, want.losses),
    probs: scaledMaxRelError(got.probs, want.probs),
    dlogits: scaledMaxRelError(got.dlogits, want.dlogits),
    // Loss, accuracy, precision, recall: each relative to itself (they are all O(0.1–1)).
    metrics: maxRelError(got.metrics.subarray(0, 4), want.metrics.subarray(0, 4), 1e-6),
    // Against the exact AUC of the scores the kernel sees: logits clamped to ±16 (its documented
    // range). Inside that range this is the plain exact AUC.
    auc: Math.abs(m[4]! - exactAuc(c.logits.map((x) => Math.min(16, Math.max(-16, x))), c.labels, c.weights)),
  };
  const finite = [got.dlogits, got.losses, got.probs, got.metrics].every((a) => a.every(Number.isFinite));
  const repeatable = metricsAgain.every((v, i) => Object.is(v, got.metrics[i]));
  return { got, want, errs, finite, repeatable };
}

type Result = Awaited<ReturnType<typeof run>>;

function log(name: string, r: Result) {
  const e = r.errs;
  const fmt = (a: ArrayLike<number>) => Array.from(a, (x) => x.toFixed(5)).join(', ');
  console.log(
    `${name}: loss ${e.loss.toExponential(2)}, probs ${e.probs.toExponential(2)}, dlogits ${e.dlogits.toExponential(2)}, ` +
      `metrics ${e.metrics.toExponential(2)}, |AUC − exact(clamped)| ${e.auc.toExponential(2)}\n  gpu [${fmt(r.got.metrics)}]\n  f64 [${fmt(r.want.metrics)}]`,
  );
}

// Bounds: losses, probs, dlogits ≤ 1e-5 (scaledMaxRelError: a few f32 roundings per token);
// loss/accuracy/precision/recall ≤ 1e-5 relative (f32 sums of ≤ 4096 terms, each in a fixed tree);
// AUC within 2e-3 of the exact one (only pairs within one 1/64-wide bin are misjudged, by half).
function expectGood(r: Result) {
  expect(r.finite).toBe(true);
  expect(r.repeatable).toBe(true);
  expect(r.errs.loss).toBeLessThan(1e-5);
  expect(r.errs.probs).toBeLessThan(1e-5);
  expect(r.errs.dlogits).toBeLessThan(1e-5);
  expect(r.errs.metrics).toBeLessThan(1e-5);
  expect(r.errs.auc).toBeLessThan(2e-3);
  expect(r.got.metrics[5]).toBe(r.want.metrics[5]); // Σw and Σw·y are sums of 0s and 1s: exact
  expect(r.got.metrics[6]).toBe(r.want.metrics[6]);
  expect(r.got.metrics[7]).toBe(0);
}

describe('bce + discriminator metrics (GPU vs float64)', () => {
  it('N=1000 (not a multiple of the workgroup), ±30 logits, padding', async () => {
    const r = await run(randomCase(1000, 1));
    log('bce N=1000', r);
    expectGood(r);
    const auc = r.want.metrics[4]!;
    expect(auc).toBeGreaterThan(0.7); // partial separation: the AUC is really exercised
    expect(auc).toBeLessThan(0.95);
  });

  it('N=4096 (B·T = 32·128), scale 1', async () => {
    const r = await run(randomCase(4096, 2), 1);
    log('bce N=4096', r);
    expectGood(r);
  });

  it('scores in the upper tail (logits 10 ± 2), where f32 probs are coarse', async () => {
    const r = await run(randomCase(1000, 3, { mu: 10, spread: 2, sharp: 1 }));
    log('bce tail', r);
    expectGood(r);
  });

  it('extreme logits ±30 everywhere: finite, losses exact down to e^-30', async () => {
    const c = randomCase(300, 4);
    const rng = new Rng(44);
    for (let i = 0; i < c.N; i++) c.logits[i] = (rng.uniform() < 0.5 ? -1 : 1) * (20 + 10 * rng.uniform());
    const r = await run(c);
    log('bce ±30', r);
    // Without the scaled floor: a confident right answer's loss (~1e-13) is still accurate.
    const tinyLossErr = maxRelError(r.got.losses, r.want.losses, 1e-30);
    console.log(`bce ±30: unfloored loss rel err ${tinyLossErr.toExponential(2)}, min loss ${Math.min(...r.got.losses).toExponential(2)}`);
    expect(tinyLossErr).toBeLessThan(1e-5);
    expectGood(r);
  });

  it('Σw = 0: dlogits 0, metrics [0, 0, 0, 0, ½, 0, 0, 0], losses still computed', async () => {
    const c = randomCase(77, 5);
    c.weights.fill(0);
    const r = await run(c);
    expect(r.got.dlogits.every((x) => x === 0)).toBe(true);
    expect(Array.from(r.got.metrics)).toEqual([0, 0, 0, 0, 0.5, 0, 0, 0]);
    expect(r.errs.loss).toBeLessThan(1e-5);
  });

  it('separable classes give AUC 1, reversed labels give 0', async () => {
    const c = randomCase(500, 6);
    for (let i = 0; i < c.N; i++) c.logits[i] = c.labels[i] ? 0.5 + 7 * Math.abs(c.logits[i]! / 30) : -0.5 - 7 * Math.abs(c.logits[i]! / 30);
    const r = await run(c);
    log('bce separable', r);
    expect(r.got.metrics[4]).toBe(1);
    expect(Array.from(r.got.metrics.subarray(1, 4))).toEqual([1, 1, 1]); // accuracy, precision, recall
    for (let i = 0; i < c.N; i++) c.labels[i] = 1 - c.labels[i]!;
    const rev = await run(c);
    log('bce reversed', rev);
    expect(rev.got.metrics[4]).toBe(0);
    expectGood(rev);
  });
});
