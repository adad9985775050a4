// Central-difference check of an analytic gradient, for the tests that prove the float64
// references themselves. Exact to O(h²) ≈ 1e-10 at h = 1e-5 for these smooth functions.

/**
 * max_i |(loss(x + h·e_i) − loss(x − h·e_i)) / 2h − ana_i| / max_i |ana_i|.
 * `x` is perturbed in place and restored; `loss` must read it.
 */
export function fdError(ana: ArrayLike<number>, x: Float64Array, loss: () => number, h = 1e-5): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    x[i] = x0 + h;
    const up = loss();
    x[i] = x0 - h;
    const down = loss();
    x[i] = x0;
    err = Math.max(err, Math.abs((up - down) / (2 * h) - ana[i]!));
    scale = Math.max(scale, Math.abs(ana[i]!));
  }
  return err / scale;
}
