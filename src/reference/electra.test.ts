// The CPU side of the ELECTRA tests: the chi-square p-value the GPU sampler tests rely on, the
// float64 Gumbel sampler (fast here, so large N), and the replacement rules on a hand example.
import { describe, expect, it } from 'vitest';
import { chiSquareTest, gammaQ, gumbelNoise, gumbelSampleReference, replaceTokensReference, softmax } from './electra.ts';

describe('chi-square p-value', () => {
  it('matches tabulated critical values and closed forms', () => {
    // Upper 0.1% points for the df the GPU tests use, the 5% point for df 1, and df 2 = exp(−x/2).
    expect(gammaQ(11 / 2, 31.264 / 2)).toBeCloseTo(0.001, 5);
    expect(gammaQ(10 / 2, 29.588 / 2)).toBeCloseTo(0.001, 5);
    expect(gammaQ(6 / 2, 22.458 / 2)).toBeCloseTo(0.001, 5);
    expect(gammaQ(1 / 2, 3.841459 / 2)).toBeCloseTo(0.05, 6);
    for (const x of [0.1, 1, 5, 40]) expect(gammaQ(1, x / 2)).toBeCloseTo(Math.exp(-x / 2), 12);
  });

  it('counts in a zero-probability category fail the test', () => {
    expect(chiSquareTest([5, 5, 1], [0.5, 0.5, 0]).p).toBe(0);
    expect(chiSquareTest([5, 5, 0], [0.5, 0.5, 0])).toMatchObject({ stat: 0, df: 1, p: 1 });
  });
});

describe('float64 Gumbel-max sampler', () => {
  const logits = [-1, 0.5, 2, -0.3, 1.2, 0, 2.5, -0.8, 0.9, 1.7, -0.2, 0.3];
  const V = logits.length;

  function draw(M: number, opts: { temperature?: number; disallowCorrect?: boolean; uniform?: boolean; target?: number }) {
    const rows = new Float64Array(M * V);
    for (let r = 0; r < M; r++) rows.set(logits, r * V);
    const o = { temperature: 1, disallowCorrect: false, uniform: false, firstOrdinary: 5, seed: 7, step: 3, ...opts };
    const { sampled } = gumbelSampleReference(rows, new Uint32Array(M).fill(opts.target ?? 0), new Float64Array(M).fill(1), M, V, o);
    const counts = new Float64Array(V);
    for (const s of sampled) counts[s]!++;
    return counts;
  }

  it('follows softmax(logits/T) (chi-square, 40,000 draws, T = 1 and 0.5)', () => {
    for (const T of [1, 0.5]) {
      const c = chiSquareTest(draw(40000, { temperature: T }), softmax(logits, T));
      console.log(`cpu gumbel T=${T}: chi2 ${c.stat.toFixed(2)} df ${c.df} p ${c.p.toFixed(3)}`);
      expect(c.p).toBeGreaterThan(0.001);
    }
  });

  it('disallowCorrect and uniform change the candidates, not the law among them', () => {
    const p = softmax(logits);
    p[6] = 0;
    const renorm = p.map((x) => x / p.reduce((a, b) => a + b, 0));
    const d = chiSquareTest(draw(20000, { disallowCorrect: true, target: 6 }), renorm);
    const u = chiSquareTest(draw(20000, { uniform: true }), logits.map((_, v) => (v >= 5 ? 1 / 7 : 0)));
    console.log(`cpu gumbel disallow: chi2 ${d.stat.toFixed(2)} p ${d.p.toFixed(3)}; uniform: chi2 ${u.stat.toFixed(2)} p ${u.p.toFixed(3)}`);
    expect(d.p).toBeGreaterThan(0.001);
    expect(u.p).toBeGreaterThan(0.001);
  });

  it('noise is finite at the extreme hashes and has the Gumbel mean', () => {
    let sum = 0;
    const n = 100000;
    for (let i = 0; i < n; i++) sum += gumbelNoise(1, 2, i, 3);
    expect(sum / n).toBeCloseTo(0.5772, 1); // Euler–Mascheroni
    expect(Number.isFinite(-Math.log(-Math.log(0.5 / 16777216)))).toBe(true);
    expect(Number.isFinite(-Math.log(-Math.log((16777215 + 0.5) / 16777216)))).toBe(true);
  });
});

describe('replaceTokensReference', () => {
  it('writes sampled ids at used slots, labels only real changes, counts per row', () => {
    // B=2, T=5, P=2. Row 0: [CLS] 10 11 12 [SEP]; slot 0 replaces 11 by 20, slot 1 samples the
    // original 12 back. Row 1: [CLS] 13 [SEP] [PAD] [PAD]; slot 0 unused (garbage sampled id).
    const tokens = [2, 10, 11, 12, 3, 2, 13, 3, 0, 0];
    const mask = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const positions = [2, 3, 1, 0];
    const targets = [11, 12, 13, 0];
    const weights = [1, 1, 0, 0];
    const sampled = [20, 12, 99, 0];
    const all = replaceTokensReference(tokens, mask, positions, targets, weights, sampled, 2, 5, 2, false);
    expect(Array.from(all.discInputs)).toEqual([2, 10, 20, 12, 3, 2, 13, 3, 0, 0]);
    expect(Array.from(all.labels)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(all.lossWeights)).toEqual(mask);
    expect(Array.from(all.rowStats)).toEqual([2, 1, 1, 5, 0, 0, 0, 3]);
    expect(Array.from(all.stats)).toEqual([2, 1, 1, 8]);
    const only = replaceTokensReference(tokens, mask, positions, targets, weights, sampled, 2, 5, 2, true);
    expect(Array.from(only.lossWeights)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(only.labels)).toEqual(Array.from(all.labels));
  });
});
