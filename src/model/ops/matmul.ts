// Launchers for shaders/matmul.wgsl: the linear layer inp (M,K), weight (N,K), bias (N)? →
// out (M,N) = inp · weightᵀ + bias (PyTorch layout), optionally with a fused GELU epilogue
// (pre = inp · weightᵀ + bias, out = gelu(pre)), and its backward. Every product is one dispatch
// of the register-tiled kernel (or of the naive reference kernel, opts.naive, for tests).
// What it does not do: batched/strided products (attention has its own op) or a GELU that does
// not follow a matmul (model/ops/gelu.ts).
import type { DType, TensorRange } from '../../gpu/arena.ts';
import type { StepEncoder } from '../../gpu/step-encoder.ts';
import { bindGroup, type BindingKind } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';
import { specialize } from '../../gpu/shaders.ts';
import { prepareGeluBackward } from './gelu.ts';
import { DEFAULT_MATMUL_VARIANT, matmulVariant } from './matmul-variants.ts';

export interface MatmulShape {
  M: number;
  K: number;
  N: number;
}

/**
 * Workgroup tile of the tiled kernels (WGSL overrides BM, BN, BK) and each thread's register
 * block TM×TN (consts set by specialize(); default 4×4; TN a multiple of 4).
 */
export interface MatmulTile {
  BM: number;
  BN: number;
  BK: number;
  TM?: number;
  TN?: number;
}

/** The two profiles' default tiles (matmul-variants.ts says why each). */
export const DEFAULT_MATMUL_TILE: Readonly<MatmulTile> = matmulVariant(DEFAULT_MATMUL_VARIANT.gpu).tile;
export const CPU_MATMUL_TILE: Readonly<MatmulTile> = matmulVariant(DEFAULT_MATMUL_VARIANT.cpu).tile;

export interface MatmulOptions {
  /** Fused GELU epilogue (forward) / dpre = dout ⊙ gelu'(pre) (backward). */
  gelu?: boolean;
  /** Tile of the tiled kernels; default: the tuner's choice for the product (ctx.choices), else the profile's default. */
  tile?: MatmulTile;
  /** Use the one-output-per-thread reference kernels instead (tests hold the tiled ones to them). */
  naive?: boolean;
}

type Epilogue = 'mm' | 'mm_bias' | 'mm_gelu' | 'mm_bias_gelu' | 'mm_rowsum';

/** C (rows,cols) (=|+=) op(A) (rows,inner) · op(B) (inner,cols), see the header of matmul.wgsl. */
interface Product {
  epilogue: Epilogue;
  a: TensorRange;
  b: TensorRange;
  c: TensorRange;
  /** Bindings 4.. of the epilogue: bias, pre or dbias. */
  extra: TensorRange[];
  rows: number;
  cols: number;
  inner: number;
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
}

const NAIVE_WG = 16; // naive_mm* are @workgroup_size(16, 16)

function check(op: string, what: string, r: TensorRange, numel: number, shape: string): void {
  if (r.numel !== numel) throw new Error(`${op}: ${what} (${r.name}) has ${r.numel} elements, expected ${shape} = ${numel}`);
  if (r.dtype !== 'f32') throw new Error(`${op}: ${what} (${r.name}) must be f32, is ${r.dtype}`);
}

function checkShape(op: string, s: MatmulShape): void {
  for (const k of ['M', 'K', 'N'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new Error(`${op}: ${k} = ${s[k]} must be a positive integer`);
  }
}

/** Why `t` cannot run on a device with these limits, or null when it can. */
export function matmulTileProblem(t: MatmulTile, lim: GPUSupportedLimits): string | null {
  const TM = t.TM ?? 4;
  const TN = t.TN ?? 4;
  const threads = (t.BM / TM) * (t.BN / TN);
  const shared = 4 * t.BK * (t.BM + 1 + t.BN + 1);
  return ![TM, TN, t.BK].every((v) => Number.isInteger(v) && v >= 1) || TN % 4 || t.BM % TM || t.BN % TN
    ? `BM must be a multiple of TM (${TM}), BN of TN (${TN}), TN of 4, and BK a positive integer`
    : threads < t.BM
      ? `BN must be ≥ ${TM * TN} so a workgroup has a thread per tile row (dbias row sums)`
      : threads > lim.maxComputeInvocationsPerWorkgroup || t.BN / TN > lim.maxComputeWorkgroupSizeX || t.BM / TM > lim.maxComputeWorkgroupSizeY
        ? `${threads} threads exceed this device's workgroup limits`
        : shared > lim.maxComputeWorkgroupStorageSize
          ? `${shared} bytes of workgroup memory exceed the device's ${lim.maxComputeWorkgroupStorageSize}`
          : null;
}

function checkTile(ctx: OpContext, t: MatmulTile): void {
  const why = matmulTileProblem(t, ctx.gpu.device.limits);
  if (why) throw new Error(`matmul: tile ${t.BM}×${t.BN}, K-step ${t.BK}, ${t.TM ?? 4}×${t.TN ?? 4} per thread: ${why}`);
}

/** One product C (rows,cols) = op(A) (rows,inner) · op(B) (inner,cols): what the tuner tunes. */
export interface MatmulProductShape {
  transA: boolean;
  transB: boolean;
  rows: number;
  inner: number;
  cols: number;
}

/** The tuner's name for a product: its transposes and (rows × inner × cols), e.g. "matmul NT 256x128x384". */
export function matmulProductKey(pr: MatmulProductShape): string {
  return `matmul ${pr.transA ? 'T' : 'N'}${pr.transB ? 'T' : 'N'} ${pr.rows}x${pr.inner}x${pr.cols}`;
}

/** The inverse of matmulProductKey; null for a key that is not a matmul product's. */
export function parseMatmulProductKey(key: string): MatmulProductShape | null {
  const m = /^matmul ([NT])([NT]) (\d+)x(\d+)x(\d+)$/.exec(key);
  if (!m) return null;
  return { transA: m[1] === 'T', transB: m[2] === 'T', rows: +m[3]!, inner: +m[4]!, cols: +m[5]! };
}

/** The tile for a product: opts.tile, else the tuner's choice (ctx.choices), else the profile's default. */
function tileFor(ctx: OpContext, pr: Product, opts: MatmulOptions): MatmulTile {
  if (opts.tile) return opts.tile;
  const key = matmulProductKey(pr);
  ctx.choices.note(key);
  return matmulVariant(ctx.choices.get(key) ?? DEFAULT_MATMUL_VARIANT[ctx.gpu.profile]).tile;
}

async function prepareProduct(ctx: OpContext, pr: Product, opts: MatmulOptions, label: string): Promise<(enc: StepEncoder) => void> {
  const naive = opts.naive ?? false;
  const tile = naive ? DEFAULT_MATMUL_TILE : tileFor(ctx, pr, opts);
  if (!naive) checkTile(ctx, tile);
  const block = { TM: tile.TM ?? 4, TN: tile.TN ?? 4 };
  const constants: Record<string, number> = { TRANS_A: +pr.transA, TRANS_B: +pr.transB };
  if (pr.epilogue === 'mm' || pr.epilogue === 'mm_rowsum') constants.ACCUMULATE = +pr.accumulate;
  if (!naive) Object.assign(constants, { BM: tile.BM, BN: tile.BN, BK: tile.BK });
  const bindings: BindingKind[] = ['storage', 'storage', 'storage', 'uniform', ...pr.extra.map((): BindingKind => 'storage')];
  const kernel = await ctx.cache.kernel({
    // 4×4 is the file as written; other blocks are their own module.
    shader: naive || (block.TM === 4 && block.TN === 4) ? shader('matmul.wgsl') : specialize(shader('matmul.wgsl'), block),
    entry: naive ? `naive_${pr.epilogue}` : pr.epilogue,
    bindings,
    constants,
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', pr.rows], ['u32', pr.cols], ['u32', pr.inner]]), label);
  const group = bindGroup(ctx.gpu, kernel, [pr.a, pr.b, pr.c, params, ...pr.extra]);
  const gx = Math.ceil(pr.cols / (naive ? NAIVE_WG : tile.BN));
  const gy = Math.ceil(pr.rows / (naive ? NAIVE_WG : tile.BM));
  const max = ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (gx > max || gy > max) throw new Error(`${label}: (${pr.rows}×${pr.cols}) needs ${gx}×${gy} workgroups, more than ${max} per dimension`);
  return (enc) => enc.dispatch(kernel, group, gx, gy, 1, label);
}

/** c (rows,cols) = op(a) · op(b) with no epilogue, overwriting c: the tuner's unit of work. */
export async function prepareMatmulProduct(
  ctx: OpContext,
  io: { a: TensorRange; b: TensorRange; c: TensorRange },
  pr: MatmulProductShape,
  opts: MatmulOptions = {},
): Promise<PreparedOp> {
  const op = 'matmul product';
  check(op, 'a', io.a, pr.rows * pr.inner, '(rows,inner)');
  check(op, 'b', io.b, pr.inner * pr.cols, '(inner,cols)');
  check(op, 'c', io.c, pr.rows * pr.cols, '(rows,cols)');
  const record = await prepareProduct(ctx, { ...pr, epilogue: 'mm', a: io.a, b: io.b, c: io.c, extra: [], accumulate: false }, opts, `matmul ${io.c.name}`);
  return { record };
}

/**
 * inp (M,K), weight (N,K), bias (N)? → out (M,N) = inp · weightᵀ + bias.
 * opts.gelu: pre (M,N) = inp · weightᵀ + bias and out = gelu(pre), in the same pass.
 * Overwrites out (and pre): a forward does not accumulate.
 */
export async function prepareMatmulForward(
  ctx: OpContext,
  io: { inp: TensorRange; weight: TensorRange; bias?: TensorRange; out: TensorRange; pre?: TensorRange },
  shape: MatmulShape,
  opts: MatmulOptions = {},
): Promise<PreparedOp> {
  const op = 'matmul forward';
  const { M, K, N } = shape;
  checkShape(op, shape);
  check(op, 'inp', io.inp, M * K, '(M,K)');
  check(op, 'weight', io.weight, N * K, '(N,K)');
  check(op, 'out', io.out, M * N, '(M,N)');
  if (io.bias) check(op, 'bias', io.bias, N, '(N)');
  const gelu = opts.gelu ?? false;
  if (gelu && !io.pre) throw new Error(`${op}: opts.gelu needs io.pre (M,N) to keep the pre-activation the backward reads`);
  if (gelu) check(op, 'pre', io.pre!, M * N, '(M,N)');
  const epilogue: Epilogue = gelu ? (io.bias ? 'mm_bias_gelu' : 'mm_gelu') : io.bias ? 'mm_bias' : 'mm';
  const extra = [...(io.bias ? [io.bias] : []), ...(gelu ? [io.pre!] : [])];
  const record = await prepareProduct(
    ctx,
    { epilogue, a: io.inp, b: io.weight, c: io.out, extra, rows: M, cols: N, inner: K, transA: false, transB: true, accumulate: false },
    opts,
    `matmul ${io.out.name}`,
  );
  return { record };
}

/**
 * Differentiates `out = inp · weightᵀ + bias` (with opts.gelu: `pre = inp · weightᵀ + bias;
 * out = gelu(pre)`), given dout (M,N), accumulating:
 *   dinp (M,K) += dpre · weight     (only if io.dinp: skip it for an input that needs no grad)
 *   dweight (N,K) += dpreᵀ · inp
 *   dbias (N) += Σ_m dpre           (only if io.dbias; same dispatch as dweight)
 * where dpre = dout, or with opts.gelu dpre = dout ⊙ gelu'(pre), written to the io.dpre scratch
 * (matmulBackwardScratch) by one elementwise pass first.
 */
export async function prepareMatmulBackward(
  ctx: OpContext,
  io: {
    inp: TensorRange;
    weight: TensorRange;
    dout: TensorRange;
    dinp?: TensorRange;
    dweight: TensorRange;
    dbias?: TensorRange;
    pre?: TensorRange;
    dpre?: TensorRange;
  },
  shape: MatmulShape,
  opts: MatmulOptions = {},
): Promise<PreparedOp> {
  const op = 'matmul backward';
  const { M, K, N } = shape;
  checkShape(op, shape);
  check(op, 'inp', io.inp, M * K, '(M,K)');
  check(op, 'weight', io.weight, N * K, '(N,K)');
  check(op, 'dout', io.dout, M * N, '(M,N)');
  check(op, 'dweight', io.dweight, N * K, '(N,K)');
  if (io.dinp) check(op, 'dinp', io.dinp, M * K, '(M,K)');
  if (io.dbias) check(op, 'dbias', io.dbias, N, '(N)');

  const steps: ((enc: StepEncoder) => void)[] = [];
  let dpre = io.dout;
  if (opts.gelu) {
    if (!io.pre || !io.dpre) throw new Error(`${op}: opts.gelu needs io.pre (M,N) from the forward and the io.dpre (M,N) scratch of matmulBackwardScratch`);
    check(op, 'pre', io.pre, M * N, '(M,N)');
    check(op, 'dpre', io.dpre, M * N, '(M,N)');
    const g = await prepareGeluBackward(ctx, { inp: io.pre, dout: io.dout, dinp: io.dpre }, { N: M * N }, { accumulate: false });
    steps.push((enc) => g.record(enc));
    dpre = io.dpre;
  }
  if (io.dinp) {
    steps.push(
      await prepareProduct(
        ctx,
        { epilogue: 'mm', a: dpre, b: io.weight, c: io.dinp, extra: [], rows: M, cols: K, inner: N, transA: false, transB: false, accumulate: true },
        opts,
        `matmul backward ${io.dinp.name}`,
      ),
    );
  }
  steps.push(
    await prepareProduct(
      ctx,
      {
        epilogue: io.dbias ? 'mm_rowsum' : 'mm',
        a: dpre,
        b: io.inp,
        c: io.dweight,
        extra: io.dbias ? [io.dbias] : [],
        rows: N,
        cols: K,
        inner: M,
        transA: true,
        transB: false,
        accumulate: true,
      },
      opts,
      `matmul backward ${io.dweight.name}`,
    ),
  );
  return {
    record(enc) {
      for (const s of steps) s(enc);
    },
  };
}

/** Scratch of prepareMatmulBackward: dpre (M,N) with opts.gelu, else none. */
export function matmulBackwardScratch(shape: MatmulShape, opts: { gelu?: boolean } = {}): { name: string; shape: number[]; dtype: DType }[] {
  return opts.gelu ? [{ name: 'dpre', shape: [shape.M, shape.N], dtype: 'f32' }] : [];
}
