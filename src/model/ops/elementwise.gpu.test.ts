import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { axpby } from '../../reference/elementwise.ts';
import { prepareAxpby } from './elementwise.ts';
import { opContext } from '../../shaders/index.ts';

async function runAxpby(n: number, alpha: number, beta: number, wg?: number) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const arena = Arena.build(gpu, new ArenaPlan().add('t', 'x', [n]).add('t', 'y', [n]).add('t', 'out', [n]));
  const rng = new Rng(11, n);
  const x = rng.uniformArray(n, -2, 2);
  const y = rng.uniformArray(n, -2, 2);
  arena.write('x', x);
  arena.write('y', y);
  const op = await prepareAxpby(ctx, arena.get('x'), arena.get('y'), arena.get('out'), alpha, beta, wg ? { wg } : {});
  const enc = new StepEncoder(gpu);
  op.record(enc);
  enc.submit();
  const got = await readF32(gpu, arena.get('out'));
  arena.destroy();
  // f32 rounds each product and the sum: |error| ≤ 2^-23 · (|αx| + |βy|) (one ulp, FMA or not).
  // Measured against the operands' size, since the result itself may cancel to ~0.
  const want = axpby(x, y, alpha, beta);
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!) / (Math.abs(alpha * x[i]!) + Math.abs(beta * y[i]!) + 1e-30));
  return { got, want, err };
}

describe('elementwise axpby (GPU vs float64)', () => {
  it('matches the reference on a size that is not a multiple of the workgroup', async () => {
    const { err } = await runAxpby(100_003, 0.75, -1.5);
    console.log(`axpby n=100003 max |err| / (|αx|+|βy|) = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(2 ** -22);
  });

  it('covers every element when the grid needs a second dimension (> 65535 workgroups)', async () => {
    const n = 65535 * 64 + 1000; // WG=64 → 65551 workgroups → 2-D grid
    const { got, want, err } = await runAxpby(n, 2, 1, 64);
    expect(err).toBeLessThan(2 ** -22);
    expect(got[n - 1]).toBeCloseTo(want[n - 1]!, 5); // the last element was written
  });
});
