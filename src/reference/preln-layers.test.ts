// Proves the float64 pre-LN layers' backward (src/reference/preln-layers.ts) against central
// differences of its forward, for every parameter and for x, with and without the final norm and
// with a padded row, so the GPU test compares against gradients that are themselves right.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { joinParts } from '../model/layout.ts';
import { prelnLayerParams } from '../model/preln-layers.ts';
import { fdError } from './finite-diff.ts';
import { prelnLayersBackward, prelnLayersForward } from './preln-layers.ts';

const dims = { L: 2, C: 8, NH: 2, FFN: 12 };
const B = 2;
const T = 4;
const eps = 1e-5;

/** Random values for every parameter: LayerNorm weights around 1, the rest around 0. */
function randomParams(prefix: string, finalNorm: boolean, seed: number): Map<string, Float64Array> {
  const rng = new Rng(seed, 1);
  const out = new Map<string, Float64Array>();
  for (const p of joinParts([prelnLayerParams(prefix, dims, finalNorm)])) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = p.init === 'ones' ? [0.6, 1.4] : p.decay ? [-0.5, 0.5] : [-0.3, 0.3];
    out.set(p.name, Float64Array.from(rng.uniformArray(n, lo, hi)));
  }
  return out;
}

describe('pre-LN layers reference backward (central differences, float64)', () => {
  it.each([true, false])('matches finite differences for x and every parameter (finalNorm %s)', (finalNorm) => {
    const prefix = 'enc.';
    const params = randomParams(prefix, finalNorm, finalNorm ? 3 : 4);
    const rng = new Rng(9, 2);
    const x = Float64Array.from(rng.uniformArray(B * T * dims.C, -1.5, 1.5));
    const mask = Float64Array.from([1, 1, 1, 1, 1, 1, 0, 0]); // row 1: two padding keys
    const dout = Float64Array.from(rng.uniformArray(B * T * dims.C, -1, 1)); // loss = Σ dout·out
    const loss = () => prelnLayersForward(params, prefix, dims, B, T, x, mask, eps, finalNorm).out.reduce((a, v, i) => a + v * dout[i]!, 0);
    const { cache } = prelnLayersForward(params, prefix, dims, B, T, x, mask, eps, finalNorm);
    const { dx, grads } = prelnLayersBackward(params, prefix, dims, B, T, cache, dout);

    expect([...grads.keys()].sort()).toEqual([...params.keys()].sort());
    const rows = [`x ${fdError(dx, x, loss).toExponential(2)}`];
    let worst = fdError(dx, x, loss);
    for (const [name, value] of params) {
      const err = fdError(grads.get(name)!, value, loss);
      worst = Math.max(worst, err);
      rows.push(`${name} ${err.toExponential(2)}`);
      expect(err, name).toBeLessThan(1e-7);
    }
    console.log(`pre-LN layers FD (finalNorm ${finalNorm}), worst ${worst.toExponential(2)}: ${rows.join(', ')}`);
    expect(worst).toBeLessThan(1e-7);
    // Padding keys are never attended to, so their rows' values and keys get no gradient through
    // attention; their x still gets gradient (each token is its own query and residual).
    expect(Math.max(...Array.from(dx.subarray((B * T - 1) * dims.C), Math.abs))).toBeGreaterThan(0);
  });

  it('padding tokens do not change the real tokens\' outputs', () => {
    // The padded tokens' inputs must not reach the real tokens' outputs (key padding mask).
    const params = randomParams('', true, 5);
    const rng = new Rng(11, 0);
    const x = Float64Array.from(rng.uniformArray(B * T * dims.C, -1, 1));
    const mask = Float64Array.from([1, 1, 1, 1, 1, 1, 0, 0]);
    const a = prelnLayersForward(params, '', dims, B, T, x, mask, eps, true).out;
    const x2 = x.slice();
    for (let i = (B * T - 2) * dims.C; i < B * T * dims.C; i++) x2[i] = 7;
    const b = prelnLayersForward(params, '', dims, B, T, x2, mask, eps, true).out;
    const real = (B * T - 2) * dims.C;
    expect(Array.from(b.subarray(0, real))).toEqual(Array.from(a.subarray(0, real)));
  });
});
