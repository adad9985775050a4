// For the masking-lab tests only (Node statistics and GPU == CPU): seeded, hand-made batches with
// the structure the strategies need — multi-piece words, POS tags with proper-noun runs, PMI
// segments that merge words, Zipf-like token frequencies with matching unigram counts, varied
// lengths and the edge rows (all [PAD], [CLS][SEP] only, a full row, [MASK]/[UNK] in the text).
// Not used by the app.
import { emptyBatch, type Batch } from '../data/batcher.ts';
import { Rng } from '../data/prng.ts';
import { SPECIAL } from './reference.ts';

/** Tag list of the hand-made batches: nn NOUN, np PROPN, vb VERB, at/in OTHER, jj ADJ. */
export const TEST_TAGS: readonly string[] = ['nn', 'np', 'vb', 'at', 'jj', 'in', 'np-tl', 'vbd'];
const TAG_WEIGHTS = [0.25, 0.08, 0.17, 0.15, 0.1, 0.15, 0.05, 0.05];

/** Zipf-like unigram counts over the ordinary ids (id 5 most frequent); 0 for the specials. */
export function zipfCounts(V: number, total = 1_000_000): Uint32Array {
  const c = new Uint32Array(V);
  let z = 0;
  for (let v = SPECIAL.FIRST_ORDINARY; v < V; v++) z += 1 / (v - 4);
  for (let v = SPECIAL.FIRST_ORDINARY; v < V; v++) c[v] = Math.max(1, Math.round(total / (v - 4) / z));
  return c;
}

export interface TestBatchOpts {
  /** Probability that a word has 2–4 pieces instead of 1. */
  multiPiece?: number;
  /** Fixed row length for every row (edge rows still come first unless noEdges). */
  length?: number;
  noEdges?: boolean;
  /** Probability that a PMI segment spans 2–4 words. */
  pmiMerge?: number;
}

/** A Batch with words, tags, segments; ids drawn from `counts` (zipfCounts). */
export function testBatch(B: number, T: number, counts: Uint32Array, seed: number, opts: TestBatchOpts = {}): Batch {
  const rng = new Rng(seed, 0x7e57);
  const V = counts.length;
  const cum = new Float64Array(V);
  let acc = 0;
  for (let v = 0; v < V; v++) cum[v] = acc += v >= SPECIAL.FIRST_ORDINARY ? counts[v]! : 0;
  const drawId = () => {
    const x = rng.uniform() * acc;
    let lo = SPECIAL.FIRST_ORDINARY;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const drawTag = () => {
    let x = rng.uniform();
    for (let k = 0; k < TAG_WEIGHTS.length; k++) if ((x -= TAG_WEIGHTS[k]!) < 0) return k;
    return 0;
  };
  const batch: Batch = emptyBatch(B, T);
  let word = 0;
  let segment = 0;
  for (let b = 0; b < B; b++) {
    const edge = opts.noEdges ? -1 : b;
    const L = edge === 0 ? 0 : edge === 1 ? 2 : edge === 2 ? T : (opts.length ?? 3 + rng.int(T - 2));
    const o = b * T;
    batch.lengths[b] = L;
    for (let t = 0; t < L; t++) batch.attention[o + t] = 1;
    if (L === 0) continue;
    batch.ids[o] = SPECIAL.CLS;
    batch.ids[o + L - 1] = SPECIAL.SEP;
    let segLeft = 0;
    let propRun = 0;
    for (let t = 1; t < L - 1; ) {
      const pieces = Math.min(L - 1 - t, rng.uniform() < (opts.multiPiece ?? 0.3) ? 2 + rng.int(3) : 1);
      let tag = drawTag();
      if (propRun > 0) {
        tag = 1;
        propRun--;
      } else if (tag === 1 || tag === 6) propRun = rng.int(3); // runs of 1–3 proper nouns
      if (segLeft === 0) {
        segment++;
        segLeft = rng.uniform() < (opts.pmiMerge ?? 0.2) ? 2 + rng.int(3) : 1;
      }
      segLeft--;
      word++;
      for (let k = 0; k < pieces; k++, t++) {
        const r = rng.uniform();
        batch.ids[o + t] = r < 0.01 ? SPECIAL.UNK : r < 0.015 ? SPECIAL.MASK : drawId();
        batch.wordStart[o + t] = k === 0 ? 1 : 0;
        batch.tags[o + t] = tag;
        batch.wordIndex[o + t] = word;
        batch.segment[o + t] = segment;
      }
    }
  }
  return batch;
}

/** ln Γ(x) (Lanczos, g = 7), for the chi-square p-value. */
function lnGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = g[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Upper regularized incomplete gamma Q(s, x) (series / continued fraction, Numerical Recipes). */
function gammaQ(s: number, x: number): number {
  if (x <= 0) return 1;
  const lg = lnGamma(s);
  if (x < s + 1) {
    let sum = 1 / s;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (s + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + s * Math.log(x) - lg);
  }
  let b = x + 1 - s;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + s * Math.log(x) - lg) * h;
}

/** Pearson chi-square of observed counts against probabilities; p-value with k−1 degrees of freedom. */
export function chiSquare(observed: readonly number[], probs: readonly number[]): { stat: number; dof: number; p: number } {
  const n = observed.reduce((a, b) => a + b, 0);
  const z = probs.reduce((a, b) => a + b, 0);
  let stat = 0;
  let k = 0;
  observed.forEach((o, i) => {
    const e = (n * probs[i]!) / z;
    if (e > 0) {
      stat += (o - e) ** 2 / e;
      k++;
    }
  });
  return { stat, dof: k - 1, p: gammaQ((k - 1) / 2, stat / 2) };
}

/** Kolmogorov–Smirnov D of samples against the uniform distribution on (lo, hi). */
export function ksUniform(samples: readonly number[], lo: number, hi: number): number {
  const x = [...samples].sort((a, b) => a - b);
  const n = x.length;
  let d = 0;
  x.forEach((v, i) => {
    const F = (v - lo) / (hi - lo);
    d = Math.max(d, Math.abs(F - i / n), Math.abs((i + 1) / n - F));
  });
  return d;
}
