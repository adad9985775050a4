// Statistics of the masking lab's CPU twin for the strategies with their own selection rules:
// attention (planted scores: high/low/hint, fallback), entity (tags, whole runs), frequency
// (inclusion vs an exact expectation) and masked diffusion (t uniform and stratified, rate (1−ε)t,
// weights 1/t). Fast, in Node; GPU == CPU is lab.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import type { Batch } from '../data/batcher.ts';
import { coarseTag } from '../data/brown.ts';
import { hash4 } from '../data/prng.ts';
import { diffusionTime, NO_UNIT, U24 } from './lab-rules.ts';
import { ksUniform, TEST_TAGS } from './lab-testing.ts';
import { SPECIAL } from './reference.ts';
import { config, simulate } from './selection-testing.ts';

/** Planted scores: a distinct value per position from a hash, so every ranking is unambiguous. */
function planted(batch: Batch): Float32Array {
  const s = new Float32Array(batch.B * batch.T);
  for (let i = 0; i < s.length; i++) s[i] = (hash4(7, 7, i, 0) >>> 8) / U24;
  return s;
}

describe('masking lab: attention (scores kind)', () => {
  it('high / low pick exactly the top / bottom ⌊r·L⌋ scores; hint reveals the right count from the top 10%', () => {
    let applied = 0;
    let rows = 0;
    let revealedTotal = 0;
    for (const mode of ['high', 'low', 'hint'] as const) {
      const problems = simulate(config('attention', { mode }), { steps: 20, firstStep: 1, scores: planted }, ({ batch, out, st, u }) => {
        const scores = planted(batch);
        for (let b = 0; b < batch.B; b++) {
          const o = b * batch.T;
          const L = out.rowStats[b * 8]!;
          if (L === 0 || out.rowStats[b * 8 + 6]) continue; // fallback rows are random
          const cands: number[] = [];
          for (let t = 0; t < batch.T; t++) if ((u.units[o + t]! & 0xffff) !== NO_UNIT) cands.push(t);
          cands.sort((x, y) => (mode === 'low' ? scores[o + x]! - scores[o + y]! : scores[o + y]! - scores[o + x]!));
          const n = Math.min(st.budget[L]! & 0xffff, cands.length);
          const masked = new Set<number>();
          for (let t = 0; t < batch.T; t++) if (out.record[o + t]) masked.add(t);
          const top = cands.slice(0, n);
          if (mode === 'hint') {
            const topSet = new Set(cands.slice(0, Math.min(n, Math.floor(cands.length / 10))));
            const revealed = top.filter((t) => !masked.has(t));
            const want = Math.min(Math.floor(0.1 * st.rate * L), topSet.size);
            expect(revealed.length).toBe(want);
            expect(revealed.every((t) => topSet.has(t))).toBe(true);
            expect([...masked].every((t) => top.includes(t))).toBe(true);
            revealedTotal += revealed.length;
          } else {
            expect([...masked].sort((x, y) => x - y)).toEqual(top.sort((x, y) => x - y));
          }
          applied++;
        }
        rows += batch.B - 2; // the all-[PAD] and [CLS][SEP] rows have nothing to mask
      });
      expect(problems).toEqual([]);
    }
    console.log(`attention: ${applied} of ${rows} rows used the scores (applyProb 0.5); hint revealed ${revealedTotal} tokens`);
    expect(Math.abs(applied / rows - 0.5)).toBeLessThan(0.03);
    expect(revealedTotal).toBeGreaterThan(100);
  });

  it('step 0 falls back to random for every row (rowStats and record bit 2); the ratio r ~ U(ratioMin, ratioMax)', () => {
    const ratios: number[] = [];
    const problems = simulate(config('attention'), { steps: 200, scores: planted, B: 8 }, ({ out, step, st }) => {
      ratios.push(st.rate);
      if (step !== 0) return;
      for (let b = 0; b < 8; b++) if (out.rowStats[b * 8]! > 0) expect(out.rowStats[b * 8 + 6]).toBe(1);
      for (const r of out.record) if (r) expect(r & 4).toBe(4);
    });
    expect(problems).toEqual([]);
    const D = ksUniform(ratios, 0.1, 0.5);
    console.log(`attention ratio r over 200 steps: KS D = ${D.toFixed(4)} (bound ${(1.63 / Math.sqrt(200)).toFixed(4)})`);
    expect(D).toBeLessThan(1.63 / Math.sqrt(200));
  });
});

describe('masking lab: entity (spans kind, entity mode)', () => {
  it('masks only proper-noun runs (whole) and nouns/verbs of the selected classes', () => {
    for (const classes of ['noun+verb', 'noun', 'verb']) {
      const seen: Record<string, number> = {};
      let entityPicks = 0;
      let picks = 0;
      const problems = simulate(config('entity', { classes }), { steps: 20, trace: true, wholeUnits: true }, ({ batch, out }) => {
        for (let i = 0; i < out.record.length; i++) {
          if (!out.record[i]) continue;
          const c = coarseTag(TEST_TAGS[batch.tags[i]!]!);
          seen[c] = (seen[c] ?? 0) + 1;
        }
        for (const s of out.spans!) {
          picks++;
          if (s.entity) entityPicks++;
          // An entity pick covers a maximal run: the words just outside are not proper nouns.
          if (s.entity) for (const t of [s.start - 1, s.end]) if (t >= 0 && t < batch.T) expect(coarseTag(TEST_TAGS[batch.tags[s.b * batch.T + t]!] ?? 'at') === 'PROPN' && batch.ids[s.b * batch.T + t]! > SPECIAL.MASK).toBe(false);
        }
      });
      console.log(`entity (${classes}): masked tokens by class ${JSON.stringify(seen)}; ${entityPicks} of ${picks} picks were entity runs`);
      expect(problems).toEqual([]);
      const allowed = new Set(['PROPN', ...(classes.includes('noun') ? ['NOUN'] : []), ...(classes.includes('verb') ? ['VERB'] : [])]);
      expect(Object.keys(seen).every((k) => allowed.has(k))).toBe(true);
      expect(seen.PROPN).toBeGreaterThan(100);
    }
  });
});

describe('masking lab: frequency-weighted', () => {
  /** Exact expected number of class-A tokens after n weighted draws without replacement. */
  function expectedA(nA: number, wA: number, nB: number, wB: number, n: number): number {
    let dist = [1]; // dist[kA] after k draws
    for (let k = 0; k < n; k++) {
      const next = new Array(dist.length + 1).fill(0);
      dist.forEach((p, kA) => {
        const a = (nA - kA) * wA;
        const b = (nB - (k - kA)) * wB;
        next[kA + 1] += (p * a) / (a + b);
        next[kA] += (p * b) / (a + b);
      });
      dist = next;
    }
    return dist.reduce((s, p, kA) => s + p * kA, 0);
  }

  it('rare tokens are masked more often, in proportion to (count+1)^−α (constructed batch, exact expectation)', () => {
    // Rows of [CLS] (A B)×63 [SEP]: A seen 9999 times, B 99 times → f = 0.01 vs 0.1 at α = 0.5,
    // weights 205 vs 2047. rate 0.05 → 6 draws per row.
    const A = 7;
    const Bid = 8;
    const counts = new Uint32Array(1000);
    counts[A] = 9999;
    counts[Bid] = 99;
    const ids = (batch: Batch) => {
      for (let b = 0; b < batch.B; b++) for (let t = 1; t < 127; t++) batch.ids[b * 128 + t] = t % 2 ? A : Bid;
    };
    let mA = 0;
    let mB = 0;
    let rows = 0;
    let wA = 0;
    let wB = 0;
    const problems = simulate(config('frequency', { rate: 0.05 }), { steps: 20, batch: { length: 128, noEdges: true }, unigram: counts, prepare: ids }, ({ out, u, batch }) => {
      wA = u.weights[1]!;
      wB = u.weights[2]!;
      for (let b = 0; b < batch.B; b++) {
        rows++;
        for (let t = 1; t < 127; t++) {
          if (!out.record[b * 128 + t]) continue;
          if (t % 2) mA++;
          else mB++;
        }
      }
    });
    expect(problems).toEqual([]);
    expect([wA, wB]).toEqual([205, 2047]);
    const eA = expectedA(63, wA, 63, wB, 6) * rows;
    const eB = 6 * rows - eA;
    console.log(`frequency: common A masked ${mA} (expected ${eA.toFixed(1)}), rare B ${mB} (expected ${eB.toFixed(1)}); per-token rate ratio ${(mB / mA).toFixed(2)} vs weight ratio ${(wB / wA).toFixed(2)}`);
    expect(Math.abs(mA - eA)).toBeLessThan(4 * Math.sqrt(eA));
    expect(Math.abs(mB / mA - wB / wA) / (wB / wA)).toBeLessThan(0.15);
  });
});

describe('masking lab: masked diffusion (bernoulli kind)', () => {
  it('t ~ U(ε, 1) (KS), one per 1/B stratum, masked share ≈ (1−ε)t, always [MASK], weights = 1/t', () => {
    const eps = 1e-3;
    const ts: number[] = [];
    let masked = 0;
    let expected = 0;
    let variance = 0;
    let strata = 0;
    let maxRel = 0;
    const B = 64;
    const problems = simulate(config('diffusion', { eps, maskProb: 0.2 }), { B, steps: 20, batch: { length: 128, noEdges: true } }, ({ out, step, params, u }) => {
      for (let b = 0; b < B; b++) {
        const { t24, tq } = diffusionTime(params.seed, step, b, B, params.eps24);
        const t = tq / U24;
        ts.push(t);
        if (t24 < Math.floor((b * U24) / B) || t24 >= Math.floor(((b + 1) * U24) / B)) strata++;
        let maskable = 0;
        for (let k = 0; k < 128; k++) if ((u.units[b * 128 + k]! & 0xffff) !== NO_UNIT) maskable++;
        const p = (1 - eps) * t;
        masked += out.rowStats[b * 8 + 1]!;
        expected += maskable * p;
        variance += maskable * p * (1 - p);
        for (let s = 0; s < out.rowStats[b * 8 + 1]!; s++) maxRel = Math.max(maxRel, Math.abs(out.weights[b * params.P + s]! * t - 1));
        expect(out.rowStats[b * 8 + 2]).toBe(out.rowStats[b * 8 + 1]); // all [MASK]
      }
    });
    expect(problems).toEqual([]);
    const D = ksUniform(ts, eps, 1);
    const z = (masked - expected) / Math.sqrt(variance);
    console.log(`diffusion: KS D = ${D.toFixed(4)} over ${ts.length} rows (bound ${(1.63 / Math.sqrt(ts.length)).toFixed(4)}); masked ${masked} vs expected ${expected.toFixed(1)} (z = ${z.toFixed(2)}); max |w·t − 1| = ${maxRel.toExponential(2)}`);
    expect(D).toBeLessThan(1.63 / Math.sqrt(ts.length));
    expect(strata).toBe(0);
    expect(Math.abs(z)).toBeLessThan(4);
    expect(maxRel).toBeLessThan(1e-6);
  });
});
