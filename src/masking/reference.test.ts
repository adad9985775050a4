// Statistics and invariants of the CPU random-token masker (fast, in Node). Bit-identity with the
// GPU kernel is checked in random.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { isCandidate, maskBudget, randomMaskingReference, RECORD, SPECIAL, type RandomMaskingConfig } from './reference.ts';

const V = 4096;
const BERT: RandomMaskingConfig = { rate: 0.15, maxPredictions: 20, maskProb: 0.8, randomProb: 0.1, vocabSize: V, seed: 1234 };

/** [CLS] ordinary… [SEP] [PAD]… per sequence, L = lengths[b] (incl. [CLS]/[SEP]); ~2% [UNK]. */
function batch(rng: Rng, T: number, lengths: number[]): Uint32Array {
  const tokens = new Uint32Array(lengths.length * T);
  lengths.forEach((L, b) => {
    for (let t = 0; t < L; t++) {
      const ordinary = rng.uniform() < 0.02 ? SPECIAL.UNK : SPECIAL.FIRST_ORDINARY + rng.int(V - SPECIAL.FIRST_ORDINARY);
      tokens[b * T + t] = t === 0 ? SPECIAL.CLS : t === L - 1 ? SPECIAL.SEP : ordinary;
    }
  });
  return tokens;
}

interface Stats {
  masked: number;
  L: number;
  kinds: number[];
  problems: string[];
}

/**
 * Masks `steps` batches of B sequences with lengths from `len`, counts rates, and collects every
 * broken invariant as a message (one expect at the end: per-element expects are slow in Node).
 */
function run(cfg: RandomMaskingConfig, T: number, P: number, B: number, steps: number, len: (rng: Rng) => number): Stats {
  const rng = new Rng(77, T);
  const s: Stats = { masked: 0, L: 0, kinds: [0, 0, 0, 0], problems: [] };
  const check = (ok: boolean, what: () => string) => {
    if (!ok && s.problems.length < 10) s.problems.push(what());
  };
  for (let step = 0; step < steps; step++) {
    const lengths = Array.from({ length: B }, () => len(rng));
    const tokens = batch(rng, T, lengths);
    const o = randomMaskingReference(tokens, B, T, P, cfg, step);
    for (let b = 0; b < B; b++) {
      const L = lengths[b]!;
      const n = Math.min(maskBudget(L, P, cfg), L - 2);
      let filled = 0;
      for (let p = 0; p < P; p++) {
        const j = b * P + p;
        const at = () => `step ${step} seq ${b} slot ${p}`;
        if (o.weights[j] === 0) {
          check(o.positions[j] === 0 && o.targets[j] === 0, () => `${at()}: padding slot not 0/0`);
          continue;
        }
        check(p === filled++, () => `${at()}: real slot after a padding slot`);
        const t = o.positions[j]!;
        check(p === 0 || t > o.positions[j - 1]!, () => `${at()}: positions not increasing`);
        check(o.targets[j] === tokens[b * T + t], () => `${at()}: target is not the original token`);
        check(isCandidate(o.targets[j]!), () => `${at()}: special token ${o.targets[j]} chosen`);
        const rec = o.record[b * T + t]!;
        check(rec >>> 8 === t, () => `${at()}: record unit id ${rec >>> 8} ≠ position ${t}`);
        const kind = rec & 3;
        s.kinds[kind]!++;
        const inp = o.inputs[b * T + t]!;
        if (kind === RECORD.MASK) check(inp === SPECIAL.MASK, () => `${at()}: MASK record but input ${inp}`);
        else if (kind === RECORD.KEEP) check(inp === tokens[b * T + t], () => `${at()}: KEEP changed the input`);
        else check(kind === RECORD.RANDOM && inp >= SPECIAL.FIRST_ORDINARY && inp < V, () => `${at()}: random input ${inp} not ordinary`);
      }
      check(filled === n, () => `step ${step} seq ${b}: ${filled} slots filled, budget ${n}`);
      s.masked += filled;
      s.L += L;
      // Unchosen positions: record 0 and the input untouched.
      let recorded = 0;
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (o.record[i] === 0) check(o.inputs[i] === tokens[i], () => `step ${step} seq ${b} t ${t}: unchosen input changed`);
        else recorded++;
      }
      check(recorded === n, () => `step ${step} seq ${b}: ${recorded} records, budget ${n}`);
    }
  }
  expect(s.problems).toEqual([]);
  return s;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

describe('random-token masking, CPU reference', () => {
  it('masks 15% of tokens at realistic lengths, 80/10/10, never a special token', () => {
    // 1,024 sequences, L uniform in 64..128 at T = 128, maxPredictions = 20: round(L·0.15) ≤ 19,
    // so the cap never bites and the achieved rate is the rate plus rounding noise.
    const s = run(BERT, 128, 20, 64, 16, (r) => 64 + r.int(65));
    const rate = s.masked / s.L;
    const total = s.kinds[1]! + s.kinds[2]! + s.kinds[3]!;
    const f = s.kinds.map((k) => k / total);
    console.log(
      `T=128 L∈[64,128], 1024 seqs: rate ${pct(rate)} (${s.masked}/${s.L}); MASK ${pct(f[1]!)} RANDOM ${pct(f[2]!)} KEEP ${pct(f[3]!)}`,
    );
    expect(Math.abs(rate - 0.15)).toBeLessThan(0.0015); // ±1% of 15% (relative), i.e. 14.85%..15.15%
    expect(Math.abs(f[1]! - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(f[2]! - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(f[3]! - 0.1)).toBeLessThan(0.02);
  });

  it('reports what rounding and the cap do to short and long sequences', () => {
    // Short sequences: max(1, round(L·r)) overshoots (L = 5 → 1 of 5 = 20%; L = 3 → 33%).
    const short = run(BERT, 32, 20, 64, 16, (r) => 3 + r.int(18));
    // T = 512 with maxPredictions = 20: round(L·0.15) > 20 for L ≥ 137, so the cap takes over.
    const long = run(BERT, 512, 20, 16, 4, (r) => 256 + r.int(257));
    // The same long sequences with maxPredictions = P = 80 (BERT's setting for T = 512 is 76-80).
    const longUncapped = run({ ...BERT, maxPredictions: 80 }, 512, 80, 16, 4, (r) => 256 + r.int(257));
    console.log(
      `short L∈[3,20]: ${pct(short.masked / short.L)}; long L∈[256,512] max 20: ${pct(long.masked / long.L)}; ` +
        `long max 80: ${pct(longUncapped.masked / longUncapped.L)}`,
    );
    expect(short.masked / short.L).toBeGreaterThan(0.155); // measured 15.80%
    expect(long.masked / long.L).toBeLessThan(0.06);
    expect(Math.abs(longUncapped.masked / longUncapped.L - 0.15)).toBeLessThan(0.0015);
  });

  it('the budget rounds half up and honours every cap', () => {
    expect(maskBudget(10, 20, BERT)).toBe(2); // 1.5 → 2
    expect(maskBudget(3, 20, BERT)).toBe(1); // max(1, round(0.45))
    expect(maskBudget(0, 20, BERT)).toBe(0); // an all-padding row has nothing to mask
    expect(maskBudget(128, 20, BERT)).toBe(19);
    expect(maskBudget(200, 20, BERT)).toBe(20); // maxPredictions
    expect(maskBudget(200, 12, BERT)).toBe(12); // slots P
  });

  it('takes every candidate when there are fewer than the budget', () => {
    const tokens = Uint32Array.from([SPECIAL.CLS, 7, SPECIAL.SEP, 0, SPECIAL.CLS, SPECIAL.SEP, 0, 0, 0, 0, 0, 0]);
    const o = randomMaskingReference(tokens, 3, 4, 3, { ...BERT, rate: 1 }, 0);
    expect(Array.from(o.weights)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(o.positions[0]).toBe(1);
    expect(o.targets[0]).toBe(7);
  });

  it('is a pure function of (seed, step): same inputs → same mask, new step or seed → new mask', () => {
    const rng = new Rng(5);
    const tokens = batch(rng, 128, Array.from({ length: 16 }, () => 100));
    const a = randomMaskingReference(tokens, 16, 128, 20, BERT, 3);
    const again = randomMaskingReference(tokens, 16, 128, 20, BERT, 3);
    const nextStep = randomMaskingReference(tokens, 16, 128, 20, BERT, 4);
    const otherSeed = randomMaskingReference(tokens, 16, 128, 20, { ...BERT, seed: 1235 }, 3);
    expect(again).toEqual(a);
    expect(nextStep.positions).not.toEqual(a.positions);
    expect(otherSeed.positions).not.toEqual(a.positions);
    // Different steps overlap about as much as two independent 15% draws would (≈15% of positions).
    let same = 0;
    const setA = new Set(a.positions.filter((_, i) => a.weights[i] === 1).map((p, i) => p + 1000 * Math.floor(i / 20)));
    nextStep.positions.forEach((p, i) => {
      if (nextStep.weights[i] === 1 && setA.has(p + 1000 * Math.floor(i / 20))) same++;
    });
    expect(same / setA.size).toBeLessThan(0.3);
  });

  it('the eval mask (maskProb 1, randomProb 0) is all [MASK]', () => {
    const rng = new Rng(6);
    const tokens = batch(rng, 64, Array.from({ length: 32 }, () => 20 + rng.int(45)));
    const o = randomMaskingReference(tokens, 32, 64, 10, { ...BERT, maskProb: 1, randomProb: 0 }, 0);
    const kinds = Array.from(o.record).filter((r) => r !== 0).map((r) => r & 3);
    expect(kinds.length).toBeGreaterThan(100);
    expect(kinds.every((k) => k === RECORD.MASK)).toBe(true);
  });

  it('rejects configs it cannot honour, saying what is wrong', () => {
    const tokens = new Uint32Array(8);
    expect(() => randomMaskingReference(tokens, 1, 8, 2, { ...BERT, maskProb: 0.8, randomProb: 0.3 }, 0)).toThrow(/maskProb \+ randomProb/);
    expect(() => randomMaskingReference(tokens, 1, 8, 2, { ...BERT, vocabSize: 5 }, 0)).toThrow(/vocabSize/);
    expect(() => randomMaskingReference(new Uint32Array(600), 1, 600, 2, BERT, 0)).toThrow(/T must be/);
  });
});
