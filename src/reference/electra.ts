// Float64 reference for shaders/electra.wgsl: the Gumbel-max sampler (same hashes, float64 maths,
// so GPU and CPU agree except where two scores are within f32 rounding), the token replacement
// (exact), and the statistics the sampler's tests need (softmax, chi-square goodness of fit).
// Not here: anything the training loop runs; this is for tests.
import { hash4 } from '../data/prng.ts';

/** g = −log(−log u), u = ((hash4(seed, step, row, v) >> 8) + ½)/2²⁴ ∈ (0,1): standard Gumbel noise. */
export function gumbelNoise(seed: number, step: number, row: number, v: number): number {
  const u = ((hash4(seed, step, row, v) >>> 8) + 0.5) / 16777216;
  return -Math.log(-Math.log(u));
}

export interface GumbelReferenceOptions {
  temperature: number;
  disallowCorrect: boolean;
  uniform: boolean;
  firstOrdinary: number;
  seed: number;
  step: number;
}

/**
 * logits (M,V), targets (M), weights (M) → sampled (M) as gumbel_sample defines it, and
 * margin (M) = best − second-best score (Infinity with < 2 candidates, or an unused row): where
 * the margin is below f32 rounding of the scores, the GPU may pick the other one.
 */
export function gumbelSampleReference(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  M: number,
  V: number,
  o: GumbelReferenceOptions,
): { sampled: Uint32Array; margin: Float64Array } {
  const sampled = new Uint32Array(M);
  const margin = new Float64Array(M).fill(Infinity);
  const first = o.uniform ? o.firstOrdinary : 0;
  for (let r = 0; r < M; r++) {
    const t = targets[r]!;
    sampled[r] = t;
    if (weights[r] === 0) continue;
    let best = -Infinity;
    let second = -Infinity;
    for (let v = first; v < V; v++) {
      if (o.disallowCorrect && v === t) continue;
      const l = o.uniform ? 0 : logits[r * V + v]! / o.temperature;
      const s = l + gumbelNoise(o.seed, o.step, r, v);
      if (s > best) {
        second = best;
        best = s;
        sampled[r] = v;
      } else if (s > second) second = s;
    }
    margin[r] = best - second;
  }
  return { sampled, margin };
}

/** softmax(logits/T) of one row, in float64. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const z = Float64Array.from(logits, (l) => l / temperature);
  const mx = Math.max(...z);
  const e = z.map((x) => Math.exp(x - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export interface ReplaceTokensReference {
  discInputs: Uint32Array; // (B,T)
  labels: Float64Array; // (B,T)
  lossWeights: Float64Array; // (B,T)
  rowStats: Uint32Array; // (B,4) [used slots, sampled == target, replaced, real tokens]
  stats: Uint32Array; // (4)
}

/** tokens, attnMask (B,T); positions, targets, weights, sampled (B,P) → what prepareReplaceTokens writes. */
export function replaceTokensReference(
  tokens: ArrayLike<number>,
  attnMask: ArrayLike<number>,
  positions: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  sampled: ArrayLike<number>,
  B: number,
  T: number,
  P: number,
  maskedOnly: boolean,
): ReplaceTokensReference {
  const discInputs = Uint32Array.from(tokens);
  const labels = new Float64Array(B * T);
  const lossWeights = Float64Array.from(attnMask, (m) => (m !== 0 && !maskedOnly ? 1 : 0));
  const rowStats = new Uint32Array(B * 4);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) if (attnMask[b * T + t] !== 0) rowStats[b * 4 + 3]!++;
    for (let p = 0; p < P; p++) {
      const s = b * P + p;
      const t = positions[s]!;
      if (!(weights[s]! > 0) || t >= T) continue;
      const kept = sampled[s] === targets[s];
      discInputs[b * T + t] = sampled[s]!;
      labels[b * T + t] = kept ? 0 : 1;
      if (maskedOnly) lossWeights[b * T + t] = 1;
      rowStats[b * 4]!++;
      if (kept) rowStats[b * 4 + 1]!++;
      else rowStats[b * 4 + 2]!++;
    }
  }
  const stats = new Uint32Array(4);
  for (let i = 0; i < rowStats.length; i++) stats[i % 4]! += rowStats[i]!;
  return { discInputs, labels, lossWeights, rowStats, stats };
}

/** ln Γ(x), x > 0 (Lanczos, g = 7, n = 9: ~1e-15 relative). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x)/Γ(a), the regularized upper incomplete gamma (series below a + 1, else continued fraction). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > 1e-16 * Math.abs(sum); n++) sum += term *= x / (a + n);
    return 1 - sum * front;
  }
  // Lentz's method for the continued fraction of Γ(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return front * h;
}

/**
 * Pearson's chi-square goodness of fit of `counts` (per category) to probabilities `probs` (Σ 1):
 * stat = Σ (n_v − N p_v)²/(N p_v) over categories with p_v > 0, df = (those) − 1, and its p-value.
 * A count in a category with p_v = 0 makes the fit impossible: stat = Infinity, p = 0.
 */
export function chiSquareTest(counts: ArrayLike<number>, probs: ArrayLike<number>): { stat: number; df: number; p: number; minExpected: number } {
  let N = 0;
  for (let v = 0; v < counts.length; v++) N += counts[v]!;
  let stat = 0;
  let k = 0;
  let minExpected = Infinity;
  for (let v = 0; v < counts.length; v++) {
    const e = N * probs[v]!;
    if (e === 0) {
      if (counts[v] !== 0) stat = Infinity;
      continue;
    }
    k++;
    minExpected = Math.min(minExpected, e);
    stat += (counts[v]! - e) ** 2 / e;
  }
  const df = k - 1;
  return { stat, df, p: stat === Infinity ? 0 : gammaQ(df / 2, stat / 2), minExpected };
}
