// ELECTRA's GPU steps in real WebGPU. The sampler is judged by its law (chi-square goodness of fit
// of 10,000 draws, α = 0.001, fixed seeds so the verdict is reproducible) and against the float64
// sampler on the same hashes; the replacement must equal its CPU reference exactly.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32, readU32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { chiSquareTest, gumbelSampleReference, replaceTokensReference, softmax } from '../../reference/electra.ts';
import { type OpContext } from '../../gpu/op-context.ts';
import { gumbelSeed, prepareGumbelSample, prepareReplaceTokens, type GumbelSampleOptions } from './electra.ts';
import { opContext } from '../../shaders/index.ts';

let context: OpContext | null = null;
async function ctx(): Promise<OpContext> {
  context ??= opContext(await testGpu());
  return context;
}

const ALPHA = 0.001;
const FIRST_ORDINARY = 5; // [PAD] [UNK] [CLS] [SEP] [MASK] = 0..4
// V = 12, spread so that at T = 0.5 the rarest id still expects > 5 of 10,000 draws.
const LOGITS = [-1, 0.5, 2, -0.3, 1.2, 0, 2.5, -0.8, 0.9, 1.7, -0.2, 0.3];
const V = LOGITS.length;
const BASE: Omit<GumbelSampleOptions, 'wg'> = { temperature: 1, disallowCorrect: false, uniform: false, firstOrdinary: FIRST_ORDINARY, seed: gumbelSeed(0) };

interface Rows {
  M: number;
  V: number;
  logits: Float32Array; // (M,V)
  targets: Uint32Array; // (M)
  weights: Float32Array; // (M)
}

/** M rows all holding `row`, target `target`, weight 1. */
function repeated(row: readonly number[], M: number, target = 0): Rows {
  const logits = new Float32Array(M * row.length);
  for (let r = 0; r < M; r++) logits.set(row, r * row.length);
  return { M, V: row.length, logits, targets: new Uint32Array(M).fill(target), weights: new Float32Array(M).fill(1) };
}

/** Runs the sampler once per step (setStep between submissions) and reads `sampled` back. */
async function sample(c: Rows, opts: GumbelSampleOptions, steps: number[]): Promise<Uint32Array[]> {
  const c0 = await ctx();
  const { M } = c;
  const arena = Arena.build(
    c0.gpu,
    new ArenaPlan().add('act', 'logits', [M, c.V]).add('batch', 'targets', [M], 'u32').add('batch', 'weights', [M]).add('batch', 'sampled', [M], 'u32'),
  );
  arena.write('logits', c.logits);
  arena.write('targets', c.targets);
  arena.write('weights', c.weights);
  const g = (n: string) => arena.get(n);
  const op = await prepareGumbelSample(c0, { logits: g('logits'), targets: g('targets'), weights: g('weights'), sampled: g('sampled') }, { M, V: c.V }, opts);
  const out: Uint32Array[] = [];
  for (const step of steps) {
    op.setStep(step);
    const enc = new StepEncoder(c0.gpu);
    op.record(enc);
    enc.submit();
    out.push(await readU32(c0.gpu, g('sampled')));
  }
  const logitsAfter = await readF32(c0.gpu, g('logits'));
  arena.destroy();
  expect(logitsAfter).toEqual(c.logits); // only read
  return out;
}

function histogram(s: Uint32Array, V: number): Float64Array {
  const c = new Float64Array(V);
  for (const v of s) c[v]!++;
  return c;
}

/** Chi-square of the draws against `probs`, printed, and asserted at α. */
function expectLaw(name: string, s: Uint32Array, probs: ArrayLike<number>): void {
  const c = chiSquareTest(histogram(s, probs.length), probs);
  console.log(`${name}: chi2 = ${c.stat.toFixed(2)}, df = ${c.df}, p = ${c.p.toFixed(4)} (N = ${s.length}, min expected ${c.minExpected.toFixed(1)})`);
  expect(c.minExpected).toBeGreaterThanOrEqual(5); // the chi-square approximation holds
  expect(c.p).toBeGreaterThan(ALPHA);
}

/** Rows where GPU ≠ float64 although the float64 winner leads by more than f32 rounding could undo. */
function clearMismatches(got: Uint32Array, c: Rows, o: GumbelSampleOptions, step: number): { clear: number; nearTies: number } {
  const want = gumbelSampleReference(c.logits, c.targets, c.weights, c.M, c.V, { ...o, step });
  let clear = 0;
  let nearTies = 0;
  for (let r = 0; r < c.M; r++) {
    if (want.margin[r]! < 1e-4) nearTies++;
    else if (got[r] !== want.sampled[r]) clear++;
  }
  return { clear, nearTies };
}

describe('Gumbel-max sampling (GPU)', () => {
  it('10,000 draws follow softmax(logits/T) for T = 1 and T = 0.5 (chi-square), as the float64 sampler picks', async () => {
    const c = repeated(LOGITS, 10000);
    for (const T of [1, 0.5]) {
      const o = { ...BASE, temperature: T };
      const [s] = await sample(c, o, [11]);
      expectLaw(`softmax T=${T}`, s!, softmax(LOGITS, T));
      const m = clearMismatches(s!, c, o, 11);
      console.log(`softmax T=${T}: GPU vs float64 sampler: ${m.clear} clear mismatches, ${m.nearTies} near-ties`);
      expect(m.clear).toBe(0);
    }
  });

  it('disallowCorrect never returns the target and follows the renormalised softmax', async () => {
    const target = 6; // the most likely id, so excluding it changes the law the most
    const [s] = await sample(repeated(LOGITS, 10000, target), { ...BASE, disallowCorrect: true }, [12]);
    expect(s!.includes(target)).toBe(false);
    const p = softmax(LOGITS);
    p[target] = 0;
    const z = p.reduce((a, b) => a + b, 0);
    expectLaw('disallowCorrect', s!, p.map((x) => x / z));

    const varied = repeated(LOGITS, 1200);
    varied.targets = Uint32Array.from({ length: 1200 }, (_, r) => r % V);
    const [w] = await sample(varied, { ...BASE, disallowCorrect: true }, [13]);
    expect(w!.some((x, r) => x === r % V)).toBe(false);
  });

  it('uniform mode ignores the logits, never returns a special, and is uniform over ordinary ids', async () => {
    // Logits that would make a special id win every time if they were read.
    const trap = LOGITS.map((_, v) => (v < FIRST_ORDINARY ? 50 : -50));
    const [s] = await sample(repeated(trap, 10000), { ...BASE, uniform: true }, [14]);
    expect(s!.some((x) => x < FIRST_ORDINARY)).toBe(false);
    expectLaw(
      'uniform',
      s!,
      trap.map((_, v) => (v >= FIRST_ORDINARY ? 1 / (V - FIRST_ORDINARY) : 0)),
    );

    const both = repeated(trap, 700);
    both.targets = Uint32Array.from({ length: 700 }, (_, r) => FIRST_ORDINARY + (r % (V - FIRST_ORDINARY)));
    const [d] = await sample(both, { ...BASE, uniform: true, disallowCorrect: true }, [15]);
    expect(d!.some((x, r) => x === both.targets[r] || x < FIRST_ORDINARY)).toBe(false);
  });

  it('weight-0 rows return their target; V = 1003 random logits match the float64 sampler for any workgroup size', async () => {
    const M = 48;
    const V1 = 1003; // not a multiple of any workgroup size
    const rng = new Rng(5, V1);
    const c: Rows = {
      M,
      V: V1,
      logits: Float32Array.from({ length: M * V1 }, () => 3 * rng.normal()),
      targets: Uint32Array.from({ length: M }, () => rng.int(V1)),
      weights: Float32Array.from({ length: M }, (_, r) => (r % 3 === 1 ? 0 : 1)),
    };
    const o = { ...BASE, disallowCorrect: true };
    const [a] = await sample(c, { ...o, wg: 16 }, [21]);
    const [b] = await sample(c, { ...o, wg: 256 }, [21]);
    expect(b).toEqual(a);
    for (let r = 0; r < M; r++) {
      if (c.weights[r] === 0) expect(a![r]).toBe(c.targets[r]);
      else expect(a![r]).not.toBe(c.targets[r]);
    }
    const m = clearMismatches(a!, c, o, 21);
    console.log(`V=1003: GPU vs float64 sampler: ${m.clear} clear mismatches, ${m.nearTies} near-ties`);
    expect(m.clear).toBe(0);
  });

  it('the same step gives the same samples; another step or seed gives others', async () => {
    const c = repeated(LOGITS, 2000);
    const [s5, s6, s5again] = await sample(c, BASE, [5, 6, 5]);
    const [other] = await sample(c, { ...BASE, seed: 1 }, [5]);
    expect(s5again).toEqual(s5);
    // Two independent draws agree with probability Σp² ≈ 0.2 here, so about 80% should differ.
    const differ = (x: Uint32Array) => x.reduce((n, v, r) => n + (v !== s5![r] ? 1 : 0), 0) / c.M;
    console.log(`determinism: step 6 differs from step 5 in ${(100 * differ(s6!)).toFixed(1)}% of rows, seed 1 in ${(100 * differ(other!)).toFixed(1)}%`);
    expect(differ(s6!)).toBeGreaterThan(0.6);
    expect(differ(other!)).toBeGreaterThan(0.6);
  });

  it('rejects a bad temperature, seed or tensor with a message naming it; uniform mode takes any logits range', async () => {
    const c0 = await ctx();
    const arena = Arena.build(
      c0.gpu,
      new ArenaPlan().add('a', 'logits', [4, 12]).add('a', 'targets', [4], 'u32').add('a', 'weights', [4]).add('a', 'sampled', [4], 'u32').add('b', 'dummy', [1]),
    );
    const io = { logits: arena.get('logits'), targets: arena.get('targets'), weights: arena.get('weights'), sampled: arena.get('sampled') };
    await expect(prepareGumbelSample(c0, io, { M: 4, V: 12 }, { ...BASE, temperature: 0 })).rejects.toThrow(/temperature/);
    await expect(prepareGumbelSample(c0, io, { M: 4, V: 12 }, { ...BASE, seed: -1 })).rejects.toThrow(/seed/);
    await expect(prepareGumbelSample(c0, { ...io, sampled: io.weights }, { M: 4, V: 12 }, BASE)).rejects.toThrow(/weights is f32, expected u32 \(sampled/);
    await expect(prepareGumbelSample(c0, io, { M: 4, V: 13 }, BASE)).rejects.toThrow(/logits has 48 elements, expected 52/);
    // A run without a generator has no (M,V) logits; uniform mode never reads them.
    const noGen = { ...io, logits: arena.get('dummy') };
    await expect(prepareGumbelSample(c0, noGen, { M: 4, V: 12 }, BASE)).rejects.toThrow(/dummy has 1 elements, expected 48/);
    await expect(prepareGumbelSample(c0, noGen, { M: 4, V: 12 }, { ...BASE, uniform: true })).resolves.toBeDefined();
    arena.destroy();
  });
});

interface Batch {
  B: number;
  T: number;
  P: number;
  tokens: Uint32Array; // (B,T)
  attnMask: Uint32Array; // (B,T)
  positions: Uint32Array; // (B,P)
  targets: Uint32Array; // (B,P)
  weights: Float32Array; // (B,P)
  sampled: Uint32Array; // (B,P)
}

/**
 * Rows of varied length: full (no [PAD]), all [PAD], [CLS][SEP] only (no slot used), random.
 * Used slots take distinct positions inside the text; about a third sample the original back.
 * Unused slots hold garbage positions and ids, which must not be written.
 */
function batch(B: number, T: number, P: number, seed: number, Vb = 50): Batch {
  const rng = new Rng(seed, 7);
  const b0: Batch = {
    B,
    T,
    P,
    tokens: new Uint32Array(B * T),
    attnMask: new Uint32Array(B * T),
    positions: new Uint32Array(B * P),
    targets: new Uint32Array(B * P),
    weights: new Float32Array(B * P),
    sampled: new Uint32Array(B * P),
  };
  for (let b = 0; b < B; b++) {
    const L = b === 0 ? T : b === 1 ? 0 : b === 2 ? 2 : 3 + rng.int(T - 3);
    for (let t = 0; t < L; t++) {
      b0.tokens[b * T + t] = t === 0 ? 2 : t === L - 1 ? 3 : FIRST_ORDINARY + rng.int(Vb - FIRST_ORDINARY);
      b0.attnMask[b * T + t] = 1;
    }
    const inner = rng.shuffle(Array.from({ length: Math.max(0, L - 2) }, (_, i) => i + 1));
    const used = Math.min(inner.length, 1 + rng.int(P));
    for (let p = 0; p < P; p++) {
      const s = b * P + p;
      if (p < used) {
        const t = inner[p]!;
        b0.positions[s] = t;
        b0.targets[s] = b0.tokens[b * T + t]!;
        b0.weights[s] = 1;
        b0.sampled[s] = rng.uniform() < 0.35 ? b0.targets[s]! : FIRST_ORDINARY + rng.int(Vb - FIRST_ORDINARY);
      } else {
        b0.positions[s] = rng.int(T);
        b0.sampled[s] = 999;
      }
    }
  }
  return b0;
}

const REPLACE_IO = ['tokens', 'attnMask', 'positions', 'targets', 'weights', 'sampled', 'discInputs', 'labels', 'lossWeights', 'rowStats', 'stats'] as const;

async function replace(c: Batch, maskedOnly: boolean) {
  const c0 = await ctx();
  const { B, T, P } = c;
  const plan = new ArenaPlan()
    .add('batch', 'tokens', [B, T], 'u32')
    .add('batch', 'attnMask', [B, T], 'u32')
    .add('batch', 'positions', [B, P], 'u32')
    .add('batch', 'targets', [B, P], 'u32')
    .add('batch', 'weights', [B, P])
    .add('batch', 'sampled', [B, P], 'u32')
    .add('disc', 'discInputs', [B, T], 'u32')
    .add('disc', 'labels', [B, T])
    .add('disc', 'lossWeights', [B, T])
    .add('disc', 'rowStats', [B, 4], 'u32')
    .add('disc', 'stats', [4], 'u32');
  const arena = Arena.build(c0.gpu, plan);
  for (const n of ['tokens', 'attnMask', 'positions', 'targets', 'weights', 'sampled'] as const) arena.write(n, c[n]);
  // Garbage in every output, so an element the kernels forget to write shows.
  arena.write('discInputs', new Uint32Array(B * T).fill(777));
  arena.write('labels', new Float32Array(B * T).fill(7));
  arena.write('lossWeights', new Float32Array(B * T).fill(7));
  arena.write('rowStats', new Uint32Array(B * 4).fill(777));
  const io = Object.fromEntries(REPLACE_IO.map((n) => [n, arena.get(n)])) as Record<(typeof REPLACE_IO)[number], ReturnType<Arena['get']>>;
  const op = await prepareReplaceTokens(c0, io, { B, T, P }, { maskedOnly });
  const enc = new StepEncoder(c0.gpu);
  op.record(enc);
  enc.submit();
  const got = {
    discInputs: await readU32(c0.gpu, io.discInputs),
    labels: await readF32(c0.gpu, io.labels),
    lossWeights: await readF32(c0.gpu, io.lossWeights),
    rowStats: await readU32(c0.gpu, io.rowStats),
    stats: await readU32(c0.gpu, io.stats),
  };
  arena.destroy();
  return got;
}

describe('ELECTRA token replacement (GPU == CPU reference, exactly)', () => {
  for (const maskedOnly of [false, true]) {
    it(`B=7, T=37, P=6 with padding rows and unused slots, maskedOnly=${maskedOnly}`, async () => {
      const c = batch(7, 37, 6, maskedOnly ? 2 : 1);
      const got = await replace(c, maskedOnly);
      const want = replaceTokensReference(c.tokens, c.attnMask, c.positions, c.targets, c.weights, c.sampled, c.B, c.T, c.P, maskedOnly);
      console.log(`replace maskedOnly=${maskedOnly}: stats [masked, same, replaced, real] = [${Array.from(got.stats).join(', ')}]`);
      for (const k of ['discInputs', 'labels', 'lossWeights', 'rowStats', 'stats'] as const) expect(Array.from(got[k]), k).toEqual(Array.from(want[k]));
      expect(want.stats[1]).toBeGreaterThan(0); // some slots sampled the original back
      expect(want.stats[2]).toBeGreaterThan(0);
    });
  }

  it('rejects a tensor of the wrong size, naming it', async () => {
    const c0 = await ctx();
    const B = 2;
    const T = 8;
    const P = 3;
    const plan = new ArenaPlan();
    for (const n of REPLACE_IO) {
      const perRow = n === 'stats' ? 0 : n === 'rowStats' ? 4 : ['positions', 'targets', 'weights', 'sampled'].includes(n) ? P : T;
      const f32 = n === 'weights' || n === 'labels' || n === 'lossWeights';
      plan.add('a', n, n === 'stats' ? [4] : n === 'labels' ? [B, T + 1] : [B, perRow], f32 ? 'f32' : 'u32');
    }
    const arena = Arena.build(c0.gpu, plan);
    const io = Object.fromEntries(REPLACE_IO.map((n) => [n, arena.get(n)])) as Record<(typeof REPLACE_IO)[number], ReturnType<Arena['get']>>;
    await expect(prepareReplaceTokens(c0, io, { B, T, P }, { maskedOnly: false })).rejects.toThrow(/labels has 18 elements, expected 16 \(labels \(B,T\)\)/);
    arena.destroy();
  });
});
