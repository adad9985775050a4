// Float64 reference for shaders/mse.wgsl: MAE's reconstruction loss, the mean squared error on
// the masked patches only (models_mae.py::forward_loss), with optional norm_pix_loss targets.
// Not here: patchify (reference/patchify.ts) or choosing the mask.

export interface MseOptions {
  /** Normalise each target patch by its own mean and unbiased variance (MAE's norm_pix_loss). */
  normPixLoss: boolean;
  /** Added to the variance before the square root; MAE uses 1e-6. */
  eps?: number;
}

/** The target the loss compares against: t, or (t − mean_d t)/sqrt(var_d t + eps) per patch, var unbiased. */
export function mseTargets(target: ArrayLike<number>, R: number, PD: number, o: MseOptions): Float64Array {
  const t = Float64Array.from(target);
  if (!o.normPixLoss) return t;
  const eps = o.eps ?? 1e-6;
  for (let r = 0; r < R; r++) {
    const row = t.subarray(r * PD, (r + 1) * PD);
    const mean = row.reduce((a, v) => a + v, 0) / PD;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / (PD - 1); // torch.var: unbiased
    const scale = 1 / Math.sqrt(variance + eps);
    for (let d = 0; d < PD; d++) row[d] = (row[d]! - mean) * scale;
  }
  return t;
}

/**
 * pred, target (B,L,PD), mask (B,L) (nonzero = masked) → losses (B,L) = mean_d (pred − t')²
 * for every patch, count = Σ mask, loss = Σ mask·losses / count (0 when nothing is masked).
 */
export function mseForward(pred: ArrayLike<number>, target: ArrayLike<number>, mask: ArrayLike<number>, B: number, L: number, PD: number, o: MseOptions) {
  const R = B * L;
  const t = mseTargets(target, R, PD, o);
  const losses = new Float64Array(R);
  let sum = 0;
  let count = 0;
  for (let r = 0; r < R; r++) {
    let acc = 0;
    for (let d = 0; d < PD; d++) acc += (pred[r * PD + d]! - t[r * PD + d]!) ** 2;
    losses[r] = acc / PD;
    if (mask[r]) {
      sum += losses[r]!;
      count++;
    }
  }
  return { losses, count, loss: count > 0 ? sum / count : 0 };
}

/** dpred (B,L,PD) = mask·2(pred − t')/(PD·count), the gradient of mseForward's loss (0 when count = 0). */
export function mseBackward(pred: ArrayLike<number>, target: ArrayLike<number>, mask: ArrayLike<number>, B: number, L: number, PD: number, o: MseOptions): Float64Array {
  const R = B * L;
  const t = mseTargets(target, R, PD, o);
  let count = 0;
  for (let r = 0; r < R; r++) if (mask[r]) count++;
  const dpred = new Float64Array(R * PD);
  if (count === 0) return dpred;
  for (let r = 0; r < R; r++) {
    if (!mask[r]) continue;
    for (let d = 0; d < PD; d++) dpred[r * PD + d] = (2 * (pred[r * PD + d]! - t[r * PD + d]!)) / (PD * count);
  }
  return dpred;
}
