// LayerNorm on the GPU vs the float64 reference, for every kernel variant ('tiled', the
// barrier-free 'simple', and 'subgroup' where the device has subgroups): plain and residual
// forward, backward with accumulation, and bit-reproducibility of the backward's column sums.
// Also prints the variants' timings at the CI model's shape (no assertion).
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { msPerRun, testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { layernormBackward, layernormForward } from '../../reference/layernorm.ts';
import { LAYERNORM_VARIANTS, layernormBackwardScratch, layernormKey, layernormVariantsOn, prepareLayernormBackward, prepareLayernormForward, type LayernormVariant } from './layernorm.ts';
import { opContext } from '../../shaders/index.ts';

const variants = LAYERNORM_VARIANTS;
/** The variants this test's device runs ('subgroup' needs the subgroups feature; SwiftShader has it). */
async function available(): Promise<LayernormVariant[]> {
  const gpu = await testGpu();
  const on = layernormVariantsOn(opContext(gpu));
  if (on.length < variants.length) console.log(`layernorm: not tested here (no subgroups feature): ${variants.filter((v) => !on.includes(v)).join(', ')}`);
  return on;
}

const f64 = (a: Float32Array) => Float64Array.from(a);

/**
 * Rows with a common offset (mean ≈ 1, spread ≈ 1.2), so the centering matters. Not larger: the
 * mean itself is an f32, so out carries an error of about ulp(mean)·rstd however it is computed,
 * and with mean ≈ 4 that alone reaches the 1e-4 bound of the scaled metric near out ≈ 0.
 */
function inputs(R: number, C: number, seed: number) {
  const rng = new Rng(seed, R * 1000 + C);
  const inp = rng.uniformArray(R * C, -1, 1).map((v, i) => 1 + 2 * v + 0.01 * (Math.floor(i / C) % 16));
  return { inp, weight: rng.uniformArray(C, 0.5, 1.5), bias: rng.uniformArray(C, -0.5, 0.5), dout: rng.uniformArray(R * C, -1, 1) };
}

async function forward(R: number, C: number, eps: number, residual: boolean, variant: LayernormVariant) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan().add('act', 'inp', [R, C]).add('act', 'out', [R, C]).add('act', 'mean', [R]).add('act', 'rstd', [R]);
  plan.add('par', 'weight', [C]).add('par', 'bias', [C]).add('act', 'a', [R, C]).add('act', 'b', [R, C]);
  const arena = Arena.build(gpu, plan);
  const x = inputs(R, C, 1);
  const rng = new Rng(2, R);
  const a = rng.uniformArray(R * C, 0, 2);
  const b = rng.uniformArray(R * C, -1, 1);
  arena.write('inp', residual ? new Float32Array(R * C).fill(-99) : x.inp);
  arena.write('a', a);
  arena.write('b', b);
  arena.write('weight', x.weight);
  arena.write('bias', x.bias);
  const t = (n: string) => arena.get(n);
  const io = { inp: t('inp'), weight: t('weight'), bias: t('bias'), out: t('out'), mean: t('mean'), rstd: t('rstd') };
  const op = await prepareLayernormForward(ctx, residual ? { ...io, residual: { a: t('a'), b: t('b') } } : io, { R, C }, { eps, variant });
  expect(op.variant).toBe(variant);
  const enc = new StepEncoder(gpu);
  op.record(enc);
  enc.submit();
  const got = { inp: await readF32(gpu, t('inp')), out: await readF32(gpu, t('out')), mean: await readF32(gpu, t('mean')), rstd: await readF32(gpu, t('rstd')) };
  arena.destroy();
  const used = residual ? a.map((v, i) => v + b[i]!) : x.inp; // f32 add, as the GPU does
  const want = layernormForward(f64(used), f64(x.weight), f64(x.bias), R, C, eps);
  return { got, want, used };
}

async function backward(R: number, C: number, runs: number, variant: LayernormVariant) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan().add('act', 'inp', [R, C]).add('act', 'mean', [R]).add('act', 'rstd', [R]).add('act', 'dout', [R, C]);
  plan.add('par', 'weight', [C]).add('grads', 'dinp', [R, C]).add('grads', 'dweight', [C]).add('grads', 'dbias', [C]);
  for (const s of layernormBackwardScratch({ R, C })) plan.add('scratch', s.name, s.shape, s.dtype);
  const arena = Arena.build(gpu, plan);
  const x = inputs(R, C, 3);
  // mean and rstd as the forward would leave them (f32), fed identically to GPU and reference.
  const fw = layernormForward(f64(x.inp), f64(x.weight), f64(x.bias), R, C, 1e-5);
  const mean = Float32Array.from(fw.mean);
  const rstd = Float32Array.from(fw.rstd);
  arena.write('inp', x.inp);
  arena.write('weight', x.weight);
  arena.write('mean', mean);
  arena.write('rstd', rstd);
  arena.write('dout', x.dout);
  const t = (n: string) => arena.get(n);
  const op = await prepareLayernormBackward(
    ctx,
    { inp: t('inp'), weight: t('weight'), mean: t('mean'), rstd: t('rstd'), dout: t('dout'), dinp: t('dinp'), dweight: t('dweight'), dbias: t('dbias'), scratch: layernormBackwardScratch({ R, C }).map((s) => t(s.name)) },
    { R, C },
    { variant },
  );
  expect(op.variant).toBe(variant);
  const enc = new StepEncoder(gpu);
  arena.clearPool(enc.commandEncoder, 'grads');
  arena.clearPool(enc.commandEncoder, 'scratch');
  for (let i = 0; i < runs; i++) op.record(enc);
  enc.submit();
  const got = { dinp: await readF32(gpu, t('dinp')), dweight: await readF32(gpu, t('dweight')), dbias: await readF32(gpu, t('dbias')) };
  arena.destroy();
  const want = layernormBackward(f64(x.dout), f64(x.inp), f64(x.weight), f64(mean), f64(rstd), R, C);
  return { got, want };
}

const fmt = (errs: number[], names: string[]) => names.map((n, i) => `${n} ${errs[i]!.toExponential(2)}`).join(' ');

describe('layernorm forward (GPU vs float64)', () => {
  it.each([
    [37, 48, 1e-5],
    [37, 48, 1e-12],
    [5, 200, 1e-12], // C > WG and not a multiple of it
    [256, 128, 1e-12], // bert-tiny rows of one sequence pair
    [512, 32, 1e-12], // the CI model: B·T = 32·16 rows of C = 32
  ])('R=%i C=%i eps=%s', async (R, C, eps) => {
    for (const variant of await available()) {
      const { got, want } = await forward(R, C, eps, false, variant);
      const errs = [scaledMaxRelError(got.out, want.out), scaledMaxRelError(got.mean, want.mean), scaledMaxRelError(got.rstd, want.rstd)];
      console.log(`layernorm fwd ${variant} R=${R} C=${C} eps=${eps}: ${fmt(errs, ['out', 'mean', 'rstd'])}`);
      for (const e of errs) expect(e).toBeLessThan(1e-4);
    }
  });

  it.each(variants)('%s fuses the residual add: stores inp = a + b exactly, then normalizes it', async (variant) => {
    if (!(await available()).includes(variant)) return;
    const { got, want, used } = await forward(37, 48, 1e-12, true, variant);
    expect(got.inp).toEqual(used); // one f32 add per element, bit-exact
    const errs = [scaledMaxRelError(got.out, want.out), scaledMaxRelError(got.mean, want.mean), scaledMaxRelError(got.rstd, want.rstd)];
    console.log(`layernorm fwd residual ${variant} R=37 C=48: ${fmt(errs, ['out', 'mean', 'rstd'])}`);
    for (const e of errs) expect(e).toBeLessThan(1e-4);
  });

  it('picks the variant from gpu.profile unless told', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const [R, C] = [4, 8];
    const plan = new ArenaPlan().add('act', 'x', [R, C]).add('act', 'y', [R, C]).add('act', 'm', [R]).add('act', 'r', [R]).add('par', 'w', [C]).add('par', 'b', [C]);
    plan.add('grads', 'dx', [R, C]).add('grads', 'dw', [C]).add('grads', 'db', [C]);
    for (const s of layernormBackwardScratch({ R, C })) plan.add('scratch', s.name, s.shape, s.dtype);
    const arena = Arena.build(gpu, plan);
    const t = (n: string) => arena.get(n);
    const io = { inp: t('x'), weight: t('w'), bias: t('b'), out: t('y'), mean: t('m'), rstd: t('r') };
    const scratch = layernormBackwardScratch({ R, C }).map((s) => t(s.name));
    const bio = { inp: t('x'), weight: t('w'), mean: t('m'), rstd: t('r'), dout: t('y'), dinp: t('dx'), dweight: t('dw'), dbias: t('db'), scratch };
    const saved = gpu.profile;
    try {
      const picked: string[] = [];
      for (const profile of ['gpu', 'cpu'] as const) {
        gpu.profile = profile;
        picked.push((await prepareLayernormForward(ctx, io, { R, C }, { eps: 1e-5 })).variant, (await prepareLayernormBackward(ctx, bio, { R, C })).variant);
      }
      expect(picked).toEqual(['tiled', 'tiled', 'simple', 'simple']);
      expect((await prepareLayernormForward(ctx, io, { R, C }, { eps: 1e-5, variant: 'tiled' })).variant).toBe('tiled');
      // The tuner's choice for the shape wins over the profile; an explicit variant over both.
      const want = layernormVariantsOn(ctx).at(-1)!;
      gpu.kernels.set(layernormKey('fwd', { R, C }), want);
      gpu.kernels.set(layernormKey('bwd', { R, C }), want);
      expect([(await prepareLayernormForward(ctx, io, { R, C }, { eps: 1e-5 })).variant, (await prepareLayernormBackward(ctx, bio, { R, C })).variant]).toEqual([want, want]);
      expect((await prepareLayernormForward(ctx, io, { R, C }, { eps: 1e-5, variant: 'tiled' })).variant).toBe('tiled');
      expect(gpu.kernels.keys).toContain('layernorm bwd 4x8');
      // Both variants take the same scratch, and check it.
      await expect(prepareLayernormBackward(ctx, { ...bio, scratch: [] }, { R, C }, { variant: 'simple' })).rejects.toThrow(/scratch/);
    } finally {
      gpu.profile = saved;
      gpu.kernels.clear(layernormKey('fwd', { R, C }));
      gpu.kernels.clear(layernormKey('bwd', { R, C }));
      arena.destroy();
    }
  });
});

describe('layernorm backward (GPU vs float64)', () => {
  it.each([
    [37, 48],
    [5, 200],
    [256, 128],
    [512, 32],
  ])('R=%i C=%i', async (R, C) => {
    for (const variant of await available()) {
      const { got, want } = await backward(R, C, 1, variant);
      const errs = [scaledMaxRelError(got.dinp, want.dinp), scaledMaxRelError(got.dweight, want.dweight), scaledMaxRelError(got.dbias, want.dbias)];
      console.log(`layernorm bwd ${variant} R=${R} C=${C}: ${fmt(errs, ['dinp', 'dweight', 'dbias'])}`);
      for (const e of errs) expect(e).toBeLessThan(1e-3);
    }
  });

  it.each(variants)('%s accumulates: two runs add up to twice the gradient', async (variant) => {
    if (!(await available()).includes(variant)) return;
    const { got, want } = await backward(37, 48, 2, variant);
    const two = (a: Float64Array) => a.map((v) => 2 * v);
    const errs = [scaledMaxRelError(got.dinp, two(want.dinp)), scaledMaxRelError(got.dweight, two(want.dweight)), scaledMaxRelError(got.dbias, two(want.dbias))];
    console.log(`layernorm bwd ×2 ${variant}: ${fmt(errs, ['dinp', 'dweight', 'dbias'])}`);
    for (const e of errs) expect(e).toBeLessThan(1e-3);
  });

  it.each(variants)('%s is bit-reproducible from zeroed grads', async (variant) => {
    if (!(await available()).includes(variant)) return;
    const first = await backward(100, 48, 1, variant);
    const second = await backward(100, 48, 1, variant);
    expect(second.got.dinp).toEqual(first.got.dinp);
    expect(second.got.dweight).toEqual(first.got.dweight);
    expect(second.got.dbias).toEqual(first.got.dbias);
  });
});


describe('layernorm timing (printed only)', () => {
  it('every variant at the CI shape R=512 C=32', async () => {
    const [R, C] = [512, 32];
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const plan = new ArenaPlan().add('act', 'inp', [R, C]).add('act', 'out', [R, C]).add('act', 'mean', [R]).add('act', 'rstd', [R]).add('act', 'a', [R, C]).add('act', 'b', [R, C]);
    plan.add('par', 'weight', [C]).add('par', 'bias', [C]).add('act', 'dout', [R, C]).add('grads', 'dinp', [R, C]).add('grads', 'dweight', [C]).add('grads', 'dbias', [C]);
    for (const s of layernormBackwardScratch({ R, C })) plan.add('scratch', s.name, s.shape, s.dtype);
    const arena = Arena.build(gpu, plan);
    const x = inputs(R, C, 4);
    for (const [n, v] of [['a', x.inp], ['b', x.dout], ['weight', x.weight], ['bias', x.bias], ['dout', x.dout]] as const) arena.write(n, v);
    const t = (n: string) => arena.get(n);
    const io = { inp: t('inp'), weight: t('weight'), bias: t('bias'), out: t('out'), mean: t('mean'), rstd: t('rstd') };
    const line: string[] = [];
    for (const variant of await available()) {
      const fwd = await prepareLayernormForward(ctx, io, { R, C }, { eps: 1e-12, variant });
      const res = await prepareLayernormForward(ctx, { ...io, residual: { a: t('a'), b: t('b') } }, { R, C }, { eps: 1e-12, variant });
      const bwd = await prepareLayernormBackward(
        ctx,
        { inp: t('inp'), weight: t('weight'), mean: t('mean'), rstd: t('rstd'), dout: t('dout'), dinp: t('dinp'), dweight: t('dweight'), dbias: t('dbias'), scratch: layernormBackwardScratch({ R, C }).map((s) => t(s.name)) },
        { R, C },
        { variant },
      );
      const ms = [await msPerRun(fwd, 10), await msPerRun(res, 10), await msPerRun(bwd, 10)].map((v) => v.toFixed(2));
      line.push(`${variant}: forward ${ms[0]} ms, residual forward ${ms[1]} ms, backward ${ms[2]} ms`);
    }
    arena.destroy();
    console.log(`layernorm timing R=${R} C=${C} on ${gpu.report.architecture || gpu.report.vendor}: ${line.join('; ')}`);
  });
});
