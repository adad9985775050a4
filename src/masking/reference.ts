// BERT random-token masking (spec A1 + section 0) on the CPU: the bit-identical twin of
// src/shaders/masking.wgsl, used by tests and by anything that needs a mask without a GPU.
// "Shuffle the candidates and take the first n" is done with the counter-based PRNG instead of a
// sequential shuffle: every candidate gets the score hash4(seed, step, b, t) and the n smallest
// win (ties by position), so any (seed, step, sequence) is computed independently, in any order.
// Not here: tokenization (src/data owns it; the special ids below are the project's fixed ones),
// other strategies (whole-word, span, ...), or anything that touches the GPU.
import { hash4 } from '../data/prng.ts';
import { CLS_ID, MASK_ID, NUM_SPECIAL, PAD_ID, SEP_ID, UNK_ID } from '../data/special-tokens.ts';
import { budget } from './budget.ts';

/** Fixed special token ids of the project; ordinary tokens are ids ≥ FIRST_ORDINARY. */
export const SPECIAL = { PAD: PAD_ID, UNK: UNK_ID, CLS: CLS_ID, SEP: SEP_ID, MASK: MASK_ID, FIRST_ORDINARY: NUM_SPECIAL } as const;

/** Low 2 bits of a mask record; bits 2+ hold the unit id (the position, for random-token masking). */
export const RECORD = { NONE: 0, MASK: 1, RANDOM: 2, KEEP: 3 } as const;

/** Seed salts for the corruption streams, independent of the selection stream hash4(seed, …). */
export const SALT_KIND = 0x5bd1e995;
export const SALT_TOKEN = 0x68e31da4;

/** Longest sequence the GPU kernel handles (one workgroup holds a whole sequence). */
export const MASKING_MAX_T = 512;

export interface RandomMaskingConfig {
  /** Fraction of the L non-[PAD] tokens to predict (BERT: 0.15). */
  rate: number;
  /** Cap on predictions per sequence (BERT: 20 at T = 128); also capped by the slot count P. */
  maxPredictions: number;
  /** Chosen tokens replaced by [MASK] (BERT: 0.8). */
  maskProb: number;
  /** Chosen tokens replaced by a random ordinary token (BERT: 0.1); keep = 1 − mask − random. */
  randomProb: number;
  vocabSize: number;
  seed: number;
}

export interface RandomMaskingOutput {
  inputs: Uint32Array;
  positions: Uint32Array;
  targets: Uint32Array;
  weights: Float32Array;
  record: Uint32Array;
}

/** Throws an Error a person can act on when the config or shape cannot be honoured. */
export function validateMasking(cfg: RandomMaskingConfig, T: number, P: number): void {
  const bad = (msg: string) => {
    throw new Error(`random masking: ${msg}`);
  };
  if (!(cfg.rate > 0 && cfg.rate <= 1)) bad(`rate must be in (0, 1], got ${cfg.rate}`);
  if (!Number.isInteger(cfg.maxPredictions) || cfg.maxPredictions < 1) bad(`maxPredictions must be an integer ≥ 1, got ${cfg.maxPredictions}`);
  if (!(cfg.maskProb >= 0 && cfg.randomProb >= 0 && cfg.maskProb + cfg.randomProb <= 1 + 1e-9)) {
    bad(`need maskProb, randomProb ≥ 0 with maskProb + randomProb ≤ 1, got ${cfg.maskProb} + ${cfg.randomProb}`);
  }
  if (!Number.isInteger(cfg.vocabSize) || cfg.vocabSize <= SPECIAL.FIRST_ORDINARY) bad(`vocabSize must exceed ${SPECIAL.FIRST_ORDINARY} (the special ids), got ${cfg.vocabSize}`);
  if (!Number.isInteger(cfg.seed) || cfg.seed < 0 || cfg.seed > 0xffffffff) bad(`seed must be a u32, got ${cfg.seed}`);
  if (!Number.isInteger(T) || T < 1 || T > MASKING_MAX_T) bad(`T must be in 1..${MASKING_MAX_T}, got ${T}`);
  if (!Number.isInteger(P) || P < 1) bad(`P must be an integer ≥ 1, got ${P}`);
}

/**
 * Budget n for a sequence with L non-[PAD] tokens: min(P, maxPredictions, max(1, round(L·rate)))
 * (round half up: L = 10 at 15% gives 2), the rule of ./budget.ts shared by every strategy. The
 * GPU gets this as a table computed by this same function, so both sides agree whatever the rate.
 */
export function maskBudget(L: number, P: number, cfg: RandomMaskingConfig): number {
  return budget(L, cfg.rate, Math.min(P, cfg.maxPredictions), 'round');
}

/**
 * u24 thresholds for the corruption draw: u24 = hash >> 8; u24 < mask → [MASK], < maskOrRandom →
 * random token, else keep. Integers, so WGSL and JS compare identically (no f32 vs f64 doubt).
 */
export function corruptionThresholds(cfg: RandomMaskingConfig): { mask: number; maskOrRandom: number } {
  const q = (x: number) => Math.min(2 ** 24, Math.floor(x * 2 ** 24));
  return { mask: q(cfg.maskProb), maskOrRandom: q(cfg.maskProb + cfg.randomProb) };
}

/** Positions that may be masked: not [PAD], [CLS], [SEP] or [MASK] ([UNK] may, as in BERT). */
export function isCandidate(token: number): boolean {
  return token !== SPECIAL.PAD && token !== SPECIAL.CLS && token !== SPECIAL.SEP && token !== SPECIAL.MASK;
}

/**
 * tokens (B,T) original ids → inputs (B,T) corrupted, positions/targets/weights (B,P) (chosen
 * positions in increasing order, then padding slots with 0/0/0), record (B,T) = kind | t << 8 (the unit of random masking is the token; bits 2–7 are flags, see README).
 */
export function randomMaskingReference(tokens: Uint32Array, B: number, T: number, P: number, cfg: RandomMaskingConfig, step: number): RandomMaskingOutput {
  validateMasking(cfg, T, P);
  if (tokens.length !== B * T) throw new Error(`random masking: tokens has ${tokens.length} elements, expected B·T = ${B * T}`);
  const seed = cfg.seed >>> 0;
  const st = step >>> 0;
  const thr = corruptionThresholds(cfg);
  const ordinary = cfg.vocabSize - SPECIAL.FIRST_ORDINARY;
  const out: RandomMaskingOutput = {
    inputs: Uint32Array.from(tokens),
    positions: new Uint32Array(B * P),
    targets: new Uint32Array(B * P),
    weights: new Float32Array(B * P),
    record: new Uint32Array(B * T),
  };
  for (let b = 0; b < B; b++) {
    let L = 0;
    const cands: { t: number; score: number }[] = [];
    for (let t = 0; t < T; t++) {
      const tok = tokens[b * T + t]!;
      if (tok !== SPECIAL.PAD) L++;
      if (isCandidate(tok)) cands.push({ t, score: hash4(seed, st, b, t) });
    }
    const n = Math.min(maskBudget(L, P, cfg), cands.length);
    cands.sort((x, y) => x.score - y.score || x.t - y.t);
    const chosen = cands.slice(0, n).map((c) => c.t).sort((x, y) => x - y);
    chosen.forEach((t, slot) => {
      const i = b * T + t;
      const tok = tokens[i]!;
      out.positions[b * P + slot] = t;
      out.targets[b * P + slot] = tok;
      out.weights[b * P + slot] = 1;
      const u24 = hash4((seed ^ SALT_KIND) >>> 0, st, b, t) >>> 8;
      let kind: number = RECORD.KEEP;
      if (u24 < thr.mask) {
        kind = RECORD.MASK;
        out.inputs[i] = SPECIAL.MASK;
      } else if (u24 < thr.maskOrRandom) {
        kind = RECORD.RANDOM;
        // Uniform over ordinary ids (BERT draws over the whole vocab, specials included; we
        // exclude them so a "random" input never looks like structure). Modulo bias ≤ V/2^32.
        out.inputs[i] = SPECIAL.FIRST_ORDINARY + (hash4((seed ^ SALT_TOKEN) >>> 0, st, b, t) % ordinary);
      }
      out.record[i] = (kind | (t << 8)) >>> 0;
    });
  }
  return out;
}
