// Proves the float64 unshuffle backward (MAE decoder input) against central differences of its
// forward, with and without [CLS] and with a padding slot, so the GPU test compares against
// gradients that are themselves right.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { fdError } from './finite-diff.ts';
import { maeUnshuffleBackward, maeUnshuffleForward } from './mae-tokens.ts';

const f64 = (a: Float32Array) => Float64Array.from(a);

describe('MAE unshuffle reference backward (central differences, float64)', () => {
  it.each([0, 1] as const)('matches finite differences with cls=%s', (cls) => {
    const s = { B: 2, L: 7, K: 3, C: 4, cls };
    const rng = new Rng(7, cls);
    const keep = new Uint32Array([5, 0, 3, 6, 0xffffffff, 2]); // image 1 has a padding slot
    const enc = f64(rng.uniformArray(s.B * (cls + s.K) * s.C, -1, 1));
    const maskToken = f64(rng.uniformArray(s.C, -1, 1));
    const g = f64(rng.uniformArray(s.B * (cls + s.L) * s.C, -1, 1)); // loss = Σ g·full, so dfull = g
    const loss = () => maeUnshuffleForward(enc, keep, maskToken, s).reduce((a, v, i) => a + v * g[i]!, 0);
    const { denc, dmaskToken } = maeUnshuffleBackward(g, keep, s);
    const errs = [fdError(denc, enc, loss), fdError(dmaskToken, maskToken, loss)];
    console.log(`mae unshuffle FD cls=${cls}: denc ${errs[0]!.toExponential(2)} dmaskToken ${errs[1]!.toExponential(2)}`);
    for (const e of errs) expect(e).toBeLessThan(1e-8);
    // The padding slot's enc row reaches nothing, so its gradient is exactly 0.
    const pad = (1 * (cls + s.K) + cls + 1) * s.C;
    expect(Array.from(denc.subarray(pad, pad + s.C))).toEqual([0, 0, 0, 0]);
  });
});
