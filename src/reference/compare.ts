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

/** max_i |x_i|. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

/**
 * The project's standard kernel metric: maxRelError with the floor at `floorFrac` of the largest
 * |want|. Entries much smaller than the tensor's scale are judged by absolute error against that
 * scale, so cancellation near zero does not fail a correct kernel, while a wrong entry does.
 */
export function scaledMaxRelError(got: ArrayLike<number>, want: ArrayLike<number>, floorFrac = 1e-3): number {
  return maxRelError(got, want, Math.max(floorFrac * maxAbs(want), 1e-30));
}
