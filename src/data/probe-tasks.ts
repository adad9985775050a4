// The probe tasks (issue [H]): labelled examples built once per corpus from data masklab already
// ships, for linear probes on frozen features — the yardstick the masking literature reads
// (spec D, protocol 3). A registry of data: the CLI, URL hash, setup panel and views are
// generated from PROBE_TASKS.
//   pos    Brown, per word: the 12 universal tags (universal-pos.ts); a word's feature is the
//          mean of its pieces' hidden states.
//   genre  Brown, per row: the document's category (15, from the file id); the feature is the
//          mean over the row's tokens between [CLS] and [SEP].
// The examples live in two sets of token rows: probe-train rows, a seeded sample of windows of
// the training documents, and probe-test rows, fixed windows of the held-out documents (scoring
// uses held-out documents only). PROBE_SEED is fixed, so every run on a corpus gets the same
// probe set, as every run gets the same eval mask.
// Synthetic tasks: not applicable. Every property of a token there is fixed by the token itself
// (its successor and predecessor in the cycle) or by its position, so a probe would measure
// lexical identity, not what context adds. The user's own text has no labels.
// Deliberately not here: running the encoder or training the classifier (src/train/probe.ts).

import { evalWindows, countEvalWindows, sampleWindows, NO_TAG, type Batch, type TokenStream } from './batcher.ts';
import { BROWN_CATEGORIES } from './brown.ts';
import { UNIVERSAL_TAGS, universalTag } from './universal-pos.ts';

/** Seed of the probe-train sample: fixed, so every run on a corpus is probed on the same examples. */
export const PROBE_SEED = 0x9b0be5ed;

export type ProbeTaskId = 'pos' | 'genre';

export interface ProbeTaskSpec {
  id: ProbeTaskId;
  label: string;
  /** One line for the views and the CLI. */
  description: string;
  /** What one example is. */
  unit: 'word' | 'row';
  classes: readonly string[];
  /** Report macro-F1 beside accuracy (unbalanced classes). */
  macroF1: boolean;
  source: string;
}

export const PROBE_TASKS: readonly ProbeTaskSpec[] = [
  {
    id: 'pos',
    label: 'POS tags',
    description: 'Part of speech of each word (12 universal tags), from the mean of its pieces’ hidden states.',
    unit: 'word',
    classes: UNIVERSAL_TAGS,
    macroF1: true,
    source: 'Brown tags mapped to the universal tagset of Petrov, Das & McDonald (2012)',
  },
  {
    id: 'genre',
    label: 'Genre',
    description: 'Which of Brown’s 15 categories a row comes from, from its mean-pooled hidden states.',
    unit: 'row',
    classes: Object.values(BROWN_CATEGORIES),
    macroF1: false,
    source: 'Brown corpus file ids (ca01 … cr09)',
  },
];

export const PROBE_TASK_IDS = PROBE_TASKS.map((t) => t.id);

export function probeTask(id: string): ProbeTaskSpec | undefined {
  return PROBE_TASKS.find((t) => t.id === id);
}

/** Examples of one task in one split: token runs of the split's rows and their labels. */
export interface ProbeExamples {
  /** (N, 2): flat token index b·T + t of the run's first token, and its length in tokens. */
  segments: Uint32Array;
  /** (N) class index into the task's classes. */
  labels: Uint32Array;
}

export interface ProbeSplit {
  /** The token rows the encoder runs on ([CLS] … [SEP] windows, (R, T)). */
  rows: Batch;
  examples: Record<string, ProbeExamples>;
}

export interface ProbeSet {
  tasks: ProbeTaskSpec[];
  train: ProbeSplit;
  test: ProbeSplit;
}

export interface ProbeSetOptions {
  T: number;
  /** Rows of each split (default 256 train, 128 test; fewer if the split is small). */
  rows?: { train: number; test: number };
  /** POS examples are capped (the classifier's cost grows with them): default 4000 train, 2000 test. */
  maxWords?: { train: number; test: number };
  seed?: number;
}

/** Rows of each split and the cap on POS examples when ProbeSetOptions leaves them out. */
export const PROBE_ROWS = { train: 256, test: 128 } as const;
export const PROBE_MAX_WORDS = { train: 4000, test: 2000 } as const;

/**
 * The most examples task `id` can have per split at sequence length T with the default options:
 * what the memory check plans for before the probe set exists. A row holds at most T − 2 words
 * (between [CLS] and [SEP]) and one row example.
 */
export function probeExampleBound(id: string, T: number): { train: number; test: number } {
  const t = probeTask(id);
  if (!t) throw new Error(`Unknown probe task "${id}": use ${PROBE_TASK_IDS.join(', ')}.`);
  if (t.unit === 'row') return { ...PROBE_ROWS };
  const words = (split: 'train' | 'test') => Math.min(PROBE_MAX_WORDS[split], PROBE_ROWS[split] * Math.max(0, T - 2));
  return { train: words('train'), test: words('test') };
}

/** What a corpus offers the probes: its tokenized splits and tag names (Brown); null = no labels. */
export interface ProbeCorpus {
  source: string;
  train: TokenStream | null;
  heldOut: TokenStream | null;
  tagNames: readonly string[];
}

/** Why a data source has no probe tasks, or null when it has them. */
export function probesUnavailable(source: string): string | null {
  if (source === 'brown') return null;
  if (source === 'text') return 'Your own text has no labels (no POS tags, no genres), so there is nothing to probe; train on Brown to see probe accuracy.';
  return 'The synthetic tasks have no probe task: every property of a symbol there is fixed by the symbol itself or its position, so a probe would only measure word identity. Train on Brown to see probe accuracy.';
}

/** The probe set of a Brown dataset for `tasks` (ids from PROBE_TASKS); throws with the reason if the data has none. */
export function buildProbeSet(c: ProbeCorpus, tasks: readonly string[], o: ProbeSetOptions): ProbeSet {
  const why = probesUnavailable(c.source);
  if (why || !c.train || !c.heldOut) throw new Error(why ?? 'This dataset has no tokenized splits to probe.');
  const specs = tasks.map((id) => {
    const t = probeTask(id);
    if (!t) throw new Error(`Unknown probe task "${id}": use ${PROBE_TASK_IDS.join(', ')}.`);
    return t;
  });
  const rows = o.rows ?? PROBE_ROWS;
  const maxWords = o.maxWords ?? PROBE_MAX_WORDS;
  const trainRows = sampleWindows(c.train, o.T, rows.train, o.seed ?? PROBE_SEED);
  const testRows = evalWindows(c.heldOut, o.T, Math.min(rows.test, countEvalWindows(c.heldOut, o.T)));
  const split = (r: Batch, s: TokenStream, cap: number): ProbeSplit => ({
    rows: r,
    examples: Object.fromEntries(specs.map((t) => [t.id, t.id === 'pos' ? posExamples(r, c.tagNames, cap) : genreExamples(r, s)])),
  });
  return { tasks: specs, train: split(trainRows, c.train, maxWords.train), test: split(testRows, c.heldOut, maxWords.test) };
}

/** Every whole word of the rows (pieces from a word start to the next start or [SEP]), in row order, up to `cap`. */
export function posExamples(r: Batch, tagNames: readonly string[], cap: number): ProbeExamples {
  const classOf = tagNames.map((t) => UNIVERSAL_TAGS.indexOf(universalTag(t)));
  const seg: number[] = [];
  const labels: number[] = [];
  for (let b = 0; b < r.B && labels.length < cap; b++) {
    const o = b * r.T;
    const end = o + r.lengths[b]! - 1; // [SEP]
    for (let i = o + 1; i < end && labels.length < cap; ) {
      let j = i + 1;
      while (j < end && !r.wordStart[j]) j++;
      const tag = r.tags[i]!;
      // A row that starts inside an over-long word has no word start there: skip that part.
      if (r.wordStart[i] && tag !== NO_TAG) {
        seg.push(i, j - i);
        labels.push(classOf[tag]!);
      }
      i = j;
    }
  }
  return { segments: Uint32Array.from(seg), labels: Uint32Array.from(labels) };
}

/** One example per row: all its tokens between [CLS] and [SEP]; label = the row's document's category. */
export function genreExamples(r: Batch, s: TokenStream): ProbeExamples {
  const letters = Object.keys(BROWN_CATEGORIES);
  const seg = new Uint32Array(2 * r.B);
  const labels = new Uint32Array(r.B);
  for (let b = 0; b < r.B; b++) {
    seg[2 * b] = b * r.T + 1;
    seg[2 * b + 1] = r.lengths[b]! - 2;
    const id = s.docIds[r.rowDoc[b]!]!;
    const k = letters.indexOf(id[1]!);
    if (k < 0) throw new Error(`Document ${id} has no Brown category letter: genre labels need Brown's file ids.`);
    labels[b] = k;
  }
  return { segments: seg, labels };
}

/** The most frequent training class, and the held-out accuracy and macro-F1 of always answering it. */
export function majorityBaseline(train: Uint32Array, test: Uint32Array, K: number): { cls: number; accuracy: number; macroF1: number } {
  const counts = new Uint32Array(K);
  for (const y of train) counts[y]!++;
  let cls = 0;
  for (let k = 1; k < K; k++) if (counts[k]! > counts[cls]!) cls = k;
  const pred = new Uint32Array(test.length).fill(cls);
  return { cls, ...scorePredictions(pred, test, K) };
}

/** The predicted class of each of N rows of logits (N,K): the first maximum. */
export function argmaxRows(logits: ArrayLike<number>, N: number, K: number): Uint32Array {
  const out = new Uint32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[n * K + k]! > logits[n * K + best]!) best = k;
    out[n] = best;
  }
  return out;
}

/**
 * Accuracy and macro-F1 (the mean F1 over the classes present in the labels or predicted; a class
 * never predicted and never present is skipped, as scikit-learn's labels=union does).
 */
export function scorePredictions(pred: Uint32Array, labels: Uint32Array, K: number): { accuracy: number; macroF1: number } {
  if (pred.length !== labels.length) throw new Error(`scorePredictions: ${pred.length} predictions for ${labels.length} labels.`);
  const tp = new Float64Array(K);
  const np = new Float64Array(K);
  const nl = new Float64Array(K);
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    np[pred[i]!]!++;
    nl[labels[i]!]!++;
    if (pred[i] === labels[i]) {
      tp[labels[i]!]!++;
      right++;
    }
  }
  let f1 = 0;
  let classes = 0;
  for (let k = 0; k < K; k++) {
    if (np[k] === 0 && nl[k] === 0) continue;
    classes++;
    f1 += (2 * tp[k]!) / (np[k]! + nl[k]!);
  }
  return { accuracy: labels.length ? right / labels.length : NaN, macroF1: classes ? f1 / classes : NaN };
}
