// Launcher for shaders/pool.wgsl: segment mean pooling of hidden states into probe features
// (issue [H]), each with a constant 1 appended for the classifier's bias.
// Not here: the segments (src/data/probe-tasks.ts) or the classifier (src/model/probe-classifier.ts).
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

export interface PoolShape {
  /** Rows of x: tokens of the rows the encoder ran on (R·T). */
  N: number;
  C: number;
  /** Segments in the list and rows of out. */
  S: number;
  /** Feature width: C pooled columns, then D − C columns of 1. */
  D: number;
}

function expectNumel(r: TensorRange, want: number, what: string, dtype: 'f32' | 'u32'): void {
  if (r.numel !== want) throw new Error(`pool mean: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
  if (r.dtype !== dtype) throw new Error(`pool mean: ${r.name} must be ${dtype}, is ${r.dtype}`);
}

/**
 * x (N, C), segments (S,2) u32 [first row of x, length] → out rows first..first+count−1 of (S, D):
 * the mean of the segment's rows, then 1s. Segments must lie inside x (the caller's invariant:
 * they are the runs of tokens of the rows now in x). Overwrites those rows of out.
 */
export async function preparePoolMean(
  ctx: OpContext,
  io: { x: TensorRange; segments: TensorRange; out: TensorRange },
  shape: PoolShape,
  range: { first: number; count: number },
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const { N, C, S, D } = shape;
  if (!(D > C)) throw new Error(`pool mean: D (${D}) must exceed C (${C}): the last columns are the bias input`);
  if (range.first < 0 || range.count < 0 || range.first + range.count > S) throw new Error(`pool mean: segments ${range.first}..${range.first + range.count - 1} are outside 0..${S - 1}`);
  expectNumel(io.x, N * C, 'x (N,C)', 'f32');
  expectNumel(io.segments, S * 2, 'segments (S,2)', 'u32');
  expectNumel(io.out, S * D, 'out (S,D)', 'f32');
  const wg = opts.wg ?? 64;
  const kernel = await ctx.cache.kernel({ shader: shader('pool.wgsl'), entry: 'pool_mean', bindings: ['storage', 'storage', 'storage', 'uniform'], constants: { WG: wg } });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', C], ['u32', D], ['u32', range.first], ['u32', range.count]]), `pool_mean:${io.out.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.x, io.segments, io.out, params]);
  const [gx, gy] = grid1d(Math.ceil((range.count * D) / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => (range.count > 0 ? enc.dispatch(kernel, group, gx, gy, 1, `pool_mean ${io.out.name}`) : undefined) };
}
