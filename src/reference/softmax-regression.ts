// Float64 reference of the linear probe's classifier (src/model/probe-classifier.ts): softmax
// regression on fixed features, trained full-batch with AdamW from zero weights, step for step
// as the GPU does it (matmul → cross-entropy → its gradient → dweight → AdamW).
//   logits (N,K) = X (N,D) · Wᵀ,  W (K,D), the bias being X's last column of 1s (pool.wgsl)
//   L = mean_n −log softmax(logits_n)[y_n]

import { argmaxRows } from '../data/probe-tasks.ts';
import type { ProbeHyper } from '../model/probe-classifier.ts';
import { adamwStep } from './adamw.ts';
import { crossEntropyBackward } from './crossentropy.ts';
import { matmulBackward, matmulForward } from './matmul.ts';

/** X (N,D) row-major, labels (N) in 0..K−1 → W (K,D) after hp.steps full-batch AdamW steps from W = 0. */
export function trainSoftmaxRegression(X: ArrayLike<number>, labels: ArrayLike<number>, N: number, D: number, K: number, hp: ProbeHyper): Float64Array {
  if (X.length !== N * D || labels.length !== N) throw new Error(`trainSoftmaxRegression: X has ${X.length} values and ${labels.length} labels for N=${N}, D=${D}.`);
  const state = { params: new Float64Array(K * D), m: new Float64Array(K * D), v: new Float64Array(K * D) };
  const weights = new Float64Array(N).fill(1);
  for (let t = 1; t <= hp.steps; t++) {
    const logits = matmulForward(X, state.params, null, N, D, K);
    const dlogits = crossEntropyBackward(logits, labels, weights, N, K);
    const { dweight } = matmulBackward(dlogits, X, state.params, N, D, K);
    adamwStep(state, dweight, 1, K * D, hp, t, hp.lr);
  }
  return state.params;
}

/** Class per row: the lowest-index argmax of X·Wᵀ. */
export function predictSoftmaxRegression(X: ArrayLike<number>, W: ArrayLike<number>, N: number, D: number, K: number): Uint32Array {
  return argmaxRows(matmulForward(X, W, null, N, D, K), N, K);
}

