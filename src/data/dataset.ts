// Ties the data pipeline together for the engine: corpus → split → tokenizer learned on the
// training split → token streams with document boundaries → seeded training batches, fixed
// held-out eval windows and unigram counts. Runs unchanged in Node (tests) and in the training
// Web Worker: it takes the corpus as text or parsed data and does no I/O itself (fetchBrown /
// readBrownNode in brown.ts do), and uses no DOM API. Optionally (Brown) it learns a PMI
// lexicon on the training split and gives every token a unit id (`segment`, pmi.ts).
// Deliberately not here: masking (GPU kernels consume the per-token arrays built here).

import { parseBrownCompact, splitBrown, type BrownCorpus } from './brown.ts';
import { countEvalWindows, evalWindows, NO_TAG, trainBatch, unigramCounts, type Batch, type TokenStream } from './batcher.ts';
import { learnChars } from './chars.ts';
import { learnPmiLexicon, segmentDocs, type PmiLexicon } from './pmi.ts';
import { symbolTokenizer, syntheticBatch, syntheticEval, type SyntheticSpec } from './synthetic.ts';
import { NUM_SPECIAL, type Tokenizer } from './tokenizer.ts';
import { learnWordPiece } from './wordpiece.ts';

export const DATA_SOURCES = ['brown', 'text', 'synthetic-successor', 'synthetic-copy'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

export interface DatasetOptions {
  /** Brown only; the synthetic tasks always use their own symbol vocabulary. */
  tokenizer: 'wordpiece' | 'char';
  /** WordPiece V (256..32768, default 4096). The char vocabulary's size is set by the text. */
  vocabSize?: number;
  seed: number;
  T: number;
  /** Eval rows; default min(256, what the held-out split holds at this T). */
  evalCount?: number;
  /** Default true. */
  lowercase?: boolean;
  /** Synthetic alphabet size S, default 16. */
  symbols?: number;
  /** Brown: hold out every n-th document, default 10. */
  heldOutEvery?: number;
  /**
   * Brown only: learn a PMI lexicon on the training split and segment both splits into units
   * (each document from Rng(seed, hash(document index))). Without it segment = word index.
   */
  pmi?: { minCount: number; lexiconSize: number; seed: number };
}

/** The Brown corpus, as the text of public/data/brown.json or already parsed. */
export interface DatasetLoad {
  brownText?: string;
  brown?: BrownCorpus;
  /** The user's own text, parsed by parseTextCorpus (source 'text'). */
  text?: BrownCorpus;
}

export interface DatasetStats {
  trainDocs: number;
  heldOutDocs: number;
  trainWords: number;
  trainTokens: number;
  heldOutTokens: number;
  vocabSize: number;
  tokenizerMs: number; // learning the vocabulary
  totalMs: number;
  /** With opts.pmi: lexicon entries, fraction of training words in a multi-word unit, ms to learn and segment. */
  pmi?: { entries: number; coverage: number; ms: number };
}

export interface Dataset {
  source: DataSource;
  seed: number;
  T: number;
  tokenizer: Tokenizer;
  /** Names of the tag ids in batches (Brown tags); empty for synthetic data. */
  tagNames: readonly string[];
  /** Brown's tokenized splits; null for synthetic data (rows are generated). */
  train: TokenStream | null;
  heldOut: TokenStream | null;
  /** Fixed eval rows: held-out windows (Brown) or the held-out synthetic rows. */
  evalSet: Batch;
  /** (V) token counts of the training data, for unigramBaselineLoss. */
  unigram: Uint32Array;
  /** The PMI lexicon when opts.pmi was given (Brown). */
  pmiLexicon?: PmiLexicon;
  /** Training batch for `step`: a pure function of (seed, step, B, T). Brown reuses `out` if given. */
  batch(step: number, B: number, out?: Batch): Batch;
  stats: DatasetStats;
}

export function buildDataset(source: DataSource, opts: DatasetOptions, load: DatasetLoad = {}): Dataset {
  if (!DATA_SOURCES.includes(source)) throw new Error(`Unknown data source ${JSON.stringify(source)}: use one of ${DATA_SOURCES.join(', ')}.`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) throw new Error(`seed ${opts.seed} must be an integer from 0 to 4294967295.`);
  if (!Number.isInteger(opts.T) || opts.T < 4) throw new Error(`T=${opts.T}: the sequence length must be an integer ≥ 4.`);
  const t0 = performance.now();
  if (source === 'brown') return buildBrown('brown', opts, load.brown ?? (load.brownText !== undefined ? parseBrownCompact(load.brownText) : null), t0);
  if (source === 'text') {
    if (!load.text) throw new Error('No text is loaded: paste text or upload a .txt file under Data, then train.');
    return buildBrown('text', opts, load.text, t0);
  }

  const spec: SyntheticSpec = { task: source === 'synthetic-copy' ? 'copy' : 'successor', symbols: opts.symbols ?? 16, seed: opts.seed };
  const tokenizer = symbolTokenizer(spec.symbols);
  const evalSet = wordUnits(syntheticEval(spec, opts.T, opts.evalCount ?? 256));
  // Counts from a fixed sample of training rows (the generator has no finite corpus).
  const sample = syntheticBatch(spec, { step: 0, B: 256, T: opts.T });
  const unigram = unigramCounts(sample.ids.filter((id) => id >= NUM_SPECIAL), tokenizer.vocabSize);
  const rowTokens = (b: Batch) => b.lengths.reduce((n, l) => n + l - 2, 0);
  return {
    source, seed: opts.seed, T: opts.T, tokenizer, tagNames: [], train: null, heldOut: null, evalSet, unigram,
    batch: (step, B) => wordUnits(syntheticBatch(spec, { step, B, T: opts.T })),
    stats: {
      trainDocs: 0, heldOutDocs: 0, trainWords: 0, trainTokens: 0, heldOutTokens: rowTokens(evalSet),
      vocabSize: tokenizer.vocabSize, tokenizerMs: 0, totalMs: performance.now() - t0,
    },
  };
}

/** Every symbol is its own unit: segment = wordIndex (both NO_WORD at specials and pad). */
function wordUnits(b: Batch): Batch {
  b.segment.set(b.wordIndex);
  return b;
}

/** A word corpus (Brown, or the user's text in the same shape) through split, tokenizer and batches. */
function buildBrown(source: 'brown' | 'text', opts: DatasetOptions, corpus: BrownCorpus | null, t0: number): Dataset {
  if (!corpus) throw new Error("buildDataset('brown') needs the corpus: pass load.brownText (the text of /data/brown.json) or load.brown (from fetchBrown or readBrownNode).");
  const split = splitBrown(corpus, opts.heldOutEvery ?? 10);
  const counts = lexiconCounts(corpus, split.train);
  const t1 = performance.now();
  const lowercase = opts.lowercase ?? true;
  const tokenizer =
    opts.tokenizer === 'char'
      ? learnChars(corpus.lexicon, counts, { lowercase })
      : opts.tokenizer === 'wordpiece'
        ? learnWordPiece(corpus.lexicon, counts, { vocabSize: opts.vocabSize ?? 4096, lowercase })
        : badTokenizer(opts.tokenizer);
  const tokenizerMs = performance.now() - t1;
  const pmi = opts.pmi ? learnUnits(corpus, split, opts.pmi) : undefined;
  const train = encodeBrownDocs(corpus, split.train, tokenizer, pmi?.train);
  const heldOut = encodeBrownDocs(corpus, split.heldOut, tokenizer, pmi?.heldOut);
  // As many eval rows as asked for, or as the held-out split holds (a short user text may hold few).
  const evalCount = Math.min(opts.evalCount ?? 256, countEvalWindows(heldOut, opts.T));
  const evalSet = evalWindows(heldOut, opts.T, evalCount);
  const unigram = unigramCounts(train.ids, tokenizer.vocabSize);
  return {
    source, seed: opts.seed, T: opts.T, tokenizer, tagNames: corpus.tagNames, train, heldOut, evalSet, unigram, pmiLexicon: pmi?.lex,
    batch: (step, B, out) => trainBatch(train, { seed: opts.seed, step, B, T: opts.T }, out),
    stats: {
      trainDocs: split.train.length, heldOutDocs: split.heldOut.length,
      trainWords: counts.reduce((a, b) => a + b, 0), trainTokens: train.ids.length, heldOutTokens: heldOut.ids.length,
      vocabSize: tokenizer.vocabSize, tokenizerMs, totalMs: performance.now() - t0, pmi: pmi?.stats,
    },
  };
}

/** PMI lexicon from the training split; unit id per word of each split (in split order). */
function learnUnits(corpus: BrownCorpus, split: { train: number[]; heldOut: number[] }, o: NonNullable<DatasetOptions['pmi']>) {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new Error(`pmi.seed ${o.seed} must be an integer from 0 to 4294967295.`);
  const t = performance.now();
  const lex = learnPmiLexicon(corpus, split.train, { minCount: o.minCount, lexiconSize: o.lexiconSize });
  const train = segmentDocs(corpus, split.train, lex, o.seed);
  const heldOut = segmentDocs(corpus, split.heldOut, lex, o.seed);
  return { lex, train: train.segment, heldOut: heldOut.segment, stats: { entries: lex.entries.length, coverage: train.coverage, ms: performance.now() - t } };
}

function badTokenizer(t: unknown): never {
  throw new Error(`Unknown tokenizer ${JSON.stringify(t)}: use 'wordpiece' or 'char'.`);
}

/** (lexicon size) occurrences of each word form in the given documents. */
export function lexiconCounts(c: BrownCorpus, docs: readonly number[]): Uint32Array {
  const counts = new Uint32Array(c.lexicon.length);
  for (const d of docs) {
    const { start, end } = c.docs[d]!;
    for (let w = start; w < end; w++) counts[c.wordIds[w]!]!++;
  }
  return counts;
}

/**
 * Tokenizes documents (in the given order) into one stream. Each distinct word form is
 * tokenized once (the lexicon) and its pieces copied per occurrence, so the whole training
 * split takes a fraction of a second. wordIndex = position in corpus.wordIds; tags = the word's
 * Brown tag id on every piece of the word. wordSegment (words of the docs, in order): unit id per
 * word (segmentDocs), copied to every piece as `segment`; absent = no `segment` (word = unit).
 */
export function encodeBrownDocs(c: BrownCorpus, docs: readonly number[], tok: Tokenizer, wordSegment?: Uint32Array): TokenStream {
  const enc = tok.encodeWords(c.lexicon);
  const L = c.lexicon.length;
  const first = new Uint32Array(L + 1); // pieces of lexicon entry e: enc.ids[first[e], first[e+1])
  for (let i = 0; i < enc.ids.length; i++) first[enc.wordIndex[i]! + 1]!++;
  for (let e = 0; e < L; e++) first[e + 1]! += first[e]!;

  const docStarts = new Uint32Array(docs.length + 1);
  docs.forEach((d, k) => {
    let n = 0;
    for (let w = c.docs[d]!.start; w < c.docs[d]!.end; w++) n += first[c.wordIds[w]! + 1]! - first[c.wordIds[w]!]!;
    docStarts[k + 1] = docStarts[k]! + n;
  });
  const N = docStarts[docs.length]!;
  const s: TokenStream = {
    ids: new Uint32Array(N), wordStart: new Uint8Array(N), tags: new Uint16Array(N).fill(NO_TAG), wordIndex: new Uint32Array(N),
    docStarts, docIds: docs.map((d) => c.docs[d]!.id),
  };
  const words = docs.reduce((n, d) => n + c.docs[d]!.end - c.docs[d]!.start, 0);
  if (wordSegment && wordSegment.length !== words) throw new Error(`encodeBrownDocs: ${wordSegment.length} unit ids for ${words} words.`);
  if (wordSegment) s.segment = new Uint32Array(N);
  let p = 0;
  let k = 0; // word of the docs, in order
  for (const d of docs) {
    for (let w = c.docs[d]!.start; w < c.docs[d]!.end; w++, k++) {
      const e = c.wordIds[w]!;
      const a = first[e]!;
      const b = first[e + 1]!;
      s.ids.set(enc.ids.subarray(a, b), p);
      s.wordStart.set(enc.wordStart.subarray(a, b), p);
      s.tags.fill(c.tagIds[w]!, p, p + b - a);
      s.wordIndex.fill(w, p, p + b - a);
      s.segment?.fill(wordSegment![k]!, p, p + b - a);
      p += b - a;
    }
  }
  return s;
}
