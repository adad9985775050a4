// GPU launcher of the masking lab: every strategy except the [B] random kernel (random.ts) —
// though lab "random" reproduces it bit for bit. Three dispatches per step: the selection kernel
// of the strategy's SelectionKind (masking_lab.wgsl / masking_lab_spans.wgsl), the shared writer
// (masking_lab_write.wgsl), and the stats reduction (masking_lab_stats.wgsl). Plus the
// [CLS]→token attention-score kernel the attention strategy needs before it masks.
// Values come from lab-rules.ts (labParams/labStep/labUniforms), the same functions the CPU twin
// (selection.ts) uses, so the two cannot drift apart. Per step: one uniform write, plus the
// budget table (2 KB) when this step's table differs from the last one written.
// Not here: unit structure (units.ts, on the CPU), the rules themselves.
import type { DType, TensorRange } from '../gpu/arena.ts';
import { bindGroup } from '../gpu/pipelines.ts';
import { grid1d, uniformBlock, type OpContext, type PreparedOp } from '../gpu/op-context.ts';
import { shader } from '../shaders/index.ts';
import { KIND_ENTRY, labStep, labUniforms, type LabParams, type LabStep } from './lab-rules.ts';

export interface MaskingLabIo {
  tokens: TensorRange; // (B,T) u32 original ids
  units: TensorRange; // (B,T) u32 from buildUnits
  unitWeights: TensorRange; // (B,T) u32 from buildUnits
  scores?: TensorRange; // (B,T) f32, attention strategy only (prepareAttentionScores)
  cdf: TensorRange; // (V) u32, uploaded here once
  inputs: TensorRange; // (B,T) u32
  positions: TensorRange; // (B,P) u32
  targets: TensorRange; // (B,P) u32
  weights: TensorRange; // (B,P) f32
  record: TensorRange; // (B,T) u32
  rowStats: TensorRange; // (B,8) u32
  stats: TensorRange; // (8) u32
}

export type PreparedMaskingLab = PreparedOp & {
  /**
   * Writes this step's uniforms (and budget table if it changed); call before record().
   * forceRandom: attention only, default step === 0 (pass false for the own-mask eval).
   */
  setStep(step: number, opts?: { forceRandom?: boolean }): void;
  /** The values of the last setStep (rate, budget table), e.g. for logging the scheduled rate. */
  readonly current: LabStep;
};

function expectRange(op: string, r: TensorRange | undefined, numel: number, dtype: DType, what: string): TensorRange {
  if (!r) throw new Error(`${op}: ${what} is missing`);
  if (r.numel !== numel) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${numel} (${what})`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${r.name} is ${r.dtype}, expected ${dtype} (${what})`);
  return r;
}

/**
 * One invocation per sequence. On CPU adapters (SwiftShader) a workgroup runs on one thread, so
 * small groups (4 = its SIMD width) spread the rows over the cores; GPUs take 64.
 */
function rowsPerGroup(ctx: OpContext, wg?: number): number {
  return wg ?? (ctx.gpu.profile === 'cpu' ? 4 : 64);
}

/**
 * The masking lab for one strategy. io ranges are checked against shape; params from labParams()
 * with the same T, P, V. setStep(step) before each record().
 */
export async function prepareMaskingLab(ctx: OpContext, io: MaskingLabIo, shape: { B: number; T: number; P: number; V: number }, params: LabParams, opts: { wg?: number } = {}): Promise<PreparedMaskingLab> {
  const op = `masking lab (${params.strategy})`;
  const { B, T, P, V } = shape;
  if (T !== params.T || P !== params.P || V !== params.V) throw new Error(`${op}: shape (T=${T}, P=${P}, V=${V}) differs from its params (T=${params.T}, P=${params.P}, V=${params.V})`);
  if (!Number.isInteger(B) || B < 1) throw new Error(`${op}: B must be an integer ≥ 1, got ${B}`);
  const BT = B * T;
  expectRange(op, io.tokens, BT, 'u32', 'tokens (B,T)');
  expectRange(op, io.units, BT, 'u32', 'units (B,T)');
  expectRange(op, io.unitWeights, BT, 'u32', 'unitWeights (B,T)');
  expectRange(op, io.cdf, V, 'u32', 'cdf (V)');
  expectRange(op, io.inputs, BT, 'u32', 'inputs (B,T)');
  expectRange(op, io.positions, B * P, 'u32', 'positions (B,P)');
  expectRange(op, io.targets, B * P, 'u32', 'targets (B,P)');
  expectRange(op, io.weights, B * P, 'f32', 'weights (B,P)');
  expectRange(op, io.record, BT, 'u32', 'record (B,T)');
  expectRange(op, io.rowStats, B * 8, 'u32', 'rowStats (B,8)');
  expectRange(op, io.stats, 8, 'u32', 'stats (8)');
  const aux = params.kind === 'scores' ? expectRange(op, io.scores, BT, 'f32', 'scores (B,T), needed by the attention strategy') : io.unitWeights;

  const WG = rowsPerGroup(ctx, opts.wg);
  const entry = KIND_ENTRY[params.kind];
  const [select, write] = await Promise.all([
    ctx.cache.kernel({ shader: shader(entry.file), entry: entry.entry, bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'uniform', 'uniform'], constants: { WG } }),
    ctx.cache.kernel({ shader: shader('masking_lab_write.wgsl'), entry: 'lab_write', bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'uniform'], constants: { WG } }),
  ]);
  const stats = await prepareMaskStats(ctx, { rowStats: io.rowStats, stats: io.stats }, { B });

  ctx.gpu.write(io.cdf.buffer, io.cdf.offset, params.cdf);
  let current = labStep(params, 0);
  let tableWritten = current.budget;
  const uni = ctx.uniforms.alloc(labUniforms(params, B, current), `masking_lab:${io.inputs.name}`);
  const table = ctx.uniforms.alloc(current.budget, `masking_lab.budget:${io.inputs.name}`);
  const selectGroup = bindGroup(ctx.gpu, select, [io.tokens, io.units, aux, io.inputs, io.record, uni, table]);
  const writeGroup = bindGroup(ctx.gpu, write, [io.tokens, io.cdf, io.record, io.inputs, io.positions, io.targets, io.weights, io.rowStats, uni]);
  const [gx, gy] = grid1d(Math.ceil(B / WG), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  const sameTable = (a: Uint32Array, b: Uint32Array) => a.length === b.length && a.every((x, i) => x === b[i]);

  return {
    get current() {
      return current;
    },
    setStep(step, stepOpts = {}) {
      current = labStep(params, step, stepOpts);
      ctx.uniforms.update(uni, labUniforms(params, B, current));
      if (!sameTable(current.budget, tableWritten)) {
        ctx.uniforms.update(table, current.budget);
        tableWritten = current.budget;
      }
    },
    record(enc) {
      enc.dispatch(select, selectGroup, gx, gy, 1, `${entry.entry} ${io.inputs.name}`);
      enc.dispatch(write, writeGroup, gx, gy, 1, `lab_write ${io.inputs.name}`);
      stats.record(enc);
    },
  };
}

/**
 * probs (B,NH,T,T) (the last layer's attention) → scores (B,T) = mean over heads of [CLS] → t.
 * Record it after the forward on the unmasked batch and before the attention strategy's mask.
 */
export async function prepareAttentionScores(ctx: OpContext, io: { probs: TensorRange; scores: TensorRange }, shape: { B: number; NH: number; T: number }): Promise<PreparedOp> {
  const { B, NH, T } = shape;
  const op = 'attention scores';
  expectRange(op, io.probs, B * NH * T * T, 'f32', 'probs (B,NH,T,T)');
  expectRange(op, io.scores, B * T, 'f32', 'scores (B,T)');
  const WG = 64;
  const kernel = await ctx.cache.kernel({ shader: shader('masking_lab_stats.wgsl'), entry: 'attention_scores', bindings: ['storage', 'storage', 'uniform'], constants: { WG } });
  const uni = ctx.uniforms.alloc(uniformBlock([['u32', B], ['u32', NH], ['u32', T], ['f32', 1 / NH]]), `attention_scores:${io.scores.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.probs, io.scores, uni]);
  const [gx, gy] = grid1d(Math.ceil((B * T) / WG), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return { record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `attention_scores ${io.scores.name}`) };
}

/** rowStats (B,8) → stats (8) column sums: [L, masked, MASK, RANDOM, KEEP, units, fallback rows, 0]. */
export async function prepareMaskStats(ctx: OpContext, io: { rowStats: TensorRange; stats: TensorRange }, shape: { B: number }): Promise<PreparedOp> {
  const op = 'mask stats';
  expectRange(op, io.rowStats, shape.B * 8, 'u32', 'rowStats (B,8)');
  expectRange(op, io.stats, 8, 'u32', 'stats (8)');
  const kernel = await ctx.cache.kernel({ shader: shader('masking_lab_stats.wgsl'), entry: 'mask_stats', bindings: ['storage', 'storage', 'uniform'], constants: { WG: 8 } });
  const uni = ctx.uniforms.alloc(uniformBlock([['u32', shape.B], ['u32', 0], ['u32', 0], ['u32', 0]]), `mask_stats:${io.stats.name}`);
  const group = bindGroup(ctx.gpu, kernel, [io.rowStats, io.stats, uni]);
  return { record: (enc) => enc.dispatch(kernel, group, 1, 1, 1, `mask_stats ${io.stats.name}`) };
}
