import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32, readU32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { maxAbsDiff, scaledMaxRelError } from '../../reference/compare.ts';
import { maeUnshuffleBackward, maeUnshuffleForward, visibleGatherBackward, visibleGatherForward } from '../../reference/mae-tokens.ts';
import {
  maeUnshuffleScratch,
  prepareMaeUnshuffleBackward,
  prepareMaeUnshuffleForward,
  prepareVisibleGatherBackward,
  prepareVisibleGatherForward,
  type MaeTokenShape,
} from './mae-tokens.ts';
import { opContext } from '../../shaders/index.ts';

const PAD = 0xffffffff;

/** keep (B,K): per image K of the L patches in shuffled order (as MAE's argsort of noise gives), the last `pad[b]` slots padding. */
function makeKeep(rng: Rng, B: number, L: number, K: number, pad: (b: number) => number = () => 0): Uint32Array {
  const keep = new Uint32Array(B * K);
  for (let b = 0; b < B; b++) {
    const perm = rng.shuffle(Array.from({ length: L }, (_, i) => i));
    for (let k = 0; k < K; k++) keep[b * K + k] = k < K - pad(b) ? perm[k]! : PAD;
  }
  return keep;
}

async function runGather(B: number, L: number, K: number, C: number, pad: (b: number) => number) {
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const arena = Arena.build(
    gpu,
    new ArenaPlan()
      .add('act', 'x', [B, L, C])
      .add('act', 'out', [B, K, C])
      .add('act', 'dout', [B, K, C])
      .add('act', 'dx', [B, L, C])
      .add('idx', 'keep', [B, K], 'u32')
      .add('idx', 'ones', [B, K]),
  );
  const rng = new Rng(21, B * 1000 + L);
  const x = rng.uniformArray(B * L * C, -1, 1);
  const dout = rng.uniformArray(B * K * C, -1, 1);
  const dx0 = rng.uniformArray(B * L * C, -1, 1); // backward accumulates into existing grads
  const keep = makeKeep(rng, B, L, K, pad);
  arena.write('x', x);
  arena.write('dout', dout);
  arena.write('dx', dx0);
  arena.write('keep', keep);
  arena.write('ones', new Float32Array(B * K).fill(1));
  const g = (n: string) => arena.get(n);
  const shape = { B, L, K, C };
  const fwd = await prepareVisibleGatherForward(ctx, { x: g('x'), keep: g('keep'), out: g('out') }, shape);
  const bwd = await prepareVisibleGatherBackward(ctx, { dout: g('dout'), keep: g('keep'), ones: g('ones'), dx: g('dx') }, shape);
  const enc = new StepEncoder(gpu);
  fwd.record(enc);
  bwd.record(enc);
  enc.submit();
  const out = await readF32(gpu, g('out'));
  const dx = await readF32(gpu, g('dx'));
  arena.destroy();
  return {
    fwd: maxAbsDiff(out, visibleGatherForward(x, keep, B, L, K, C)),
    bwd: scaledMaxRelError(dx, visibleGatherBackward(dout, keep, B, L, K, C, dx0)),
  };
}

async function runUnshuffle(s: MaeTokenShape, pad: (b: number) => number = () => 0, reduce: { reduceWg?: number; rl?: number } = {}) {
  const { B, L, K, C, cls } = s;
  const gpu = await testGpu();
  const ctx = opContext(gpu);
  const plan = new ArenaPlan()
    .add('act', 'enc', [B, cls + K, C])
    .add('act', 'full', [B, cls + L, C])
    .add('act', 'dfull', [B, cls + L, C])
    .add('grad', 'denc', [B, cls + K, C])
    .add('param', 'maskToken', [C])
    .add('grad', 'dmaskToken', [C])
    .add('idx', 'keep', [B, K], 'u32');
  for (const t of maeUnshuffleScratch(s)) plan.add('scratch', t.name, t.shape, t.dtype);
  const arena = Arena.build(gpu, plan);
  const rng = new Rng(23, B * 1000 + L * 10 + cls);
  const encIn = rng.uniformArray(B * (cls + K) * C, -1, 1);
  const maskToken = rng.uniformArray(C, -1, 1);
  const dfull = rng.uniformArray(B * (cls + L) * C, -1, 1);
  const denc0 = rng.uniformArray(B * (cls + K) * C, -1, 1);
  const dmask0 = rng.uniformArray(C, -1, 1);
  const keep = makeKeep(rng, B, L, K, pad);
  arena.write('enc', encIn);
  arena.write('maskToken', maskToken);
  arena.write('dfull', dfull);
  arena.write('keep', keep);
  const g = (n: string) => arena.get(n);
  const scratch = maeUnshuffleScratch(s).map((t) => g(t.name));
  const fwd = await prepareMaeUnshuffleForward(ctx, { enc: g('enc'), keep: g('keep'), maskToken: g('maskToken'), full: g('full'), scratch }, s);
  const bwd = await prepareMaeUnshuffleBackward(ctx, { dfull: g('dfull'), keep: g('keep'), denc: g('denc'), dmaskToken: g('dmaskToken'), scratch }, s, reduce);
  const step = async () => {
    arena.write('denc', denc0);
    arena.write('dmaskToken', dmask0);
    const enc = new StepEncoder(gpu);
    fwd.record(enc);
    bwd.record(enc);
    enc.submit();
    return { full: await readF32(gpu, g('full')), denc: await readF32(gpu, g('denc')), dmaskToken: await readF32(gpu, g('dmaskToken')), slot: await readU32(gpu, g('mae.slot')) };
  };
  const got = await step();
  const again = await step(); // the same inputs must give the same bits (fixed summation order)
  arena.destroy();
  const want = maeUnshuffleBackward(dfull, keep, s, denc0, dmask0);
  // slot is keep's inverse: k for a kept patch, 0xffffffff for a masked one.
  const slotWant = new Uint32Array(B * L).fill(PAD);
  keep.forEach((l, i) => {
    if (l < L) slotWant[Math.floor(i / K) * L + l] = i % K;
  });
  return {
    fwd: maxAbsDiff(got.full, maeUnshuffleForward(encIn, keep, maskToken, s)),
    denc: scaledMaxRelError(got.denc, want.denc),
    dmaskToken: scaledMaxRelError(got.dmaskToken, want.dmaskToken),
    slotOk: got.slot.every((v, i) => v === slotWant[i]),
    repeatable: [...got.denc, ...got.dmaskToken].every((v, i) => Object.is(v, [...again.denc, ...again.dmaskToken][i])),
  };
}

describe('MAE visible gather (gather.wgsl with T = L, P = K; GPU vs float64)', () => {
  // Forward is a copy: exact. Backward is one f32 add per element: ≤ 1 ulp of the larger operand,
  // so 1e-6 of the tensor scale (as gather's own test).
  it.each([
    [3, 49, 12, 24], // 28×28 at p = 4, 75% masked
    [3, 16, 4, 24], // p = 7
  ])('B=%i L=%i K=%i C=%i, shuffled keep, a padding slot in image 1', async (B, L, K, C) => {
    const e = await runGather(B, L, K, C, (b) => (b === 1 ? 1 : 0));
    console.log(`visible gather B=${B} L=${L} K=${K} C=${C}: fwd max|err| ${e.fwd}, bwd scaled rel ${e.bwd.toExponential(2)}`);
    expect(e.fwd).toBe(0);
    expect(e.bwd).toBeLessThan(1e-6);
  });
});

describe('MAE unshuffle with mask token (GPU vs float64)', () => {
  // Forward and slot: copies, exact. denc: one f32 add per element (≤ 1e-6 of scale, as gather).
  // dmaskToken: per channel an f32 sum of B·(L−K) (up to 111 here) terms in (−1, 1), in a fixed
  // order, added to dmask0. Its rounding error is ~2⁻²⁴·Σ|terms| (≈ 1e-6 absolute), judged
  // against a floor of 1e-3 of the largest |sum| (~5): ≤ 1e-4 (measured up to 2e-5). A wrong row
  // or a missed mask is O(1), far outside. And bit-identical when run again.
  it.each([
    { B: 3, L: 49, K: 12, C: 24, cls: 0 as const },
    { B: 3, L: 49, K: 12, C: 24, cls: 1 as const },
    { B: 3, L: 16, K: 4, C: 24, cls: 1 as const },
    { B: 2, L: 16, K: 5, C: 37, cls: 0 as const }, // C not a multiple of the channels per workgroup
  ])('B=$B L=$L K=$K C=$C cls=$cls', async (s) => {
    const e = await runUnshuffle(s);
    console.log(`mae unshuffle ${JSON.stringify(s)}: fwd max|err| ${e.fwd}, denc ${e.denc.toExponential(2)}, dmaskToken ${e.dmaskToken.toExponential(2)}`);
    expect(e.fwd).toBe(0);
    expect(e.slotOk).toBe(true);
    expect(e.repeatable).toBe(true);
    expect(e.denc).toBeLessThan(1e-6);
    expect(e.dmaskToken).toBeLessThan(1e-4);
  });

  // The launcher picks 64 threads × 8 row lanes on a CPU adapter and 256 × 16 on a GPU; run the
  // GPU's shape and the extremes (one channel per workgroup; one row lane) here too.
  it.each([
    { reduceWg: 256, rl: 16 },
    { reduceWg: 32, rl: 32 },
    { reduceWg: 64, rl: 1 },
  ])('dmaskToken with reduceWg=$reduceWg rl=$rl', async (reduce) => {
    const e = await runUnshuffle({ B: 3, L: 49, K: 12, C: 24, cls: 1 }, () => 0, reduce);
    console.log(`mae unshuffle reduce ${JSON.stringify(reduce)}: dmaskToken ${e.dmaskToken.toExponential(2)}`);
    expect(e.repeatable).toBe(true);
    expect(e.dmaskToken).toBeLessThan(1e-4);
  });

  it.each([
    ['K=6 < L, 0–2 padding slots', { B: 3, L: 16, K: 6, C: 24, cls: 1 as const }, (b: number) => b],
    // src/masking's image keep: (B,L), visible patches then 0xffffffff, a count per image (blockwise).
    ['K=L, 12/6/0 padding slots', { B: 3, L: 16, K: 16, C: 24, cls: 1 as const }, (b: number) => [12, 6, 0][b]!],
  ])('skips padding slots (keep = 0xffffffff) both ways, with cls (no wrap to the [CLS] row): %s', async (_name, s, pad) => {
    const e = await runUnshuffle(s, pad);
    console.log(`mae unshuffle with padding: fwd ${e.fwd}, denc ${e.denc.toExponential(2)}, dmaskToken ${e.dmaskToken.toExponential(2)}`);
    expect(e.fwd).toBe(0);
    expect(e.slotOk).toBe(true);
    expect(e.denc).toBeLessThan(1e-6);
    expect(e.dmaskToken).toBeLessThan(1e-4);
  });

  it('rejects K > L and a mis-sized range, naming op and tensor', async () => {
    const gpu = await testGpu();
    const ctx = opContext(gpu);
    const s = { B: 2, L: 4, K: 2, C: 3, cls: 1 as const };
    const arena = Arena.build(
      gpu,
      new ArenaPlan().add('a', 'enc', [2, 2, 3]).add('a', 'keep', [2, 2], 'u32').add('a', 'maskToken', [3]).add('a', 'full', [2, 5, 3]).add('a', 'mae.slot', [2, 4], 'u32'),
    );
    const io = { enc: arena.get('enc'), keep: arena.get('keep'), maskToken: arena.get('maskToken'), full: arena.get('full'), scratch: [arena.get('mae.slot')] };
    await expect(prepareMaeUnshuffleForward(ctx, io, s)).rejects.toThrow(/mae unshuffle forward: enc has 12 elements, expected 18/);
    await expect(prepareMaeUnshuffleForward(ctx, io, { ...s, K: 5 })).rejects.toThrow(/K \(5 kept patches\) cannot exceed L/);
    arena.destroy();
  });
});
