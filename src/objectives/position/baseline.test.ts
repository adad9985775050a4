import { describe, expect, it } from 'vitest';
import type { Batch } from '../../data/batcher.ts';
import { PositionCounts, positionBaseline } from './baseline.ts';

/** Rows of ids, padded with 0 (attention 0) to T. */
function batch(rows: number[][], T: number): Batch {
  const ids = new Uint32Array(rows.length * T);
  const attention = new Uint32Array(rows.length * T);
  rows.forEach((r, b) => r.forEach((id, t) => ((ids[b * T + t] = id), (attention[b * T + t] = 1))));
  return { B: rows.length, T, ids, attention, lengths: Uint32Array.from(rows, (r) => r.length) } as Batch;
}

describe('per-token-id position baseline', () => {
  it('gives each id its most frequent training position, ties to the lower, unseen ids the overall mode', () => {
    const T = 4;
    // id 2 at position 0 three times; id 5 at 1 twice and 3 once; id 6 at 2 and 1 once each (tie → 1).
    const table = new PositionCounts(9, T).add(batch([[2, 5, 6], [2, 6, 7, 5], [2, 5]], T)).perId();
    expect(table[2]).toBe(0);
    expect(table[5]).toBe(1);
    expect(table[6]).toBe(1);
    expect(table[7]).toBe(2);
    expect(table[8]).toBe(0); // never seen: position 0 is the most frequent overall (3 of 9 tokens, tied with 1 → lower)
  });

  it('scores the held-out rows over their real tokens only', () => {
    const T = 4;
    const table = Int32Array.from([0, 0, 0, 1, 2, 3]);
    // Row 0: ids 0 1 3 → predicted 0 0 1, true 0 1 2: one right, errors 0+1+1.
    // Row 1: ids 5 4 → predicted 3 2, true 0 1: none right, errors 3+1. Padding is not scored.
    const r = positionBaseline(table, batch([[0, 1, 3], [5, 4]], T), 2);
    expect(r.accuracy).toBeCloseTo(1 / 5, 12);
    expect(r.meanError).toBeCloseTo(6 / 5, 12);
    expect(positionBaseline(table, batch([[0, 1, 3], [5, 4]], T), 1).accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('per (id, row length): the most frequent position among rows of that length, else the id\'s own guess', () => {
    const T = 5;
    // id 4 ends every row ([SEP]-like): at 2 in the rows of length 3, at 4 in those of length 5.
    const counts = new PositionCounts(6, T).add(batch([[1, 2, 4], [1, 3, 4], [1, 2, 3, 2, 4], [1, 3, 2, 2, 4], [1, 2, 2, 3, 4]], T));
    expect(counts.perId()[4]).toBe(4); // 3 of 5 rows have length 5
    const guess = counts.perIdLength();
    expect(guess(4, 3)).toBe(2);
    expect(guess(4, 5)).toBe(4);
    expect(guess(4, 4)).toBe(4); // no row of length 4 was seen: the per-id guess
    // Held out, one row of each length. Both guess 1 at 0 and 2, 3 at 1 (three-way ties → the
    // lower); only the length tells where [SEP]-like 4 sits in the short row: 5 of 8 vs 6 of 8.
    const held = batch([[1, 2, 4], [1, 3, 2, 2, 4]], T);
    expect(positionBaseline(counts.perId(), held, 2).accuracy).toBeCloseTo(5 / 8, 12);
    expect(positionBaseline(guess, held, 2).accuracy).toBeCloseTo(6 / 8, 12);
  });
});
