// What every op launcher needs (the model's in src/model/ops, the masking lab's in src/masking):
// the device, the pipeline cache (with a shader library) and the uniform pool. An op is
// *prepared* once per run (pipeline, bind groups, uniforms) and then only *recorded* into each
// step's encoder, so a step allocates nothing and creates no bind groups.

import type { Gpu } from './device.ts';
import type { KernelChoices } from './kernel-choices.ts';
import { PipelineCache } from './pipelines.ts';
import type { ShaderLibrary } from './shaders.ts';
import type { StepEncoder } from './step-encoder.ts';
import { UniformPool } from './uniforms.ts';

export interface OpContext {
  gpu: Gpu;
  cache: PipelineCache;
  uniforms: UniformPool;
  /** The device's tuned kernel variants (gpu.kernels), where launchers also note what they prepare. */
  choices: KernelChoices;
}

export interface PreparedOp {
  /** Records this op's dispatches into the step. */
  record(enc: StepEncoder): void;
}

/** The context for ops whose shaders `library` resolves (the app's: opContext in src/shaders/index.ts). */
export function createOpContext(gpu: Gpu, library: ShaderLibrary): OpContext {
  return { gpu, cache: new PipelineCache(gpu, library), uniforms: new UniformPool(gpu), choices: gpu.kernels };
}

/**
 * Workgroup counts for `groups` workgroups on a 1-D problem: x up to the per-dimension limit,
 * the rest in y. Shaders rebuild the flat index as gid.x + gid.y · (groups.x · WG).
 */
export function grid1d(groups: number, maxPerDim: number): [number, number] {
  if (groups <= maxPerDim) return [Math.max(1, groups), 1];
  return [maxPerDim, Math.ceil(groups / maxPerDim)];
}

/** Packs mixed u32/f32 uniform fields, in WGSL struct order, into one 16-byte-aligned block. */
export function uniformBlock(fields: readonly (readonly ['u32' | 'f32', number])[]): Uint32Array {
  const words = Math.max(4, Math.ceil(fields.length / 4) * 4);
  const buf = new ArrayBuffer(words * 4);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  fields.forEach(([t, v], i) => {
    if (t === 'u32') u[i] = v >>> 0;
    else f[i] = v;
  });
  return u;
}

/**
 * A power-of-two workgroup size for `n` parallel items, clamped to [min, max]: a row of 21
 * logits gets 32 threads, not 256 idle ones (which also cost barrier time on CPU adapters).
 */
export function fitWorkgroup(n: number, min: number, max: number): number {
  let wg = min;
  while (wg < n && wg < max) wg *= 2;
  return wg;
}

/**
 * The variant a launcher prepares for the tunable kernel `key`: `explicit` (a test's or bench's
 * own), else the tuner's choice for this device (ctx.choices; an id not in `variants` is an
 * error), else `fallback`. Notes the key, so the tuner knows the model uses it.
 */
export function chooseVariant<V extends string>(ctx: OpContext, key: string, variants: readonly V[], explicit: V | undefined, fallback: V): V {
  ctx.choices.note(key);
  const chosen = ctx.choices.get(key);
  if (chosen !== undefined && !(variants as readonly string[]).includes(chosen)) throw new Error(`${key}: no variant "${chosen}" (have ${variants.join(', ')})`);
  return explicit ?? (chosen as V | undefined) ?? fallback;
}

/**
 * Threads per workgroup of a kernel whose subgroups each take whole rows (*_subgroup.wgsl): a
 * multiple of every subgroup size the adapter may use. Throws, naming `what`, when the device has
 * no subgroups.
 */
export function subgroupWorkgroup(ctx: OpContext, what: string): number {
  const sg = ctx.gpu.subgroups;
  if (!sg) throw new Error(`${what}: the 'subgroup' variant needs the adapter's subgroups feature, which this device does not have`);
  return Math.max(64, sg.max);
}
