// Turns token streams into (B,T) batches: each row is [CLS] + a window of ≤ T−2 tokens of one
// document + [SEP] + [PAD]…, with the attention mask, row lengths, and per token the word-start
// flag, POS tag, source word index and unit (segment) id that masking strategies need
// (whole-word, span, POS, PMI units).
// Training batches are a pure function of (stream, seed, step, B, T); eval windows are a fixed,
// ordered list. Also the unigram baseline: the masked-token loss of guessing from frequencies.
//
// Windows never cross documents, start at a word start and end at a word boundary (so no row
// begins with a `##` piece and every word in a row is whole), unless one word alone exceeds T−2.
// A window may start or end inside a multi-word (PMI) unit: the part inside the row is the unit.
// Deliberately not here: masking (src/masking, on the GPU), tokenizing (tokenizer.ts).

import { hash4, Rng } from './prng.ts';
import { CLS_ID, NO_WORD, NUM_SPECIAL, PAD_ID, SEP_ID } from './tokenizer.ts';

/** tag of tokens with no POS tag: specials, padding, synthetic data. */
export const NO_TAG = 0xffff;
const TRAIN_DOMAIN = 0x7472616e; // 'tran': keeps batch streams apart from other users of a seed
const SAMPLE_DOMAIN = 0x736d706c; // 'smpl'

/** A tokenized split: documents back to back; per-token arrays all have length = tokens. */
export interface TokenStream {
  ids: Uint32Array;
  wordStart: Uint8Array;
  tags: Uint16Array; // NO_TAG where unknown
  wordIndex: Uint32Array; // the token's word in the source corpus (Brown: index into wordIds)
  /**
   * Unit id per token (PMI units, pmi.ts): all pieces of a word, and all words of a unit, share
   * it; ids increase along the stream and never repeat. Absent: each word is its own unit and
   * batches use wordIndex.
   */
  segment?: Uint32Array;
  docStarts: Uint32Array; // (D+1) token offsets; document d is [docStarts[d], docStarts[d+1])
  docIds: readonly string[]; // (D) e.g. "ca01"
}

/** B rows of T tokens; every (B,T) array is row-major, row b at [b·T, (b+1)·T). */
export interface Batch {
  B: number;
  T: number;
  ids: Uint32Array; // (B,T)
  attention: Uint32Array; // (B,T) 1 real ([CLS], tokens, [SEP]), 0 pad
  lengths: Uint32Array; // (B) real tokens incl. [CLS] and [SEP] = row sum of attention
  wordStart: Uint8Array; // (B,T) 1 at a word's first token; 0 at specials and pad
  tags: Uint16Array; // (B,T) POS tag id; NO_TAG at specials and pad
  wordIndex: Uint32Array; // (B,T) source word index; NO_WORD at specials and pad
  /** (B,T) unit id, stream-global (= wordIndex when the stream has no units); NO_WORD at specials and pad. */
  segment: Uint32Array;
  rowDoc: Uint32Array; // (B) document index in the stream
  rowStart: Uint32Array; // (B) token offset of the window in the stream
}

export function emptyBatch(B: number, T: number): Batch {
  if (!Number.isInteger(B) || B < 1) throw new Error(`Batch size B must be a positive integer (got ${B}).`);
  if (!Number.isInteger(T) || T < 3) throw new Error(`Sequence length T must be an integer ≥ 3 to hold [CLS] x [SEP] (got ${T}).`);
  return {
    B, T,
    ids: new Uint32Array(B * T).fill(PAD_ID),
    attention: new Uint32Array(B * T),
    lengths: new Uint32Array(B),
    wordStart: new Uint8Array(B * T),
    tags: new Uint16Array(B * T).fill(NO_TAG),
    wordIndex: new Uint32Array(B * T).fill(NO_WORD),
    segment: new Uint32Array(B * T).fill(NO_WORD),
    rowDoc: new Uint32Array(B),
    rowStart: new Uint32Array(B),
  };
}

/** Resets a batch to all padding, for reuse without allocation. */
export function clearBatch(b: Batch): Batch {
  b.ids.fill(PAD_ID);
  b.attention.fill(0);
  b.lengths.fill(0);
  b.wordStart.fill(0);
  b.tags.fill(NO_TAG);
  b.wordIndex.fill(NO_WORD);
  b.segment.fill(NO_WORD);
  b.rowDoc.fill(0);
  b.rowStart.fill(0);
  return b;
}

/** Writes [CLS] stream[start, end) [SEP] into row b (the rest of the row stays pad). */
export function writeRow(batch: Batch, b: number, s: TokenStream, doc: number, start: number, end: number): void {
  const { T } = batch;
  const n = end - start;
  if (n < 0 || n > T - 2) throw new Error(`writeRow: window of ${n} tokens does not fit T−2 = ${T - 2}.`);
  const o = b * T;
  batch.ids[o] = CLS_ID;
  batch.ids.set(s.ids.subarray(start, end), o + 1);
  batch.ids[o + 1 + n] = SEP_ID;
  batch.attention.fill(1, o, o + n + 2);
  batch.wordStart.set(s.wordStart.subarray(start, end), o + 1);
  batch.tags.set(s.tags.subarray(start, end), o + 1);
  batch.wordIndex.set(s.wordIndex.subarray(start, end), o + 1);
  batch.segment.set((s.segment ?? s.wordIndex).subarray(start, end), o + 1);
  batch.lengths[b] = n + 2;
  batch.rowDoc[b] = doc;
  batch.rowStart[b] = start;
}

/** End of a window starting at `start` (a word start) in [start, docEnd): ≤ W tokens, whole words. */
function windowEnd(s: TokenStream, start: number, docEnd: number, W: number): number {
  const end = Math.min(docEnd, start + W);
  if (end === docEnd) return end;
  let e = end;
  while (e > start && !s.wordStart[e]) e--;
  return e > start ? e : end; // a single word longer than W is cut
}

/**
 * Training batch for `step`: row b draws from Rng(seed, hash(step, b)), so any step can be
 * replayed alone and row b does not depend on B. A row picks a token uniformly over the stream
 * (so long documents are drawn in proportion to their length), then a window start uniformly in
 * its document such that a full T−2 window fits, moved back to the nearest word start. Rows are
 * full except for the partial word trimmed at the end (or a document shorter than T−2).
 * `out` (same B, T) is cleared and reused instead of allocating a new batch.
 */
export function trainBatch(s: TokenStream, o: { seed: number; step: number; B: number; T: number }, out?: Batch): Batch {
  if (out && (out.B !== o.B || out.T !== o.T)) throw new Error(`trainBatch: out is (${out.B},${out.T}) but the batch is (${o.B},${o.T}).`);
  const batch = out ? clearBatch(out) : emptyBatch(o.B, o.T);
  const W = o.T - 2;
  const D = s.docIds.length;
  const total = s.docStarts[D]!;
  if (D === 0 || total === 0) throw new Error('trainBatch: the token stream is empty.');
  for (let b = 0; b < o.B; b++) {
    const rng = new Rng(o.seed, hash4(o.step >>> 0, b, TRAIN_DOMAIN, 0));
    const doc = upperBound(s.docStarts, rng.int(total)) - 1;
    const ds = s.docStarts[doc]!;
    const de = s.docStarts[doc + 1]!;
    let start = ds + rng.int(Math.max(1, de - ds - W + 1));
    while (start > ds && !s.wordStart[start]) start--;
    writeRow(batch, b, s, doc, start, windowEnd(s, start, de, W));
  }
  return batch;
}

/**
 * The eval set: `count` fixed windows of the stream (the held-out split), non-overlapping,
 * whole words, at most T−2 tokens. Each document is cut into consecutive windows (a tail shorter
 * than (T−2)/2 is dropped); the list takes window 0 of every document, then window 1 of every
 * document, … so that even a small count covers all documents (all genres), in a fixed order.
 */
export function evalWindows(s: TokenStream, T: number, count: number): Batch {
  const perDoc = docWindows(s, T);
  const available = perDoc.reduce((n, l) => n + l.length, 0);
  if (!Number.isInteger(count) || count < 1 || count > available) {
    throw new Error(`Asked for ${count} eval windows, but the held-out documents hold ${available} windows at T=${T}: use a count from 1 to ${available}.`);
  }
  const batch = emptyBatch(count, T);
  let b = 0;
  for (let k = 0; b < count; k++) {
    for (let d = 0; d < perDoc.length && b < count; d++) {
      const w = perDoc[d]![k];
      if (w) writeRow(batch, b++, s, d, w[0], w[1]);
    }
  }
  return batch;
}

/**
 * `count` windows of the stream drawn without replacement from all of its whole-word windows
 * (evalWindows' cutting), in a seeded order: a fixed sample of a split, e.g. the probe's
 * training rows. Fewer if the stream holds fewer.
 */
export function sampleWindows(s: TokenStream, T: number, count: number, seed: number): Batch {
  const all = docWindows(s, T).flatMap((list, d) => list.map(([a, e]) => [d, a, e] as const));
  const pick = new Rng(seed, SAMPLE_DOMAIN).shuffle(all).slice(0, Math.min(count, all.length));
  if (pick.length === 0) throw new Error(`sampleWindows: the stream holds no window of ≥ ${Math.ceil((T - 2) / 2)} tokens at T=${T}.`);
  const batch = emptyBatch(pick.length, T);
  pick.forEach(([d, a, e], b) => writeRow(batch, b, s, d, a, e));
  return batch;
}

/** How many eval windows the stream holds at this T (the largest valid `count`). */
export function countEvalWindows(s: TokenStream, T: number): number {
  return docWindows(s, T).reduce((n, l) => n + l.length, 0);
}

/** Each document cut into consecutive whole-word windows of ≤ T−2 tokens, short tails dropped. */
function docWindows(s: TokenStream, T: number): [number, number][][] {
  const W = T - 2;
  if (!Number.isInteger(T) || W < 1) throw new Error(`Sequence length T must be an integer ≥ 3 (got ${T}).`);
  const perDoc: [number, number][][] = [];
  for (let d = 0; d < s.docIds.length; d++) {
    const de = s.docStarts[d + 1]!;
    const list: [number, number][] = [];
    for (let p = s.docStarts[d]!; p < de; ) {
      const e = windowEnd(s, p, de, W);
      if (e - p >= W / 2) list.push([p, e]);
      p = e;
    }
    perDoc.push(list);
  }
  return perDoc;
}

/** Rows [start, start+count) of a batch as views (no copy): eval in minibatches. */
export function sliceRows(batch: Batch, start: number, count: number): Batch {
  const { T } = batch;
  if (start < 0 || count < 1 || start + count > batch.B) throw new Error(`sliceRows: rows ${start}..${start + count - 1} are outside 0..${batch.B - 1}.`);
  const r = (a: Uint32Array) => a.subarray(start * T, (start + count) * T);
  return {
    B: count, T,
    ids: r(batch.ids), attention: r(batch.attention), wordIndex: r(batch.wordIndex), segment: r(batch.segment),
    wordStart: batch.wordStart.subarray(start * T, (start + count) * T),
    tags: batch.tags.subarray(start * T, (start + count) * T),
    lengths: batch.lengths.subarray(start, start + count),
    rowDoc: batch.rowDoc.subarray(start, start + count),
    rowStart: batch.rowStart.subarray(start, start + count),
  };
}

/** Token counts (V) of a training stream; ids ≥ V are an error (wrong tokenizer). */
export function unigramCounts(trainIds: Uint32Array, V: number): Uint32Array {
  const counts = new Uint32Array(V);
  for (let i = 0; i < trainIds.length; i++) {
    const id = trainIds[i]!;
    if (id >= V) throw new Error(`unigramCounts: token id ${id} at position ${i} is ≥ V=${V}: the ids come from another tokenizer.`);
    counts[id]!++;
  }
  return counts;
}

/**
 * Weighted mean of −log p(target) with p(t) = (count(t)+1) / (Σ_{u≥5} count(u) + V−5) over the
 * ordinary tokens (ids ≥ 5): the loss of a model that predicts masked tokens from corpus
 * frequencies alone — any trained MLM must beat it. targets, weights: (N); weight 0 = not scored.
 */
export function unigramBaselineLoss(counts: Uint32Array, targets: Uint32Array, weights: Float32Array): number {
  const V = counts.length;
  if (V <= NUM_SPECIAL) throw new Error(`unigramBaselineLoss: V=${V} has no ordinary tokens.`);
  if (targets.length !== weights.length) throw new Error(`unigramBaselineLoss: ${targets.length} targets but ${weights.length} weights.`);
  let total = V - NUM_SPECIAL;
  for (let v = NUM_SPECIAL; v < V; v++) total += counts[v]!;
  let loss = 0;
  let wsum = 0;
  for (let i = 0; i < targets.length; i++) {
    const w = weights[i]!;
    if (w === 0) continue;
    const t = targets[i]!;
    if (t < NUM_SPECIAL || t >= V) throw new Error(`unigramBaselineLoss: target ${t} at position ${i} (weight ${w}) is not an ordinary token id in ${NUM_SPECIAL}..${V - 1}.`);
    loss -= w * Math.log((counts[t]! + 1) / total);
    wsum += w;
  }
  if (wsum === 0) throw new Error('unigramBaselineLoss: all weights are 0 (no masked positions).');
  return loss / wsum;
}

/** First index i with a[i] > x (a sorted ascending). */
function upperBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
