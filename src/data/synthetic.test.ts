import { describe, expect, it } from 'vitest';
import { successorPermutation, symbolNames, symbolTokenizer, syntheticBatch, syntheticEval, syntheticRowTokens, type SyntheticSpec } from './synthetic.ts';
import { CLS_ID, NUM_SPECIAL, PAD_ID, SEP_ID } from './tokenizer.ts';

const row = (ids: Uint32Array, b: number, T: number, n: number) => Array.from(ids.subarray(b * T + 1, b * T + 1 + n), (id) => id - NUM_SPECIAL);

describe('successor task', () => {
  const spec: SyntheticSpec = { task: 'successor', symbols: 12, seed: 7 };

  it('π is a single cycle through all S symbols, fixed by the seed', () => {
    const pi = successorPermutation(12, 7);
    let x = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      seen.add(x);
      x = pi[x]!;
    }
    expect(seen.size).toBe(12);
    expect(x).toBe(0);
    expect(successorPermutation(12, 7)).toEqual(pi);
    expect(successorPermutation(12, 8)).not.toEqual(pi);
  });

  it('every row follows x_{i+1} = π(x_i) between [CLS] and [SEP]', () => {
    const T = 20;
    const pi = successorPermutation(12, 7);
    const b = syntheticBatch(spec, { step: 3, B: 8, T });
    for (let r = 0; r < 8; r++) {
      const x = row(b.ids, r, T, T - 2);
      for (let i = 1; i < x.length; i++) expect(x[i]).toBe(pi[x[i - 1]!]);
      expect(b.ids[r * T]).toBe(CLS_ID);
      expect(b.ids[r * T + T - 1]).toBe(SEP_ID);
      expect(b.lengths[r]).toBe(T);
    }
    const starts = new Set(Array.from({ length: 8 }, (_, r) => b.ids[r * T + 1]));
    expect(starts.size).toBeGreaterThan(1);
  });

  it('is deterministic by (seed, step); rows do not depend on B; eval differs from training', () => {
    const a = syntheticBatch(spec, { step: 5, B: 16, T: 16 });
    expect(syntheticBatch(spec, { step: 5, B: 16, T: 16 }).ids).toEqual(a.ids);
    expect(syntheticBatch(spec, { step: 5, B: 4, T: 16 }).ids).toEqual(a.ids.subarray(0, 4 * 16));
    expect(syntheticBatch(spec, { step: 6, B: 16, T: 16 }).ids).not.toEqual(a.ids);
    expect(syntheticBatch({ ...spec, seed: 8 }, { step: 5, B: 16, T: 16 }).ids).not.toEqual(a.ids);
    expect(syntheticEval(spec, 16, 16).ids).toEqual(syntheticEval(spec, 16, 16).ids);
  });
});

describe('copy task', () => {
  const spec: SyntheticSpec = { task: 'copy', symbols: 30, seed: 1 };

  it('the second half repeats the first half; odd T leaves one pad', () => {
    for (const T of [18, 19]) {
      const n = syntheticRowTokens('copy', T);
      expect(n).toBe(16);
      const b = syntheticBatch(spec, { step: 0, B: 6, T });
      for (let r = 0; r < 6; r++) {
        const x = row(b.ids, r, T, n);
        expect(x.slice(8)).toEqual(x.slice(0, 8));
        expect(b.ids[r * T + 1 + n]).toBe(SEP_ID);
        expect(b.lengths[r]).toBe(n + 2);
        if (T === 19) expect([b.ids[r * T + 18], b.attention[r * T + 18]]).toEqual([PAD_ID, 0]);
      }
    }
  });

  it('held-out rows are fixed and unlike training rows', () => {
    const ev = syntheticEval(spec, 34, 64);
    const train = syntheticBatch(spec, { step: 0, B: 64, T: 34 });
    const key = (ids: Uint32Array, r: number) => ids.subarray(r * 34, r * 34 + 34).join(',');
    const trainRows = new Set(Array.from({ length: 64 }, (_, r) => key(train.ids, r)));
    for (let r = 0; r < 64; r++) expect(trainRows.has(key(ev.ids, r))).toBe(false);
    expect(Array.from(ev.wordStart.subarray(1, 33)).every((f) => f === 1)).toBe(true);
  });
});

describe('symbol vocabulary', () => {
  it('is the specials then a, b, c, … (s0, s1, … beyond 26); bad specs are rejected', () => {
    const tok = symbolTokenizer(4);
    expect(tok.toVocabText()).toBe('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd\n');
    expect(tok.decode([CLS_ID, 5, 6, SEP_ID])).toBe('[CLS] a b [SEP]');
    expect(symbolNames(30)[29]).toBe('s29');
    expect(() => syntheticBatch({ task: 'copy', symbols: 1, seed: 0 }, { step: 0, B: 1, T: 8 })).toThrow(/alphabet size 1 is out of range/);
    expect(() => syntheticBatch({ task: 'sort' as 'copy', symbols: 4, seed: 0 }, { step: 0, B: 1, T: 8 })).toThrow(/Unknown synthetic task "sort"/);
  });
});
