// Float64 reference for shaders/elementwise.wgsl.
/** x (N), y (N) → alpha·x + beta·y (N). */
export function axpby(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number, beta: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i]! + beta * y[i]!;
  return out;
}
