import { describe, expect, it } from 'vitest';
import { Arena, ArenaPlan } from '../../gpu/arena.ts';
import { StepEncoder } from '../../gpu/step-encoder.ts';
import { readF32 } from '../../gpu/readback.ts';
import { testGpu } from '../../gpu/testing.ts';
import { Rng } from '../../data/prng.ts';
import { scaledMaxRelError } from '../../reference/compare.ts';
import { geluBackward, geluForward } from '../../reference/gelu.ts';
import { matmulBackward, matmulForward } from '../../reference/matmul.ts';
import type { OpContext } from '../../gpu/op-context.ts';
import { opContext } from '../../shaders/index.ts';
import { MATMUL_VARIANTS } from './matmul-variants.ts';
import { CPU_MATMUL_TILE, DEFAULT_MATMUL_TILE, matmulBackwardScratch, prepareMatmulBackward, prepareMatmulForward, type MatmulOptions, type MatmulShape } from './matmul.ts';

// Metric: scaledMaxRelError with the floor at 1e-2·max|want| (not the default 1e-3). Why: an f32
// sum of P products is off by ~√P·2^-24·|partial sums| whatever its own size, e.g. ~6e-5 for
// the decoder's dinp (P = 4096, |sums| ~ 20, max ~ 80), so an entry that cancels to 1e-3 of the
// max would read as 7e-4 "relative" error from rounding alone (measured). Entries below 1% of
// the scale are judged by absolute error against 1% of it; a wrong index is still off by O(1).
// Bounds: 1e-4 forward, 1e-3 backward (the op README's targets).
const FLOOR = 1e-2;
const FWD_BOUND = 1e-4;
const BWD_BOUND = 1e-3;
const relErr = (got: ArrayLike<number>, want: ArrayLike<number>) => scaledMaxRelError(got, want, FLOOR);

let ctxPromise: Promise<OpContext> | null = null;
/** One context for the file, so each pipeline compiles once. */
function context(): Promise<OpContext> {
  ctxPromise ??= testGpu().then(opContext);
  return ctxPromise;
}

interface Case extends MatmulShape {
  bias: boolean;
  opts?: MatmulOptions;
}

function name(c: Case): string {
  const o = c.opts ?? {};
  const tile = o.tile ? ` tile ${o.tile.BM}×${o.tile.BN}/${o.tile.BK} block ${o.tile.TM ?? 4}×${o.tile.TN ?? 4}` : '';
  return `M=${c.M} K=${c.K} N=${c.N}${c.bias ? ' +bias' : ''}${o.gelu ? ' gelu' : ''}${o.naive ? ' naive' : ''}${tile}`;
}

async function forward(c: Case): Promise<{ out: number; pre: number }> {
  const { M, K, N } = c;
  const gelu = c.opts?.gelu ?? false;
  const ctx = await context();
  const plan = new ArenaPlan().add('t', 'inp', [M, K]).add('t', 'weight', [N, K]).add('t', 'out', [M, N]);
  if (c.bias) plan.add('t', 'bias', [N]);
  if (gelu) plan.add('t', 'pre', [M, N]);
  const arena = Arena.build(ctx.gpu, plan);
  const rng = new Rng(101, M * 7919 + N);
  const inp = rng.uniformArray(M * K, -1, 1);
  const weight = rng.uniformArray(N * K, -1, 1);
  const bias = c.bias ? rng.uniformArray(N, -1, 1) : null;
  arena.write('inp', inp);
  arena.write('weight', weight);
  if (bias) arena.write('bias', bias);
  const has = (n: string) => (arena.has(n) ? { [n]: arena.get(n) } : {});
  const io = { inp: arena.get('inp'), weight: arena.get('weight'), out: arena.get('out'), ...has('bias'), ...has('pre') };
  const op = await prepareMatmulForward(ctx, io, c, c.opts);
  const enc = new StepEncoder(ctx.gpu);
  op.record(enc);
  enc.submit();
  const out = await readF32(ctx.gpu, arena.get('out'));
  const pre = gelu ? await readF32(ctx.gpu, arena.get('pre')) : null;
  arena.destroy();

  const wantPre = matmulForward(inp, weight, bias, M, K, N);
  const err = {
    out: relErr(out, gelu ? geluForward(wantPre) : wantPre),
    pre: pre ? relErr(pre, wantPre) : 0,
  };
  console.log(`matmul forward ${name(c)}: out err ${err.out.toExponential(2)}${pre ? `, pre err ${err.pre.toExponential(2)}` : ''}`);
  return err;
}

/**
 * Prefills the grads with random values, records the backward `reps` times, and compares
 * (grad − prefill) with reps · reference: a kernel that overwrites, or adds twice, fails.
 */
async function backward(c: Case, reps = 1, withDinp = true): Promise<{ dinp: number; dweight: number; dbias: number }> {
  const { M, K, N } = c;
  const gelu = c.opts?.gelu ?? false;
  const ctx = await context();
  const plan = new ArenaPlan()
    .add('t', 'inp', [M, K])
    .add('t', 'weight', [N, K])
    .add('t', 'dout', [M, N])
    .add('g', 'dinp', [M, K])
    .add('g', 'dweight', [N, K])
    .add('g', 'dbias', [N]);
  if (gelu) plan.add('t', 'pre', [M, N]);
  for (const s of matmulBackwardScratch(c, c.opts)) plan.add('s', s.name, s.shape, s.dtype);
  const arena = Arena.build(ctx.gpu, plan);
  const rng = new Rng(202, M * 7919 + N);
  const data = {
    inp: rng.uniformArray(M * K, -1, 1),
    weight: rng.uniformArray(N * K, -1, 1),
    dout: rng.uniformArray(M * N, -1, 1),
    pre: rng.uniformArray(M * N, -3, 3), // spans the bend of gelu and both tails' onset
    dinp: rng.uniformArray(M * K, -1, 1),
    dweight: rng.uniformArray(N * K, -1, 1),
    dbias: rng.uniformArray(N, -1, 1),
  };
  for (const [k, v] of Object.entries(data)) if (arena.has(k)) arena.write(k, v);
  const get = (n: string) => (arena.has(n) ? { [n]: arena.get(n) } : {});
  const io = {
    inp: arena.get('inp'),
    weight: arena.get('weight'),
    dout: arena.get('dout'),
    dweight: arena.get('dweight'),
    ...(withDinp ? get('dinp') : {}),
    ...(c.bias ? get('dbias') : {}),
    ...get('pre'),
    ...get('dpre'),
  };
  const op = await prepareMatmulBackward(ctx, io, c, c.opts);
  const enc = new StepEncoder(ctx.gpu);
  for (let r = 0; r < reps; r++) op.record(enc);
  enc.submit();
  const got = {
    dinp: await readF32(ctx.gpu, arena.get('dinp')),
    dweight: await readF32(ctx.gpu, arena.get('dweight')),
    dbias: await readF32(ctx.gpu, arena.get('dbias')),
  };
  arena.destroy();

  const dpre = gelu ? geluBackward(data.pre, data.dout) : data.dout;
  const want = matmulBackward(dpre, data.inp, data.weight, M, K, N);
  const added = (g: Float32Array, g0: Float32Array) => Float64Array.from(g, (v, i) => v - g0[i]!);
  const scaled = (w: Float64Array) => w.map((v) => reps * v);
  const err = {
    dinp: relErr(added(got.dinp, data.dinp), scaled(want.dinp)),
    dweight: relErr(added(got.dweight, data.dweight), scaled(want.dweight)),
    dbias: relErr(added(got.dbias, data.dbias), scaled(want.dbias)),
  };
  // Grads the op was not given must be untouched.
  if (!withDinp) err.dinp = got.dinp.every((v, i) => v === data.dinp[i]) ? 0 : Infinity;
  if (!c.bias) err.dbias = got.dbias.every((v, i) => v === data.dbias[i]) ? 0 : Infinity;
  console.log(
    `matmul backward ${name(c)}${reps > 1 ? ` ×${reps}` : ''}: dinp err ${err.dinp.toExponential(2)}, dweight err ${err.dweight.toExponential(2)}, dbias err ${err.dbias.toExponential(2)}`,
  );
  return err;
}

function expectBackward(e: { dinp: number; dweight: number; dbias: number }): void {
  expect(e.dinp).toBeLessThan(BWD_BOUND);
  expect(e.dweight).toBeLessThan(BWD_BOUND);
  expect(e.dbias).toBeLessThan(BWD_BOUND);
}

// Shapes that are not tile multiples; the second spans several tiles in every product
// (forward 2×3 tiles, dinp 2×2, dweight 3×2 with M = 70 not a multiple of the K-step).
const ODD: MatmulShape[] = [
  { M: 37, K: 19, N: 53 },
  { M: 70, K: 67, N: 131 },
];
const VARIANTS: { bias: boolean; gelu: boolean }[] = [
  { bias: false, gelu: false },
  { bias: true, gelu: false },
  { bias: false, gelu: true },
  { bias: true, gelu: true },
];

describe('matmul forward (GPU vs float64)', () => {
  for (const naive of [false, true]) {
    for (const v of VARIANTS) {
      it(`${naive ? 'naive' : 'tiled'}${v.bias ? ' +bias' : ''}${v.gelu ? ' +gelu' : ''} on non-multiple shapes`, async () => {
        for (const s of ODD) {
          const e = await forward({ ...s, bias: v.bias, opts: { gelu: v.gelu, naive } });
          expect(e.out).toBeLessThan(FWD_BOUND);
          expect(e.pre).toBeLessThan(FWD_BOUND);
        }
      });
    }
  }

  it('other tile sizes (override constants) give the same result, incl. both profiles\' defaults', async () => {
    for (const tile of [
      DEFAULT_MATMUL_TILE,
      CPU_MATMUL_TILE,
      { BM: 32, BN: 16, BK: 8 },
      { BM: 16, BN: 32, BK: 4 },
    ]) {
      const e = await forward({ M: 70, K: 67, N: 131, bias: true, opts: { gelu: true, tile } });
      expect(e.out).toBeLessThan(FWD_BOUND);
    }
  });

  it('model shapes: QKV (M=256, K=128, N=384), FFN up + gelu (N=512), MLM decoder (N=4096)', async () => {
    expect((await forward({ M: 256, K: 128, N: 384, bias: true })).out).toBeLessThan(FWD_BOUND);
    expect((await forward({ M: 128, K: 128, N: 512, bias: true, opts: { gelu: true } })).out).toBeLessThan(FWD_BOUND);
    expect((await forward({ M: 128, K: 512, N: 128, bias: true })).out).toBeLessThan(FWD_BOUND);
    expect((await forward({ M: 64, K: 128, N: 4096, bias: true })).out).toBeLessThan(FWD_BOUND);
  });
});

describe('matmul backward (GPU vs float64, accumulating)', () => {
  for (const naive of [false, true]) {
    for (const v of VARIANTS) {
      it(`${naive ? 'naive' : 'tiled'}${v.bias ? ' +dbias' : ''}${v.gelu ? ' +gelu' : ''} on non-multiple shapes`, async () => {
        for (const s of ODD) expectBackward(await backward({ ...s, bias: v.bias, opts: { gelu: v.gelu, naive } }));
      });
    }
  }

  it('adds on every call: two backward passes into pre-filled grads add twice', async () => {
    expectBackward(await backward({ M: 70, K: 67, N: 131, bias: true, opts: { gelu: true } }, 2));
    expectBackward(await backward({ M: 70, K: 67, N: 131, bias: true, opts: { gelu: true, naive: true } }, 2));
  });

  it('without io.dinp leaves dinp alone and still produces dweight and dbias', async () => {
    expectBackward(await backward({ M: 37, K: 19, N: 53, bias: true }, 1, false));
  });

  it('other tile sizes give the same gradients, incl. both profiles\' defaults', async () => {
    for (const tile of [DEFAULT_MATMUL_TILE, CPU_MATMUL_TILE, { BM: 32, BN: 16, BK: 8 }]) {
      expectBackward(await backward({ M: 70, K: 67, N: 131, bias: true, opts: { gelu: true, tile } }));
    }
  });

  it('model shapes: QKV (M=256, K=128, N=384), FFN up + gelu (N=512), MLM decoder (N=4096)', async () => {
    expectBackward(await backward({ M: 256, K: 128, N: 384, bias: true }));
    expectBackward(await backward({ M: 128, K: 128, N: 512, bias: true, opts: { gelu: true } }));
    expectBackward(await backward({ M: 64, K: 128, N: 4096, bias: true }));
  });
});

// Every variant the tuner may choose, on shapes that are multiples of no tile: the second spans
// two column tiles even of the 128-wide ones, and its K (67) and M (70) end mid K-step in the
// forward and the dweight product. Forward with bias + GELU, backward with dbias.
describe('matmul tuner variants (GPU vs float64)', () => {
  for (const v of MATMUL_VARIANTS) {
    it(`${v.id} (${v.tile.BM}×${v.tile.BN}/${v.tile.BK}, ${v.tile.TM}×${v.tile.TN} per thread): forward and backward`, async () => {
      for (const s of ODD) {
        const e = await forward({ ...s, bias: true, opts: { gelu: true, tile: v.tile } });
        expect(e.out).toBeLessThan(FWD_BOUND);
        expect(e.pre).toBeLessThan(FWD_BOUND);
        expectBackward(await backward({ ...s, bias: true, opts: { tile: v.tile } }));
      }
    });
  }
});

describe('matmul launcher checks', () => {
  it('names the op and tensor when a size does not fit the shape', async () => {
    const ctx = await context();
    const arena = Arena.build(ctx.gpu, new ArenaPlan().add('t', 'x', [4, 3]).add('t', 'w', [5, 3]).add('t', 'y', [4, 6]).add('t', 'p', [4, 5]));
    const io = { inp: arena.get('x'), weight: arena.get('w'), out: arena.get('y') };
    await expect(prepareMatmulForward(ctx, io, { M: 4, K: 3, N: 5 })).rejects.toThrow(/matmul forward: out \(y\) has 24 elements/);
    await expect(prepareMatmulForward(ctx, { ...io, out: arena.get('p') }, { M: 4, K: 3, N: 5 }, { gelu: true })).rejects.toThrow(/io\.pre/);
    await expect(prepareMatmulForward(ctx, { ...io, out: arena.get('p') }, { M: 4, K: 3, N: 5 }, { tile: { BM: 64, BN: 8, BK: 16 } })).rejects.toThrow(/BN must be/);
    await expect(prepareMatmulForward(ctx, { ...io, out: arena.get('p') }, { M: 4, K: 3, N: 5 }, { tile: { BM: 64, BN: 64, BK: 8, TN: 6 } })).rejects.toThrow(/TN of 4/);
    arena.destroy();
  });
});
