// Statistics and invariants of the masking lab's CPU twin (fast, in Node), strategy by strategy:
// rates, whole units, span / n-gram length distributions, corruption shares, schedules, and the
// shared rules (fixed point, WGSL constants). Attention, entity, frequency and diffusion are in
// selection-kinds.test.ts. Bit-identity with the GPU is checked in lab.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import commonWgsl from '../shaders/masking_lab_common.wgsl?raw';
import { budgetTable, scheduledRate } from './budget.ts';
import { labParams, labStep, mulhi24, SALT, unigramCdf } from './lab-rules.ts';
import { chiSquare, testBatch } from './lab-testing.ts';
import { randomMaskingReference, RECORD, SPECIAL } from './reference.ts';
import { config, simulate, TEST_COUNTS, TEST_V } from './selection-testing.ts';
import { maskingLabReference } from './selection.ts';
import { buildUnits } from './units.ts';

/** Σ masked / Σ L over every row of every step, and the count of rows. */
function rate(strategy: string, params: Record<string, string | number>, opts: Parameters<typeof simulate>[1]) {
  let masked = 0;
  let L = 0;
  let rows = 0;
  const problems = simulate(config(strategy, params), opts, ({ out, batch }) => {
    for (let b = 0; b < batch.B; b++) {
      masked += out.rowStats[b * 8 + 1]!;
      L += out.rowStats[b * 8]!;
      if (out.rowStats[b * 8]! > 0) rows++;
    }
  });
  return { problems, rate: masked / L, rows };
}

describe('masking lab rules', () => {
  it('mulhi24 (12-bit halves) = floor(a·b / 2^24) on edge and random values', () => {
    const vals = [0, 1, 2, 0xfff, 0x1000, 0x7fffff, 0x800000, 0xfffffe, 0xffffff];
    for (let i = 0; i < 2000; i++) vals.push((i * 2654435761) % 0x1000000);
    let wrong = 0;
    for (const a of vals) for (const b of vals.slice(0, 60)) if (mulhi24(a, b) !== Number((BigInt(a) * BigInt(b)) >> 24n)) wrong++;
    expect(wrong).toBe(0);
  });

  it('unigram cdf: ordinary ids only, zero counts never drawn, huge totals halved into 31 bits', () => {
    expect(unigramCdf(new Uint32Array([5, 5, 5, 5, 5, 1, 2, 0, 4]), 9)).toEqual({ cdf: new Uint32Array([0, 0, 0, 0, 0, 1, 3, 3, 7]), total: 7 });
    const big = new Uint32Array(9);
    big[5] = big[6] = 0xffffffff;
    big[7] = 3;
    const { cdf, total } = unigramCdf(big, 9);
    expect(total).toBeLessThan(2 ** 31);
    expect([cdf[5], cdf[6] - cdf[5], cdf[7] - cdf[6], cdf[8] - cdf[7]]).toEqual([2 ** 30 - 1, 2 ** 30 - 1, 1, 0]);
  });

  it('masking_lab_common.wgsl repeats the salts of lab-rules.ts', () => {
    for (const [name, value] of Object.entries(SALT)) {
      if (name === 'RATIO') continue; // CPU only (the ratio goes into the budget table)
      const m = new RegExp(`const SALT_${name}: u32 = 0x([0-9a-f]+)u;`).exec(commonWgsl);
      expect(m && parseInt(m[1]!, 16), `SALT_${name}`).toBe(value);
    }
  });

  it('the per-step rate and budget table follow the schedule formulas', () => {
    for (const schedule of ['constant', 'cosine', 'linear'] as const) {
      for (const strategy of ['whole-word', 'span'] as const) {
        const p = labParams(config(strategy, { schedule }), { seed: 1, totalSteps: 1000, T: 128, P: 41, V: TEST_V, unigram: TEST_COUNTS });
        for (const s of [0, 1, 250, 500, 999, 1000, 5000]) {
          const st = labStep(p, s);
          expect(st.rate).toBe(scheduledRate(0.15, schedule, s, 1000));
          expect(Array.from(st.budget)).toEqual(Array.from(budgetTable(st.rate, p.cap, strategy === 'span' ? 'ceil' : 'round')));
        }
        if (schedule === 'cosine') expect(labStep(p, 0).rate).toBeCloseTo(0.32, 12);
      }
    }
    // Slots follow the peak rate: cosine at 0.15 starts at 0.32 → round(128·0.32)+1 = 42 > P = 41.
    expect(labParams(config('random', { schedule: 'cosine' }), { seed: 1, totalSteps: 9, T: 128, P: 64, V: TEST_V, unigram: TEST_COUNTS }).cap).toBe(42);
  });
});

describe('masking lab: shuffle kind', () => {
  it('lab "random" equals the [B] random kernel bit for bit (BERT 80/10/10, uniform random ids)', () => {
    const T = 128;
    const P = 20;
    const params = labParams(config('random'), { seed: 99, totalSteps: 100, T, P, V: TEST_V, unigram: TEST_COUNTS });
    for (const step of [0, 1, 17]) {
      const batch = testBatch(64, T, TEST_COUNTS, step);
      const u = buildUnits(config('random'), batch, { tagNames: [], unigram: TEST_COUNTS });
      const lab = maskingLabReference({ tokens: batch.ids, units: u.units, weights: u.weights }, { B: 64, T, P, V: TEST_V }, params, step);
      const b = randomMaskingReference(batch.ids, 64, T, P, { rate: 0.15, maxPredictions: 20, maskProb: 0.8, randomProb: 0.1, vocabSize: TEST_V, seed: 99 }, step);
      expect(lab.inputs).toEqual(b.inputs);
      expect(lab.positions).toEqual(b.positions);
      expect(lab.targets).toEqual(b.targets);
      expect(lab.weights).toEqual(b.weights);
      expect(lab.record).toEqual(b.record);
    }
  });

  it('token-level rates: random and frequency within ±1% (relative) of 15% over 1,280 sequences', () => {
    for (const s of ['random', 'frequency']) {
      const r = rate(s, {}, { steps: 20 });
      console.log(`${s}: achieved rate ${(100 * r.rate).toFixed(3)}% over ${r.rows} rows`);
      expect(r.problems).toEqual([]);
      expect(Math.abs(r.rate - 0.15)).toBeLessThan(0.0015);
    }
  });

  it('whole-unit rates: whole-word and PMI within ±2 points of 15% at T=128, units never split', () => {
    // A unit that does not fit the rest of the budget is skipped, so a row can end short when
    // only multi-piece words are left; ≈30% of words here have 2–4 pieces (harsher than WordPiece
    // on Brown), and PMI units span 2–4 words 20% of the time.
    for (const s of ['whole-word', 'pmi']) {
      const r = rate(s, {}, { steps: 20, wholeUnits: true });
      console.log(`${s}: achieved rate ${(100 * r.rate).toFixed(3)}% over ${r.rows} rows`);
      expect(r.problems).toEqual([]);
      expect(Math.abs(r.rate - 0.15)).toBeLessThan(0.02);
    }
  });

  it('corruption shares: MASK/RANDOM/KEEP within ±2 points of 80/10/10 and 85/0/15; per unit: one kind per unit', () => {
    for (const [mp, rp] of [[0.8, 0.1], [0.85, 0]] as const) {
      const kinds = [0, 0, 0, 0];
      const problems = simulate(config('whole-word', { maskProb: mp, randomProb: rp }), { steps: 20 }, ({ out }) => {
        for (const r of out.record) kinds[r & 3]!++;
      });
      const n = kinds[1]! + kinds[2]! + kinds[3]!;
      console.log(`corruption ${mp}/${rp}: MASK ${(kinds[1]! / n).toFixed(4)} RANDOM ${(kinds[2]! / n).toFixed(4)} KEEP ${(kinds[3]! / n).toFixed(4)} of ${n}`);
      expect(problems).toEqual([]);
      expect(Math.abs(kinds[1]! / n - mp)).toBeLessThan(0.02);
      expect(Math.abs(kinds[2]! / n - rp)).toBeLessThan(0.02);
      expect(Math.abs(kinds[3]! / n - (1 - mp - rp))).toBeLessThan(0.02);
    }
    let mixed = 0;
    let multi = 0;
    simulate(config('whole-word', { corruptBy: 'unit' }), { steps: 10, batch: { multiPiece: 0.6 } }, ({ out }) => {
      for (let i = 1; i < out.record.length; i++) {
        const a = out.record[i - 1]!;
        const b = out.record[i]!;
        if (a && b && a >>> 8 === b >>> 8) {
          multi++;
          if ((a & 3) !== (b & 3)) mixed++;
        }
      }
    });
    expect(multi).toBeGreaterThan(500);
    expect(mixed).toBe(0);
  });

  it('unigram random ids follow the training counts (chi-square over the 8 most frequent ids, the rest pooled)', () => {
    const counts = new Array(9).fill(0);
    const problems = simulate(config('random', { maskProb: 0, randomProb: 1, randomFrom: 'unigram' }), { steps: 20 }, ({ out }) => {
      for (let i = 0; i < out.record.length; i++) if ((out.record[i]! & 3) === RECORD.RANDOM) counts[Math.min(8, out.inputs[i]! - SPECIAL.FIRST_ORDINARY)]++;
    });
    const total = TEST_COUNTS.reduce((a, b) => a + b, 0);
    const probs = Array.from({ length: 9 }, (_, k) => (k < 8 ? TEST_COUNTS[k + 5]! : total - TEST_COUNTS.slice(5, 13).reduce((a, b) => a + b, 0)) / total);
    const chi = chiSquare(counts, probs);
    console.log(`unigram random ids: chi² ${chi.stat.toFixed(2)} (dof ${chi.dof}), p = ${chi.p.toFixed(4)}`);
    expect(problems).toEqual([]);
    expect(chi.p).toBeGreaterThan(0.001);
  });
});

describe('masking lab: spans kind', () => {
  /** Drawn lengths of effective draws, and realized lengths of spans nothing cut. */
  function spanLengths(strategy: string, params: Record<string, string | number>, opts: Parameters<typeof simulate>[1], maxLen: number) {
    const drawn = new Array(maxLen + 1).fill(0);
    const uncut = new Array(maxLen + 1).fill(0);
    let cutMismatch = 0;
    let spans = 0;
    const problems = simulate(config(strategy, params), { ...opts, trace: true, wholeUnits: true }, ({ out }) => {
      for (const s of out.spans!) {
        spans++;
        drawn[s.want]++;
        if (s.cut === 0) {
          uncut[s.got]++;
          if (s.got !== s.want) cutMismatch++;
        }
      }
    });
    return { problems, drawn, uncut, cutMismatch, spans };
  }

  it('span: rate within ±2 points (ceil rule), lengths match the truncated geometric (p=0.2, 1..10)', () => {
    const r = rate('span', {}, { steps: 20, wholeUnits: true });
    console.log(`span: achieved rate ${(100 * r.rate).toFixed(3)}% over ${r.rows} rows`);
    expect(r.problems).toEqual([]);
    expect(Math.abs(r.rate - 0.15)).toBeLessThan(0.02);
    const probs = [0, ...Array.from({ length: 10 }, (_, i) => 0.2 * 0.8 ** i)];
    const s = spanLengths('span', {}, { steps: 20 }, 10);
    const chi = chiSquare(s.drawn, probs);
    console.log(`span lengths of ${s.spans} effective draws: ${s.drawn.slice(1).join(' ')}; chi² ${chi.stat.toFixed(2)}, p = ${chi.p.toFixed(4)}`);
    expect(s.problems).toEqual([]);
    expect(s.cutMismatch).toBe(0);
    expect(chi.p).toBeGreaterThan(0.001);
    // Spans not cut by the budget or the row end: the first span of long rows at a high rate,
    // where cuts are rare (< 5%: the row end, or one of the 0.5% in-text [MASK] tokens, which
    // are not maskable and end a span), so conditioning on "not cut" barely biases the lengths.
    const first = new Array(11).fill(0);
    let cuts = 0;
    let rows = 0;
    simulate(config('span', { rate: 0.5 }), { steps: 16, T: 512, trace: true, batch: { length: 512, noEdges: true } }, ({ out }) => {
      const seen = new Set<number>();
      for (const sp of out.spans!) {
        if (seen.has(sp.b)) continue;
        seen.add(sp.b);
        rows++;
        if (sp.cut) cuts++;
        else first[sp.got]++;
      }
    });
    const chiFirst = chiSquare(first, probs);
    console.log(`span lengths, first uncut span of ${rows} rows (T=512): ${first.slice(1).join(' ')}; ${cuts} cut; chi² ${chiFirst.stat.toFixed(2)}, p = ${chiFirst.p.toFixed(4)}`);
    expect(cuts / rows).toBeLessThan(0.05);
    expect(chiFirst.p).toBeGreaterThan(0.001);
  });

  it('n-gram: lengths match the given probabilities, rate within ±2 points, units never split', () => {
    const r = rate('ngram', {}, { steps: 20, wholeUnits: true });
    console.log(`ngram: achieved rate ${(100 * r.rate).toFixed(3)}% over ${r.rows} rows`);
    expect(r.problems).toEqual([]);
    expect(Math.abs(r.rate - 0.15)).toBeLessThan(0.02);
    const s = spanLengths('ngram', { probs: '0.4,0.3,0.2,0.1' }, { steps: 20 }, 4);
    const chi = chiSquare(s.drawn, [0, 0.4, 0.3, 0.2, 0.1]);
    console.log(`n-gram lengths of ${s.spans} effective draws: ${s.drawn.slice(1).join(' ')}; chi² ${chi.stat.toFixed(2)}, p = ${chi.p.toFixed(4)}`);
    expect(s.cutMismatch).toBe(0);
    expect(chi.p).toBeGreaterThan(0.001);
    const z = spanLengths('ngram', { probs: '0,1' }, { steps: 4 }, 2);
    expect(z.drawn[1]).toBe(0); // a zero weight is never drawn
  });
});
