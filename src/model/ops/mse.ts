// Launchers for shaders/mse.wgsl: MAE's reconstruction loss (mean squared error on the masked
// patches, optional norm_pix_loss targets), the per-patch losses the views show, and its gradient.
// Not here: patchify (patchify.ts), the decoder head that makes pred, the mask, averaging over steps.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import type { TensorSpec } from '../layout.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export interface MseShape {
  B: number;
  /** Patches per image. */
  L: number;
  /** Values per patch (p·p·Cimg). */
  PD: number;
}

// uniform, pred, target, mask, stats, count, losses | dpred, loss (forward only): see mse.wgsl.
const BINDINGS = ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage'] as const;

function check(op: string, r: TensorRange, want: number, what: string, dtype: 'f32' | 'u32' = 'f32'): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${r.name} must be ${dtype} (${what}), got ${r.dtype}`);
}

/**
 * Scratch of the MSE: per-patch target statistics (B,L,2) f32 (mean, 1/sqrt(var + eps)) and the
 * masked-patch count (1) f32. The forward writes both and the backward reads them, so they must
 * not be reused between the two (plan them like activations).
 */
export function mseScratch(shape: MseShape): TensorSpec[] {
  return [
    { name: 'mse.stats', shape: [shape.B, shape.L, 2], dtype: 'f32' },
    { name: 'mse.count', shape: [1], dtype: 'f32' },
  ];
}

function scratchOf(op: string, got: readonly TensorRange[], shape: MseShape): [TensorRange, TensorRange] {
  const want = mseScratch(shape);
  if (got.length !== want.length) throw new Error(`${op}: expects ${want.length} scratch tensors (${want.map((s) => s.name).join(', ')}), got ${got.length}`);
  want.forEach((s, i) => check(op, got[i]!, s.shape.reduce((a, b) => a * b, 1), `scratch ${s.name}`));
  return [got[0]!, got[1]!];
}

function checkShape(op: string, s: MseShape): void {
  if (![s.B, s.L, s.PD].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${op}: B, L, PD must be positive integers, got ${JSON.stringify(s)}`);
}

const groupsFor = (ctx: OpContext, n: number, wg: number) => grid1d(Math.ceil(n / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);

/** The shape and the ranges both directions read (pred, target, mask, the scratch); throws naming the op. */
function checkInputs(op: string, io: { pred: TensorRange; target: TensorRange; mask: TensorRange; scratch: TensorRange[] }, shape: MseShape) {
  checkShape(op, shape);
  const { B, L, PD } = shape;
  const R = B * L;
  check(op, io.pred, R * PD, 'pred (B,L,PD)');
  check(op, io.target, R * PD, 'target (B,L,PD)');
  check(op, io.mask, R, 'mask (B,L)', 'u32');
  const [stats, count] = scratchOf(op, io.scratch, shape);
  return { R, PD, stats, count };
}

/**
 * pred (B,L,PD), target (B,L,PD), mask (B,L) u32 (nonzero = masked) →
 * losses (B,L) = mean_d (pred − t')² for every patch (the error map; visible patches too),
 * loss (1) = Σ mask·losses / Σ mask (0 when nothing is masked), with t' = target, or with
 * normPixLoss t' = (t − mean_d t)/sqrt(var_d t + eps), var unbiased (MAE; eps defaults to 1e-6).
 * Overwrites losses, loss and the scratch. Two dispatches: one thread per patch, then one
 * workgroup for the masked sum and count (a fixed tree, so bit-reproducible).
 */
export async function prepareMseForward(
  ctx: OpContext,
  io: { pred: TensorRange; target: TensorRange; mask: TensorRange; losses: TensorRange; loss: TensorRange; scratch: TensorRange[] },
  shape: MseShape,
  opts: { normPixLoss: boolean; eps?: number; wg?: number },
): Promise<PreparedOp> {
  const op = 'mse forward';
  const { R, PD, stats, count } = checkInputs(op, io, shape);
  check(op, io.losses, R, 'losses (B,L)');
  check(op, io.loss, 1, 'loss (1)');
  const eps = opts.eps ?? 1e-6;
  if (opts.normPixLoss && PD < 2) throw new Error(`${op}: normPixLoss needs at least 2 values per patch (unbiased variance), got PD = ${PD}`);
  if (!(eps >= 0 && Number.isFinite(eps))) throw new Error(`${op}: eps must be a finite number ≥ 0, got ${eps}`);
  // One thread per patch (R is a few thousand): 64 per workgroup. The total is one workgroup, whose
  // barriers cost per invocation on a CPU adapter: 64 threads there.
  const rowWg = opts.wg ?? 64;
  const totalWg = ctx.gpu.profile === 'cpu' ? 64 : 256;
  const [rows, total] = await Promise.all([
    ctx.cache.kernel({ shader: shader('mse.wgsl'), entry: 'mse_rows', bindings: BINDINGS, constants: { WG: rowWg } }),
    ctx.cache.kernel({ shader: shader('mse.wgsl'), entry: 'mse_total', bindings: BINDINGS, constants: { WG: totalWg } }),
  ]);
  const params = ctx.uniforms.alloc(uniformBlock([['u32', R], ['u32', PD], ['u32', opts.normPixLoss ? 1 : 0], ['f32', eps]]), `mse:${io.loss.name}`);
  // Both entry points have the same bindings: one bind group serves both.
  const group = bindGroup(ctx.gpu, rows, [params, io.pred, io.target, io.mask, stats, count, io.losses, io.loss]);
  const [gx, gy] = groupsFor(ctx, R, rowWg);
  return {
    record: (enc) => {
      enc.dispatch(rows, group, gx, gy, 1, `mse-rows ${io.losses.name}`);
      enc.dispatch(total, group, 1, 1, 1, `mse-total ${io.loss.name}`);
    },
  };
}

/**
 * dpred (B,L,PD) = mask·2(pred − t')/(PD·Σ mask), the gradient of prepareMseForward's loss (0 when
 * nothing is masked). OVERWRITES dpred, as the other losses (crossentropy, bce) write their
 * gradient: a backward pass starts here. Reads the forward's scratch (t' statistics and the mask
 * count, which varies per batch), so it runs after that forward in the same step.
 */
export async function prepareMseBackward(
  ctx: OpContext,
  io: { pred: TensorRange; target: TensorRange; mask: TensorRange; dpred: TensorRange; scratch: TensorRange[] },
  shape: MseShape,
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const op = 'mse backward';
  const { R, PD, stats, count } = checkInputs(op, io, shape);
  check(op, io.dpred, R * PD, 'dpred (B,L,PD)');
  const wg = opts.wg ?? 256;
  const kernel = await ctx.cache.kernel({ shader: shader('mse.wgsl'), entry: 'mse_backward', bindings: BINDINGS.slice(0, 7), constants: { WG: wg } });
  // norm and eps are the forward's business: its stats already hold (mean, rstd) or (0, 1).
  const params = ctx.uniforms.alloc(uniformBlock([['u32', R], ['u32', PD], ['u32', 0], ['f32', 0]]), `mse_backward:${io.dpred.name}`);
  const group = bindGroup(ctx.gpu, kernel, [params, io.pred, io.target, io.mask, stats, count, io.dpred]);
  const [gx, gy] = groupsFor(ctx, R * PD, wg);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `mse-backward ${io.dpred.name}`) };
}
