// Float64 reference for shaders/pool.wgsl (segment mean pooling with a constant bias column).

/**
 * x (N, C), segments (S,2) [first row, length] → out (S, D): the mean of each segment's rows in
 * columns 0..C−1, and 1 in columns C..D−1 (the classifier's bias input).
 */
export function poolMean(x: ArrayLike<number>, segments: ArrayLike<number>, C: number, D: number): Float64Array {
  const S = segments.length / 2;
  const out = new Float64Array(S * D);
  for (let k = 0; k < S; k++) {
    const first = segments[2 * k]!;
    const len = segments[2 * k + 1]!;
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let j = 0; j < len; j++) sum += x[(first + j) * C + c]!;
      out[k * D + c] = len > 0 ? sum / len : 0;
    }
    for (let c = C; c < D; c++) out[k * D + c] = 1;
  }
  return out;
}
