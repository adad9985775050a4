import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { maxAbsDiff, maxRelError } from '../../reference/compare.ts';
import { erf, geluBackward, geluForward } from '../../reference/gelu.ts';
import { prepareGeluBackward, prepareGeluForward } from './gelu.ts';
import { opContext } from '../../shaders/index.ts';

/** ~1e5 inputs: uniform in [-8, 8] plus a dense grid near 0 where gelu bends fastest. */
function inputs(n: number): Float32Array {
  const x = new Rng(7, n).uniformArray(n, -8, 8);
  for (let i = 0; i < 1000; i++) x[i] = -2 + (4 * i) / 999;
  return x;
}

describe('reference erf (float64)', () => {
  it('matches known values to 1e-14', () => {
    const known: [number, number][] = [
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-1.5, -0.9661051464753108],
      [3.5, 0.9999992569016276],
    ];
    for (const [x, want] of known) expect(Math.abs(erf(x) - want)).toBeLessThan(1e-14);
    expect(erf(0)).toBe(0);
    expect(erf(-10)).toBe(-1);
  });
});

describe('gelu (GPU vs float64)', () => {
  it('forward and backward over 1e5 values in [-8, 8]', async () => {
    const n = 100_003;
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const arena = Arena.build(
      gpu,
      new ArenaPlan().add('t', 'inp', [n]).add('t', 'out', [n]).add('t', 'dout', [n]).add('t', 'dinp', [n]),
    );
    const x = inputs(n);
    const dout = new Rng(8, n).uniformArray(n, -1, 1);
    const dinp0 = new Rng(9, n).uniformArray(n, -1, 1);
    arena.write('inp', x);
    arena.write('dout', dout);
    arena.write('dinp', dinp0);
    const io = { inp: arena.get('inp'), out: arena.get('out'), dout: arena.get('dout'), dinp: arena.get('dinp') };
    const fwd = await prepareGeluForward(ctx, io, { N: n });
    const bwd = await prepareGeluBackward(ctx, io, { N: n });
    const enc = new StepEncoder(gpu);
    fwd.record(enc);
    bwd.record(enc); // accumulates onto dinp0
    enc.submit();
    const out = await readF32(gpu, io.out);
    const dinp = await readF32(gpu, io.dinp);
    arena.destroy();

    // |gelu| ≤ 8 here, where one f32 ulp is 9.5e-7: 5e-7 absolute is about half an ulp at the top.
    const fErr = maxAbsDiff(out, geluForward(x));
    const dg = geluBackward(x, dout);
    const bErr = maxAbsDiff(dinp, dg.map((v, i) => v + dinp0[i]!));
    console.log(`gelu n=${n} forward max|err| = ${fErr.toExponential(2)}, backward (accumulated) max|err| = ${bErr.toExponential(2)}`);
    expect(fErr).toBeLessThan(5e-7);
    expect(bErr).toBeLessThan(5e-7);
    // The left tail keeps relative accuracy (erfc, not 1 + erf; gelu(-8) ≈ -5e-15). What is left
    // is f32 rounding of the exponent −x²/2 ≈ −32 (ulp 3.8e-6), hence 2e-5 rather than 1e-7.
    const tail = [...x.keys()].filter((i) => x[i]! < -5);
    const tailErr = maxRelError(
      tail.map((i) => out[i]!),
      geluForward(tail.map((i) => x[i]!)),
      1e-30,
    );
    console.log(`gelu x < -5: max relative error ${tailErr.toExponential(2)}`);
    expect(tailErr).toBeLessThan(2e-5);
  });

  it('backward with accumulate = false overwrites (the matmul dpre scratch)', async () => {
    const n = 1000;
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'inp', [n]).add('t', 'dout', [n]).add('t', 'dinp', [n]));
    const x = inputs(n);
    const dout = new Rng(8, n).uniformArray(n, -1, 1);
    arena.write('inp', x);
    arena.write('dout', dout);
    arena.write('dinp', new Float32Array(n).fill(123));
    const op = await prepareGeluBackward(ctx, { inp: arena.get('inp'), dout: arena.get('dout'), dinp: arena.get('dinp') }, { N: n }, { accumulate: false });
    const enc = new StepEncoder(gpu);
    op.record(enc);
    enc.submit();
    const got = await readF32(gpu, arena.get('dinp'));
    arena.destroy();
    expect(maxAbsDiff(got, geluBackward(x, dout))).toBeLessThan(5e-7);
  });
});
