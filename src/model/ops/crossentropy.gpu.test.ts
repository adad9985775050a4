import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { maxAbsDiff, scaledMaxRelError } from '../../reference/compare.ts';
import { crossEntropyBackward, crossEntropyForward, mlmMetrics } from '../../reference/crossentropy.ts';
import { crossEntropyVariantsOn, prepareCrossEntropy, prepareCrossEntropyRows, prepareMlmMetrics, type CrossEntropyVariant } from './crossentropy.ts';
import { opContext } from '../../shaders/index.ts';

interface Case {
  M: number;
  V: number;
  logits: Float32Array;
  targets: Uint32Array;
  weights: Float32Array;
}

/** Normal logits·scale; half the targets are the row's argmax (so `correct` is exercised), a few rows have a tied max. */
function randomCase(M: number, V: number, seed: number, scale = 3, zeroWeightEvery = 5): Case {
  const rng = new Rng(seed, V);
  const logits = new Float32Array(M * V);
  for (let i = 0; i < logits.length; i++) logits[i] = scale * rng.normal();
  const targets = new Uint32Array(M);
  const weights = new Float32Array(M);
  for (let r = 0; r < M; r++) {
    const row = logits.subarray(r * V, (r + 1) * V);
    let amax = 0;
    for (let j = 1; j < V; j++) if (row[j]! > row[amax]!) amax = j;
    if (r % 7 === 3) {
      // A tie: a lower index gets the same maximum; the lower one must win.
      const lo = rng.int(amax + 1);
      row[lo] = row[amax]!;
      targets[r] = r % 2 ? amax : lo;
    } else {
      targets[r] = r % 2 ? amax : rng.int(V);
    }
    weights[r] = r % zeroWeightEvery === 1 ? 0 : 1;
  }
  return { M, V, logits, targets, weights };
}

async function run(c: Case, variant: CrossEntropyVariant | 'rows' = 'tree') {
  const { M, V } = c;
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const arena = Arena.build(
    gpu,
    new ArenaPlan()
      .add('act', 'logits', [M, V])
      .add('act', 'losses', [M])
      .add('act', 'correct', [M])
      .add('act', 'metrics', [4])
      .add('batch', 'targets', [M], 'u32')
      .add('batch', 'weights', [M]),
  );
  arena.write('logits', c.logits);
  arena.write('targets', c.targets);
  arena.write('weights', c.weights);
  const g = (n: string) => arena.get(n);
  const io = { logits: g('logits'), targets: g('targets'), weights: g('weights'), losses: g('losses'), correct: g('correct') };
  const weightSum = c.weights.reduce((a, b) => a + b, 0);
  const ce = variant === 'rows' ? await prepareCrossEntropyRows(ctx, io, { M, V }, { weightSum }) : await prepareCrossEntropy(ctx, io, { M, V }, { variant });
  const metrics = await prepareMlmMetrics(ctx, { losses: g('losses'), correct: g('correct'), weights: g('weights'), metrics: g('metrics') }, { M });
  const enc = new StepEncoder(gpu);
  ce.record(enc);
  metrics.record(enc);
  enc.submit();
  const got = {
    dlogits: await readF32(gpu, g('logits')),
    losses: await readF32(gpu, g('losses')),
    correct: await readF32(gpu, g('correct')),
    metrics: await readF32(gpu, g('metrics')),
  };
  arena.destroy();
  const want = { ...crossEntropyForward(c.logits, c.targets, c.weights, M, V), dlogits: crossEntropyBackward(c.logits, c.targets, c.weights, M, V) };
  const errs = {
    loss: scaledMaxRelError(got.losses, want.losses),
    dlogits: scaledMaxRelError(got.dlogits, want.dlogits),
    correctMismatches: maxAbsDiff(got.correct, want.correct),
    // Metrics judged on the GPU's own per-row values, so this measures the metrics kernel alone.
    metrics: scaledMaxRelError(got.metrics, mlmMetrics(got.losses, got.correct, c.weights)),
    metricsVsF64: scaledMaxRelError(got.metrics, mlmMetrics(want.losses, want.correct, c.weights)),
  };
  const finite = [got.dlogits, got.losses, got.metrics].every((a) => a.every(Number.isFinite));
  return { got, want, errs, finite };
}

function log(name: string, e: Awaited<ReturnType<typeof run>>['errs']) {
  console.log(
    `${name}: loss ${e.loss.toExponential(2)}, dlogits ${e.dlogits.toExponential(2)}, correct max|diff| ${e.correctMismatches}, ` +
      `metrics ${e.metrics.toExponential(2)} (vs f64 rows ${e.metricsVsF64.toExponential(2)})`,
  );
}

// Bounds (scaledMaxRelError): losses ≤ 1e-4 (forward), dlogits ≤ 1e-3 (backward), metrics ≤ 1e-5
// (an f32 sum of ≤ 64 terms), correct exact (argmax compares the same f32 values as float64 does).
function expectGood(r: Awaited<ReturnType<typeof run>>) {
  expect(r.finite).toBe(true);
  expect(r.errs.loss).toBeLessThan(1e-4);
  expect(r.errs.dlogits).toBeLessThan(1e-3);
  expect(r.errs.correctMismatches).toBe(0);
  expect(r.errs.metrics).toBeLessThan(1e-5);
  expect(r.errs.metricsVsF64).toBeLessThan(1e-4);
}

/** 'tree', and 'subgroup' where the device has subgroups (SwiftShader has them). */
async function variants(): Promise<CrossEntropyVariant[]> {
  return crossEntropyVariantsOn(opContext(await testGpu()));
}

describe('cross-entropy + MLM metrics (GPU vs float64)', () => {
  it('M=64, V=4096, with zero-weight rows and tied maxima; every variant', async () => {
    for (const v of await variants()) {
      const r = await run(randomCase(64, 4096, 1), v);
      log(`ce ${v} M=64 V=4096`, r.errs);
      expectGood(r);
      expect(r.want.correct.reduce((a, b) => a + b, 0)).toBeGreaterThan(20); // correct really is exercised
    }
  });

  it('odd vocabulary V=1003, M=37 (neither a multiple of the workgroup), and V=3 (fewer logits than lanes); every variant', async () => {
    for (const v of await variants()) {
      for (const [M, V] of [[37, 1003], [9, 3]] as const) {
        const r = await run(randomCase(M, V, 2), v);
        log(`ce ${v} M=${M} V=${V}`, r.errs);
        expectGood(r);
      }
    }
  });

  it('extreme logits (±80) stay finite and exact', async () => {
    const c = randomCase(24, 1003, 3);
    const rng = new Rng(33);
    for (let i = 0; i < c.logits.length; i++) c.logits[i] = rng.uniform() < 0.5 ? -80 : 80 * (2 * rng.uniform() - 1);
    for (let r = 0; r < c.M; r++) if (r % 3 === 0) c.logits[r * c.V + c.targets[r]!] = -80; // loss ≈ 160
    for (const v of await variants()) {
      const r = await run(c, v);
      log(`ce ${v} ±80`, r.errs);
      console.log(`ce ${v} ±80: max loss ${Math.max(...r.got.losses)}`);
      expectGood(r);
    }
  });

  it('Σweights = 0 gives dlogits = 0 and metrics [0, 0, 0, 0], with losses still computed', async () => {
    const c = randomCase(16, 257, 4);
    c.weights.fill(0);
    for (const v of await variants()) {
      const r = await run(c, v);
      expect(r.got.dlogits.every((x) => x === 0)).toBe(true);
      expect(Array.from(r.got.metrics)).toEqual([0, 0, 0, 0]);
      expect(r.errs.loss).toBeLessThan(1e-4);
    }
  });

  it('crossentropy_rows (a thread per row, for the probes\' few classes) matches float64 the same way', async () => {
    for (const [M, V, seed] of [[1832, 12, 6], [37, 15, 7], [5, 64, 8]] as const) {
      const r = await run(randomCase(M, V, seed), 'rows');
      log(`ce rows M=${M} V=${V}`, r.errs);
      expectGood(r);
    }
  });

  it('metrics use the weights: [mean loss, accuracy, Σw, 0] over real slots only', async () => {
    const r = await run(randomCase(64, 512, 5, 3, 2)); // every other row is padding
    const m = Array.from(r.got.metrics);
    console.log(`metrics: ${m.map((x) => x.toFixed(5)).join(', ')}`);
    expect(m[2]).toBe(32);
    expect(m[3]).toBe(0);
    expectGood(r);
  });
});
