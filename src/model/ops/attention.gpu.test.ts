// Attention on the GPU vs the float64 reference: padding masks of different lengths per sequence,
// head sizes that are not tile multiples, the untiled reference kernel, and the backward with
// accumulation, exact zeros for padding keys and bit-reproducibility.
import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { attentionBackward, attentionForward } from '../../reference/attention.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { createOpContext } from './context.ts';
import { attentionBackwardScratch, prepareAttentionBackward, prepareAttentionForward, type AttentionOpts, type AttentionShape } from './attention.ts';

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
  const ctx = createOpContext(gpu);
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

describe('attention forward (GPU vs float64)', () => {
  it.each(cases)('%s', async (_, cs) => {
    // The untiled reference kernel only on the small shapes: SwiftShader is slow.
    for (const simple of cs.T <= 32 ? [false, true] : [false]) {
      const { got, want, mask, qkv } = await run(cs, { simple });
      const pErr = scaledMaxRelError(got.probs, want.probs);
      const oErr = outOperandError(got.out, want.out, want.probs, qkv, cs);
      const oScaled = scaledMaxRelError(got.out, want.out);
      console.log(`attention fwd ${simple ? 'simple' : 'tiled'} ${JSON.stringify(cs)}: probs ${pErr.toExponential(2)} out/operands ${oErr.toExponential(2)} (out scaled ${oScaled.toExponential(2)})`);
      expect(pErr).toBeLessThan(1e-4);
      expect(oErr).toBeLessThan(1e-5);
      expect(oScaled).toBeLessThan(1e-3); // coarse: the cancellation above costs about one decimal
      expectMaskedZeros(got.probs, mask, cs);
    }
  });

  it('handles tiles that do not divide T, and a sequence with no real token', async () => {
    const cs = { B: 3, T: 13, C: 24, NH: 2, lengths: [5, 0, 13] };
    const { got, want, qkv } = await run(cs, { bq: 4, bk: 8 });
    expect(scaledMaxRelError(got.probs, want.probs)).toBeLessThan(1e-4);
    expect(outOperandError(got.out, want.out, want.probs, qkv, cs)).toBeLessThan(1e-5);
    const empty = got.probs.subarray(cs.NH * cs.T * cs.T, 2 * cs.NH * cs.T * cs.T);
    expect(empty.every((v) => v === 0)).toBe(true); // all-padding sequence: zeros, not NaN
  });
});

describe('attention backward (GPU vs float64)', () => {
  it.each(cases)('%s', async (_, cs) => {
    const { got, want, mask } = await run(cs, { backwardRuns: 1 });
    const err = scaledMaxRelError(got.dqkv, want.dqkv!);
    console.log(`attention bwd ${JSON.stringify(cs)}: dqkv ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-3);
    // Padding keys get exactly zero dK and dV.
    const { B, T, C } = cs;
    let nonzero = 0;
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (!mask[b * T + t]) for (let c = C; c < 3 * C; c++) nonzero += got.dqkv[(b * T + t) * 3 * C + c] !== 0 ? 1 : 0;
    expect(nonzero).toBe(0);
  });

  it('accumulates (two runs add up to twice the gradient) with small tiles', async () => {
    const cs = cases[0]![1];
    const { got, want } = await run(cs, { backwardRuns: 2, bq: 4, bk: 8 });
    const err = scaledMaxRelError(got.dqkv, want.dqkv!.map((v) => 2 * v));
    console.log(`attention bwd ×2 bq=4 bk=8: dqkv ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-3);
  });

  it('is bit-reproducible', async () => {
    const cs = cases[1]![1];
    const a = await run(cs, { backwardRuns: 1 });
    const b = await run(cs, { backwardRuns: 1 });
    expect(b.got.dqkv).toEqual(a.got.dqkv);
    expect(b.got.probs).toEqual(a.got.probs);
  });
});
