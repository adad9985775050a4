// Float64 reference for shaders/gradnorm.wgsl and shaders/adamw.wgsl (PyTorch AdamW semantics).

/** grads (N) → [‖g‖₂, clipScale = min(1, maxNorm/(‖g‖+1e-6)) or 1 if maxNorm ≤ 0]. */
export function gradNorm(grads: ArrayLike<number>, maxNorm: number): [number, number] {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i]! * grads[i]!;
  const norm = Math.sqrt(s);
  return [norm, maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1];
}

/** One AdamW step in place on float64 state; t is 1-based; elements ≥ decayEnd get no weight decay. */
export function adamwStep(
  state: { params: Float64Array; m: Float64Array; v: Float64Array },
  grads: ArrayLike<number>,
  clipScale: number,
  decayEnd: number,
  hp: { beta1: number; beta2: number; eps: number; weightDecay: number },
  t: number,
  lr: number,
): void {
  const { params, m, v } = state;
  const bc1 = 1 - hp.beta1 ** t;
  const bc2 = 1 - hp.beta2 ** t;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i]! * clipScale;
    m[i] = hp.beta1 * m[i]! + (1 - hp.beta1) * g;
    v[i] = hp.beta2 * v[i]! + (1 - hp.beta2) * g * g;
    const wd = i < decayEnd ? hp.weightDecay : 0;
    params[i] = params[i]! - lr * (m[i]! / bc1 / (Math.sqrt(v[i]! / bc2) + hp.eps) + wd * params[i]!);
  }
}
