import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { maxAbsDiff, scaledMaxRelError } from '../../reference/compare.ts';
import { gatherBackward, gatherForward } from '../../reference/gather.ts';
import { prepareGatherBackward, prepareGatherForward } from './gather.ts';
import { opContext } from '../../shaders/index.ts';

/** Distinct positions for the first n slots of each sequence, then padding slots (weight 0). */
function makeSlots(rng: Rng, B: number, T: number, P: number, padPosition: (b: number, chosen: number[]) => number) {
  const positions = new Uint32Array(B * P);
  const weights = new Float32Array(B * P);
  for (let b = 0; b < B; b++) {
    const n = 1 + rng.int(P); // 1..P real slots, the rest padding
    const chosen = rng.shuffle(Array.from({ length: T - 1 }, (_, i) => i + 1)).slice(0, n).sort((a, c) => a - c);
    for (let p = 0; p < P; p++) {
      positions[b * P + p] = p < n ? chosen[p]! : padPosition(b, chosen);
      weights[b * P + p] = p < n ? 1 : 0;
    }
  }
  return { positions, weights };
}

async function run(B: number, T: number, P: number, C: number, padPosition: (b: number, chosen: number[]) => number) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const arena = Arena.build(
    gpu,
    new ArenaPlan()
      .add('act', 'x', [B, T, C])
      .add('act', 'rows', [B * P, C])
      .add('act', 'drows', [B * P, C])
      .add('act', 'dx', [B, T, C])
      .add('idx', 'positions', [B, P], 'u32')
      .add('idx', 'weights', [B, P]),
  );
  const rng = new Rng(5, B * 1000 + T);
  const x = rng.uniformArray(B * T * C, -1, 1);
  const drows = rng.uniformArray(B * P * C, -1, 1);
  const dx0 = rng.uniformArray(B * T * C, -1, 1); // backward accumulates into existing grads
  const { positions, weights } = makeSlots(rng, B, T, P, padPosition);
  arena.write('x', x);
  arena.write('drows', drows);
  arena.write('dx', dx0);
  arena.write('positions', positions);
  arena.write('weights', weights);
  const shape = { B, T, P, C };
  const fwd = await prepareGatherForward(ctx, { x: arena.get('x'), positions: arena.get('positions'), rows: arena.get('rows') }, shape);
  const bwd = await prepareGatherBackward(
    ctx,
    { drows: arena.get('drows'), positions: arena.get('positions'), weights: arena.get('weights'), dx: arena.get('dx') },
    shape,
  );
  const enc = new StepEncoder(gpu);
  fwd.record(enc);
  bwd.record(enc);
  enc.submit();
  const rows = await readF32(gpu, arena.get('rows'));
  const dx = await readF32(gpu, arena.get('dx'));
  arena.destroy();
  return {
    fwdErr: maxAbsDiff(rows, gatherForward(x, positions, B, T, P, C)),
    bwdErr: scaledMaxRelError(dx, gatherBackward(drows, positions, weights, B, T, P, C, dx0)),
  };
}

describe('gather of masked rows (GPU vs float64)', () => {
  // Forward is a copy: exact. Backward is one f32 add per element: ≤ 1 ulp (2^-24 relative to
  // the larger operand), so 1e-6 of the tensor scale is a bound a wrong slot or a missed skip fails.
  it('odd shapes (not multiples of the workgroup), padding slots at position 0', async () => {
    const { fwdErr, bwdErr } = await run(3, 17, 5, 19, () => 0);
    console.log(`gather B=3 T=17 P=5 C=19: fwd max|err| ${fwdErr}, bwd scaled rel ${bwdErr.toExponential(2)}`);
    expect(fwdErr).toBe(0);
    expect(bwdErr).toBeLessThan(1e-6);
  });

  it('skips padding slots even when they repeat a real position (model shape T=128, P=20)', async () => {
    // A padding slot pointing at a real slot's position would double its gradient if not skipped.
    const { fwdErr, bwdErr } = await run(8, 128, 20, 64, (_b, chosen) => chosen[0]!);
    console.log(`gather B=8 T=128 P=20 C=64: fwd max|err| ${fwdErr}, bwd scaled rel ${bwdErr.toExponential(2)}`);
    expect(fwdErr).toBe(0);
    expect(bwdErr).toBeLessThan(1e-6);
  });

  it('rejects a range whose size does not match the shape, naming op and tensor', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const arena = Arena.build(gpu, new ArenaPlan().add('a', 'x', [2, 4, 3]).add('a', 'positions', [2, 2], 'u32').add('a', 'rows', [5, 3]));
    await expect(
      prepareGatherForward(ctx, { x: arena.get('x'), positions: arena.get('positions'), rows: arena.get('rows') }, { B: 2, T: 4, P: 2, C: 3 }),
    ).rejects.toThrow(/gather forward: rows/);
    arena.destroy();
  });
});
