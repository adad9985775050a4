// Proves the float64 LayerNorm backward against central differences of the forward, so the GPU
// tests compare against gradients that are themselves right.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { fdError } from './finite-diff.ts';
import { layernormBackward, layernormForward } from './layernorm.ts';

const f64 = (a: Float32Array) => Float64Array.from(a);


describe('layernorm reference backward (central differences, float64)', () => {
  it.each([1e-5, 1e-12])('matches finite differences with eps=%s', (eps) => {
    const R = 3;
    const C = 7;
    const rng = new Rng(5, 1);
    const inp = f64(rng.uniformArray(R * C, -2, 2));
    const weight = f64(rng.uniformArray(C, 0.5, 1.5));
    const bias = f64(rng.uniformArray(C, -0.5, 0.5));
    const g = f64(rng.uniformArray(R * C, -1, 1)); // loss = Σ g·out, so dout = g
    const loss = () => layernormForward(inp, weight, bias, R, C, eps).out.reduce((a, o, i) => a + o * g[i]!, 0);
    const { mean, rstd } = layernormForward(inp, weight, bias, R, C, eps);
    const { dinp, dweight, dbias } = layernormBackward(g, inp, weight, mean, rstd, R, C);
    const errs = [fdError(dinp, inp, loss), fdError(dweight, weight, loss), fdError(dbias, bias, loss)];
    console.log(`layernorm FD eps=${eps}: dinp ${errs[0]!.toExponential(2)} dweight ${errs[1]!.toExponential(2)} dbias ${errs[2]!.toExponential(2)}`);
    for (const e of errs) expect(e).toBeLessThan(1e-6);
  });
});
