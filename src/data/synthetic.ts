// Synthetic MLM tasks where every masked token is determined by its context, so a tiny model
// should drive the masked loss towards 0 within seconds — a check that the engine learns at all,
// independent of Brown:
//   successor: a seeded permutation π of S symbols that is one S-cycle (Sattolo's algorithm, so
//              no short loops or fixed points); a row starts at a random symbol and continues
//              x_{i+1} = π(x_i). A masked token is determined by either unmasked neighbour.
//   copy:      a row of K random symbols followed by the same K symbols again (K = ⌊(T−2)/2⌋);
//              a masked token is determined by its twin K positions away.
// Own vocabulary: the 5 specials + S symbols named a, b, c, … (s0, s1, … when S > 26); every
// symbol is one word (wordStart = 1), there are no POS tags (NO_TAG).
// Rows are a pure function of (seed, step, row) for training and (seed, index) for the held-out
// set, drawn from separate hash domains. Note: a successor row is fixed by its first symbol, so
// the held-out rows of that task also occur in training; only copy rows are truly unseen.
// Deliberately not here: masking, and any use of Math.random.

import { emptyBatch, type Batch } from './batcher.ts';
import { hash4, Rng } from './prng.ts';
import { CLS_ID, NUM_SPECIAL, PieceTokenizer, SEP_ID, SPECIAL_TOKENS } from './tokenizer.ts';

export type SyntheticTask = 'successor' | 'copy';

export interface SyntheticSpec {
  task: SyntheticTask;
  /** S: alphabet size, 2..4096. */
  symbols: number;
  seed: number;
}

const PERM_DOMAIN = 0x7065726d; // 'perm'
const TRAIN_DOMAIN = 0x73796e74; // 'synt'
const EVAL_DOMAIN = 0x6576616c; // 'eval'

function checkSpec(spec: SyntheticSpec): void {
  if (spec.task !== 'successor' && spec.task !== 'copy') throw new Error(`Unknown synthetic task ${JSON.stringify(spec.task)}: use 'successor' or 'copy'.`);
  if (!Number.isInteger(spec.symbols) || spec.symbols < 2 || spec.symbols > 4096) {
    throw new Error(`Synthetic alphabet size ${spec.symbols} is out of range: use an integer from 2 to 4096.`);
  }
}

export function symbolNames(S: number): string[] {
  return Array.from({ length: S }, (_, k) => (S <= 26 ? String.fromCharCode(97 + k) : `s${k}`));
}

/** Vocabulary: specials then the S symbols; symbol k has id NUM_SPECIAL + k. */
export function symbolTokenizer(S: number): PieceTokenizer {
  return new PieceTokenizer('symbol', [...SPECIAL_TOKENS, ...symbolNames(S)], { lowercase: false, unknown: 'word' });
}

/** π as an array: π[k] is the successor of symbol k. A single S-cycle, fixed by the seed. */
export function successorPermutation(S: number, seed: number): Uint32Array {
  const p = Array.from({ length: S }, (_, k) => k);
  const rng = new Rng(seed, PERM_DOMAIN);
  // Sattolo: j < i (not ≤ i) yields a uniformly random cyclic permutation.
  for (let i = S - 1; i > 0; i--) {
    const j = rng.int(i);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  // p as a cycle order: the successor of p[i] is p[i+1].
  const pi = new Uint32Array(S);
  for (let i = 0; i < S; i++) pi[p[i]!] = p[(i + 1) % S]!;
  return pi;
}

/** One row's symbols (0..S−1), length n, from its own Rng. */
function sequence(task: SyntheticTask, S: number, pi: Uint32Array, rng: Rng, n: number): Uint32Array {
  const x = new Uint32Array(n);
  if (task === 'successor') {
    x[0] = rng.int(S);
    for (let i = 1; i < n; i++) x[i] = pi[x[i - 1]!]!;
  } else {
    const K = n >> 1;
    for (let i = 0; i < K; i++) x[i] = x[K + i] = rng.int(S);
  }
  return x;
}

/** Row length in tokens between [CLS] and [SEP]: T−2 (copy: the even number ≤ T−2). */
export function syntheticRowTokens(task: SyntheticTask, T: number): number {
  return task === 'copy' ? (T - 2) & ~1 : T - 2;
}

function fill(spec: SyntheticSpec, B: number, T: number, rowRng: (b: number) => Rng): Batch {
  checkSpec(spec);
  const batch = emptyBatch(B, T);
  const n = syntheticRowTokens(spec.task, T);
  if (n < 2) throw new Error(`T=${T} is too short for a synthetic row: use T ≥ 4.`);
  const pi = successorPermutation(spec.symbols, spec.seed);
  for (let b = 0; b < B; b++) {
    const x = sequence(spec.task, spec.symbols, pi, rowRng(b), n);
    const o = b * T;
    batch.ids[o] = CLS_ID;
    for (let i = 0; i < n; i++) {
      batch.ids[o + 1 + i] = NUM_SPECIAL + x[i]!;
      batch.wordStart[o + 1 + i] = 1;
      batch.wordIndex[o + 1 + i] = i;
      batch.segment[o + 1 + i] = i; // every symbol is its own word and unit
    }
    batch.ids[o + 1 + n] = SEP_ID;
    batch.attention.fill(1, o, o + n + 2);
    batch.lengths[b] = n + 2;
    batch.rowDoc[b] = 0;
    batch.rowStart[b] = 0;
  }
  return batch;
}

/** Training batch for `step` (row b from Rng(seed, hash(step, b)): replayable, independent of B). */
export function syntheticBatch(spec: SyntheticSpec, o: { step: number; B: number; T: number }): Batch {
  return fill(spec, o.B, o.T, (b) => new Rng(spec.seed, hash4(o.step >>> 0, b, TRAIN_DOMAIN, 0)));
}

/** The fixed held-out set: rows 0..count−1 of the eval domain. */
export function syntheticEval(spec: SyntheticSpec, T: number, count: number): Batch {
  return fill(spec, count, T, (i) => new Rng(spec.seed, hash4(i, 0, EVAL_DOMAIN, 0)));
}
