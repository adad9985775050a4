// Launchers for MAE's token bookkeeping around the encoder:
//   visible gather (before the encoder): x (B,L,C) → the K kept rows (B,K,C); this IS gather.wgsl
//     with (T, P) = (L, K), so these launchers only rename the shape and fix its weights to 1.
//   unshuffle (shaders/mae_tokens.wgsl, the decoder's input): enc (B,cls+K,C) + maskToken (C) →
//     full (B,cls+L,C), visible rows back at their patch positions, the mask token elsewhere.
// [CLS] (cls = 1): MAE keeps it at row 0 of both the encoder and the decoder sequence; here it is
// row 0 of enc and full, copied through, and keep never counts it. The gather runs on the patch
// tokens only (MAE prepends [CLS] after masking), so it has no cls flag.
// Not here: choosing keep (src/masking), position embeddings, or prepending [CLS].
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup, type BufferRange } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import type { TensorSpec } from '../layout.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';
import { prepareGatherBackward, prepareGatherForward } from './gather.ts';

export interface MaeTokenShape {
  B: number;
  /** Patches per image. */
  L: number;
  /** Visible (kept) patches per image, K ≤ L. */
  K: number;
  C: number;
  /** 1: a [CLS] row leads enc (B,1+K,C) and full (B,1+L,C) and is copied through; 0: none. */
  cls: 0 | 1;
}

const BINDINGS = ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage'] as const;

function check(op: string, r: TensorRange, want: number, what: string, dtype: 'f32' | 'u32' = 'f32'): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${r.name} must be ${dtype} (${what}), got ${r.dtype}`);
}

function checkShape(op: string, s: MaeTokenShape): void {
  const { B, L, K, C, cls } = s;
  if (![B, L, K, C].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${op}: B, L, K, C must be positive integers, got ${JSON.stringify(s)}`);
  if (K > L) throw new Error(`${op}: K (${K} kept patches) cannot exceed L (${L} patches)`);
  if (cls !== 0 && cls !== 1) throw new Error(`${op}: cls must be 0 or 1, got ${String(cls)}`);
}

/**
 * Scratch of the unshuffle: the slot table (B,L) u32, keep's inverse (k, or 0xffffffff for a
 * masked patch). The forward writes it and the backward reads it, so unlike most scratch it must
 * not be reused between the two (plan it like an activation).
 */
export function maeUnshuffleScratch(shape: MaeTokenShape): TensorSpec[] {
  return [{ name: 'mae.slot', shape: [shape.B, shape.L], dtype: 'u32' }];
}

function slotOf(op: string, scratch: readonly TensorRange[], shape: MaeTokenShape): TensorRange {
  if (scratch.length !== 1) throw new Error(`${op}: expects 1 scratch tensor (mae.slot (B,L) u32), got ${scratch.length}`);
  check(op, scratch[0]!, shape.B * shape.L, 'scratch mae.slot (B,L)', 'u32');
  return scratch[0]!;
}

function params(ctx: OpContext, s: MaeTokenShape, label: string): BufferRange {
  return ctx.uniforms.alloc(uniformBlock([['u32', s.B], ['u32', s.L], ['u32', s.K], ['u32', s.C], ['u32', s.cls]]), label);
}

const groupsFor = (ctx: OpContext, n: number, wg: number) => grid1d(Math.ceil(n / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);

/**
 * enc (B,cls+K,C), keep (B,K) u32 patch indices (distinct per image; ≥ L, e.g. 0xffffffff,
 * marks a padding slot of a mask whose visible count varies, and is skipped), maskToken (C) →
 * full (B,cls+L,C): full[b, cls+keep[b,k]] = enc[b, cls+k], row 0 = enc row 0 when cls, every
 * other row = maskToken. Overwrites full and the slot scratch. Two dispatches: fill, then scatter.
 */
export async function prepareMaeUnshuffleForward(
  ctx: OpContext,
  io: { enc: TensorRange; keep: TensorRange; maskToken: TensorRange; full: TensorRange; scratch: TensorRange[] },
  shape: MaeTokenShape,
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const op = 'mae unshuffle forward';
  checkShape(op, shape);
  const { B, L, K, C, cls } = shape;
  check(op, io.enc, B * (cls + K) * C, 'enc (B,cls+K,C)');
  check(op, io.keep, B * K, 'keep (B,K)', 'u32');
  check(op, io.maskToken, C, 'maskToken (C)');
  check(op, io.full, B * (cls + L) * C, 'full (B,cls+L,C)');
  const slot = slotOf(op, io.scratch, shape);
  const wg = opts.wg ?? 256;
  const kernel = (entry: string) => ctx.cache.kernel({ shader: shader('mae_tokens.wgsl'), entry, bindings: BINDINGS, constants: { WG: wg } });
  const [fill, scatter] = await Promise.all([kernel('mae_unshuffle_fill'), kernel('mae_unshuffle_scatter')]);
  // Same bindings for both entry points: one layout, one bind group.
  const group = bindGroup(ctx.gpu, fill, [params(ctx, shape, `mae_unshuffle:${io.full.name}`), io.enc, io.keep, io.maskToken, io.full, slot]);
  const [fx, fy] = groupsFor(ctx, B * (cls + L) * C, wg);
  const [sx, sy] = groupsFor(ctx, B * K * C, wg);
  return {
    record: (enc) => {
      enc.dispatch(fill, group, fx, fy, 1, `mae-unshuffle-fill ${io.full.name}`);
      enc.dispatch(scatter, group, sx, sy, 1, `mae-unshuffle-scatter ${io.full.name}`);
    },
  };
}

/**
 * dfull (B,cls+L,C), keep (B,K), slot scratch (from the forward) →
 * denc (B,cls+K,C) += dfull at the kept rows (and row 0 when cls), and
 * dmaskToken (C) += Σ over the masked rows of dfull, summed per channel in a fixed order
 * (rl row lanes per channel, then a tree), so it is bit-reproducible. Two dispatches.
 */
export async function prepareMaeUnshuffleBackward(
  ctx: OpContext,
  io: { dfull: TensorRange; keep: TensorRange; denc: TensorRange; dmaskToken: TensorRange; scratch: TensorRange[] },
  shape: MaeTokenShape,
  opts: { wg?: number; reduceWg?: number; rl?: number } = {},
): Promise<PreparedOp> {
  const op = 'mae unshuffle backward';
  checkShape(op, shape);
  const { B, L, K, C, cls } = shape;
  check(op, io.dfull, B * (cls + L) * C, 'dfull (B,cls+L,C)');
  check(op, io.keep, B * K, 'keep (B,K)', 'u32');
  check(op, io.denc, B * (cls + K) * C, 'denc (B,cls+K,C)');
  check(op, io.dmaskToken, C, 'dmaskToken (C)');
  const slot = slotOf(op, io.scratch, shape);
  const wg = opts.wg ?? 256;
  // The reduction's workgroup: barriers cost per invocation on a CPU adapter, so 64 threads there.
  const cpu = ctx.gpu.profile === 'cpu';
  const reduceWg = opts.reduceWg ?? (cpu ? 64 : 256);
  const rl = opts.rl ?? (cpu ? 8 : 16);
  const pow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
  if (!pow2(reduceWg) || !pow2(rl) || rl > reduceWg) throw new Error(`${op}: reduceWg (${reduceWg}) and rl (${rl}) must be powers of two with rl ≤ reduceWg`);
  const ct = reduceWg / rl; // channels per workgroup
  const [tokens, mask] = await Promise.all([
    ctx.cache.kernel({ shader: shader('mae_tokens.wgsl'), entry: 'mae_unshuffle_backward_tokens', bindings: BINDINGS, constants: { WG: wg } }),
    ctx.cache.kernel({ shader: shader('mae_tokens.wgsl'), entry: 'mae_unshuffle_backward_mask', bindings: BINDINGS, constants: { WG: reduceWg, RL: rl } }),
  ]);
  const ranges = [params(ctx, shape, `mae_unshuffle_backward:${io.denc.name}`), io.denc, io.keep, io.dmaskToken, io.dfull, slot];
  // Both entry points have the same bindings, so one bind group serves both.
  const group = bindGroup(ctx.gpu, tokens, ranges);
  const [tx, ty] = groupsFor(ctx, B * (cls + K) * C, wg);
  const mx = Math.ceil(C / ct);
  return {
    record: (enc) => {
      enc.dispatch(tokens, group, tx, ty, 1, `mae-unshuffle-backward-tokens ${io.denc.name}`);
      enc.dispatch(mask, group, mx, 1, 1, `mae-unshuffle-backward-mask ${io.dmaskToken.name}`);
    },
  };
}

/**
 * x (B,L,C), keep (B,K) u32 → out (B,K,C) = x[b, keep[b,k]]: the encoder's visible patches
 * (a padding slot, keep ≥ L, gets a row of 0s).
 * gather.wgsl's forward with T = L, P = K (out (B·K,C) is the same memory as (B,K,C)). Overwrites out.
 */
export function prepareVisibleGatherForward(
  ctx: OpContext,
  io: { x: TensorRange; keep: TensorRange; out: TensorRange },
  shape: { B: number; L: number; K: number; C: number },
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  return prepareGatherForward(ctx, { x: io.x, positions: io.keep, rows: io.out }, { B: shape.B, T: shape.L, P: shape.K, C: shape.C }, opts);
}

/**
 * dx (B,L,C) += dout (B,K,C) scattered to keep (distinct within an image, so no races; padding
 * slots, keep ≥ L, are skipped). gather.wgsl's backward, whose weights (B,K) f32 also flag
 * padding: MAE's keep needs no second flag, so `ones` is a (B,K) tensor of 1s written once per run.
 */
export function prepareVisibleGatherBackward(
  ctx: OpContext,
  io: { dout: TensorRange; keep: TensorRange; ones: TensorRange; dx: TensorRange },
  shape: { B: number; L: number; K: number; C: number },
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  return prepareGatherBackward(ctx, { drows: io.dout, positions: io.keep, weights: io.ones, dx: io.dx }, { B: shape.B, T: shape.L, P: shape.K, C: shape.C }, opts);
}
