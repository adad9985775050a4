// PMI-Masking units (masking-spec A5; AI21Labs/pmi-masking README): a lexicon of word n-grams
// (n = 2..maxN) that co-occur far more often than their parts predict, learned on the training
// split, and the segmentation of word sequences into units (entries and single words) that the
// masking lab masks whole, like whole words.
//
// Counting: lowercased words (lexicon ids mapped to lowercase ids once); n-grams never cross a
// sentence start or a document. An n-gram is keyed by (id of its (n−1)-prefix, last word) in an
// exact open-addressing table per length: dense ids, no string keys, no collisions; Brown's
// training split (1.05M words) counts in about a second.
// Score (the README's variant of eq. 3): PMI_n(w) = min over segmentations σ of w into ≥ 2
// contiguous parts of log p(w)² / ∏_{s∈σ} p(s), p(x) = count(x) / #n-grams of length |x|, by
// dynamic programming over split points. Candidates: count ≥ minCount and, unless
// keepPunctuation, no word without a letter or digit ("," "``" glue nothing into a collocation).
// Rank per length: score ↓, count ↓, word ids ↑ (deterministic). Mix: length n < maxN gets
// 2^−(n−1) of lexiconSize, maxN the rest (maxN = 5: 50/25/12.5/12.5 %); a shortfall goes to the
// lengths that still have candidates, split by their shares again, until used up (composeMix).
//
// Segmentation (segmentPmi), the scan in full:
//   1. every lexicon match: at each start i the trie walk yields all entry lengths ℓ ≥ 2 starting
//      at i (never past the end, never into a word marked as a sentence start);
//   2. for ℓ = maxN down to 2: shuffle the starts of the length-ℓ matches (rng.shuffle) and accept
//      each in that order if none of its words is taken yet. So a longer entry always beats an
//      overlapping shorter one, and among overlapping entries of one length the random order
//      picks one (spec: "when entries overlap, pick one at random");
//   3. every word not taken is its own unit; units are numbered 0, 1, 2, … left to right.
// Same words, lexicon and rng state → same units. This is the order of the HF PMI collator
// (lengths 5→2, shuffled within a length), made seeded.
// Deliberately not here: choosing which units to mask (src/masking), tokenizing, batching.

import { hash4, mix32, Rng } from './prng.ts';
import type { BrownCorpus } from './brown.ts';

const ROOT = 0xffffffff; // trie parent of a first word
const SEGMENT_DOMAIN = 0x706d6973; // 'pmis': keeps segmentation streams apart from other users of a seed

/** Exact map (prefix id, last word) → dense id 0..size−1, with a count per id. */
export class NgramTable {
  size = 0;
  prefix = new Uint32Array(1024);
  last = new Uint32Array(1024);
  count = new Uint32Array(1024);
  private slots = new Int32Array(2048).fill(-1);

  find(p: number, w: number): number {
    const mask = this.slots.length - 1;
    for (let h = slot(p, w) & mask; ; h = (h + 1) & mask) {
      const id = this.slots[h]!;
      if (id < 0 || (this.prefix[id] === p && this.last[id] === w)) return id;
    }
  }

  /** Id of (p, w), inserted with count 0 if new. */
  intern(p: number, w: number): number {
    const mask = this.slots.length - 1;
    let h = slot(p, w) & mask;
    for (let id = this.slots[h]!; id >= 0; h = (h + 1) & mask, id = this.slots[h]!) {
      if (this.prefix[id] === p && this.last[id] === w) return id;
    }
    const id = this.size++;
    if (id === this.prefix.length) for (const k of ['prefix', 'last', 'count'] as const) this[k] = grow(this[k]);
    this.prefix[id] = p;
    this.last[id] = w;
    this.slots[h] = id;
    if (this.size * 2 > this.slots.length) this.rehash(); // load ≤ 1/2 keeps probes short
    return id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let h = slot(this.prefix[id]!, this.last[id]!) & mask;
      while (this.slots[h]! >= 0) h = (h + 1) & mask;
      this.slots[h] = id;
    }
  }
}

const slot = (p: number, w: number) => mix32((Math.imul(p, 0x9e3779b1) + w) >>> 0);
function grow(a: Uint32Array) {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** N-gram counts of a split: lengths 1..maxN, lowercased, within sentences. */
export interface NgramCounts {
  maxN: number;
  words: readonly string[]; // lowercase vocabulary: id → form (first-seen order of the frequency-ranked lexicon)
  idOf: ReadonlyMap<string, number>;
  lowerOf: Uint32Array; // (corpus lexicon size) corpus word id → lowercase id
  punct: Uint8Array; // (V) 1 = no letter or digit ("," "``" "--")
  unigram: Uint32Array; // (V) counts
  tables: NgramTable[]; // [n] for 2 ≤ n ≤ maxN: n-gram = (id of its (n−1)-prefix, last word)
  totals: number[]; // [n] n-gram occurrences of length n (the p(x) denominators)
}

export function countNgrams(corpus: BrownCorpus, trainDocs: readonly number[], maxN = 5): NgramCounts {
  if (!Number.isInteger(maxN) || maxN < 2 || maxN > 8) throw new Error(`PMI maxN=${maxN}: use an integer from 2 to 8.`);
  const words: string[] = [];
  const idOf = new Map<string, number>();
  const lowerOf = Uint32Array.from(corpus.lexicon, (form) => {
    const w = form.toLowerCase();
    if (!idOf.has(w)) idOf.set(w, words.push(w) - 1);
    return idOf.get(w)!;
  });
  const punct = Uint8Array.from(words, (w) => (/[\p{L}\p{N}]/u.test(w) ? 0 : 1));
  const unigram = new Uint32Array(words.length);
  const tables = Array.from({ length: maxN + 1 }, () => new NgramTable());
  const totals = new Array<number>(maxN + 1).fill(0);
  const prev = new Uint32Array(maxN + 1); // ids of the n-grams ending at the previous word
  const cur = new Uint32Array(maxN + 1);
  for (const d of trainDocs) {
    const { start, end } = corpus.docs[d]!;
    let run = 0; // words since the sentence start, this one included
    for (let i = start; i < end; i++) {
      run = corpus.sentenceStart[i] || i === start ? 1 : run + 1;
      const w = lowerOf[corpus.wordIds[i]!]!;
      unigram[w]!++;
      cur[1] = w;
      for (let n = 2; n <= Math.min(run, maxN); n++) {
        const t = tables[n]!;
        cur[n] = t.intern(prev[n - 1]!, w);
        t.count[cur[n]!]!++; // after intern: it may replace t.count when it grows
      }
      for (let n = 1; n <= Math.min(run, maxN); n++) totals[n]! += 1;
      prev.set(cur);
    }
  }
  return { maxN, words, idOf, lowerOf, punct, unigram, tables, totals };
}

export interface PmiEntry {
  n: number;
  ids: Uint32Array; // (n) lowercase word ids
  words: readonly string[];
  count: number;
  score: number; // PMI_n, nats
  rank: number; // 0-based rank among the candidates of its length
}

export interface PmiLexicon {
  maxN: number;
  minCount: number;
  /** Bigrams by rank, then trigrams by rank, … */
  entries: readonly PmiEntry[];
  perLength: readonly number[]; // [n] entries of length n
  candidates: readonly number[]; // [n] n-grams with count ≥ minCount
  words: readonly string[];
  idOf: ReadonlyMap<string, number>;
  lowerOf: Uint32Array;
  /** Lookup: trie over entries, node = trie.find(parent or ROOT, word); entryAt[node] or −1. */
  trie: NgramTable;
  entryAt: Int32Array;
  ms: number;
}

export interface PmiOptions {
  minCount: number;
  lexiconSize: number;
  /** Longest n-gram, 2..8, default 5. */
  maxN?: number;
  /** Default false: an n-gram with a punctuation word ("kansas city , mo.") is no candidate. */
  keepPunctuation?: boolean;
}

export function learnPmiLexicon(corpus: BrownCorpus, trainDocs: readonly number[], opts: PmiOptions): PmiLexicon {
  const t0 = performance.now();
  const lex = pmiLexiconFromCounts(countNgrams(corpus, trainDocs, opts.maxN ?? 5), opts);
  lex.ms = performance.now() - t0;
  return lex;
}

/** Scores, ranks and composes the lexicon from counts (so several settings can share one count). */
export function pmiLexiconFromCounts(c: NgramCounts, opts: PmiOptions): PmiLexicon {
  const t0 = performance.now();
  const { minCount, lexiconSize } = opts;
  if (!Number.isInteger(minCount) || minCount < 1) throw new Error(`PMI minCount=${minCount}: use an integer ≥ 1.`);
  if (!Number.isInteger(lexiconSize) || lexiconSize < 0) throw new Error(`PMI lexiconSize=${lexiconSize}: use an integer ≥ 0.`);
  const { maxN } = c;
  const ranked: PmiEntry[][] = [[], []];
  for (let n = 2; n <= maxN; n++) ranked.push(rankLength(c, n, minCount, opts.keepPunctuation ?? false));
  const alloc = composeMix(ranked.map((r) => r.length), maxN, lexiconSize);
  const entries = ranked.flatMap((r, n) => r.slice(0, alloc[n]));
  const trie = new NgramTable();
  const nodes = entries.map((e) => e.ids.reduce((node, w) => trie.intern(node, w), ROOT));
  const entryAt = new Int32Array(trie.size).fill(-1);
  nodes.forEach((node, k) => (entryAt[node] = k));
  return {
    maxN, minCount, entries, perLength: alloc, candidates: ranked.map((r) => r.length), words: c.words, idOf: c.idOf,
    lowerOf: c.lowerOf, trie, entryAt, ms: performance.now() - t0,
  };
}

/** Candidates of length n with their PMI_n, best first. */
function rankLength(c: NgramCounts, n: number, minCount: number, keepPunctuation: boolean): PmiEntry[] {
  const table = c.tables[n]!;
  const out: PmiEntry[] = [];
  const lp = new Float64Array((n + 1) * (n + 1)); // lp[a·(n+1)+b] = log p(w[a, b))
  const f = new Float64Array(n + 1); // f[0] = 0: the empty prefix
  for (let id = 0; id < table.size; id++) {
    const count = table.count[id]!;
    if (count < minCount) continue;
    const ids = new Uint32Array(n);
    let g = id;
    for (let k = n - 1; k > 0; g = c.tables[k + 1]!.prefix[g]!, k--) ids[k] = c.tables[k + 1]!.last[g]!;
    ids[0] = g;
    if (!keepPunctuation && ids.some((w) => c.punct[w] === 1)) continue;
    // Every part of an in-sentence n-gram occurred (in the same place), so every lookup succeeds.
    for (let a = 0; a < n; a++) {
      g = ids[a]!;
      lp[a * (n + 1) + a + 1] = Math.log(c.unigram[g]! / c.totals[1]!);
      for (let b = a + 2; b <= n; b++) {
        g = c.tables[b - a]!.find(g, ids[b - 1]!);
        lp[a * (n + 1) + b] = Math.log(c.tables[b - a]!.count[g]! / c.totals[b - a]!);
      }
    }
    // f[j] = max over segmentations of w[0, j) of Σ log p(part); for j = n the last part [k, n)
    // has k ≥ 1, so the whole n-gram is never its own segmentation (≥ 2 parts).
    for (let j = 1; j <= n; j++) {
      f[j] = -Infinity;
      for (let k = j === n ? 1 : 0; k < j; k++) f[j] = Math.max(f[j]!, f[k]! + lp[k * (n + 1) + j]!);
    }
    const score = 2 * lp[n]! - f[n]!;
    out.push({ n, ids, words: Array.from(ids, (w) => c.words[w]!), count, score, rank: 0 });
  }
  out.sort((x, y) => y.score - x.score || y.count - x.count || compareIds(x.ids, y.ids));
  out.forEach((e, r) => (e.rank = r));
  return out;
}

function compareIds(a: Uint32Array, b: Uint32Array): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! - b[k]!;
  return 0;
}

/**
 * Entries per length: shares 1/2, 1/4, … of `size` (the longest length takes the rest), a length
 * capped at what it has; each round hands what is still unallocated to the lengths with unused
 * candidates in proportion to their shares (floors; the remainder one by one, shortest first).
 */
export function composeMix(available: readonly number[], maxN: number, size: number): number[] {
  const share = (n: number) => (n < maxN ? 2 ** -(n - 1) : 2 ** -(maxN - 2));
  const alloc = new Array<number>(maxN + 1).fill(0);
  for (let left = size; left > 0; ) {
    const open: number[] = [];
    for (let n = 2; n <= maxN; n++) if (alloc[n]! < (available[n] ?? 0)) open.push(n);
    if (open.length === 0) break;
    const total = open.reduce((s, n) => s + share(n), 0);
    const want = open.map((n) => Math.floor((left * share(n)) / total));
    for (let k = 0, rest = left - want.reduce((a, b) => a + b, 0); rest > 0; k = (k + 1) % open.length, rest--) want[k]!++;
    open.forEach((n, k) => {
      const take = Math.min(want[k]!, available[n]! - alloc[n]!);
      alloc[n]! += take;
      left -= take;
    });
  }
  return alloc;
}

/** Entry of a phrase ("new york"; lowercased, split on spaces), or undefined. */
export function findEntry(lex: PmiLexicon, phrase: string): PmiEntry | undefined {
  let node = ROOT;
  for (const w of phrase.toLowerCase().split(/\s+/).filter(Boolean)) {
    const id = lex.idOf.get(w);
    node = id === undefined ? -1 : lex.trie.find(node, id);
    if (node < 0) return undefined;
  }
  return node === ROOT || lex.entryAt[node]! < 0 ? undefined : lex.entries[lex.entryAt[node]!];
}

/**
 * Units of one word sequence (the scan in the file header). words: (N) lowercase ids;
 * sentenceStart (N), optional: no unit crosses into a word marked 1. Returns (N) unit index per
 * word, 0, 1, 2, … along the sequence; a unit is a contiguous run.
 */
export function segmentPmi(words: Uint32Array, lex: PmiLexicon, rng: Rng, sentenceStart?: ArrayLike<number>): Uint32Array {
  const N = words.length;
  const matches: number[][] = Array.from({ length: lex.maxN + 1 }, () => []); // [ℓ] starts
  for (let i = 0; i < N; i++) {
    let node = lex.trie.find(ROOT, words[i]!);
    for (let j = i + 1; node >= 0 && j < N && j - i < lex.maxN && !sentenceStart?.[j]; j++) {
      node = lex.trie.find(node, words[j]!);
      if (node >= 0 && lex.entryAt[node]! >= 0) matches[j - i + 1]!.push(i);
    }
  }
  const unitLen = new Uint8Array(N); // length of the accepted unit starting here, 0 if none
  const taken = new Uint8Array(N);
  for (let len = lex.maxN; len >= 2; len--) {
    for (const i of rng.shuffle(matches[len]!)) {
      if (taken.subarray(i, i + len).some((t) => t !== 0)) continue;
      taken.fill(1, i, i + len);
      unitLen[i] = len;
    }
  }
  const segment = new Uint32Array(N);
  for (let i = 0, u = 0; i < N; u++) {
    const len = unitLen[i] || 1;
    segment.fill(u, i, i + len);
    i += len;
  }
  return segment;
}

/**
 * Segments documents of the corpus, in the given order, into one array: (words of the docs) unit
 * id per word, global (a unit id never repeats across documents), units never crossing sentences.
 * Document k of the corpus uses Rng(seed, hash(k)), so a document's units do not depend on the
 * split. coverage = fraction of the words that lie in a multi-word unit.
 */
export function segmentDocs(corpus: BrownCorpus, docs: readonly number[], lex: PmiLexicon, seed: number): { segment: Uint32Array; coverage: number } {
  const total = docs.reduce((n, d) => n + corpus.docs[d]!.end - corpus.docs[d]!.start, 0);
  const segment = new Uint32Array(total);
  let p = 0;
  let next = 0; // first unit id of the current document
  let inUnits = 0;
  for (const d of docs) {
    const { start, end } = corpus.docs[d]!;
    const words = Uint32Array.from(corpus.wordIds.subarray(start, end), (w) => lex.lowerOf[w]!);
    const local = segmentPmi(words, lex, new Rng(seed, hash4(d, SEGMENT_DOMAIN, 0, 0)), corpus.sentenceStart.subarray(start, end));
    for (let i = 0; i < local.length; i++) {
      segment[p + i] = next + local[i]!;
      if ((i > 0 && local[i - 1] === local[i]) || (i + 1 < local.length && local[i + 1] === local[i])) inUnits++;
    }
    p += local.length;
    next += local.length === 0 ? 0 : local[local.length - 1]! + 1;
  }
  return { segment, coverage: total === 0 ? 0 : inUnits / total };
}
