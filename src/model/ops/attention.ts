// Launchers for shaders/attention.wgsl (tiled) and shaders/attention_simple.wgsl (barrier-free):
// bidirectional multi-head self-attention with a key padding mask. Forward: scores+softmax →
// probs (kept: the UI shows them, the backward uses them), then out = probs·V. Backward: dscores,
// then dQ, dK, dV. The variant is picked when the op is prepared, by the adapter's kernel profile
// (src/gpu/device.ts): 'tiled' on real GPUs, 'simple' on CPU implementations of WebGPU.
// Not here: the QKV and output projections (matmul ops), dropout, causal masking.
import type { DType, TensorRange } from '../../gpu/arena.ts';
import { bindGroup, type BufferRange, type Kernel } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { chooseVariant, grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export type AttentionShape = { B: number; T: number; C: number; NH: number };
/**
 * 'tiled': workgroup tiles of 16 queries × 16 keys and barriers (attention.wgsl), for GPUs;
 * 'tiled-8x32': the same kernels on tiles of 8 queries × 32 keys (fewer passes over K and V
 * for long sequences). 'simple': one thread per query (and per key in the backward), no barriers
 * (attention_simple.wgsl): on SwiftShader each barrier costs a context switch per invocation, so
 * this is ~15× faster there at the CI shapes.
 */
export const ATTENTION_VARIANTS = ['tiled', 'tiled-8x32', 'simple'] as const;
export type AttentionVariant = (typeof ATTENTION_VARIANTS)[number];
const TILES: Record<Exclude<AttentionVariant, 'simple'>, { bq: number; bk: number }> = { tiled: { bq: 16, bk: 16 }, 'tiled-8x32': { bq: 8, bk: 32 } };
/**
 * bq: rows per workgroup; bk: keys per tile (power of two) — both tiled variants only, and
 * overriding the variant's tile. variant: by default the tuner's choice, else 'simple' when
 * ctx.gpu.profile is 'cpu', else 'tiled'. simple: true is the older spelling of variant: 'simple'.
 */
export type AttentionOpts = { bq?: number; bk?: number; variant?: AttentionVariant; simple?: boolean };
export type PreparedAttention = PreparedOp & { variant: AttentionVariant };

/** What the tuner keys attention by: pass and shape. */
export const attentionKey = (pass: 'fwd' | 'bwd', s: AttentionShape): string => `attention ${pass} ${s.B}x${s.T}x${s.C}x${s.NH}`;
export function parseAttentionKey(key: string): { pass: 'fwd' | 'bwd'; shape: AttentionShape } | null {
  const m = /^attention (fwd|bwd) (\d+)x(\d+)x(\d+)x(\d+)$/.exec(key);
  return m ? { pass: m[1] as 'fwd' | 'bwd', shape: { B: Number(m[2]), T: Number(m[3]), C: Number(m[4]), NH: Number(m[5]) } } : null;
}
/** The variant used untuned on this device. */
export const defaultAttentionVariant = (ctx: OpContext): AttentionVariant => (ctx.gpu.profile === 'cpu' ? 'simple' : 'tiled');

function pickVariant(ctx: OpContext, opts: AttentionOpts, key: string): AttentionVariant {
  return chooseVariant(ctx, key, ATTENTION_VARIANTS, opts.variant ?? (opts.simple ? 'simple' : undefined), defaultAttentionVariant(ctx));
}

function check(op: string, name: string, r: TensorRange, numel: number, dtype: DType = 'f32'): void {
  if (r.numel !== numel) throw new Error(`${op}: ${name} (${r.name}) has ${r.numel} elements, expected ${numel}`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${name} (${r.name}) is ${r.dtype}, expected ${dtype}`);
}

function headSize(op: string, { C, NH }: AttentionShape): number {
  if (!Number.isInteger(C / NH)) throw new Error(`${op}: C=${C} is not a multiple of NH=${NH}`);
  return C / NH;
}

/**
 * Tile sizes: the variant's, unless opts give their own. 16×16 = 256 threads, the WebGPU default
 * maximum; the workgroup memory is (BQ + BK)·(HS + 1) floats of tiles plus 3·BQ·BK of W tile and
 * reductions, about 10 KiB at HS = 64 and 19 KiB at HS = 128 (16×16). BQ is halved until it fits
 * the device's limit.
 */
function pickTiles(ctx: OpContext, op: string, HS: number, opts: AttentionOpts, variant: Exclude<AttentionVariant, 'simple'>): { BQ: number; BK: number } {
  const { maxComputeWorkgroupStorageSize: maxBytes, maxComputeInvocationsPerWorkgroup: maxThreads } = ctx.gpu.device.limits;
  const BK = opts.bk ?? TILES[variant].bk;
  let BQ = opts.bq ?? TILES[variant].bq;
  if (BK & (BK - 1)) throw new Error(`${op}: bk=${BK} must be a power of two`);
  const bytes = () => ((BQ + BK) * (HS + 1) + 3 * BQ * BK) * 4;
  while (opts.bq === undefined && BQ > 1 && (bytes() > maxBytes || BQ * BK > maxThreads)) BQ /= 2;
  if (bytes() > maxBytes || BQ * BK > maxThreads) {
    throw new Error(`${op}: tiles BQ=${BQ} BK=${BK} at HS=${HS} need ${bytes()} bytes / ${BQ * BK} threads; this GPU allows ${maxBytes} / ${maxThreads}`);
  }
  return { BQ, BK };
}

interface Step {
  kernel: Kernel;
  group: GPUBindGroup;
  x: number;
  y: number;
  label: string;
}

function uniforms(shape: AttentionShape, BQ: number, f: Partial<Record<'scale' | 'x_stride' | 'x_off' | 'y_stride' | 'y_off' | 'transpose' | 'accumulate', number>>): Uint32Array {
  return uniformBlock([
    ['u32', shape.B],
    ['u32', shape.T],
    ['u32', shape.C],
    ['u32', shape.NH],
    ['f32', f.scale ?? 1],
    ['u32', Math.ceil(shape.T / BQ)],
    ['u32', f.x_stride ?? 0],
    ['u32', f.x_off ?? 0],
    ['u32', f.y_stride ?? 0],
    ['u32', f.y_off ?? 0],
    ['u32', f.transpose ?? 0],
    ['u32', f.accumulate ?? 0],
  ]);
}

/** Builds one dispatch of `entry` over `ranges` (after the uniform block), on the tiled grid. */
async function step(ctx: OpContext, entry: string, consts: { HS: number; BQ: number; BK: number }, shape: AttentionShape, u: Uint32Array, ranges: TensorRange[], label: string): Promise<Step> {
  const kernel = await ctx.cache.kernel({
    shader: shader('attention.wgsl'),
    entry,
    bindings: ['uniform', ...ranges.map(() => 'storage' as const)],
    constants: consts,
  });
  const group = bindGroup(ctx.gpu, kernel, [ctx.uniforms.alloc(u, label), ...ranges]);
  const groups = shape.B * shape.NH * Math.ceil(shape.T / consts.BQ);
  const [x, y] = grid1d(groups, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { kernel, group, x, y, label };
}

/** One dispatch of attention_simple.wgsl's `entry`: one thread per (b, h, t), 64 per workgroup. */
async function simpleStep(ctx: OpContext, entry: string, shape: AttentionShape, uni: BufferRange, ranges: TensorRange[], label: string): Promise<Step> {
  const kernel = await ctx.cache.kernel({
    shader: shader('attention_simple.wgsl'),
    entry,
    bindings: ['uniform', ...ranges.map(() => 'storage' as const)],
    constants: { HS: shape.C / shape.NH },
  });
  const group = bindGroup(ctx.gpu, kernel, [uni, ...ranges]);
  const [x, y] = grid1d(Math.ceil((shape.B * shape.NH * shape.T) / 64), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { kernel, group, x, y, label };
}

function recordAll(variant: AttentionVariant, steps: Step[]): PreparedAttention {
  return { variant, record: (enc) => steps.forEach((s) => enc.dispatch(s.kernel, s.group, s.x, s.y, 1, s.label)) };
}

/**
 * qkv (B,T,3C), mask (B,T) u32 → probs (B,NH,T,T) = softmax_keys(Q·Kᵀ/√HS) with padding keys at
 * exactly 0, out (B,T,C) = probs·V (heads concatenated). Both outputs are overwritten.
 */
export async function prepareAttentionForward(
  ctx: OpContext,
  io: { qkv: TensorRange; mask: TensorRange; probs: TensorRange; out: TensorRange },
  shape: AttentionShape,
  opts: AttentionOpts = {},
): Promise<PreparedAttention> {
  const op = 'attention forward';
  const { B, T, C, NH } = shape;
  const HS = headSize(op, shape);
  check(op, 'qkv', io.qkv, B * T * 3 * C);
  check(op, 'mask', io.mask, B * T, 'u32');
  check(op, 'probs', io.probs, B * NH * T * T);
  check(op, 'out', io.out, B * T * C);
  const scale = 1 / Math.sqrt(HS);
  const variant = pickVariant(ctx, opts, attentionKey('fwd', shape));
  if (variant === 'simple') {
    const uni = ctx.uniforms.alloc(uniforms(shape, 1, { scale }), `attention-simple ${io.out.name}`);
    return recordAll(variant, [await simpleStep(ctx, 'attention_forward_simple', shape, uni, [io.qkv, io.mask, io.probs, io.out], `attention-simple ${io.out.name}`)]);
  }
  const consts = { HS, ...pickTiles(ctx, op, HS, opts, variant) };
  return recordAll(variant, [
    await step(ctx, 'attention_scores', consts, shape, uniforms(shape, consts.BQ, { scale }), [io.qkv, io.mask, io.probs], `attention-scores ${io.probs.name}`),
    // out = P·V: V rows are qkv's channels [2C, 3C).
    await step(ctx, 'attention_apply', consts, shape, uniforms(shape, consts.BQ, { x_stride: 3 * C, x_off: 2 * C, y_stride: C }), [io.probs, io.qkv, io.out], `attention-pv ${io.out.name}`),
  ]);
}

/** Scratch of the backward (either variant): dS = ∂loss/∂(scaled scores), (B,NH,T,T). */
export function attentionBackwardScratch(shape: AttentionShape): { name: string; shape: number[]; dtype: DType }[] {
  return [{ name: 'attn.dscores', shape: [shape.B, shape.NH, shape.T, shape.T], dtype: 'f32' }];
}

/**
 * Differentiates  probs = softmax(Q·Kᵀ/√HS), out = probs·V : dout (B,T,C) → dqkv (B,T,3C) +=
 * (dQ, dK, dV), from the forward's qkv and probs. Padding keys get exactly zero dK and dV.
 * 'tiled': dscores, then dQ, dK, dV as three W·X products. 'simple': a per-query pass (dscores
 * and dQ), then a per-key pass (dK, dV).
 */
export async function prepareAttentionBackward(
  ctx: OpContext,
  io: { qkv: TensorRange; mask: TensorRange; probs: TensorRange; dout: TensorRange; dqkv: TensorRange; scratch: TensorRange[] },
  shape: AttentionShape,
  opts: AttentionOpts = {},
): Promise<PreparedAttention> {
  const op = 'attention backward';
  const { B, T, C, NH } = shape;
  const HS = headSize(op, shape);
  check(op, 'qkv', io.qkv, B * T * 3 * C);
  check(op, 'mask', io.mask, B * T, 'u32');
  check(op, 'probs', io.probs, B * NH * T * T);
  check(op, 'dout', io.dout, B * T * C);
  check(op, 'dqkv', io.dqkv, B * T * 3 * C);
  if (io.scratch.length !== 1) throw new Error(`${op}: expects 1 scratch tensor (attn.dscores), got ${io.scratch.length}`);
  const dscores = io.scratch[0]!;
  check(op, 'scratch attn.dscores', dscores, B * NH * T * T);
  const name = io.dqkv.name;
  const variant = pickVariant(ctx, opts, attentionKey('bwd', shape));
  if (variant === 'simple') {
    const uni = ctx.uniforms.alloc(uniforms(shape, 1, { scale: 1 / Math.sqrt(HS) }), `attention-bwd-simple ${name}`);
    const ranges = [io.qkv, io.mask, io.probs, io.dout, dscores, io.dqkv];
    return recordAll(variant, [
      await simpleStep(ctx, 'attention_backward_query_simple', shape, uni, ranges, `attention-bwd-query ${name}`),
      await simpleStep(ctx, 'attention_backward_key_simple', shape, uni, ranges, `attention-bwd-key ${name}`),
    ]);
  }
  const consts = { HS, ...pickTiles(ctx, op, HS, opts, variant) };
  const scale = 1 / Math.sqrt(HS);
  const u = (f: Parameters<typeof uniforms>[2]) => uniforms(shape, consts.BQ, { accumulate: 1, y_stride: 3 * C, ...f });
  return recordAll(variant, [
    await step(ctx, 'attention_dscores', consts, shape, u({}), [io.qkv, io.dout, io.probs, dscores], `attention-dscores ${name}`),
    // dQ = dS·K/√HS (K: qkv channels [C, 2C)) into dqkv channels [0, C).
    await step(ctx, 'attention_apply', consts, shape, u({ scale, x_stride: 3 * C, x_off: C, y_off: 0 }), [dscores, io.qkv, io.dqkv], `attention-dq ${name}`),
    // dK = dSᵀ·Q/√HS into channels [C, 2C).
    await step(ctx, 'attention_apply', consts, shape, u({ scale, x_stride: 3 * C, x_off: 0, y_off: C, transpose: 1 }), [dscores, io.qkv, io.dqkv], `attention-dk ${name}`),
    // dV = Pᵀ·dO into channels [2C, 3C).
    await step(ctx, 'attention_apply', consts, shape, u({ x_stride: C, x_off: 0, y_off: 2 * C, transpose: 1 }), [io.probs, io.dout, io.dqkv], `attention-dv ${name}`),
  ]);
}
