// Float64 reference for shaders/reduce.wgsl.
/** inp (N) → Σ inp, accumulated in float64 (exact enough to judge an f32 tree sum). */
export function sum(inp: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < inp.length; i++) s += inp[i]!;
  return s;
}

/** Σ |inp|: the scale an f32 sum's rounding error is measured against. */
export function sumAbs(inp: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < inp.length; i++) s += Math.abs(inp[i]!);
  return s;
}
