// What position prediction is judged against (issue [J]): the content alone, without context.
// Each token id is given its most frequent position in the training batches (ties: the lower
// position; an id never seen: the most frequent position overall), and the held-out rows are
// scored with it: accuracy and mean |predicted − true| over their real tokens, the same tokens
// the GPU's metrics count. A model that beats it uses the other tokens, not just the token's own
// identity ([CLS] is always first; a word that mostly opens sentences sits early).
import type { Batch } from '../../data/batcher.ts';

export interface PositionBaseline {
  accuracy: number;
  meanError: number;
}

/** Training rows → for each id, its most frequent position. */
export function mostFrequentPositions(batches: Iterable<Batch>, V: number, T: number): Int32Array {
  const counts = new Uint32Array(V * T);
  const overall = new Uint32Array(T);
  for (const b of batches) {
    for (let i = 0; i < b.B * b.T; i++) {
      if (!b.attention[i]) continue;
      const t = i % b.T;
      counts[b.ids[i]! * T + t]!++;
      overall[t]!++;
    }
  }
  const argmax = (a: Uint32Array, o: number) => {
    let best = 0;
    for (let t = 1; t < T; t++) if (a[o + t]! > a[o + best]!) best = t;
    return a[o + best]! > 0 ? best : -1;
  };
  const fallback = Math.max(0, argmax(overall, 0));
  return Int32Array.from({ length: V }, (_, id) => {
    const p = argmax(counts, id * T);
    return p < 0 ? fallback : p;
  });
}

/** The baseline on the first `rows` rows of the held-out set. */
export function positionBaseline(table: Int32Array, evalSet: Batch, rows: number): PositionBaseline {
  const { T } = evalSet;
  let n = 0;
  let right = 0;
  let err = 0;
  for (let i = 0; i < Math.min(rows, evalSet.B) * T; i++) {
    if (!evalSet.attention[i]) continue;
    const p = table[evalSet.ids[i]!]!;
    const t = i % T;
    n++;
    if (p === t) right++;
    err += Math.abs(p - t);
  }
  return { accuracy: n ? right / n : NaN, meanError: n ? err / n : NaN };
}
