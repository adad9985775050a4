// Position prediction's GPU steps in real WebGPU: the context mask equals its CPU twin bit for bit
// (and keeps exactly k tokens per row, changes with the step, never a padding token), and the
// position error equals the float64 reference.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32, readU32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { positionContextReference, positionErrorReference } from '../../reference/position.ts';
import { type OpContext } from '../../gpu/op-context.ts';
import { prepareContextMask, preparePositionError } from './position.ts';
import { opContext } from '../../shaders/index.ts';

let context: OpContext | null = null;
async function ctx(): Promise<OpContext> {
  context ??= opContext(await testGpu());
  return context;
}

async function contextMask(real: Uint32Array, B: number, T: number, seed: number, eta: number, steps: number[]): Promise<Uint32Array[]> {
  const c = await ctx();
  const arena = Arena.build(c.gpu, new ArenaPlan().add('batch', 'real', [B, T], 'u32').add('batch', 'ctx', [B, T], 'u32'));
  arena.write('real', real);
  const op = await prepareContextMask(c, { real: arena.get('real'), ctx: arena.get('ctx') }, { B, T }, { seed, eta });
  const out: Uint32Array[] = [];
  for (const step of steps) {
    op.setStep(step);
    const enc = new StepEncoder(c.gpu);
    op.record(enc);
    enc.submit();
    out.push(await readU32(c.gpu, arena.get('ctx')));
  }
  arena.destroy();
  return out;
}

describe('position context mask', () => {
  it('equals the CPU twin bit for bit: k = max(1, n − ⌊nη⌋) real tokens per row, new ones each step', async () => {
    const B = 5;
    const T = 24;
    // Rows of 24, 17, 1, 0 and 9 real tokens, left-aligned as the batcher writes them.
    const lengths = [24, 17, 1, 0, 9];
    const real = new Uint32Array(B * T);
    lengths.forEach((n, b) => real.fill(1, b * T, b * T + n));
    for (const eta of [0, 0.5, 0.75, 0.9]) {
      const steps = [0, 1, 0x8000_0003];
      const gpu = await contextMask(real, B, T, 1234, eta, steps);
      steps.forEach((step, i) => {
        const want = positionContextReference(real, B, T, 1234, step, eta);
        expect(Array.from(gpu[i]!), `η ${eta}, step ${step}`).toEqual(Array.from(want));
        lengths.forEach((n, b) => {
          const kept = gpu[i]!.subarray(b * T, (b + 1) * T);
          expect(kept.reduce((a, v) => a + v, 0)).toBe(n === 0 ? 0 : Math.max(1, n - Math.floor(n * eta)));
          for (let t = n; t < T; t++) expect(kept[t]).toBe(0);
        });
      });
      if (eta > 0) expect(Array.from(gpu[0]!)).not.toEqual(Array.from(gpu[1]!));
    }
  });
});

describe('position error', () => {
  it('equals the float64 reference: Σ w·|argmax − target| and Σ w, ties to the lowest index', async () => {
    const c = await ctx();
    const M = 300; // more rows than threads: each thread strides
    const N = 32;
    const rng = new Rng(7, 1);
    const logits = Float32Array.from({ length: M * N }, () => rng.normal());
    // A tied row: the first maximum wins.
    logits.fill(0, 0, N);
    logits[5] = 2;
    logits[9] = 2;
    const targets = Uint32Array.from({ length: M }, (_, r) => (r === 0 ? 20 : rng.u32() % N));
    const weights = Float32Array.from({ length: M }, (_, r) => (r % 7 === 3 ? 0 : 1));
    const arena = Arena.build(c.gpu, new ArenaPlan().add('act', 'logits', [M, N]).add('batch', 'targets', [M], 'u32').add('batch', 'weights', [M]).add('act', 'out', [4]));
    arena.write('logits', logits);
    arena.write('targets', targets);
    arena.write('weights', weights);
    const g = (n: string) => arena.get(n);
    const op = await preparePositionError(c, { logits: g('logits'), targets: g('targets'), weights: g('weights'), out: g('out') }, { M, N });
    const enc = new StepEncoder(c.gpu);
    op.record(enc);
    enc.submit();
    const out = await readF32(c.gpu, g('out'));
    const [err, w] = positionErrorReference(logits, targets, weights, M, N);
    expect(out[1]).toBe(w);
    expect(out[0]).toBe(err); // integer sums far below 2²⁴: exact in f32
    expect(positionErrorReference(logits.subarray(0, N), [20], [1], 1, N)).toEqual([15, 1]);
    arena.destroy();
  });
});
