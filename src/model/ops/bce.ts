// Launchers for shaders/bce.wgsl: the ELECTRA discriminator's sigmoid BCE over the N = B·T
// tokens, its gradient (written over the logits), and the 8-float metrics block the loop reads.
// Not here: the discriminator head that makes the logits, the labels (replaced or not), or
// averaging over steps.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import type { TensorSpec } from '../layout.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

/** Length of the metrics block: [mean loss, accuracy, precision, recall, AUC, Σw, Σw·y, 0]. */
export const BCE_METRICS = 8;

// uniform, logits | metrics, labels, weights, losses, probs, wsum (bce_* only): see bce.wgsl.
const BINDINGS = ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage'] as const;

function check(op: string, r: TensorRange, want: number, what: string): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
  if (r.dtype !== 'f32') throw new Error(`${op}: ${r.name} must be f32 (${what}), got ${r.dtype}`);
}

/** Scratch of prepareBce: the Σw cell (1) f32 that its first dispatch writes and its second reads. */
export function bceScratch(_shape: { N: number }): TensorSpec[] {
  // One cell whatever N is; the shape is taken for the same call pattern as the other ops.
  return [{ name: 'bce.wsum', shape: [1], dtype: 'f32' }];
}

/**
 * Scratch of prepareBceMetrics: none (it works in workgroup memory). Declared anyway so the model
 * plans every op's scratch the same way, and a later multi-workgroup version can add some.
 */
export function bceMetricsScratch(_shape: { N: number }): TensorSpec[] {
  return [];
}

function checkScratch(op: string, got: readonly TensorRange[], want: TensorSpec[]): void {
  if (got.length !== want.length) throw new Error(`${op}: expects ${want.length} scratch tensors (${want.map((s) => s.name).join(', ') || 'none'}), got ${got.length}`);
  want.forEach((s, i) => check(op, got[i]!, s.shape.reduce((a, b) => a * b, 1), `scratch ${s.name}`));
}

/**
 * logits (N), labels (N) f32 0|1, weights (N) f32 (0 = padding, not counted) →
 * losses (N) = max(x,0) − x·y + log(1 + e^−|x|) (per token, unweighted), probs (N) = σ(x), and
 * IN PLACE logits ← dlogits = scale·(σ(x) − y)·w/Σw, the gradient of scale·Σw·loss/Σw (0 if Σw = 0).
 * scale is ELECTRA's λ (disc_weight). Two dispatches: Σw by one workgroup into scratch (a fixed
 * tree, so it is bit-reproducible), then one thread per token.
 */
export async function prepareBce(
  ctx: OpContext,
  io: { logits: TensorRange; labels: TensorRange; weights: TensorRange; losses: TensorRange; probs: TensorRange; scratch: TensorRange[] },
  shape: { N: number },
  opts: { scale: number; wg?: number },
): Promise<PreparedOp> {
  const op = 'bce';
  const { N } = shape;
  check(op, io.logits, N, 'logits (N)');
  check(op, io.labels, N, 'labels (N)');
  check(op, io.weights, N, 'weights (N)');
  check(op, io.losses, N, 'losses (N)');
  check(op, io.probs, N, 'probs (N)');
  checkScratch(op, io.scratch, bceScratch(shape));
  const [wsum] = io.scratch as [TensorRange];
  if (!Number.isFinite(opts.scale)) throw new Error(`${op}: scale must be a finite number (ELECTRA's disc_weight), got ${opts.scale}`);
  // Σw reads N weights with one workgroup: on a CPU adapter 64 threads, since barriers cost per invocation.
  const wg = opts.wg ?? (ctx.gpu.profile === 'cpu' ? 64 : 256);
  const kernel = (entry: string) => ctx.cache.kernel({ shader: shader('bce.wgsl'), entry, bindings: BINDINGS, constants: { WG: wg } });
  const [sum, elem] = await Promise.all([kernel('bce_wsum'), kernel('bce')]);
  const params = ctx.uniforms.alloc(uniformBlock([['u32', N], ['f32', opts.scale]]), `bce:${io.logits.name}`);
  // Both entry points have the same bindings, so they share one layout and one bind group.
  const group = bindGroup(ctx.gpu, sum, [params, io.logits, io.labels, io.weights, io.losses, io.probs, wsum]);
  const [gx, gy] = grid1d(Math.ceil(N / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    record: (enc) => {
      enc.dispatch(sum, group, 1, 1, 1, `bce-wsum ${io.logits.name}`);
      enc.dispatch(elem, group, gx, gy, 1, `bce ${io.logits.name}`);
    },
  };
}

/**
 * probs, labels, weights, losses (N) → metrics (8) f32 = [Σw·loss/Σw, Σw·[pred = y]/Σw,
 * precision Σw·y·pred/Σw·pred, recall Σw·y·pred/Σw·y, AUC, Σw, Σw·y, 0] with pred = [p ≥ ½];
 * ratios are 0 when their denominator is 0. AUC is over tokens with w > 0 (unweighted), from a
 * histogram of each token's logit recovered from its loss, `bins` bins over [−16, 16] (resolution
 * 32/bins = 1/64 by default; pairs within one bin count half), 0.5 without both classes.
 * Reads neither the logits nor the gradient, so it may run before or after prepareBce's in-place write.
 * One workgroup (it runs once per step).
 */
export async function prepareBceMetrics(
  ctx: OpContext,
  io: { probs: TensorRange; labels: TensorRange; weights: TensorRange; losses: TensorRange; metrics: TensorRange; scratch: TensorRange[] },
  shape: { N: number },
  opts: { wg?: number; bins?: number } = {},
): Promise<PreparedOp> {
  const op = 'bce metrics';
  const { N } = shape;
  check(op, io.probs, N, 'probs (N)');
  check(op, io.labels, N, 'labels (N)');
  check(op, io.weights, N, 'weights (N)');
  check(op, io.losses, N, 'losses (N)');
  check(op, io.metrics, BCE_METRICS, `metrics (${BCE_METRICS})`);
  checkScratch(op, io.scratch, bceMetricsScratch(shape));
  const wg = opts.wg ?? (ctx.gpu.profile === 'cpu' ? 64 : 256);
  const bins = opts.bins ?? 2048;
  const pow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
  if (!pow2(wg) || !pow2(bins) || bins < wg) throw new Error(`${op}: wg (${wg}) and bins (${bins}) must be powers of two with bins ≥ wg`);
  // Workgroup memory: histogram (bins u32), tree (wg vec4<f32>), scan (wg u32).
  const bytes = 4 * bins + 20 * wg;
  const limit = ctx.gpu.device.limits.maxComputeWorkgroupStorageSize;
  if (bytes > limit) throw new Error(`${op}: ${bins} bins and ${wg} threads need ${bytes} bytes of workgroup memory; this GPU has ${limit}. Use fewer bins.`);
  const kernel = await ctx.cache.kernel({ shader: shader('bce.wgsl'), entry: 'bce_metrics', bindings: BINDINGS.slice(0, 6), constants: { WG: wg, BINS: bins } });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', N], ['f32', 0]]), `bce_metrics:${io.metrics.name}`);
  const group = bindGroup(ctx.gpu, kernel, [params, io.metrics, io.labels, io.weights, io.losses, io.probs]);
  return { record: (enc) => enc.dispatch(kernel, group, 1, 1, 1, `bce-metrics ${io.metrics.name}`) };
}
