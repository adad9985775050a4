// How GPU results are judged against float64 references. Every test states its metric and bound.

/** max_i |got_i − want_i|. */
export function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} ≠ ${want.length}`);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
  return m;
}

/**
 * max_i |got_i − want_i| / max(|want_i|, floor). The floor keeps near-zero entries from turning
 * harmless absolute noise into huge relative errors; tests pick it from the data's scale.
 */
export function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-6): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} ≠ ${want.length}`);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!) / Math.max(Math.abs(want[i]!), floor));
  return m;
}
