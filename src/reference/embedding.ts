// Float64 reference for shaders/embedding.wgsl: BERT input embeddings (token + position + token
// type 0). Does not check ids against V (the callers' data does) and does not accumulate.

/** ids (B,T), wte (V,C), wpe (Tmax,C), wtt (2,C) → out (B,T,C) = wte[ids] + wpe[t] + wtt[0]. */
export function embeddingForward(ids: Uint32Array, wte: Float64Array, wpe: Float64Array, wtt: Float64Array, B: number, T: number, C: number): Float64Array {
  const out = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const p = b * T + t;
      const id = ids[p]!;
      for (let c = 0; c < C; c++) out[p * C + c] = wte[id * C + c]! + wpe[t * C + c]! + wtt[c]!;
    }
  }
  return out;
}

/** Differentiates out[b,t] = wte[ids[b,t]] + wpe[t] + wtt[0]: dout (B,T,C) → dwte (V,C), dwpe (Tmax,C), dwtt (2,C). */
export function embeddingBackward(
  dout: Float64Array,
  ids: Uint32Array,
  B: number,
  T: number,
  C: number,
  V: number,
  Tmax: number,
): { dwte: Float64Array; dwpe: Float64Array; dwtt: Float64Array } {
  const dwte = new Float64Array(V * C);
  const dwpe = new Float64Array(Tmax * C);
  const dwtt = new Float64Array(2 * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const p = b * T + t;
      const id = ids[p]!;
      for (let c = 0; c < C; c++) {
        const g = dout[p * C + c]!;
        dwte[id * C + c]! += g;
        dwpe[t * C + c]! += g;
        dwtt[c]! += g;
      }
    }
  }
  return { dwte, dwpe, dwtt };
}
