import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { sum, sumAbs } from '../../reference/reduce.ts';
import { prepareSum } from './reduce.ts';
import { opContext } from '../../shaders/index.ts';

async function gpuSum(values: Float32Array, groups: number) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const arena = Arena.build(
    gpu,
    new ArenaPlan().add('t', 'inp', [values.length]).add('t', 'partials', [groups]).add('t', 'out', [1]),
  );
  arena.write('inp', values);
  const op = await prepareSum(ctx, arena.get('inp'), arena.get('partials'), arena.get('out'));
  const enc = new StepEncoder(gpu);
  op.record(enc);
  enc.submit();
  const [got] = await readF32(gpu, arena.get('out'));
  arena.destroy();
  return got!;
}

describe('parallel reduction sum (GPU vs float64)', () => {
  it('sums 1e6 floats', async () => {
    const n = 1_000_000;
    const values = new Rng(3).uniformArray(n, -1, 1);
    const got = await gpuSum(values, 256);
    const want = sum(values);
    // Error of an f32 sum is bounded by (rounding steps) · 2^-24 · Σ|x|; with ~16 serial adds
    // per thread plus 8 + 8 tree levels, 1e-6 · Σ|x| is a safe bound that an off-by-one misses.
    const err = Math.abs(got - want) / sumAbs(values);
    console.log(`sum n=1e6: gpu ${got} float64 ${want} err/Σ|x| ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-6);
  });

  it('is exact on integers and handles a tail shorter than one workgroup', async () => {
    const n = 1_000_003;
    const values = new Float32Array(n).fill(1);
    expect(await gpuSum(values, 97)).toBe(n); // integers < 2^24 add exactly
    expect(await gpuSum(new Float32Array([1.5, -2, 4]), 1)).toBe(3.5);
  });
});
