import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { mseBackward, mseForward } from '../../reference/mse.ts';
import { mseScratch, prepareMseBackward, prepareMseForward } from './mse.ts';
import { opContext } from '../../shaders/index.ts';

interface Case {
  B: number;
  L: number;
  PD: number;
  pred: Float32Array;
  target: Float32Array;
  mask: Uint32Array;
}

/**
 * Targets like MNIST patches: pixels in [0, 1), every 3rd patch all 0 (background, whose
 * norm_pix target is 0/sqrt(eps) = 0); pred ~ N(0, 1). Masked patches per image differ (as a
 * blockwise mask's do): image b masks `masked(b)` patches, drawn at random.
 */
function makeCase(B: number, L: number, PD: number, seed: number, masked: (b: number) => number): Case {
  const rng = new Rng(seed, B * 1000 + L * 10 + PD);
  const pred = new Float32Array(B * L * PD);
  for (let i = 0; i < pred.length; i++) pred[i] = rng.normal();
  const target = rng.uniformArray(B * L * PD, 0, 1);
  for (let r = 0; r < B * L; r++) if (r % 3 === 2) target.fill(0, r * PD, (r + 1) * PD);
  const mask = new Uint32Array(B * L);
  for (let b = 0; b < B; b++) {
    const perm = rng.shuffle(Array.from({ length: L }, (_, i) => i));
    for (let k = 0; k < masked(b); k++) mask[b * L + perm[k]!] = 1;
  }
  return { B, L, PD, pred, target, mask };
}

async function run(c: Case, normPixLoss: boolean) {
  const { B, L, PD } = c;
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const shape = { B, L, PD };
  const plan = new ArenaPlan()
    .add('act', 'pred', [B, L, PD])
    .add('act', 'losses', [B, L])
    .add('act', 'loss', [1])
    .add('grad', 'dpred', [B, L, PD])
    .add('batch', 'target', [B, L, PD])
    .add('batch', 'mask', [B, L], 'u32');
  for (const t of mseScratch(shape)) plan.add('scratch', t.name, t.shape, t.dtype);
  const arena = Arena.build(gpu, plan);
  arena.write('pred', c.pred);
  arena.write('target', c.target);
  arena.write('mask', c.mask);
  // Garbage in dpred: the loss's gradient overwrites, as crossentropy's and bce's do.
  arena.write('dpred', new Rng(1, 2).uniformArray(B * L * PD, 5, 9));
  const g = (n: string) => arena.get(n);
  const scratch = mseScratch(shape).map((t) => g(t.name));
  const fwd = await prepareMseForward(ctx, { pred: g('pred'), target: g('target'), mask: g('mask'), losses: g('losses'), loss: g('loss'), scratch }, shape, { normPixLoss });
  const bwd = await prepareMseBackward(ctx, { pred: g('pred'), target: g('target'), mask: g('mask'), dpred: g('dpred'), scratch }, shape);
  const step = async () => {
    const enc = new StepEncoder(gpu);
    fwd.record(enc);
    bwd.record(enc);
    enc.submit();
    return { losses: await readF32(gpu, g('losses')), loss: (await readF32(gpu, g('loss')))[0]!, count: (await readF32(gpu, g('mse.count')))[0]!, dpred: await readF32(gpu, g('dpred')) };
  };
  const got = await step();
  const again = await step();
  arena.destroy();
  const o = { normPixLoss };
  const want = { ...mseForward(c.pred, c.target, c.mask, B, L, PD, o), dpred: mseBackward(c.pred, c.target, c.mask, B, L, PD, o) };
  return {
    got,
    want,
    losses: scaledMaxRelError(got.losses, want.losses),
    loss: want.loss === 0 ? Math.abs(got.loss) : Math.abs(got.loss - want.loss) / want.loss,
    dpred: scaledMaxRelError(got.dpred, want.dpred),
    finite: [...got.losses, got.loss, ...got.dpred].every(Number.isFinite),
    repeatable: Object.is(got.loss, again.loss) && got.dpred.every((v, i) => Object.is(v, again.dpred[i])),
  };
}

describe('masked-patch MSE (GPU vs float64)', () => {
  // Bounds: per-patch losses ≤ 1e-5 (scaledMaxRelError; a few f32 roundings per value, with
  // norm_pix also a mean, a variance and a sqrt of ≤ 49 values); the loss ≤ 1e-5 relative (a
  // fixed-order f32 sum of ≤ 147 positive terms); the mask count exact (a sum of 0s and 1s).
  // dpred ≤ 1e-5, but ≤ 2e-4 with norm_pix: t' = (t − mean)·rstd carries the f32 error of the
  // patch's mean times 1/std (~3.4 for uniform pixels), ~2e-7 absolute, which shows as relative
  // error where pred ≈ t' (measured up to 5e-5). A wrong mask, count or normalisation is O(1).
  it.each([
    [3, 49, 16, false], // 28×28 MNIST at p = 4
    [3, 49, 16, true],
    [3, 16, 49, false], // p = 7
    [3, 16, 49, true],
  ])('B=%i L=%i PD=%i normPixLoss=%s, per-image mask counts differ', async (B, L, PD, norm) => {
    const c = makeCase(B, L, PD, 31, (b) => [Math.round(0.75 * L), Math.round(0.4 * L), 1][b]!);
    const r = await run(c, norm);
    console.log(`mse B=${B} L=${L} PD=${PD} norm=${norm}: loss ${r.got.loss.toFixed(6)} (f64 ${r.want.loss.toFixed(6)}, rel ${r.loss.toExponential(2)}), losses ${r.losses.toExponential(2)}, dpred ${r.dpred.toExponential(2)}, count ${r.got.count}`);
    expect(r.finite).toBe(true);
    expect(r.repeatable).toBe(true);
    expect(r.got.count).toBe(r.want.count);
    expect(r.loss).toBeLessThan(1e-5);
    expect(r.losses).toBeLessThan(1e-5);
    expect(r.dpred).toBeLessThan(norm ? 2e-4 : 1e-5);
  });

  it('nothing masked: loss 0 and dpred all 0, not NaN', async () => {
    const r = await run(makeCase(2, 16, 16, 37, () => 0), true);
    expect(r.got.count).toBe(0);
    expect(r.got.loss).toBe(0);
    expect(r.got.dpred.every((v) => v === 0)).toBe(true);
    expect(r.losses).toBeLessThan(1e-5); // the per-patch error map is still written
  });

  it('rejects norm_pix_loss with one value per patch, and a mis-sized range', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const shape = { B: 2, L: 4, PD: 1 };
    const plan = new ArenaPlan().add('a', 'pred', [2, 4, 1]).add('a', 'target', [2, 4, 1]).add('a', 'mask', [2, 4], 'u32').add('a', 'losses', [2, 4]).add('a', 'loss', [1]);
    for (const t of mseScratch(shape)) plan.add('s', t.name, t.shape, t.dtype);
    const arena = Arena.build(gpu, plan);
    const g = (n: string) => arena.get(n);
    const io = { pred: g('pred'), target: g('target'), mask: g('mask'), losses: g('losses'), loss: g('loss'), scratch: mseScratch(shape).map((t) => g(t.name)) };
    await expect(prepareMseForward(ctx, io, shape, { normPixLoss: true })).rejects.toThrow(/normPixLoss needs at least 2 values per patch/);
    await expect(prepareMseForward(ctx, { ...io, losses: g('pred') }, { ...shape, PD: 2 }, { normPixLoss: false })).rejects.toThrow(/mse forward: pred has 8 elements, expected 16/);
    arena.destroy();
  });
});
