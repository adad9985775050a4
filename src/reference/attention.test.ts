// Proves the float64 attention backward against central differences of the forward (with a
// padding mask, so masked keys must get exactly zero gradient).
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { attentionBackward, attentionForward } from './attention.ts';
import { fdError } from './finite-diff.ts';

describe('attention reference backward (central differences, float64)', () => {
  it('matches finite differences with a padding mask', () => {
    const [B, T, C, NH] = [2, 5, 6, 2];
    const rng = new Rng(8, 2);
    const qkv = Float64Array.from(rng.uniformArray(B * T * 3 * C, -1.5, 1.5));
    const g = Float64Array.from(rng.uniformArray(B * T * C, -1, 1)); // loss = Σ g·out
    const mask = Uint32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]); // lengths 5 and 3
    const loss = () => attentionForward(qkv, mask, B, T, C, NH).out.reduce((a, o, i) => a + o * g[i]!, 0);
    const { probs } = attentionForward(qkv, mask, B, T, C, NH);
    for (let j = 3; j < T; j++) expect(probs[(1 * NH * T + 0) * T + j]).toBe(0);
    const dqkv = attentionBackward(g, qkv, probs, mask, B, T, C, NH);

    const rel = fdError(dqkv, qkv, loss);
    console.log(`attention FD: max |num − ana| / max |ana| = ${rel.toExponential(2)}`);
    expect(rel).toBeLessThan(1e-6);
    // Padding keys (b=1, t≥3) get exactly zero K and V gradient.
    for (let t = 3; t < T; t++) for (let c = C; c < 3 * C; c++) expect(dqkv[((1 * T + t) * 3 + 0) * C + c]).toBe(0);
  });
});
