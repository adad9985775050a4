// Per-token unit structure of a batch for the masking lab (the CPU half of every step): which
// positions may be masked, how they group into units that are masked whole, class flags for
// entity masking, and integer sampling weights for frequency-weighted masking. Layout (README):
// units (B,T) u32 = unit index (bits 0–15, NO_UNIT = not maskable) | class flags (bits 16–23);
// a unit is a contiguous run with one index, indices increase along the row.
// Which one is the strategy's `units` field (registry.ts):
//   token (random, frequency, diffusion, attention): unit index = position t (so the lab's
//     random == the [B] kernel bit for bit); 'weighted' selection adds frequency weights;
//   word (whole-word, span, n-gram): a new unit at every word start (batch.wordStart);
//   segment (pmi): a new unit wherever batch.segment changes;
//   entity: words; maximal runs of proper-noun words (coarse tag PROPN) merge into one unit with
//     CLASS_ENTITY, nouns get CLASS_NOUN and verbs CLASS_VERB if the `classes` param selects them;
//     every other word is not maskable.
// Word and entity indices count maskable units from 0 along the row. [PAD]/[CLS]/[SEP]/[MASK]
// are never maskable. Runs every training step on B·T ≤ 32·512 tokens: flat loops, tables cached.
// Not here: choosing positions (selection*.ts / the GPU), tokenizing, PMI segmentation (pmi.ts).
import type { Batch } from '../data/batcher.ts';
import { coarseTag } from '../data/brown.ts';
import { isCandidate } from './reference.ts';
import { strategyOf, type MaskingConfig } from './registry.ts';
import { CLASS_ENTITY, CLASS_NOUN, CLASS_VERB, NO_UNIT } from './lab-rules.ts';

/** Largest weight: a row's total (≤ 512 tokens) stays below 2^20, so `h % total` is nearly unbiased. */
export const MAX_UNIT_WEIGHT = 2047;

export interface Units {
  units: Uint32Array;
  weights: Uint32Array;
}

// Coarse class per tag id, per tag list: 1 PROPN, 2 NOUN, 3 VERB, 0 other.
const tagClassCache = new WeakMap<readonly string[], Uint8Array>();
function tagClasses(tagNames: readonly string[]): Uint8Array {
  let c = tagClassCache.get(tagNames);
  if (!c) {
    c = new Uint8Array(tagNames.length);
    tagNames.forEach((name, i) => {
      const k = coarseTag(name);
      c![i] = k === 'PROPN' ? 1 : k === 'NOUN' ? 2 : k === 'VERB' ? 3 : 0;
    });
    tagClassCache.set(tagNames, c);
  }
  return c;
}

// (count(v)+1)^−α per id, per (unigram, α).
const inverseFreqCache = new WeakMap<Uint32Array, Map<number, Float64Array>>();
function inverseFrequency(unigram: Uint32Array, alpha: number): Float64Array {
  let byAlpha = inverseFreqCache.get(unigram);
  if (!byAlpha) inverseFreqCache.set(unigram, (byAlpha = new Map()));
  let f = byAlpha.get(alpha);
  if (!f) {
    f = new Float64Array(unigram.length);
    for (let v = 0; v < unigram.length; v++) f[v] = (unigram[v]! + 1) ** -alpha;
    byAlpha.set(alpha, f);
  }
  return f;
}

/**
 * Frequency weights of one row: w = clamp(round(2047 · f(t) / max_row f), 1, 2047) with
 * f(t) = (count(t)+1)^−α — normalised per row (the rarest token of the row gets 2047), which
 * keeps the most resolution; sampling within a row is scale-free, so nothing else changes.
 * Ids outside the unigram table count as unseen (count 0).
 */
function frequencyRow(ids: Uint32Array, units: Uint32Array, weights: Uint32Array, o: number, T: number, f: Float64Array): void {
  const unseen = 1; // (0 + 1)^−α
  let max = 0;
  for (let t = 0; t < T; t++) {
    if ((units[o + t]! & 0xffff) === NO_UNIT) continue;
    const id = ids[o + t]!;
    max = Math.max(max, id < f.length ? f[id]! : unseen);
  }
  for (let t = 0; t < T; t++) {
    if ((units[o + t]! & 0xffff) === NO_UNIT) continue;
    const id = ids[o + t]!;
    const x = id < f.length ? f[id]! : unseen;
    weights[o + t] = Math.min(MAX_UNIT_WEIGHT, Math.max(1, Math.round((MAX_UNIT_WEIGHT * x) / max)));
  }
}

/**
 * units and weights (B,T) for this batch under the strategy of `cfg`. `out` (same size) is
 * overwritten and returned, to avoid allocating every step.
 */
export function buildUnits(cfg: MaskingConfig, batch: Batch, data: { tagNames: readonly string[]; unigram: Uint32Array }, out?: Units): Units {
  const { B, T, ids } = batch;
  const n = B * T;
  if (out && (out.units.length !== n || out.weights.length !== n)) throw new Error(`buildUnits: out holds ${out.units.length} units, the batch has B·T = ${n}`);
  const units = out?.units ?? new Uint32Array(n);
  const weights = out?.weights ?? new Uint32Array(n);
  weights.fill(0);
  const spec = strategyOf(cfg);
  if (spec.units === 'token') {
    for (let i = 0; i < n; i++) units[i] = isCandidate(ids[i]!) ? i % T : NO_UNIT;
    if (spec.selection === 'weighted') {
      const f = inverseFrequency(data.unigram, Number(cfg.params.alpha ?? 0.5));
      for (let b = 0; b < B; b++) frequencyRow(ids, units, weights, b * T, T, f);
    }
  } else if (spec.units === 'word' || spec.units === 'segment') {
    const seg = spec.units === 'segment' ? batch.segment : null;
    if (spec.units === 'segment' && !seg) throw new Error(`buildUnits: ${spec.name} needs batch.segment (the lexicon's segments)`);
    for (let b = 0; b < B; b++) {
      let k = -1;
      let prevMaskable = false;
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (!isCandidate(ids[i]!)) {
          units[i] = NO_UNIT;
          prevMaskable = false;
          continue;
        }
        const starts = !prevMaskable || (seg ? seg[i] !== seg[i - 1] : batch.wordStart[i] === 1);
        if (starts) k++;
        units[i] = k;
        prevMaskable = true;
      }
    }
  } else {
    entityUnits(batch, tagClasses(data.tagNames), String(cfg.params.classes ?? 'noun+verb'), units);
  }
  return { units, weights };
}

/** Entity units (see the header); a word's class is its first piece's tag. */
function entityUnits(batch: Batch, cls: Uint8Array, classes: string, units: Uint32Array): void {
  const { B, T, ids, tags, wordStart } = batch;
  const noun = classes.includes('noun') ? CLASS_NOUN : 0;
  const verb = classes.includes('verb') ? CLASS_VERB : 0;
  for (let b = 0; b < B; b++) {
    let k = -1;
    let wordValue = NO_UNIT; // units value of the current word's tokens
    let prevWasEntity = false; // the previous word (adjacent) was a proper noun
    let prevMaskable = false;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (!isCandidate(ids[i]!)) {
        units[i] = NO_UNIT;
        prevMaskable = false;
        prevWasEntity = false;
        continue;
      }
      if (!prevMaskable || wordStart[i] === 1) {
        const tag = tags[i]!;
        const c = tag < cls.length ? cls[tag]! : 0;
        if (c === 1) {
          if (!prevWasEntity) k++; // a run of proper nouns is one unit
          wordValue = (k | CLASS_ENTITY) >>> 0;
        } else if ((c === 2 && noun) || (c === 3 && verb)) {
          wordValue = (++k | (c === 2 ? noun : verb)) >>> 0;
        } else {
          wordValue = NO_UNIT;
        }
        prevWasEntity = c === 1;
      }
      units[i] = wordValue;
      prevMaskable = true;
    }
  }
}
