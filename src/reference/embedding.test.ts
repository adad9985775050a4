// Proves the float64 embedding backward against central differences of the forward (the map is
// linear, so the differences are exact up to rounding), with repeated ids.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { embeddingBackward, embeddingForward } from './embedding.ts';
import { fdError } from './finite-diff.ts';

describe('embedding reference backward (central differences, float64)', () => {
  it('matches finite differences with repeated ids', () => {
    const [B, T, C, V, Tmax] = [2, 3, 4, 5, 4];
    const rng = new Rng(9, 3);
    const ids = Uint32Array.from([1, 3, 1, 1, 0, 3]);
    const wte = Float64Array.from(rng.uniformArray(V * C, -1, 1));
    const wpe = Float64Array.from(rng.uniformArray(Tmax * C, -1, 1));
    const wtt = Float64Array.from(rng.uniformArray(2 * C, -1, 1));
    const g = Float64Array.from(rng.uniformArray(B * T * C, -1, 1)); // loss = Σ g·out
    const loss = () => embeddingForward(ids, wte, wpe, wtt, B, T, C).reduce((a, o, i) => a + o * g[i]!, 0);
    const { dwte, dwpe, dwtt } = embeddingBackward(g, ids, B, T, C, V, Tmax);
    for (const [x, ana] of [[wte, dwte], [wpe, dwpe], [wtt, dwtt]] as const) {
      const rel = fdError(ana, x, loss);
      console.log(`embedding FD: max |num − ana| / max |ana| = ${rel.toExponential(2)}`);
      expect(rel).toBeLessThan(1e-6);
    }
    expect(Array.from(dwtt.subarray(C))).toEqual([0, 0, 0, 0]); // token type 1 is never used
    expect(Array.from(dwte.subarray(2 * C, 3 * C))).toEqual([0, 0, 0, 0]); // id 2 never occurs
  });
});
