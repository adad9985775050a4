// Float64 reference for shaders/bce.wgsl: sigmoid binary cross-entropy with logits over the
// N = B·T discriminator tokens, its gradient (of λ · the weighted mean loss), and the metrics,
// with the EXACT AUC (sort-based) that the GPU's binned AUC is judged against.

export interface BceForward {
  /** (N) max(x,0) − x·y + log1p(e^−|x|), unweighted. */
  losses: Float64Array;
  /** (N) σ(x). */
  probs: Float64Array;
  /** Σ w·loss / Σ w (0 when Σ w = 0). */
  meanLoss: number;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** logits (N), labels (N) 0|1, weights (N) → per-token losses and probs, and the weighted mean loss. */
export function bceForward(logits: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>): BceForward {
  const N = logits.length;
  const losses = new Float64Array(N);
  const probs = new Float64Array(N);
  let wl = 0;
  for (let i = 0; i < N; i++) {
    const x = logits[i]!;
    losses[i] = Math.max(x, 0) - x * labels[i]! + Math.log1p(Math.exp(-Math.abs(x)));
    probs[i] = sigmoid(x);
    wl += weights[i]! * losses[i]!;
  }
  const ws = sum(weights);
  return { losses, probs, meanLoss: ws === 0 ? 0 : wl / ws };
}

/** dlogits (N) = scale·(σ(x) − y)·w/Σw: the gradient of scale·Σw·loss/Σw; 0 when Σw = 0. */
export function bceBackward(logits: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, scale: number): Float64Array {
  const ws = sum(weights);
  const d = new Float64Array(logits.length);
  if (ws === 0) return d;
  for (let i = 0; i < d.length; i++) {
    // (1 − y)·σ(x) − y·σ(−x) = σ(x) − y, without cancellation in the tails.
    const y = labels[i]!;
    d[i] = ((scale * weights[i]!) / ws) * ((1 - y) * sigmoid(logits[i]!) - y * sigmoid(-logits[i]!));
  }
  return d;
}

/**
 * ROC AUC of `scores` over tokens with w > 0 (unweighted), labels y > ½ positive: the fraction of
 * (positive, negative) pairs with the positive scored higher, ties counting half. 0.5 without
 * both classes. Sort-based, O(N log N).
 */
export function exactAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>): number {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (weights[i]! > 0) idx.push(i);
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let P = 0;
  let Nn = 0;
  let credit = 0; // Σ_pos (#neg below + ½·#neg tied)
  for (let s = 0; s < idx.length; ) {
    let e = s;
    let pos = 0;
    let neg = 0;
    for (; e < idx.length && scores[idx[e]!] === scores[idx[s]!]; e++) {
      if (labels[idx[e]!]! > 0.5) pos++;
      else neg++;
    }
    credit += pos * (Nn + 0.5 * neg);
    P += pos;
    Nn += neg;
    s = e;
  }
  return P === 0 || Nn === 0 ? 0.5 : credit / (P * Nn);
}

/**
 * metrics (8) = [Σw·loss/Σw, accuracy, precision, recall, AUC, Σw, Σw·y, 0] from float64 logits,
 * pred = [σ(x) ≥ ½] = [x ≥ 0]. Accuracy/precision/recall are weighted and 0 when undefined; the
 * AUC is exactAuc of the logits themselves (no bins, no clamp).
 */
export function bceMetrics(logits: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  const { meanLoss } = bceForward(logits, labels, weights);
  let ws = 0;
  let correct = 0;
  let wy = 0;
  let tp = 0;
  let predPos = 0;
  for (let i = 0; i < logits.length; i++) {
    const w = weights[i]!;
    const y = labels[i]!;
    const pred = logits[i]! >= 0 ? 1 : 0;
    ws += w;
    correct += w * ((y > 0.5 ? 1 : 0) === pred ? 1 : 0);
    wy += w * y;
    tp += w * y * pred;
    predPos += w * pred;
  }
  return Float64Array.from([
    meanLoss,
    ws === 0 ? 0 : correct / ws,
    predPos === 0 ? 0 : tp / predPos,
    wy === 0 ? 0 : tp / wy,
    exactAuc(logits, labels, weights),
    ws,
    wy,
    0,
  ]);
}
