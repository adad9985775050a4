// Attention on the GPU vs the float64 reference, for every kernel variant (the tiled kernels on
// 16×16 and 8×32 tiles, and the barrier-free 'simple'): padding masks of different lengths per sequence, head sizes that are not
// tile multiples, and the backward with accumulation, exact zeros for padding keys and
// bit-reproducibility. Also prints tiled-vs-simple timings at the CI model's shape (no assertion).
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { msPerRun, testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { attentionBackward, attentionForward } from '../../reference/attention.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { ATTENTION_VARIANTS, attentionBackwardScratch, attentionKey, prepareAttentionBackward, prepareAttentionForward, type AttentionOpts, type AttentionShape, type AttentionVariant } from './attention.ts';
import { opContext } from '../../shaders/index.ts';

const variants: readonly AttentionVariant[] = ATTENTION_VARIANTS;
/**
 * The 8×32 tiles run the 16×16 tiles' kernels with other constants: checked on the shapes with
 * ragged tiles (T = 13 and 32), not on every shape (each tiled run costs seconds on SwiftShader).
 */
const variantsFor = (name: string): readonly AttentionVariant[] => (name.startsWith('odd') || name.startsWith('bert-micro') ? variants : variants.filter((v) => v !== 'tiled-8x32'));
const twoKernels = variants.filter((v) => v !== 'tiled-8x32');

type Case = AttentionShape & { lengths: number[] };

function inputs({ B, T, C, lengths }: Case) {
  const rng = new Rng(21, B * T * C);
  const qkv = rng.uniformArray(B * T * 3 * C, -2, 2);
  const dout = rng.uniformArray(B * T * C, -1, 1);
  const mask = new Uint32Array(B * T);
  lengths.forEach((len, b) => mask.fill(1, b * T, b * T + len));
  return { qkv, dout, mask };
}

async function run(cs: Case, opts: AttentionOpts & { backwardRuns?: number } = {}) {
  const { B, T, C, NH } = cs;
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan().add('act', 'qkv', [B, T, 3 * C]).add('act', 'mask', [B, T], 'u32').add('act', 'probs', [B, NH, T, T]).add('act', 'out', [B, T, C]);
  plan.add('act', 'refprobs', [B, NH, T, T]).add('act', 'dout', [B, T, C]).add('grads', 'dqkv', [B, T, 3 * C]);
  for (const s of attentionBackwardScratch(cs)) plan.add('scratch', s.name, s.shape, s.dtype);
  const arena = Arena.build(gpu, plan);
  const x = inputs(cs);
  const ref = attentionForward(Float64Array.from(x.qkv), x.mask, B, T, C, NH);
  // The backward gets the reference's probs (as f32) on both sides, so it is judged on its own.
  const probs32 = Float32Array.from(ref.probs);
  arena.write('qkv', x.qkv);
  arena.write('mask', x.mask);
  arena.write('dout', x.dout);
  arena.write('refprobs', probs32);
  const t = (n: string) => arena.get(n);
  const fwd = await prepareAttentionForward(ctx, { qkv: t('qkv'), mask: t('mask'), probs: t('probs'), out: t('out') }, cs, opts);
  const runs = opts.backwardRuns ?? 0;
  const bwd = runs
    ? await prepareAttentionBackward(ctx, { qkv: t('qkv'), mask: t('mask'), probs: t('refprobs'), dout: t('dout'), dqkv: t('dqkv'), scratch: attentionBackwardScratch(cs).map((s) => t(s.name)) }, cs, opts)
    : null;
  const enc = new StepEncoder(gpu);
  arena.clearPool(enc.commandEncoder, 'grads');
  fwd.record(enc);
  for (let i = 0; i < runs; i++) bwd!.record(enc);
  enc.submit();
  const got = { probs: await readF32(gpu, t('probs')), out: await readF32(gpu, t('out')), dqkv: await readF32(gpu, t('dqkv')) };
  arena.destroy();
  const dqkv = runs ? attentionBackward(Float64Array.from(x.dout), Float64Array.from(x.qkv), Float64Array.from(probs32), x.mask, B, T, C, NH) : null;
  return { got, want: { ...ref, dqkv }, mask: x.mask, qkv: x.qkv };
}

/**
 * out = P·V averages signed V rows over up to T keys, so |out| is often far below the |V| it is
 * summed from, and f32 rounding (of P, ~1e-6 relative, and of the running sums) is bounded by
 * ε·Σ_j p_ij·|V_jd|, not by |out|. So out is judged per element against that operand scale
 * (like elementwise.gpu.test.ts): max |Δout| / Σ_j p_ij·|V_jd|.
 */
function outOperandError(got: Float32Array, want: Float64Array, probs: Float64Array, qkv: Float32Array, { B, T, C, NH }: Case): number {
  const HS = C / NH;
  let err = 0;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        for (let d = 0; d < HS; d++) {
          let scale = 0;
          for (let j = 0; j < T; j++) scale += probs[((b * NH + h) * T + i) * T + j]! * Math.abs(qkv[(b * T + j) * 3 * C + 2 * C + h * HS + d]!);
          const o = (b * T + i) * C + h * HS + d;
          err = Math.max(err, Math.abs(got[o]! - want[o]!) / Math.max(scale, 1e-30));
        }
      }
    }
  }
  return err;
}

/** Every probability of a padding key is exactly 0, and real keys' probabilities are positive. */
function expectMaskedZeros(probs: Float32Array, mask: Uint32Array, { B, T, NH }: Case): void {
  let bad = 0;
  for (let b = 0; b < B; b++) {
    for (let r = 0; r < NH * T; r++) {
      for (let j = 0; j < T; j++) {
        const pr = probs[(b * NH * T + r) * T + j]!;
        if (mask[b * T + j] === 0 ? pr !== 0 : !(pr > 0)) bad++;
      }
    }
  }
  expect(bad).toBe(0);
}

const cases: [string, Case][] = [
  ['odd shapes B=2 T=13 C=48 NH=3', { B: 2, T: 13, C: 48, NH: 3, lengths: [13, 7] }],
  ['bert-micro B=2 T=32 C=64 NH=2', { B: 2, T: 32, C: 64, NH: 2, lengths: [32, 20] }],
  ['bert-tiny B=2 T=128 C=128 NH=2', { B: 2, T: 128, C: 128, NH: 2, lengths: [128, 77] }],
  ['HS=128 B=1 T=20 C=256 NH=2', { B: 1, T: 20, C: 256, NH: 2, lengths: [17] }],
];

/** Number of non-zero dK, dV entries of padding keys (must be 0). */
function paddingKeyGrads(dqkv: Float32Array, mask: Uint32Array, { B, T, C }: Case): number {
  let nonzero = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (!mask[b * T + t]) for (let c = C; c < 3 * C; c++) nonzero += dqkv[(b * T + t) * 3 * C + c] !== 0 ? 1 : 0;
  return nonzero;
}

describe('attention forward (GPU vs float64)', () => {
  it.each(cases)('%s', async (name, cs) => {
    for (const variant of variantsFor(name)) {
      const { got, want, mask, qkv } = await run(cs, { variant });
      const pErr = scaledMaxRelError(got.probs, want.probs);
      const oErr = outOperandError(got.out, want.out, want.probs, qkv, cs);
      const oScaled = scaledMaxRelError(got.out, want.out);
      console.log(`attention fwd ${variant} ${JSON.stringify(cs)}: probs ${pErr.toExponential(2)} out/operands ${oErr.toExponential(2)} (out scaled ${oScaled.toExponential(2)})`);
      expect(pErr).toBeLessThan(1e-4);
      expect(oErr).toBeLessThan(1e-5);
      expect(oScaled).toBeLessThan(1e-3); // coarse: the cancellation above costs about one decimal
      expectMaskedZeros(got.probs, mask, cs);
    }
  });

  it.each([
    ['tiled bq=4 bk=8', { variant: 'tiled', bq: 4, bk: 8 }],
    ['simple', { variant: 'simple' }],
  ] as [string, AttentionOpts][])('%s: tiles that do not divide T, a sequence with no real token, forward and backward', async (_, opts) => {
    const cs = { B: 3, T: 13, C: 24, NH: 2, lengths: [5, 0, 13] };
    const { got, want, qkv, mask } = await run(cs, { ...opts, backwardRuns: 1 });
    const errs = [scaledMaxRelError(got.probs, want.probs), outOperandError(got.out, want.out, want.probs, qkv, cs), scaledMaxRelError(got.dqkv, want.dqkv!)];
    console.log(`attention ${JSON.stringify(opts)} lengths [5,0,13]: probs ${errs[0]!.toExponential(2)} out/operands ${errs[1]!.toExponential(2)} dqkv ${errs[2]!.toExponential(2)}`);
    expect(errs[0]).toBeLessThan(1e-4);
    expect(errs[1]).toBeLessThan(1e-5);
    expect(errs[2]).toBeLessThan(1e-3);
    const empty = got.probs.subarray(cs.NH * cs.T * cs.T, 2 * cs.NH * cs.T * cs.T);
    expect(empty.every((v) => v === 0)).toBe(true); // all-padding sequence: zeros, not NaN
    const emptyGrads = got.dqkv.subarray(cs.T * 3 * cs.C, 2 * cs.T * 3 * cs.C);
    expect(emptyGrads.every((v) => v === 0)).toBe(true);
    expect(paddingKeyGrads(got.dqkv, mask, cs)).toBe(0);
  });

  it('picks the variant from gpu.profile unless told', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const { B, T, C, NH } = cases[0]![1];
    const arena = Arena.build(gpu, new ArenaPlan().add('act', 'qkv', [B, T, 3 * C]).add('act', 'mask', [B, T], 'u32').add('act', 'probs', [B, NH, T, T]).add('act', 'out', [B, T, C]));
    const io = { qkv: arena.get('qkv'), mask: arena.get('mask'), probs: arena.get('probs'), out: arena.get('out') };
    const saved = gpu.profile;
    try {
      const picked: string[] = [];
      for (const profile of ['gpu', 'cpu'] as const) {
        gpu.profile = profile;
        picked.push((await prepareAttentionForward(ctx, io, { B, T, C, NH })).variant);
      }
      expect(picked).toEqual(['tiled', 'simple']);
      expect((await prepareAttentionForward(ctx, io, { B, T, C, NH }, { variant: 'tiled' })).variant).toBe('tiled');
      expect((await prepareAttentionForward(ctx, io, { B, T, C, NH }, { simple: true })).variant).toBe('simple');
      // The tuner's choice for the shape wins over the profile; an explicit variant over both.
      gpu.kernels.set(attentionKey('fwd', { B, T, C, NH }), 'tiled-8x32');
      expect((await prepareAttentionForward(ctx, io, { B, T, C, NH })).variant).toBe('tiled-8x32');
      expect((await prepareAttentionForward(ctx, io, { B, T, C, NH }, { variant: 'simple' })).variant).toBe('simple');
    } finally {
      gpu.kernels.clear(attentionKey('fwd', { B, T, C, NH }));
      gpu.profile = saved;
      arena.destroy();
    }
  });
});

describe('attention backward (GPU vs float64)', () => {
  it.each(cases)('%s', async (name, cs) => {
    for (const variant of variantsFor(name)) {
      const { got, want, mask } = await run(cs, { variant, backwardRuns: 1 });
      const err = scaledMaxRelError(got.dqkv, want.dqkv!);
      console.log(`attention bwd ${variant} ${JSON.stringify(cs)}: dqkv ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-3);
      expect(paddingKeyGrads(got.dqkv, mask, cs)).toBe(0); // padding keys: exactly zero dK and dV
    }
  });

  it.each([
    ['tiled bq=4 bk=8', { variant: 'tiled', bq: 4, bk: 8 }],
    ['simple', { variant: 'simple' }],
  ] as [string, AttentionOpts][])('%s: accumulates (two runs add up to twice the gradient)', async (_, opts) => {
    const cs = cases[0]![1];
    const { got, want } = await run(cs, { ...opts, backwardRuns: 2 });
    const err = scaledMaxRelError(got.dqkv, want.dqkv!.map((v) => 2 * v));
    console.log(`attention bwd ×2 ${JSON.stringify(opts)}: dqkv ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-3);
  });

  it.each(twoKernels)('%s is bit-reproducible', async (variant) => {
    const cs = cases[1]![1];
    const a = await run(cs, { variant, backwardRuns: 1 });
    const b = await run(cs, { variant, backwardRuns: 1 });
    expect(b.got.dqkv).toEqual(a.got.dqkv);
    expect(b.got.probs).toEqual(a.got.probs);
    expect(b.got.out).toEqual(a.got.out);
  });
});


describe('attention timing (printed only)', () => {
  it('tiled vs simple at the CI shape B=32 T=16 C=32 NH=2', async () => {
    const cs: Case = { B: 32, T: 16, C: 32, NH: 2, lengths: Array.from({ length: 32 }, (_, b) => 8 + (b % 9)) };
    const { B, T, C, NH } = cs;
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const plan = new ArenaPlan().add('act', 'qkv', [B, T, 3 * C]).add('act', 'mask', [B, T], 'u32').add('act', 'probs', [B, NH, T, T]).add('act', 'out', [B, T, C]);
    plan.add('act', 'dout', [B, T, C]).add('grads', 'dqkv', [B, T, 3 * C]);
    for (const s of attentionBackwardScratch(cs)) plan.add('scratch', s.name, s.shape, s.dtype);
    const arena = Arena.build(gpu, plan);
    const x = inputs(cs);
    arena.write('qkv', x.qkv);
    arena.write('mask', x.mask);
    arena.write('dout', x.dout);
    const t = (n: string) => arena.get(n);
    const line: string[] = [];
    for (const variant of twoKernels) {
      const fwd = await prepareAttentionForward(ctx, { qkv: t('qkv'), mask: t('mask'), probs: t('probs'), out: t('out') }, cs, { variant });
      const bwd = await prepareAttentionBackward(
        ctx,
        { qkv: t('qkv'), mask: t('mask'), probs: t('probs'), dout: t('dout'), dqkv: t('dqkv'), scratch: attentionBackwardScratch(cs).map((s) => t(s.name)) },
        cs,
        { variant },
      );
      line.push(`${variant}: forward ${(await msPerRun(fwd, 5)).toFixed(2)} ms, backward ${(await msPerRun(bwd, 5)).toFixed(2)} ms`);
    }
    arena.destroy();
    console.log(`attention timing B=${B} T=${T} C=${C} NH=${NH} on ${gpu.report.architecture || gpu.report.vendor}: ${line.join('; ')}`);
  });
});
