// Learns a WordPiece vocabulary from words with counts (the Brown training split), in the way
// Hugging Face's WordPieceTrainer does: BPE merges ranked by plain pair frequency over the
// unique words, where a word is its first character followed by `##`-prefixed continuation
// characters ("the" → t ##h ##e); every merged symbol becomes a vocabulary token. Encoding then
// uses BERT's greedy longest-match-first (tokenizer.ts), not the merge list.
//
// Ranking: plain frequency, not the WordPiece score freq(ab)/(freq(a)·freq(b)). That score
// changes for every pair containing a or b after each merge, which would need a re-rank of
// thousands of pairs per merge; frequency only changes in the words that contain the merged
// pair, so counts are kept incrementally (pair → count, pair → words containing it) with a lazy
// max-heap. Ties: the pair with the smaller (left id, right id) wins; ids follow a fixed order
// (alphabet sorted by code point, then merges in order), so the result is deterministic.
//
// Deliberately not here: reading corpora, the encoder itself, and BERT's punctuation splitting.

import { NUM_SPECIAL, PieceTokenizer, SPECIAL_TOKENS } from './tokenizer.ts';

export const MIN_VOCAB = 256;
export const MAX_VOCAB = 32768;

export interface WordPieceOptions {
  /** V including the 5 specials; 1k–8k suits Brown. Must be an integer in 256..32768. */
  vocabSize: number;
  /** Lowercase words before learning and encoding (BERT uncased). Default true. */
  lowercase?: boolean;
  /** A pair seen fewer times than this is never merged. Default 2. */
  minPairCount?: number;
  /** Words longer than this are ignored by learning and become [UNK] (BERT: 100). */
  maxWordChars?: number;
}

export function checkVocabSize(vocabSize: number): void {
  if (!Number.isInteger(vocabSize) || vocabSize < MIN_VOCAB || vocabSize > MAX_VOCAB) {
    throw new Error(`vocabSize ${vocabSize} is out of range: use an integer from ${MIN_VOCAB} to ${MAX_VOCAB} (1000–8000 suits the Brown corpus).`);
  }
}

const NONE = 0xffff; // symbol of a character left out of the alphabet: never merged
const KEY = 65536; // pair key = left * KEY + right; symbol ids < 65536 (≤ 32768 tokens)

/**
 * Learns the vocabulary from unique words and their counts (counts default to 1 each; repeated
 * words add up). The result has exactly `vocabSize` tokens unless the words run out of pairs
 * seen ≥ minPairCount times first (a tiny corpus), in which case it is smaller.
 */
export function learnWordPiece(words: readonly string[], counts: ArrayLike<number> | null, opts: WordPieceOptions): PieceTokenizer {
  checkVocabSize(opts.vocabSize);
  const lowercase = opts.lowercase ?? true;
  const minPairCount = Math.max(1, opts.minPairCount ?? 2);
  const maxWordChars = opts.maxWordChars ?? 100;

  // Unique (lowercased) words with summed counts; Map keeps first-seen order, sorted below.
  const wc = new Map<string, number>();
  for (let i = 0; i < words.length; i++) {
    const c = counts ? counts[i]! : 1;
    if (c <= 0) continue;
    const w = lowercase ? words[i]!.toLowerCase() : words[i]!;
    if (w.length === 0 || w.length > maxWordChars || /\s/.test(w)) continue;
    if ((SPECIAL_TOKENS as readonly string[]).includes(w)) continue;
    wc.set(w, (wc.get(w) ?? 0) + c);
  }
  if (wc.size === 0) throw new Error('learnWordPiece: no words to learn from (empty text or all counts zero). Pass the training split.');
  const uniq = [...wc.keys()].sort();

  // Alphabet: every character in both forms (initial "c" and continuation "##c"), so any word
  // made of seen characters can be encoded. Too many characters → keep the most frequent.
  const charCount = new Map<string, number>();
  for (const w of uniq) for (const ch of w) charCount.set(ch, (charCount.get(ch) ?? 0) + wc.get(w)!);
  let chars = [...charCount.keys()];
  const room = Math.floor((opts.vocabSize - NUM_SPECIAL) / 2);
  if (chars.length > room) chars = chars.sort((a, b) => charCount.get(b)! - charCount.get(a)! || cmp(a, b)).slice(0, room);
  chars.sort(cmp);
  const symbols: string[] = [...chars, ...chars.map((c) => '##' + c)];
  const symbolId = new Map(symbols.map((s, i) => [s, i]));

  // Words as symbol sequences, and the two incremental indexes.
  const seqs: number[][] = [];
  const wcount: number[] = [];
  for (const w of uniq) {
    const seq: number[] = [];
    let first = true;
    for (const ch of w) {
      seq.push(symbolId.get(first ? ch : '##' + ch) ?? NONE);
      first = false;
    }
    seqs.push(seq);
    wcount.push(wc.get(w)!);
  }
  const pairCount = new Map<number, number>();
  const where = new Map<number, number[]>();
  const heap = new PairHeap();
  const addPairs = (wi: number, sign: number, touched: Map<number, number> | null) => {
    const seq = seqs[wi]!;
    const c = wcount[wi]! * sign;
    for (let i = 0; i + 1 < seq.length; i++) {
      const a = seq[i]!;
      const b = seq[i + 1]!;
      if (a === NONE || b === NONE) continue;
      const key = a * KEY + b;
      const old = pairCount.get(key) ?? 0;
      if (touched && !touched.has(key)) touched.set(key, old);
      pairCount.set(key, old + c);
      if (sign > 0) {
        const list = where.get(key);
        if (list) list.push(wi);
        else where.set(key, [wi]);
      }
    }
  };
  for (let wi = 0; wi < seqs.length; wi++) addPairs(wi, 1, null);
  for (const [key, c] of pairCount) if (c >= minPairCount) heap.push(c, key);

  const target = opts.vocabSize - NUM_SPECIAL;
  const stamp = new Int32Array(seqs.length).fill(-1);
  let merge = 0;
  while (symbols.length < target && heap.size > 0) {
    heap.pop();
    const c = heap.topCount;
    const key = heap.topKey;
    if (pairCount.get(key) !== c) continue; // stale entry: the count changed after it was pushed
    const a = Math.floor(key / KEY);
    const b = key % KEY;
    const merged = symbols[a]! + symbols[b]!.slice(2);
    let m = symbolId.get(merged);
    if (m === undefined) {
      m = symbols.length;
      symbols.push(merged);
      symbolId.set(merged, m);
    }
    const touched = new Map<number, number>();
    for (const wi of where.get(key)!) {
      if (stamp[wi] === merge) continue;
      stamp[wi] = merge;
      const seq = seqs[wi]!;
      let has = false;
      for (let i = 0; i + 1 < seq.length && !has; i++) has = seq[i] === a && seq[i + 1] === b;
      if (!has) continue; // listed when the pair was there; an earlier merge removed it
      addPairs(wi, -1, touched);
      const next: number[] = [];
      for (let i = 0; i < seq.length; i++) {
        if (i + 1 < seq.length && seq[i] === a && seq[i + 1] === b) {
          next.push(m);
          i++;
        } else next.push(seq[i]!);
      }
      seqs[wi] = next;
      addPairs(wi, 1, touched);
    }
    where.delete(key);
    for (const [k, old] of touched) {
      const now = pairCount.get(k)!;
      if (now === 0) pairCount.delete(k);
      else if (now !== old && now >= minPairCount) heap.push(now, k);
    }
    merge++;
  }
  return new PieceTokenizer('wordpiece', [...SPECIAL_TOKENS, ...symbols], { lowercase, unknown: 'word', maxWordChars });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Max-heap of (count, key): higher count first, then the smaller key (the tie rule). */
class PairHeap {
  private counts = new Float64Array(1024);
  private keys = new Float64Array(1024);
  size = 0;
  topCount = 0;
  topKey = 0;

  private above(c1: number, k1: number, c2: number, k2: number): boolean {
    return c1 > c2 || (c1 === c2 && k1 < k2);
  }

  push(count: number, key: number): void {
    if (this.size === this.counts.length) {
      const c = new Float64Array(this.size * 2);
      const k = new Float64Array(this.size * 2);
      c.set(this.counts);
      k.set(this.keys);
      this.counts = c;
      this.keys = k;
    }
    const { counts, keys } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(count, key, counts[parent]!, keys[parent]!)) break;
      counts[i] = counts[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    counts[i] = count;
    keys[i] = key;
  }

  /** Removes the top entry into topCount/topKey (no tuple allocation per pop). */
  pop(): void {
    const { counts, keys } = this;
    this.topCount = counts[0]!;
    this.topKey = keys[0]!;
    const n = --this.size;
    const c = counts[n]!;
    const k = keys[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.above(counts[child + 1]!, keys[child + 1]!, counts[child]!, keys[child]!)) child++;
      if (!this.above(counts[child]!, keys[child]!, c, k)) break;
      counts[i] = counts[child]!;
      keys[i] = keys[child]!;
      i = child;
    }
    counts[i] = c;
    keys[i] = k;
  }
}
