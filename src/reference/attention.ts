// Float64 reference for shaders/attention.wgsl: bidirectional multi-head self-attention with a
// key padding mask (BERT). Padding keys get probability exactly 0; padded query rows are computed
// like any other row. A sequence with no real key at all gets all-zero probabilities and output
// (the GPU kernels do the same instead of dividing by zero). No dropout, no causal mask.

/** Index of qkv[b, t, part·C + h·HS + d] (part 0 = Q, 1 = K, 2 = V). */
function qkvAt(b: number, t: number, part: number, h: number, d: number, T: number, C: number, HS: number): number {
  return (b * T + t) * 3 * C + part * C + h * HS + d;
}

/** qkv (B,T,3C), mask (B,T) → probs (B,NH,T,T) = softmax_keys(Q·Kᵀ/√HS), out (B,T,C) = probs·V (heads concatenated). */
export function attentionForward(qkv: Float64Array, mask: Uint32Array, B: number, T: number, C: number, NH: number): { out: Float64Array; probs: Float64Array } {
  const HS = C / NH;
  const scale = 1 / Math.sqrt(HS);
  const probs = new Float64Array(B * NH * T * T);
  const out = new Float64Array(B * T * C);
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        let m = -Infinity;
        for (let j = 0; j < T; j++) {
          let dot = 0;
          for (let d = 0; d < HS; d++) dot += qkv[qkvAt(b, i, 0, h, d, T, C, HS)]! * qkv[qkvAt(b, j, 1, h, d, T, C, HS)]!;
          s[j] = dot * scale;
          if (mask[b * T + j] !== 0) m = Math.max(m, s[j]!);
        }
        const row = ((b * NH + h) * T + i) * T;
        let l = 0;
        for (let j = 0; j < T; j++) l += mask[b * T + j] !== 0 ? Math.exp(s[j]! - m) : 0;
        for (let j = 0; j < T; j++) probs[row + j] = mask[b * T + j] !== 0 ? Math.exp(s[j]! - m) / l : 0;
        for (let d = 0; d < HS; d++) {
          let acc = 0;
          for (let j = 0; j < T; j++) acc += probs[row + j]! * qkv[qkvAt(b, j, 2, h, d, T, C, HS)]!;
          out[(b * T + i) * C + h * HS + d] = acc;
        }
      }
    }
  }
  return { out, probs };
}

/**
 * Differentiates out = softmax(Q·Kᵀ/√HS)·V per (b, h): dV = Pᵀ·dO; dP = dO·Vᵀ;
 * dS = P ⊙ (dP − rowsum(dP ⊙ P)); dQ = dS·K/√HS; dK = dSᵀ·Q/√HS. Masked keys have P = 0, hence
 * dS = 0 and zero dK, dV. Returns dqkv (B,T,3C).
 */
export function attentionBackward(dout: Float64Array, qkv: Float64Array, probs: Float64Array, _mask: Uint32Array, B: number, T: number, C: number, NH: number): Float64Array {
  const HS = C / NH;
  const scale = 1 / Math.sqrt(HS);
  const dqkv = new Float64Array(B * T * 3 * C);
  const ds = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        const row = ((b * NH + h) * T + i) * T;
        const dO = (d: number) => dout[(b * T + i) * C + h * HS + d]!;
        let rowsum = 0;
        for (let j = 0; j < T; j++) {
          let dp = 0;
          for (let d = 0; d < HS; d++) dp += dO(d) * qkv[qkvAt(b, j, 2, h, d, T, C, HS)]!;
          ds[j] = dp;
          rowsum += dp * probs[row + j]!;
        }
        for (let j = 0; j < T; j++) {
          const p = probs[row + j]!;
          ds[j] = p * (ds[j]! - rowsum);
          for (let d = 0; d < HS; d++) {
            dqkv[qkvAt(b, i, 0, h, d, T, C, HS)]! += ds[j]! * qkv[qkvAt(b, j, 1, h, d, T, C, HS)]! * scale;
            dqkv[qkvAt(b, j, 1, h, d, T, C, HS)]! += ds[j]! * qkv[qkvAt(b, i, 0, h, d, T, C, HS)]! * scale;
            dqkv[qkvAt(b, j, 2, h, d, T, C, HS)]! += p * dO(d);
          }
        }
      }
    }
  }
  return dqkv;
}
