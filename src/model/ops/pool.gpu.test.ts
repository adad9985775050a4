import { describe, expect, it } from 'vitest';
import { Rng } from '../../data/prng.ts';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { checkNoUncapturedErrors, testGpu } from '../../gpu/testing.ts';
import { maxAbsDiff } from '../../reference/compare.ts';
import { poolMean } from '../../reference/pool.ts';
import { preparePoolMean } from './pool.ts';
import { opContext } from '../../shaders/index.ts';

describe('pool_mean (segment means + bias column) vs the float64 reference', () => {
  it('pools segments in two dispatches, each from its own rows of x, with 1s after column C', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const [N, C, D] = [40, 5, 7];
    const rng = new Rng(3, 1);
    // Segments of 1..4 rows anywhere in x, as words of a batch are; the list is pooled in two parts.
    const segs: number[] = [];
    for (let k = 0; k < 23; k++) {
      const len = 1 + rng.int(4);
      segs.push(rng.int(N - len + 1), len);
    }
    const S = segs.length / 2;
    const arena = Arena.build(gpu, new ArenaPlan().add('a', 'x', [N, C]).add('a', 'segs', [S, 2], 'u32').add('a', 'out', [S, D]));
    const x = rng.uniformArray(N * C, -2, 2);
    arena.write('x', x);
    arena.write('segs', Uint32Array.from(segs));
    const io = { x: arena.get('x'), segments: arena.get('segs'), out: arena.get('out') };
    const shape = { N, C, S, D };
    const a = await preparePoolMean(ctx, io, shape, { first: 0, count: 10 });
    const b = await preparePoolMean(ctx, io, shape, { first: 10, count: S - 10 });
    const enc = new StepEncoder(gpu);
    a.record(enc);
    b.record(enc);
    enc.submit();
    const got = await readF32(gpu, arena.get('out'));
    const want = poolMean(x, segs, C, D);
    // A mean of ≤ 4 float32 values: ~1 ulp of the inputs' scale.
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
    expect(got[D - 1]).toBe(1);
    await expect(preparePoolMean(ctx, io, shape, { first: 20, count: 10 })).rejects.toThrow(/outside/);
    arena.destroy();
    await checkNoUncapturedErrors();
  });
});
