// Launchers for shaders/layernorm.wgsl (tiled), shaders/layernorm_simple.wgsl (barrier-free) and
// shaders/layernorm_subgroup.wgsl (subgroup reductions): row-wise LayerNorm over C (R = B·T rows),
// forward (plain or fused with the post-LN residual add) and backward. The variant is picked when
// the op is prepared: the tuner's choice for the shape (ctx.choices, keys "layernorm fwd RxC" and
// "layernorm bwd RxC"; layernorm-tune.ts), else the adapter's kernel profile (src/gpu/device.ts):
// 'tiled' on real GPUs, 'simple' on CPU implementations of WebGPU.
// Not here: choosing eps (the config does), zeroing grads (the training step does, once).
import type { DType, TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { chooseVariant, grid1d, subgroupWorkgroup, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

/**
 * 'tiled': one workgroup per row, tree reductions with barriers (layernorm.wgsl), for GPUs.
 * 'simple': one thread per row (and per column for dweight/dbias), no barriers
 * (layernorm_simple.wgsl): on SwiftShader each barrier costs a context switch per invocation.
 * 'subgroup': one subgroup per row, sums by subgroupAdd, no barriers and no workgroup memory
 * (layernorm_subgroup.wgsl); only where the device has the `subgroups` feature.
 */
export const LAYERNORM_VARIANTS = ['tiled', 'simple', 'subgroup'] as const;
export type LayernormVariant = (typeof LAYERNORM_VARIANTS)[number];
/** wg: threads per row, 'tiled' only. variant: by default the tuner's choice, else 'simple' when ctx.gpu.profile is 'cpu', else 'tiled'. */
export type LayernormOpts = { wg?: number; variant?: LayernormVariant };
export type PreparedLayernorm = PreparedOp & { variant: LayernormVariant };

/** The shader file of each variant. */
export const LAYERNORM_SHADERS: Record<LayernormVariant, string> = { tiled: 'layernorm.wgsl', simple: 'layernorm_simple.wgsl', subgroup: 'layernorm_subgroup.wgsl' };

/** What the tuner keys a LayerNorm by: pass ('fwd' covers the residual form too) and shape. */
export const layernormKey = (pass: 'fwd' | 'bwd', shape: { R: number; C: number }): string => `layernorm ${pass} ${shape.R}x${shape.C}`;

export function parseLayernormKey(key: string): { pass: 'fwd' | 'bwd'; R: number; C: number } | null {
  const m = /^layernorm (fwd|bwd) (\d+)x(\d+)$/.exec(key);
  return m ? { pass: m[1] as 'fwd' | 'bwd', R: Number(m[2]), C: Number(m[3]) } : null;
}

/** The variant used untuned on this device. */
export const defaultLayernormVariant = (ctx: OpContext): LayernormVariant => (ctx.gpu.profile === 'cpu' ? 'simple' : 'tiled');

/** The variants this device can run. */
export const layernormVariantsOn = (ctx: OpContext): LayernormVariant[] => LAYERNORM_VARIANTS.filter((v) => v !== 'subgroup' || ctx.gpu.subgroups !== null);


/** Threads per workgroup of layernorm_simple.wgsl (one row or column each). */
const SIMPLE_WG = 64;

/** Rows one backward workgroup walks; sets the row count of the dweight/dbias partials. */
const ROWS_PER_GROUP = 16;
/** Rows one forward workgroup of 'subgroup' normalizes (its subgroups share them out). */
const SUBGROUP_RPG = 16;
/**
 * Threads per row: the next power of two ≥ C, between 32 (a warp) and 128 (C = 128..256 then
 * takes one or two strides). Fixed per C, so the reduction order, and the result, is too.
 */
function defaultWg(C: number): number {
  return Math.min(128, Math.max(32, 2 ** Math.ceil(Math.log2(C))));
}

function check(op: string, name: string, r: TensorRange, numel: number): void {
  if (r.numel !== numel) throw new Error(`${op}: ${name} (${r.name}) has ${r.numel} elements, expected ${numel}`);
}

function params(shape: { R: number; C: number }, eps = 0): Uint32Array {
  return uniformBlock([
    ['u32', shape.R],
    ['u32', shape.C],
    ['f32', eps],
    ['u32', ROWS_PER_GROUP],
  ]);
}

/**
 * inp (R,C), weight (C), bias (C) → out (R,C) = (inp − mean)·rstd·weight + bias; mean (R) and
 * rstd (R) are kept for the backward. With io.residual, inp is an output: inp = a + b (both (R,C))
 * is computed and stored in the same pass (post-LN residual stream).
 */
export async function prepareLayernormForward(
  ctx: OpContext,
  io: { inp: TensorRange; weight: TensorRange; bias: TensorRange; out: TensorRange; mean: TensorRange; rstd: TensorRange; residual?: { a: TensorRange; b: TensorRange } },
  shape: { R: number; C: number },
  opts: LayernormOpts & { eps: number },
): Promise<PreparedLayernorm> {
  const { R, C } = shape;
  const op = 'layernorm forward';
  for (const [n, r] of [['inp', io.inp], ['out', io.out]] as const) check(op, n, r, R * C);
  for (const [n, r] of [['weight', io.weight], ['bias', io.bias]] as const) check(op, n, r, C);
  for (const [n, r] of [['mean', io.mean], ['rstd', io.rstd]] as const) check(op, n, r, R);
  if (io.residual) for (const [n, r] of [['residual.a', io.residual.a], ['residual.b', io.residual.b]] as const) check(op, n, r, R * C);
  if (!(opts.eps >= 0)) throw new Error(`${op}: eps must be ≥ 0, got ${opts.eps}`);
  const key = layernormKey('fwd', shape);
  const variant = chooseVariant(ctx, key, LAYERNORM_VARIANTS, opts.variant, defaultLayernormVariant(ctx));
  const residual = io.residual;
  const entry = residual ? 'layernorm_forward_residual' : 'layernorm_forward';
  const kernel = await ctx.cache.kernel({
    shader: shader(LAYERNORM_SHADERS[variant]),
    entry: variant === 'tiled' ? entry : `${entry}_${variant}`,
    bindings: [...Array<'storage'>(6).fill('storage'), 'uniform', ...(residual ? (['storage', 'storage'] as const) : [])],
    constants: variant === 'tiled' ? { WG: opts.wg ?? defaultWg(C) } : variant === 'subgroup' ? { WG: subgroupWorkgroup(ctx, key), RPG: SUBGROUP_RPG } : {},
  });
  const uni = ctx.uniforms.alloc(params(shape, opts.eps), `layernorm:${io.out.name}`);
  const ranges = [io.inp, io.weight, io.bias, io.out, io.mean, io.rstd, uni, ...(residual ? [residual.a, residual.b] : [])];
  const group = bindGroup(ctx.gpu, kernel, ranges);
  // 'tiled': a workgroup per row; 'simple': a thread per row; 'subgroup': SUBGROUP_RPG rows per workgroup.
  const groups = { tiled: R, simple: Math.ceil(R / SIMPLE_WG), subgroup: Math.ceil(R / SUBGROUP_RPG) }[variant];
  const [gx, gy] = grid1d(groups, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { variant, record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `layernorm ${io.out.name}`) };
}

/**
 * Scratch of the backward: per-block column partials of dweight and dbias, (⌈R/16⌉, C) each.
 * The same for both variants (the model plans it once); 'simple' checks but does not use it.
 */
export function layernormBackwardScratch(shape: { R: number; C: number }): { name: string; shape: number[]; dtype: DType }[] {
  const blocks = Math.ceil(shape.R / ROWS_PER_GROUP);
  return [
    { name: 'ln.dweight_partial', shape: [blocks, shape.C], dtype: 'f32' },
    { name: 'ln.dbias_partial', shape: [blocks, shape.C], dtype: 'f32' },
  ];
}

/**
 * Differentiates  out = (inp − mean)·rstd·weight + bias : dout (R,C) → dinp (R,C) +=,
 * dweight (C) +=, dbias (C) +=. Deterministic: 'tiled' and 'subgroup' sum per-block partials, then
 * add the blocks in order; 'simple' has one thread per column sum all rows in a fixed order.
 */
export async function prepareLayernormBackward(
  ctx: OpContext,
  io: { inp: TensorRange; weight: TensorRange; mean: TensorRange; rstd: TensorRange; dout: TensorRange; dinp: TensorRange; dweight: TensorRange; dbias: TensorRange; scratch: TensorRange[] },
  shape: { R: number; C: number },
  opts: LayernormOpts = {},
): Promise<PreparedLayernorm> {
  const { R, C } = shape;
  const op = 'layernorm backward';
  for (const [n, r] of [['inp', io.inp], ['dout', io.dout], ['dinp', io.dinp]] as const) check(op, n, r, R * C);
  for (const [n, r] of [['weight', io.weight], ['dweight', io.dweight], ['dbias', io.dbias]] as const) check(op, n, r, C);
  for (const [n, r] of [['mean', io.mean], ['rstd', io.rstd]] as const) check(op, n, r, R);
  const want = layernormBackwardScratch(shape);
  if (io.scratch.length !== want.length) throw new Error(`${op}: expects ${want.length} scratch tensors (${want.map((s) => s.name).join(', ')}), got ${io.scratch.length}`);
  want.forEach((s, i) => check(op, `scratch ${s.name}`, io.scratch[i]!, s.shape[0]! * s.shape[1]!));
  const [dwPart, dbPart] = io.scratch as [TensorRange, TensorRange];
  const key = layernormKey('bwd', shape);
  const variant = chooseVariant(ctx, key, LAYERNORM_VARIANTS, opts.variant, defaultLayernormVariant(ctx));
  if (variant === 'simple') return simpleBackward(ctx, io, shape);
  const wg = opts.wg ?? defaultWg(C);
  const [rows, cols] = await Promise.all([
    ctx.cache.kernel(
      variant === 'subgroup'
        ? { shader: shader('layernorm_subgroup.wgsl'), entry: 'layernorm_backward_subgroup', bindings: [...Array<'storage'>(8).fill('storage'), 'uniform'], constants: { WG: subgroupWorkgroup(ctx, key), ROWS: ROWS_PER_GROUP } }
        : { shader: shader('layernorm.wgsl'), entry: 'layernorm_backward', bindings: [...Array<'storage'>(8).fill('storage'), 'uniform'], constants: { WG: wg, MAXC: C } },
    ),
    ctx.cache.kernel({
      shader: shader('layernorm.wgsl'),
      entry: 'layernorm_backward_params',
      bindings: ['storage', 'storage', 'storage', 'storage', 'uniform'],
      constants: { WG: wg },
    }),
  ]);
  const uni = ctx.uniforms.alloc(params(shape), `layernorm-bwd:${io.dinp.name}`);
  const rowsGroup = bindGroup(ctx.gpu, rows, [io.inp, io.weight, io.mean, io.rstd, io.dout, io.dinp, dwPart, dbPart, uni]);
  const colsGroup = bindGroup(ctx.gpu, cols, [dwPart, dbPart, io.dweight, io.dbias, uni]);
  const [gx, gy] = grid1d(Math.ceil(R / ROWS_PER_GROUP), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    variant,
    record(enc) {
      enc.dispatch(rows, rowsGroup, gx, gy, 1, `layernorm-bwd ${io.dinp.name}`);
      enc.dispatch(cols, colsGroup, Math.ceil(C / wg), 1, 1, `layernorm-bwd-params ${io.dweight.name}`);
    },
  };
}

/** The 'simple' backward: a thread per row for dinp, then a thread per column for dweight, dbias. */
async function simpleBackward(
  ctx: OpContext,
  io: { inp: TensorRange; weight: TensorRange; mean: TensorRange; rstd: TensorRange; dout: TensorRange; dinp: TensorRange; dweight: TensorRange; dbias: TensorRange },
  shape: { R: number; C: number },
): Promise<PreparedLayernorm> {
  const { R, C } = shape;
  const [rows, cols] = await Promise.all(
    ['layernorm_backward_simple', 'layernorm_backward_params_simple'].map((entry) =>
      ctx.cache.kernel({ shader: shader('layernorm_simple.wgsl'), entry, bindings: [...Array<'storage'>(8).fill('storage'), 'uniform'] }),
    ),
  );
  const uni = ctx.uniforms.alloc(params(shape), `layernorm-bwd:${io.dinp.name}`);
  const ranges = [io.inp, io.weight, io.mean, io.rstd, io.dout, io.dinp, io.dweight, io.dbias, uni];
  const rowsGroup = bindGroup(ctx.gpu, rows!, ranges);
  const colsGroup = bindGroup(ctx.gpu, cols!, ranges);
  const max = ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const [rx, ry] = grid1d(Math.ceil(R / SIMPLE_WG), max);
  const [cx, cy] = grid1d(Math.ceil(C / SIMPLE_WG), max);
  return {
    variant: 'simple',
    record(enc) {
      enc.dispatch(rows!, rowsGroup, rx, ry, 1, `layernorm-bwd ${io.dinp.name}`);
      enc.dispatch(cols!, colsGroup, cx, cy, 1, `layernorm-bwd-params ${io.dweight.name}`);
    },
  };
}
