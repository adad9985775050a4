// Launchers for shaders/crossentropy.wgsl: the MLM loss over the B·P prediction slots, its
// gradient (written over the logits), and the 4-float metrics block the training loop reads back.
// The loss has two variants, 'tree' (a workgroup per row, tree reductions) and 'subgroup'
// (crossentropy_subgroup.wgsl, a subgroup per row, where the device has subgroups), picked per
// shape by the tuner (key "crossentropy MxV"; crossentropy-tune.ts), else 'tree'.
// Not here: the decoder that produces the logits, gathering the rows, or averaging over steps.
import type { TensorRange } from '../../gpu/arena.ts';
import { bindGroup } from '../../gpu/pipelines.ts';
import { shader } from '../../shaders/index.ts';
import { chooseVariant, fitWorkgroup, grid1d, subgroupWorkgroup, uniformBlock, type OpContext, type PreparedOp } from '../../gpu/op-context.ts';

function expectNumel(op: string, r: TensorRange, want: number, what: string): void {
  if (r.numel !== want) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${want} (${what})`);
}

const BINDINGS = ['storage', 'storage', 'storage', 'storage', 'uniform', 'storage'] as const;

export const CROSSENTROPY_VARIANTS = ['tree', 'subgroup'] as const;
export type CrossEntropyVariant = (typeof CROSSENTROPY_VARIANTS)[number];
/** The shader file of each variant. */
export const CROSSENTROPY_SHADERS: Record<CrossEntropyVariant, string> = { tree: 'crossentropy.wgsl', subgroup: 'crossentropy_subgroup.wgsl' };
/** Rows one workgroup of 'subgroup' takes (its subgroups share them out). */
const SUBGROUP_RPG = 16;

/** What the tuner keys the loss by. */
export const crossEntropyKey = (shape: { M: number; V: number }): string => `crossentropy ${shape.M}x${shape.V}`;

export function parseCrossEntropyKey(key: string): { M: number; V: number } | null {
  const m = /^crossentropy (\d+)x(\d+)$/.exec(key);
  return m ? { M: Number(m[1]), V: Number(m[2]) } : null;
}

/** The variants this device can run. */
export const crossEntropyVariantsOn = (ctx: OpContext): CrossEntropyVariant[] => CROSSENTROPY_VARIANTS.filter((v) => v !== 'subgroup' || ctx.gpu.subgroups !== null);

/**
 * logits (M,V), targets (M) u32, weights (M) f32 (1 = a real prediction, 0 = padding slot) →
 * losses (M) = −log softmax(logits)[target] (per row, unweighted), correct (M) f32 = 1 if
 * argmax == target else 0 (ties: lowest index), and IN PLACE logits ← dlogits =
 * (softmax − onehot(target))·weight/Σweights (the gradient of the weighted mean loss).
 * Σweights is computed inside (deterministically). If Σweights = 0, dlogits = 0.
 * One workgroup per row. Targets must be < V.
 */
export async function prepareCrossEntropy(
  ctx: OpContext,
  io: { logits: TensorRange; targets: TensorRange; weights: TensorRange; losses: TensorRange; correct: TensorRange },
  shape: { M: number; V: number },
  opts: { wg?: number; variant?: CrossEntropyVariant } = {},
): Promise<PreparedOp & { variant: CrossEntropyVariant }> {
  const { M, V } = shape;
  expectNumel('crossentropy', io.logits, M * V, 'logits (M,V)');
  expectNumel('crossentropy', io.targets, M, 'targets (M)');
  expectNumel('crossentropy', io.weights, M, 'weights (M)');
  expectNumel('crossentropy', io.losses, M, 'losses (M)');
  expectNumel('crossentropy', io.correct, M, 'correct (M)');
  if (io.targets.dtype !== 'u32') throw new Error(`crossentropy: targets ${io.targets.name} must be u32`);
  const key = crossEntropyKey(shape);
  const variant = chooseVariant(ctx, key, CROSSENTROPY_VARIANTS, opts.variant, 'tree');
  const sub = variant === 'subgroup';
  // 'tree', one workgroup per row: on a GPU ~4 logits per thread (V=4096 → 256 threads); on a CPU
  // adapter at most 64 threads, since barriers cost per invocation there.
  const wg = sub ? subgroupWorkgroup(ctx, key) : (opts.wg ?? (ctx.gpu.profile === 'cpu' ? fitWorkgroup(shape.V, 16, 64) : fitWorkgroup(Math.ceil(shape.V / 4), 32, 256)));
  const kernel = await ctx.cache.kernel({
    shader: shader(CROSSENTROPY_SHADERS[variant]),
    entry: sub ? 'crossentropy_subgroup' : 'crossentropy',
    bindings: BINDINGS,
    constants: sub ? { WG: wg, RPG: SUBGROUP_RPG } : { WG: wg },
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', M], ['u32', V]]), `crossentropy:${io.logits.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.logits, io.weights, io.losses, io.correct, params, io.targets]);
  const [gx, gy] = grid1d(sub ? Math.ceil(M / SUBGROUP_RPG) : M, ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { variant, record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `crossentropy ${io.logits.name}`) };
}

/**
 * crossentropy for many short rows (V ≲ 64, e.g. a probe's classes): the same outputs, one thread
 * per row instead of a workgroup. The gradient's normaliser is 1/weightSum, given here instead of
 * summed on the GPU: the caller's weights (M) must be fixed and sum to weightSum (> 0).
 */
export async function prepareCrossEntropyRows(
  ctx: OpContext,
  io: { logits: TensorRange; targets: TensorRange; weights: TensorRange; losses: TensorRange; correct: TensorRange },
  shape: { M: number; V: number },
  opts: { weightSum: number; wg?: number },
): Promise<PreparedOp> {
  const { M, V } = shape;
  expectNumel('crossentropy rows', io.logits, M * V, 'logits (M,V)');
  for (const [r, what] of [[io.targets, 'targets (M)'], [io.weights, 'weights (M)'], [io.losses, 'losses (M)'], [io.correct, 'correct (M)']] as const) expectNumel('crossentropy rows', r, M, what);
  if (io.targets.dtype !== 'u32') throw new Error(`crossentropy rows: targets ${io.targets.name} must be u32`);
  if (!(opts.weightSum > 0)) throw new Error(`crossentropy rows: weightSum must be > 0 (got ${opts.weightSum})`);
  const wg = opts.wg ?? 64;
  const kernel = await ctx.cache.kernel({ shader: shader('crossentropy.wgsl'), entry: 'crossentropy_rows', bindings: BINDINGS, constants: { WG: wg } });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', M], ['u32', V], ['f32', 1 / opts.weightSum]]), `crossentropy_rows:${io.logits.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.logits, io.weights, io.losses, io.correct, params, io.targets]);
  const [gx, gy] = grid1d(Math.ceil(M / wg), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `crossentropy_rows ${io.logits.name}`) };
}

/**
 * metrics (4) f32 ← [ Σ w·loss / Σ w, Σ w·correct / Σ w, Σ w, 0 ] (single workgroup, fixed
 * order; all zero when Σw = 0). This is what the loop reads back.
 */
export async function prepareMlmMetrics(
  ctx: OpContext,
  io: { losses: TensorRange; correct: TensorRange; weights: TensorRange; metrics: TensorRange },
  shape: { M: number },
  opts: { wg?: number } = {},
): Promise<PreparedOp> {
  const { M } = shape;
  expectNumel('mlm metrics', io.losses, M, 'losses (M)');
  expectNumel('mlm metrics', io.correct, M, 'correct (M)');
  expectNumel('mlm metrics', io.weights, M, 'weights (M)');
  expectNumel('mlm metrics', io.metrics, 4, 'metrics (4)');
  const wg = opts.wg ?? 256;
  const kernel = await ctx.cache.kernel({
    shader: shader('crossentropy.wgsl'),
    entry: 'mlm_metrics',
    bindings: BINDINGS.slice(0, 5), // no targets
    constants: { WG: wg },
  });
  const params = ctx.uniforms.alloc(uniformBlock([['u32', M], ['u32', 0]]), `mlm_metrics:${io.metrics.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.metrics, io.weights, io.losses, io.correct, params]);
  return { record: (enc) => enc.dispatch(kernel, group, 1, 1, 1, `mlm_metrics ${io.metrics.name}`) };
}
