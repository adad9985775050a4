// Compute pipelines with explicit bind-group layouts, cached by shader + entry point + override
// constants + binding kinds. Never layout:'auto': an explicit layout lets one bind group serve
// every pipeline with the same bindings, and a binding mismatch fails at creation, by name.
//
// Storage bindings default to read_write ('storage'). Why: WebGPU validates usage per *buffer*,
// not per range, and the arena packs many tensors into one buffer, so a kernel that reads one
// activation and writes another in the same pool must bind both as read_write. Use
// 'read-only-storage' only for a buffer no binding of the dispatch writes.

import type { Gpu } from './device.ts';
import { GpuError } from './errors.ts';
import { compileShader, type ShaderLibrary, type ShaderSource } from './shaders.ts';

export type BindingKind = 'storage' | 'read-only-storage' | 'uniform';

export interface KernelSpec {
  shader: ShaderSource;
  entry: string;
  /** Kind of @group(0) @binding(i), in binding order. */
  bindings: readonly BindingKind[];
  /** Values for WGSL `override` constants (tile sizes, workgroup sizes). */
  constants?: Readonly<Record<string, number>>;
}

export interface Kernel {
  /** "file.wgsl:entry{consts}", used in errors and profiler rows. */
  label: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  bindings: readonly BindingKind[];
}

/** Anything that can be bound: a whole buffer or a range of one. */
export interface BufferRange {
  buffer: GPUBuffer;
  /** Bytes. */
  offset: number;
  /** Bytes. */
  size: number;
  name?: string;
}

function kernelKey(spec: KernelSpec): string {
  const consts = Object.entries(spec.constants ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${spec.shader.name}|${spec.entry}|${consts}|${spec.bindings.join(',')}`;
}

function shortLabel(spec: KernelSpec): string {
  const file = spec.shader.name.split('/').pop() ?? spec.shader.name;
  const consts = Object.entries(spec.constants ?? {});
  return consts.length ? `${file}:${spec.entry}{${consts.map(([k, v]) => `${k}=${v}`).join(',')}}` : `${file}:${spec.entry}`;
}

const LAYOUT_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  storage: 'storage',
  'read-only-storage': 'read-only-storage',
  uniform: 'uniform',
};

export class PipelineCache {
  private modules = new Map<string, Promise<GPUShaderModule>>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private kernels = new Map<string, Promise<Kernel>>();

  constructor(
    private readonly gpu: Gpu,
    private readonly library?: ShaderLibrary,
  ) {}

  get size(): number {
    return this.kernels.size;
  }

  /** The kernel for this spec; the same spec returns the same (cached) kernel. */
  kernel(spec: KernelSpec): Promise<Kernel> {
    const key = kernelKey(spec);
    let k = this.kernels.get(key);
    if (!k) {
      k = this.create(spec);
      // A failed compile is not cached, so a fixed shader (dev server hot reload) can retry.
      k.catch(() => this.kernels.delete(key));
      this.kernels.set(key, k);
    }
    return k;
  }

  /** The bind-group layout for these binding kinds; shared by kernels with the same kinds. */
  layout(bindings: readonly BindingKind[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let l = this.layouts.get(key);
    if (!l) {
      l = this.gpu.device.createBindGroupLayout({
        label: `layout(${key})`,
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: LAYOUT_TYPE[kind] },
        })),
      });
      this.layouts.set(key, l);
    }
    return l;
  }

  private module(src: ShaderSource): Promise<GPUShaderModule> {
    let m = this.modules.get(src.name);
    if (!m) {
      m = compileShader(this.gpu, src, this.library);
      m.catch(() => this.modules.delete(src.name));
      this.modules.set(src.name, m);
    }
    return m;
  }

  private async create(spec: KernelSpec): Promise<Kernel> {
    const module = await this.module(spec.shader);
    const layout = this.layout(spec.bindings);
    const label = shortLabel(spec);
    const device = this.gpu.device;
    device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({
        label,
        layout: device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: spec.entry, constants: { ...(spec.constants ?? {}) } },
      });
    } catch (e) {
      await device.popErrorScope();
      throw new GpuError('shader-compile', `${spec.shader.name}: pipeline "${spec.entry}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const err = await device.popErrorScope();
    if (err) throw new GpuError('shader-compile', `${spec.shader.name}: pipeline "${spec.entry}" failed: ${err.message}`);
    this.gpu.stats.pipelines++;
    return { label, pipeline, layout, bindings: spec.bindings };
  }
}

/**
 * A bind group for `kernel` over `ranges` (one per binding, in order). Build these once per run,
 * not per step: the benches count `stats.bindGroups` and expect no growth after warm-up.
 */
export function bindGroup(gpu: Gpu, kernel: Kernel, ranges: readonly BufferRange[], label?: string): GPUBindGroup {
  if (ranges.length !== kernel.bindings.length) {
    throw new GpuError(
      'validation',
      `${kernel.label}: expects ${kernel.bindings.length} bindings, got ${ranges.length} (${ranges.map((r) => r.name ?? '?').join(', ')}).`,
    );
  }
  // WebGPU rejects a writable binding that overlaps another binding of the same buffer; say which.
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      const writable = kernel.bindings[i] === 'storage' || kernel.bindings[j] === 'storage';
      if (writable && a.buffer === b.buffer && a.offset < b.offset + b.size && b.offset < a.offset + a.size) {
        throw new GpuError(
          'validation',
          `${kernel.label}: bindings ${i} (${a.name ?? '?'}) and ${j} (${b.name ?? '?'}) overlap; a writable binding may not alias another.`,
        );
      }
    }
  }
  gpu.stats.bindGroups++;
  return gpu.device.createBindGroup({
    label: label ?? kernel.label,
    layout: kernel.layout,
    entries: ranges.map((r, binding) => ({ binding, resource: { buffer: r.buffer, offset: r.offset, size: r.size } })),
  });
}
