// Float64 reference for shaders/gather.wgsl (row gather of the masked positions and its scatter).

/** x (B,T,C), positions (B,P) → rows (B·P,C) = x[b, positions[b,p], :]. */
export function gatherForward(x: ArrayLike<number>, positions: ArrayLike<number>, B: number, T: number, P: number, C: number): Float64Array {
  const rows = new Float64Array(B * P * C);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      const t = positions[b * P + p]!;
      for (let c = 0; c < C; c++) rows[(b * P + p) * C + c] = x[(b * T + t) * C + c]!;
    }
  }
  return rows;
}

/**
 * dx (B,T,C) = dx0 + drows scattered to positions, skipping slots with weight 0. Returns a new
 * array; dx0 (what the GPU kernel accumulates into) defaults to zeros.
 */
export function gatherBackward(
  drows: ArrayLike<number>,
  positions: ArrayLike<number>,
  weights: ArrayLike<number>,
  B: number,
  T: number,
  P: number,
  C: number,
  dx0?: ArrayLike<number>,
): Float64Array {
  const dx = dx0 ? Float64Array.from(dx0) : new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < P; p++) {
      if (weights[b * P + p] === 0) continue;
      const t = positions[b * P + p]!;
      for (let c = 0; c < C; c++) dx[(b * T + t) * C + c] += drows[(b * P + p) * C + c]!;
    }
  }
  return dx;
}
