// Float64 reference for shaders/crossentropy.wgsl: softmax cross-entropy over the M = B·P
// prediction rows, its gradient (of the weighted mean loss), and the weighted MLM metrics.

export interface CrossEntropyForward {
  /** (M) −log softmax(logits)[target], unweighted. */
  losses: Float64Array;
  /** (M) 1 if the lowest-index argmax is the target. */
  correct: Float64Array;
  /** Σ w·loss / Σ w (0 when Σ w = 0). */
  meanLoss: number;
  /** Σ w·correct / Σ w (0 when Σ w = 0). */
  accuracy: number;
}

/** logits (M,V), targets (M), weights (M) → per-row losses and correct, and their weighted means. */
export function crossEntropyForward(logits: ArrayLike<number>, targets: ArrayLike<number>, weights: ArrayLike<number>, M: number, V: number): CrossEntropyForward {
  const losses = new Float64Array(M);
  const correct = new Float64Array(M);
  for (let r = 0; r < M; r++) {
    const base = r * V;
    let mx = -Infinity;
    let amax = 0;
    for (let j = 0; j < V; j++) {
      if (logits[base + j]! > mx) {
        mx = logits[base + j]!;
        amax = j;
      }
    }
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[base + j]! - mx);
    const t = targets[r]!;
    losses[r] = mx + Math.log(s) - logits[base + t]!;
    correct[r] = amax === t ? 1 : 0;
  }
  const [meanLoss, accuracy] = mlmMetrics(losses, correct, weights);
  return { losses, correct, meanLoss: meanLoss!, accuracy: accuracy! };
}

/** dlogits (M,V) = (softmax − onehot(target))·w/Σw: the gradient of the weighted mean loss; 0 when Σw = 0. */
export function crossEntropyBackward(logits: ArrayLike<number>, targets: ArrayLike<number>, weights: ArrayLike<number>, M: number, V: number): Float64Array {
  const dlogits = new Float64Array(M * V);
  let wsum = 0;
  for (let r = 0; r < M; r++) wsum += weights[r]!;
  for (let r = 0; r < M; r++) {
    const base = r * V;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) mx = Math.max(mx, logits[base + j]!);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[base + j]! - mx);
    const scale = wsum === 0 ? 0 : weights[r]! / wsum;
    const t = targets[r]!;
    for (let j = 0; j < V; j++) dlogits[base + j] = (Math.exp(logits[base + j]! - mx) / s - (j === t ? 1 : 0)) * scale;
  }
  return dlogits;
}

/** [Σw·loss/Σw, Σw·correct/Σw, Σw, 0]; zeros in the first two when Σw = 0. */
export function mlmMetrics(losses: ArrayLike<number>, correct: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
  let l = 0;
  let c = 0;
  let w = 0;
  for (let r = 0; r < weights.length; r++) {
    l += weights[r]! * losses[r]!;
    c += weights[r]! * correct[r]!;
    w += weights[r]!;
  }
  return Float64Array.from([w === 0 ? 0 : l / w, w === 0 ? 0 : c / w, w, 0]);
}
