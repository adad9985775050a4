// Float64 reference for shaders/layernorm.wgsl: row-wise LayerNorm over C, forward and backward.
// PyTorch semantics: biased variance, rstd = 1/sqrt(var + eps). Does not do the fused residual
// add (a test adds a + b itself) and does not accumulate: it returns fresh gradients.

/** inp (R,C), weight (C), bias (C) → out (R,C) = (inp − mean)·rstd·weight + bias; mean (R), rstd (R). */
export function layernormForward(
  inp: Float64Array,
  weight: Float64Array,
  bias: Float64Array,
  R: number,
  C: number,
  eps: number,
): { out: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(R * C);
  const mean = new Float64Array(R);
  const rstd = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    const o = r * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += inp[o + c]!;
    const m = s / C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (inp[o + c]! - m) ** 2;
    const rs = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out[o + c] = (inp[o + c]! - m) * rs * weight[c]! + bias[c]!;
    mean[r] = m;
    rstd[r] = rs;
  }
  return { out, mean, rstd };
}

/**
 * Differentiates out = (inp − mean)·rstd·weight + bias. With x̂ = (inp − mean)·rstd and
 * g = dout·weight: dinp = rstd·(g − mean_C(g) − x̂·mean_C(g·x̂)); dweight = Σ_R dout·x̂; dbias = Σ_R dout.
 */
export function layernormBackward(
  dout: Float64Array,
  inp: Float64Array,
  weight: Float64Array,
  mean: Float64Array,
  rstd: Float64Array,
  R: number,
  C: number,
): { dinp: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  const dinp = new Float64Array(R * C);
  const dweight = new Float64Array(C);
  const dbias = new Float64Array(C);
  for (let r = 0; r < R; r++) {
    const o = r * C;
    let sg = 0;
    let sgx = 0;
    for (let c = 0; c < C; c++) {
      const xh = (inp[o + c]! - mean[r]!) * rstd[r]!;
      const g = dout[o + c]! * weight[c]!;
      sg += g;
      sgx += g * xh;
      dweight[c]! += dout[o + c]! * xh;
      dbias[c]! += dout[o + c]!;
    }
    for (let c = 0; c < C; c++) {
      const xh = (inp[o + c]! - mean[r]!) * rstd[r]!;
      const g = dout[o + c]! * weight[c]!;
      dinp[o + c] = rstd[r]! * (g - sg / C - xh * (sgx / C));
    }
  }
  return { dinp, dweight, dbias };
}
