// Numbers the attention views draw, computed from a probe's attention tensor (L, NH, n, n):
// one head's matrix, attention rollout, per-head entropy. Pure functions of their arguments.
// It deliberately draws nothing, reads no store, and knows nothing of the GPU or of tokens: the
// tensor is the protocol's ProbeResult.attention, already copied off the GPU by the engine.
//
// Layout everywhere: attention[((l·NH + h)·n + query)·n + key], each query row a probability
// distribution over keys (sums to 1).

/** Throws if `attention` is not (L, NH, n, n): a wrong shape would draw a plausible-looking lie. */
export function checkAttentionShape(attention: Float32Array, L: number, NH: number, n: number): void {
  const want = L * NH * n * n;
  if (attention.length !== want) {
    throw new RangeError(
      `attention has ${attention.length} values but (L=${L}, NH=${NH}, n=${n}, n) needs ${want}: ` +
        'pass the L, NH and tokens.length of the same probe',
    );
  }
}

/**
 * One head's (n, n) matrix [query][key] of layer l, head h: a view into `attention` (no copy, so
 * it is cheap to call per redraw; `.slice()` it before mutating).
 */
export function headMatrix(attention: Float32Array, L: number, NH: number, n: number, l: number, h: number): Float32Array {
  checkAttentionShape(attention, L, NH, n);
  if (!(l >= 0 && l < L && h >= 0 && h < NH)) throw new RangeError(`head (l=${l}, h=${h}) is outside L=${L} × NH=${NH}`);
  const off = (l * NH + h) * n * n;
  return attention.subarray(off, off + n * n);
}

/** One layer's (NH, n, n) block: what the head view draws. A view, like headMatrix. */
export function layerAttention(attention: Float32Array, L: number, NH: number, n: number, l: number): Float32Array {
  checkAttentionShape(attention, L, NH, n);
  if (!(l >= 0 && l < L)) throw new RangeError(`layer ${l} is outside L=${L}`);
  return attention.subarray(l * NH * n * n, (l + 1) * NH * n * n);
}

/**
 * Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"):
 * per layer Â_l = ½·mean_h(A_l) + ½·I (the ½·I stands for the residual connection), rows
 * renormalised; then rollout = Â_{L-1} · … · Â_1 · Â_0 → (n, n).
 *
 * Order: matrices act on column vectors of token contributions, x_{l+1} = Â_l · x_l, so the
 * bottom layer is applied first and sits rightmost. Row i of the result says how much the top
 * layer's token i draws on each *input* token j; rows sum to 1 (a product of row-stochastic
 * matrices). Accumulated in float64: L products of n×n can drift in float32.
 */
export function attentionRollout(attention: Float32Array, L: number, NH: number, n: number): Float32Array {
  checkAttentionShape(attention, L, NH, n);
  let roll: Float64Array = identity(n);
  const hat = new Float64Array(n * n);
  let next: Float64Array = new Float64Array(n * n);
  for (let l = 0; l < L; l++) {
    // Â_l = ½·mean_h(A_l) + ½·I, then each row renormalised (guards truncation and float drift).
    hat.fill(0);
    const base = l * NH * n * n;
    for (let h = 0; h < NH; h++) {
      const off = base + h * n * n;
      for (let i = 0; i < n * n; i++) hat[i] += attention[off + i] / NH;
    }
    for (let q = 0; q < n; q++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const v = 0.5 * hat[q * n + k] + (q === k ? 0.5 : 0);
        hat[q * n + k] = v;
        sum += v;
      }
      if (sum > 0) for (let k = 0; k < n; k++) hat[q * n + k] /= sum;
    }
    // roll ← Â_l · roll (new layer on the left).
    next.fill(0);
    for (let q = 0; q < n; q++) {
      for (let m = 0; m < n; m++) {
        const a = hat[q * n + m];
        if (a === 0) continue;
        for (let k = 0; k < n; k++) next[q * n + k] += a * roll[m * n + k];
      }
    }
    [roll, next] = [next, roll];
  }
  return Float32Array.from(roll);
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/**
 * Per-head entropy (L·NH), [l·NH + h]: the mean over the n query rows of −Σ_k p ln p, in nats.
 * 0 = every query attends to one key; ln n = uniform attention (see maxEntropy). Terms with
 * p ≤ 0 count as 0 (the limit of p ln p).
 */
export function headEntropy(attention: Float32Array, L: number, NH: number, n: number): Float32Array {
  checkAttentionShape(attention, L, NH, n);
  const out = new Float32Array(L * NH);
  if (n === 0) return out;
  for (let lh = 0; lh < L * NH; lh++) {
    const off = lh * n * n;
    let total = 0;
    for (let i = 0; i < n * n; i++) {
      const p = attention[off + i];
      if (p > 0) total -= p * Math.log(p);
    }
    out[lh] = total / n;
  }
  return out;
}

/** ln n: the entropy of uniform attention over n keys, the largest a row can have. */
export function maxEntropy(n: number): number {
  return n > 1 ? Math.log(n) : 0;
}

/** Entropy normalised to [0, 1] by ln n (0 when n ≤ 1: a single key leaves no choice). */
export function normalisedEntropy(entropy: number, n: number): number {
  const max = maxEntropy(n);
  return max > 0 ? entropy / max : 0;
}

/** Largest value of a matrix (0 for an empty one): the top of a heatmap's colour scale. */
export function matrixMax(m: Float32Array): number {
  let max = 0;
  for (let i = 0; i < m.length; i++) if (m[i] > max) max = m[i];
  return max;
}
