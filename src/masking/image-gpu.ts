// GPU launcher of the image (patch) masks (shaders/masking_image.wgsl): one dispatch per step,
// one invocation per image. Every number comes from the ImageMaskPlan (image-tables.ts) that the
// CPU twin (image.ts) also reads, so the two cannot drift apart. Buffers are the caller's arena
// ranges; the blockwise shape table is uploaded into its range once, here. Per step: one 52-byte
// uniform write.
// Not here: the rules and tables (image-tables.ts), parameters (image-registry.ts), the model.
import type { DType, TensorRange } from '../gpu/arena.ts';
import type { BindingKind } from '../gpu/pipelines.ts';
import { bindGroup } from '../gpu/pipelines.ts';
import { grid1d, type OpContext, type PreparedOp } from '../gpu/op-context.ts';
import { shader } from '../shaders/index.ts';
import { imageUniforms, STRATEGY_ENTRY, type ImageMaskPlan } from './image-tables.ts';

export interface ImageMaskIo {
  mask: TensorRange; // (B,L) u32: 1 hidden, 0 visible
  keep: TensorRange; // (B,KC) u32, KC = plan.keepCols: visible patches ascending, then 0xffffffff
  keepCount: TensorRange; // (B) u32
  /** Blockwise only: (L·K) u32 for the block-shape table (plan.table.length elements). */
  table?: TensorRange;
}

export type PreparedImageMasking = PreparedOp & {
  /** Writes this step's uniforms; call before record(). The masks are a pure function of (plan, step). */
  setStep(step: number): void;
};

function expectRange(op: string, r: TensorRange | undefined, numel: number, dtype: DType, what: string): TensorRange {
  if (!r) throw new Error(`${op}: ${what} is missing`);
  if (r.numel !== numel) throw new Error(`${op}: ${r.name} has ${r.numel} elements, expected ${numel} (${what})`);
  if (r.dtype !== dtype) throw new Error(`${op}: ${r.name} is ${r.dtype}, expected ${dtype} (${what})`);
  return r;
}

/**
 * Masks for B images on the plan's gh×gw grid: → mask (B,L), keep (B,KC), keepCount (B).
 * One invocation per image; on CPU adapters (SwiftShader) a workgroup runs on one thread, so
 * small groups (4) spread the images over the cores; GPUs take 64.
 */
export async function prepareImageMasking(ctx: OpContext, io: ImageMaskIo, shape: { B: number }, plan: ImageMaskPlan, opts: { wg?: number } = {}): Promise<PreparedImageMasking> {
  const op = `image masking (${plan.strategy})`;
  const { B } = shape;
  const { L } = plan;
  if (!Number.isInteger(B) || B < 1) throw new Error(`${op}: B must be an integer ≥ 1, got ${B}`);
  expectRange(op, io.mask, B * L, 'u32', `mask (B,L) = (${B},${L})`);
  expectRange(op, io.keep, B * plan.keepCols, 'u32', `keep (B,KC) = (${B},${plan.keepCols})`);
  expectRange(op, io.keepCount, B, 'u32', `keepCount (B) = (${B})`);
  const blockwise = plan.strategy === 'blockwise';
  const bindings: BindingKind[] = ['storage', 'storage', 'storage', 'uniform'];
  const ranges = [io.mask, io.keep, io.keepCount];
  if (blockwise) {
    const table = expectRange(op, io.table, plan.table.length, 'u32', `table (L·K) = (${plan.table.length}), the block shapes`);
    ctx.gpu.write(table.buffer, table.offset, plan.table);
    bindings.push('storage');
  }
  const WG = opts.wg ?? (ctx.gpu.profile === 'cpu' ? 4 : 64);
  const entry = STRATEGY_ENTRY[plan.strategy];
  const kernel = await ctx.cache.kernel({ shader: shader('masking_image.wgsl'), entry, bindings, constants: { WG } });
  const uni = ctx.uniforms.alloc(imageUniforms(plan, B, 0), `${entry}:${io.mask.name}`);
  const group = bindGroup(ctx.gpu, kernel, blockwise ? [...ranges, uni, io.table!] : [...ranges, uni]);
  const [gx, gy] = grid1d(Math.ceil(B / WG), ctx.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  return {
    setStep(step) {
      if (!Number.isInteger(step) || step < 0 || step > 0xffffffff) throw new Error(`${op}: step must be a u32, got ${step}`);
      ctx.uniforms.update(uni, imageUniforms(plan, B, step));
    },
    record: (enc) => enc.dispatch(kernel, group, gx, gy, 1, `${entry} ${io.mask.name}`),
  };
}
