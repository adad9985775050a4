// The exact erf GELU of Hugging Face BERT ("gelu") and its derivative, as plain functions with no
// bindings, so both gelu.wgsl (standalone op) and matmul.wgsl (fused epilogue) can
// `//!include gelu_math.wgsl` without clashing @group/@binding declarations.
// WGSL has no erf. erfc_pos is the Chebyshev fit of Numerical Recipes (2nd ed., §6.2, "erfcc"):
// relative error < 1.2e-7 for every z ≥ 0 (measured 1.05e-7 in float64), so the left tail of
// gelu, x·erfc(|x|/√2)/2, keeps its relative accuracy instead of cancelling 1 + erf(x) ≈ 0.

const SQRT1_2: f32 = 0.70710678118654752;
const INV_SQRT_2PI: f32 = 0.39894228040143268;

// erfc(z) for z ≥ 0.
fn erfc_pos(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  var q = 0.17087277;
  q = fma(q, t, -0.82215223);
  q = fma(q, t, 1.48851587);
  q = fma(q, t, -1.13520398);
  q = fma(q, t, 0.27886807);
  q = fma(q, t, -0.18628806);
  q = fma(q, t, 0.09678418);
  q = fma(q, t, 0.37409196);
  q = fma(q, t, 1.00002368);
  q = fma(q, t, -1.26551223);
  return t * exp(q - z * z);
}

fn erf_f32(x: f32) -> f32 {
  let r = 1.0 - erfc_pos(abs(x));
  return select(r, -r, x < 0.0);
}

// Φ(x) = 0.5·erfc(−x/√2), split by sign so neither side subtracts nearly equal numbers.
fn norm_cdf(x: f32) -> f32 {
  let h = 0.5 * erfc_pos(abs(x) * SQRT1_2);
  return select(1.0 - h, h, x < 0.0);
}

// gelu(x) = x·Φ(x). For x ≥ 0 as x − x·(1 − Φ(x)): the exact x plus a small correction.
fn gelu(x: f32) -> f32 {
  let h = 0.5 * erfc_pos(abs(x) * SQRT1_2);
  return select(x - x * h, x * h, x < 0.0);
}

// gelu'(x) = Φ(x) + x·φ(x).
fn gelu_grad(x: f32) -> f32 {
  return norm_cdf(x) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
}
