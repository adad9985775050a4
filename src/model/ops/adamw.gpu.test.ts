import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { adamwStep, gradNorm } from '../../reference/adamw.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { gradNormScratch, gradNormVariantsOn, prepareAdamW, prepareGradNorm } from './adamw.ts';
import { opContext } from '../../shaders/index.ts';

// Decayed matrices first, then a LayerNorm-like tail, exactly as the model lays out its pools;
// the arena's alignment leaves zero padding between tensors, which the fused step must tolerate.
const TENSORS: [string, number[]][] = [
  ['w1', [37, 29]],
  ['w2', [1000]],
  ['ln', [65]],
];
const HP = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
const LR = [1e-2, 2e-2, 1.5e-2];
const GRAD_SCALE = [1, 5, 0.2]; // per-step gradient size, so clipping bites on some steps only

async function train(opts: { maxNorm: number; decay: boolean; seed: number }) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan();
  for (const pool of ['params', 'grads', 'm', 'v']) for (const [name, shape] of TENSORS) plan.add(pool, `${pool}.${name}`, shape);
  const probe = Arena.build(gpu, plan, 'probe'); // only to learn N (pool size incl. padding)
  const N = probe.poolRange('params').numel;
  probe.destroy();
  for (const s of gradNormScratch({ N })) plan.add('scratch', s.name, s.shape, s.dtype);
  plan.add('scratch', 'gradnorm', [4]);
  const arena = Arena.build(gpu, plan);
  const decayEnd = opts.decay ? arena.get('params.ln').offset / 4 : 0;
  const pool = (name: string) => arena.poolRange(name);
  const isPadding = new Uint8Array(N).fill(1);
  for (const [name] of TENSORS) {
    const r = arena.get(`params.${name}`);
    isPadding.fill(0, r.offset / 4, r.offset / 4 + r.numel);
  }

  const rng = new Rng(opts.seed, 7);
  const p0 = new Float32Array(N);
  for (let i = 0; i < N; i++) p0[i] = isPadding[i] ? 0 : 0.5 * rng.normal();
  gpu.write(pool('params').buffer, 0, p0);
  const state = { params: Float64Array.from(p0), m: new Float64Array(N), v: new Float64Array(N) };

  const norm = await prepareGradNorm(ctx, { grads: pool('grads'), partials: arena.get('gradnorm.partials'), gradnorm: arena.get('gradnorm') }, { N }, { maxNorm: opts.maxNorm });
  const adam = await prepareAdamW(ctx, { params: pool('params'), grads: pool('grads'), m: pool('m'), v: pool('v'), gradnorm: arena.get('gradnorm') }, { N, decayEnd }, HP);
  const norms: { got: Float32Array; want: [number, number] }[] = [];
  for (let t = 1; t <= 3; t++) {
    const g = new Float32Array(N);
    for (let i = 0; i < N; i++) g[i] = isPadding[i] ? 0 : GRAD_SCALE[t - 1]! * 0.05 * rng.normal();
    gpu.write(pool('grads').buffer, 0, g);
    adam.setStep(t, LR[t - 1]!);
    const enc = new StepEncoder(gpu);
    norm.record(enc);
    adam.record(enc);
    enc.submit();
    const want = gradNorm(g, opts.maxNorm);
    norms.push({ got: await readF32(gpu, arena.get('gradnorm')), want });
    adamwStep(state, g, want[1], decayEnd, HP, t, LR[t - 1]!);
  }
  const params = await readF32(gpu, pool('params'));
  const m = await readF32(gpu, pool('m'));
  const v = await readF32(gpu, pool('v'));
  arena.destroy();
  let moved = 0; // largest |p₃ − p₀|: the test is only meaningful if the steps moved params a lot
  for (let i = 0; i < N; i++) moved = Math.max(moved, Math.abs(params[i]! - p0[i]!));
  return {
    params,
    norms,
    moved,
    errs: {
      params: scaledMaxRelError(params, state.params),
      m: scaledMaxRelError(m, state.m),
      v: scaledMaxRelError(v, state.v),
      norm: Math.max(...norms.map((n) => Math.abs(n.got[0]! - n.want[0]) / n.want[0])),
      scale: Math.max(...norms.map((n) => Math.abs(n.got[1]! - n.want[1]) / n.want[1])),
    },
  };
}

type Result = Awaited<ReturnType<typeof train>>;
function report(name: string, r: Result) {
  const e = r.errs;
  const scales = r.norms.map((n) => n.got[1]!.toFixed(4)).join('/');
  console.log(
    `${name}: params ${e.params.toExponential(2)} (max |Δp| ${r.moved.toFixed(4)}), m ${e.m.toExponential(2)}, v ${e.v.toExponential(2)}, ` +
      `‖g‖ ${e.norm.toExponential(2)}, clipScale ${e.scale.toExponential(2)} (scales ${scales})`,
  );
}

// Bounds (scaledMaxRelError): params after 3 steps ≤ 1e-5. The steps move params by up to ~0.045
// (≈ 20× the metric's floor of 1e-3·max|p|), so a 1e-4 relative error in the Adam update, a wrong
// bias correction or a wrong decay region fails it, while f32 rounding (~3e-6 measured) does not.
// m and v ≤ 1e-4: the EMAs cancel (g changes sign), leaving f32 rounding of ~0.01-sized terms on
// small results. ‖g‖ and clipScale ≤ 1e-5 relative (f32 sum of squares, short serial chains).
function expectGood(r: Result) {
  expect(r.moved).toBeGreaterThan(0.02);
  expect(r.errs.params).toBeLessThan(1e-5);
  expect(r.errs.m).toBeLessThan(1e-4);
  expect(r.errs.v).toBeLessThan(1e-4);
  expect(r.errs.norm).toBeLessThan(1e-5);
  expect(r.errs.scale).toBeLessThan(1e-5);
}

describe('AdamW + global grad-norm clipping (GPU vs float64)', () => {
  it('3 steps with a decay region, clipping active on the large-gradient step', async () => {
    const r = await train({ maxNorm: 1.0, decay: true, seed: 1 });
    report('adamw decay+clip', r);
    expectGood(r);
    expect(r.norms.some((n) => n.got[1]! < 0.5)).toBe(true); // clipping really happened
    expect(r.norms.some((n) => n.got[1] === 1)).toBe(true); // and not on every step
  });

  it('3 steps without decay (decayEnd = 0) and clipping inactive (huge maxNorm)', async () => {
    const r = await train({ maxNorm: 1e6, decay: false, seed: 2 });
    report('adamw nodecay noclip', r);
    expectGood(r);
    expect(r.norms.every((n) => n.got[1] === 1)).toBe(true);
  });

  it('maxNorm ≤ 0 disables clipping (scale exactly 1)', async () => {
    const r = await train({ maxNorm: 0, decay: true, seed: 3 });
    report('adamw maxNorm=0', r);
    expectGood(r);
    expect(r.norms.every((n) => n.got[1] === 1)).toBe(true);
  });

  it('is deterministic: two identical runs give bitwise-identical params', async () => {
    const a = await train({ maxNorm: 1.0, decay: true, seed: 4 });
    const b = await train({ maxNorm: 1.0, decay: true, seed: 4 });
    expect(new Uint32Array(a.params.buffer)).toEqual(new Uint32Array(b.params.buffer));
    expect(a.norms.map((n) => Array.from(n.got))).toEqual(b.norms.map((n) => Array.from(n.got)));
  });

  it('grad norm of 1e6 values (and of 37) vs float64, every variant', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    for (const variant of gradNormVariantsOn(ctx)) {
      for (const [N, maxNorm] of [[1_000_003, 0.5], [37, 0]] as const) {
        const plan = new ArenaPlan().add('grads', 'g', [N]).add('scratch', 'gradnorm', [4]);
        for (const s of gradNormScratch({ N })) plan.add('scratch', s.name, s.shape, s.dtype);
        const arena = Arena.build(gpu, plan);
        const rng = new Rng(9);
        const g = new Float32Array(N);
        for (let i = 0; i < N; i++) g[i] = 1e-3 * rng.normal();
        arena.write('g', g);
        const op = await prepareGradNorm(ctx, { grads: arena.get('g'), partials: arena.get('gradnorm.partials'), gradnorm: arena.get('gradnorm') }, { N }, { maxNorm, variant });
        expect(op.variant).toBe(variant);
        const enc = new StepEncoder(gpu);
        op.record(enc);
        enc.submit();
        const got = await readF32(gpu, arena.get('gradnorm'));
        arena.destroy();
        const [norm, scale] = gradNorm(g, maxNorm);
        const errN = Math.abs(got[0]! - norm) / norm;
        const errS = Math.abs(got[1]! - scale) / scale;
        console.log(`gradnorm ${variant} N=${N}: gpu ${got[0]} f64 ${norm} rel ${errN.toExponential(2)}; scale ${got[1]} rel ${errS.toExponential(2)}`);
        expect(errN).toBeLessThan(1e-5);
        expect(errS).toBeLessThan(1e-5);
        expect(got[2]).toBe(0);
        expect(got[3]).toBe(0);
      }
    }
  });
});
