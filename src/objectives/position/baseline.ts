// What position prediction is judged against (issue [J]): guesses from a table, no context.
//   per token id:           each id → its most frequent position in the training batches (ties:
//                           the lower position; an id never seen: the most frequent position overall)
//   per (token id, length): the same per row length, falling back to the id's own guess. A row's
//                           length is in its bag of tokens (count them), so this is the part of the
//                           headroom a model gets by counting rather than by ordering the tokens.
// Held-out rows are scored with them: accuracy and mean |predicted − true| over their real tokens,
// the same tokens the GPU's metrics count. A model that beats the first uses the other tokens, not
// just the token's own identity ([CLS] is always first; a word that mostly opens sentences sits early).
import type { Batch } from '../../data/batcher.ts';

export interface PositionBaseline {
  accuracy: number;
  meanError: number;
}

/** A guess of a token's position from its id and its row's length (real tokens). */
export type PositionGuess = (id: number, length: number) => number;

/** Position counts of the training rows: per id (dense), per (id, length) (sparse), overall. */
export class PositionCounts {
  readonly byId: Uint32Array;
  readonly byIdLength = new Map<number, Uint32Array>();
  readonly overall: Uint32Array;

  constructor(
    readonly V: number,
    readonly T: number,
  ) {
    this.byId = new Uint32Array(V * T);
    this.overall = new Uint32Array(T);
  }

  add(b: Batch): this {
    const { T } = this;
    for (let i = 0; i < b.B * b.T; i++) {
      if (!b.attention[i]) continue;
      const t = i % b.T;
      const key = b.ids[i]! * (T + 1) + b.lengths[Math.floor(i / b.T)]!;
      let c = this.byIdLength.get(key);
      if (!c) this.byIdLength.set(key, (c = new Uint32Array(T)));
      c[t]!++;
      this.byId[b.ids[i]! * T + t]!++;
      this.overall[t]!++;
    }
    return this;
  }

  /** Each id → its most frequent position. */
  perId(): Int32Array {
    const fallback = Math.max(0, argmax(this.overall, 0, this.T));
    return Int32Array.from({ length: this.V }, (_, id) => {
      const p = argmax(this.byId, id * this.T, this.T);
      return p < 0 ? fallback : p;
    });
  }

  /** Each (id, row length) → its most frequent position; pairs never seen: the id's guess. */
  perIdLength(): PositionGuess {
    const table = this.perId();
    const best = new Map<number, number>();
    for (const [key, c] of this.byIdLength) best.set(key, argmax(c, 0, this.T));
    return (id, length) => best.get(id * (this.T + 1) + length) ?? table[id]!;
  }
}

/** The most frequent of a[o..o+T) (ties: the lower index), or −1 when all are 0. */
function argmax(a: Uint32Array, o: number, T: number): number {
  let best = 0;
  for (let t = 1; t < T; t++) if (a[o + t]! > a[o + best]!) best = t;
  return a[o + best]! > 0 ? best : -1;
}

/** A guess (or a per-id table) scored on the first `rows` rows of the held-out set. */
export function positionBaseline(guess: Int32Array | PositionGuess, evalSet: Batch, rows: number): PositionBaseline {
  const { T } = evalSet;
  const at = typeof guess === 'function' ? guess : (id: number) => guess[id]!;
  let n = 0;
  let right = 0;
  let err = 0;
  for (let i = 0; i < Math.min(rows, evalSet.B) * T; i++) {
    if (!evalSet.attention[i]) continue;
    const p = at(evalSet.ids[i]!, evalSet.lengths[Math.floor(i / T)]!);
    const t = i % T;
    n++;
    if (p === t) right++;
    err += Math.abs(p - t);
  }
  return { accuracy: n ? right / n : NaN, meanError: n ? err / n : NaN };
}
