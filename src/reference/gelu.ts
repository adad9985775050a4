// Float64 reference for shaders/gelu.wgsl (and the fused GELU epilogue of shaders/matmul.wgsl):
// the exact erf GELU of Hugging Face BERT ("gelu"), gelu(x) = 0.5·x·(1 + erf(x/√2)).
// erf/erfc are computed here to ~1e-15 so tests can judge the f32 kernels; not tuned for speed.

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf for |x| < 3 by the all-positive series erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (2n+1)!!
 * (no alternating cancellation, so relative error stays near 1e-16).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return 2 * INV_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc for x ≥ 3 by Laplace's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated from the tail;
 * 80 levels converge far past double precision for x ≥ 3. Relative accuracy, so tails stay exact.
 */
function erfcContinuedFraction(x: number): number {
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/** erf(x), absolute error ~1e-15. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const r = a < 3 ? erfSeries(a) : 1 - erfcContinuedFraction(a);
  return x < 0 ? -r : r;
}

/** erfc(x) = 1 − erf(x), with relative accuracy in the right tail (x ≥ 3). */
export function erfc(x: number): number {
  if (x >= 3) return erfcContinuedFraction(x);
  if (x <= -3) return 2 - erfcContinuedFraction(-x);
  return 1 - erf(x);
}

/** Φ(x), the standard normal CDF: 0.5·erfc(−x/√2) (no cancellation for x ≪ 0). */
function normCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** x (N) → gelu(x) (N) = x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
export function geluForward(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * normCdf(x[i]!);
  return out;
}

/** x (N), dy (N) → dy ⊙ gelu'(x) (N), gelu'(x) = Φ(x) + x·φ(x). */
export function geluBackward(x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  if (x.length !== dy.length) throw new Error(`geluBackward: x has ${x.length} values, dy ${dy.length}`);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = dy[i]! * (normCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
  return out;
}
