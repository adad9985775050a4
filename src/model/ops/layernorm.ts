// Launchers for shaders/layernorm.wgsl: row-wise LayerNorm over C (R = B·T rows), forward (plain
// or fused with the post-LN residual add) and backward. Not here: choosing eps (the config does),
// zeroing grads (the training step does, once).
import type { DType, TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from './context.ts';

/** Rows one backward workgroup walks; sets the row count of the dweight/dbias partials. */
const ROWS_PER_GROUP = 16;
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
  opts: { eps: number; wg?: number },
): Promise<PreparedOp> {
  const { R, C } = shape;
  const op = 'layernorm forward';
  for (const [n, r] of [['inp', io.inp], ['out', io.out]] as const) check(op, n, r, R * C);
  for (const [n, r] of [['weight', io.weight], ['bias', io.bias]] as const) check(op, n, r, C);
  for (const [n, r] of [['mean', io.mean], ['rstd', io.rstd]] as const) check(op, n, r, R);
  if (io.residual) for (const [n, r] of [['residual.a', io.residual.a], ['residual.b', io.residual.b]] as const) check(op, n, r, R * C);
  if (!(opts.eps >= 0)) throw new Error(`${op}: eps must be ≥ 0, got ${opts.eps}`);
  const wg = opts.wg ?? defaultWg(C);
  const residual = io.residual;
  const kernel = await ctx.cache.kernel({
    shader: shader('layernorm.wgsl'),
    entry: residual ? 'layernorm_forward_residual' : 'layernorm_forward',
    bindings: [...Array<'storage'>(6).fill('storage'), 'uniform', ...(residual ? (['storage', 'storage'] as const) : [])],
    constants: { WG: wg },
  });
  const uni = ctx.uniforms.alloc(params(shape, opts.eps), `layernorm:${io.out.name}`);
  const ranges = [io.inp, io.weight, io.bias, io.out, io.mean, io.rstd, uni, ...(residual ? [residual.a, residual.b] : [])];
  const group = bindGroup(ctx.gpu, kernel, ranges);
  const [gx, gy] = grid1d(R, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `layernorm ${io.out.name}`) };
}

/** Scratch of the backward: per-block column partials of dweight and dbias, (⌈R/16⌉, C) each. */
export function layernormBackwardScratch(shape: { R: number; C: number }): { name: string; shape: number[]; dtype: DType }[] {
  const blocks = Math.ceil(shape.R / ROWS_PER_GROUP);
  return [
    { name: 'ln.dweight_partial', shape: [blocks, shape.C], dtype: 'f32' },
    { name: 'ln.dbias_partial', shape: [blocks, shape.C], dtype: 'f32' },
  ];
}

/**
 * Differentiates  out = (inp − mean)·rstd·weight + bias : dout (R,C) → dinp (R,C) +=,
 * dweight (C) +=, dbias (C) +=. Deterministic: per-block partials, then a fixed-order sum.
 */
export async function prepareLayernormBackward(
  ctx: OpContext,
  io: { inp: TensorRange; weight: TensorRange; mean: TensorRange; rstd: TensorRange; dout: TensorRange; dinp: TensorRange; dweight: TensorRange; dbias: TensorRange; scratch: TensorRange[] },
  shape: { R: number; C: number },
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const { R, C } = shape;
  const op = 'layernorm backward';
  for (const [n, r] of [['inp', io.inp], ['dout', io.dout], ['dinp', io.dinp]] as const) check(op, n, r, R * C);
  for (const [n, r] of [['weight', io.weight], ['dweight', io.dweight], ['dbias', io.dbias]] as const) check(op, n, r, C);
  for (const [n, r] of [['mean', io.mean], ['rstd', io.rstd]] as const) check(op, n, r, R);
  const want = layernormBackwardScratch(shape);
  if (io.scratch.length !== want.length) throw new Error(`${op}: expects ${want.length} scratch tensors (${want.map((s) => s.name).join(', ')}), got ${io.scratch.length}`);
  want.forEach((s, i) => check(op, `scratch ${s.name}`, io.scratch[i]!, s.shape[0]! * s.shape[1]!));
  const [dwPart, dbPart] = io.scratch as [TensorRange, TensorRange];
  const wg = opts.wg ?? defaultWg(C);
  const [rows, cols] = await Promise.all([
    ctx.cache.kernel({
      shader: shader('layernorm.wgsl'),
      entry: 'layernorm_backward',
      bindings: [...Array<'storage'>(8).fill('storage'), 'uniform'],
      constants: { WG: wg, MAXC: C },
    }),
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
    record(enc) {
      enc.dispatch(rows, rowsGroup, gx, gy, 1, `layernorm-bwd ${io.dinp.name}`);
      enc.dispatch(cols, colsGroup, Math.ceil(C / wg), 1, 1, `layernorm-bwd-params ${io.dweight.name}`);
    },
  };
}
