// The static memory plan made real: every tensor is a named, aligned range of one of a few pool
// buffers (params, grads, moments, activations, ...), laid out once from the config and checked
// against the adapter's limits and the run's memory budget (memory-plan.ts) before the first
// buffer exists. After build() nothing allocates; any tensor can be written, read back or cleared
// by name.
// What it does not do: decide what tensors exist (model/layout does) or hand out uniforms.

import type { Gpu } from './device.ts';
import { GpuError } from './errors.ts';
import { checkMemory, describePlan, mib, type MemoryItem, type MemoryLimits, type PoolBytes } from './memory-plan.ts';
import type { BufferRange } from './pipelines.ts';

export type DType = 'f32' | 'u32' | 'i32';
type TypedArrayOf<D extends DType> = D extends 'f32' ? Float32Array : D extends 'u32' ? Uint32Array : Int32Array;

export interface TensorRange extends BufferRange {
  name: string;
  pool: string;
  shape: readonly number[];
  dtype: DType;
  /** Number of elements (product of shape). */
  numel: number;
}

interface PlannedTensor {
  name: string;
  pool: string;
  shape: readonly number[];
  dtype: DType;
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Collects tensors by pool, in the order they will be laid out. */
export class ArenaPlan {
  readonly tensors: PlannedTensor[] = [];
  /** Pools bound as one range (Arena.poolRange): laid out as one buffer, checked against one binding. */
  readonly wholePools = new Set<string>();
  private names = new Set<string>();

  /** Marks `pool` as bound whole (e.g. every parameter for one AdamW dispatch), so it is never split. */
  bindWhole(pool: string): this {
    this.wholePools.add(pool);
    return this;
  }

  add(pool: string, name: string, shape: readonly number[], dtype: DType = 'f32'): this {
    if (this.names.has(name)) throw new Error(`arena plan: tensor "${name}" is planned twice`);
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new Error(`arena plan: tensor "${name}" has a bad shape [${shape.join(', ')}]`);
    }
    this.names.add(name);
    this.tensors.push({ name, pool, shape: [...shape], dtype });
    return this;
  }

  /** Elements a pool will span once laid out with `align`-byte offsets (what poolRange binds). */
  poolElements(pool: string, align: number): number {
    let bytes = 0;
    for (const t of this.tensors) {
      if (t.pool !== pool) continue;
      bytes = Math.ceil(bytes / align) * align + numelOf(t.shape) * 4;
    }
    return Math.ceil(bytes / 4);
  }

  /** Bytes of every pool once laid out with `align`-byte offsets (no buffer splitting counted). */
  bytes(align: number): number {
    const pools = new Set(this.tensors.map((t) => t.pool));
    return [...pools].reduce((a, p) => a + this.poolElements(p, align) * 4, 0);
  }
}

/** The device limits a layout depends on (GPUDevice.limits; tests pass their own). */
export interface ArenaLimits {
  minStorageBufferOffsetAlignment: number;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

interface Slot {
  t: PlannedTensor;
  bufferIndex: number;
  offset: number;
  size: number;
}

/** One pool laid out: where each tensor goes, and the bytes of each buffer. */
export interface PoolLayout {
  pool: string;
  slots: Slot[];
  sizes: number[];
  whole: boolean;
}

/**
 * Offsets of every tensor, per pool and buffer; pure, so plans are checked in Node. A pool opens a
 * new buffer where the next tensor would pass maxBufferSize, unless it is bound whole (the memory
 * check refuses such a pool instead). Throws for a single tensor larger than one binding.
 */
export function layoutArena(plan: ArenaPlan, limits: ArenaLimits): PoolLayout[] {
  const align = limits.minStorageBufferOffsetAlignment;
  const maxBinding = limits.maxStorageBufferBindingSize;
  const byPool = new Map<string, PoolLayout>();
  for (const t of plan.tensors) {
    const size = numelOf(t.shape) * 4;
    if (size > maxBinding) {
      throw new GpuError(
        'out-of-memory',
        `Tensor ${t.name} [${t.shape.join('×')}] needs ${mib(size)}, but this GPU binds at most ${mib(maxBinding)} at once.`,
        'Choose a smaller model, batch or sequence length.',
      );
    }
    let p = byPool.get(t.pool);
    if (!p) byPool.set(t.pool, (p = { pool: t.pool, slots: [], sizes: [0], whole: plan.wholePools.has(t.pool) }));
    let bi = p.sizes.length - 1;
    let offset = Math.ceil(p.sizes[bi]! / align) * align;
    if (offset + size > limits.maxBufferSize && !p.whole) {
      p.sizes.push(0);
      bi++;
      offset = 0;
    }
    p.slots.push({ t, bufferIndex: bi, offset, size });
    p.sizes[bi] = offset + size;
  }
  return [...byPool.values()];
}

/** Bytes of each buffer createBuffer will be asked for (at least 4, a multiple of 4). */
const bufferSize = (size: number): number => Math.max(4, Math.ceil(size / 4) * 4);

/** The pools of a layout as the memory check sees them. */
export function poolBytes(layout: readonly PoolLayout[]): PoolBytes[] {
  return layout.map((p) => ({ pool: p.pool, buffers: p.sizes.map(bufferSize), whole: p.whole }));
}

export interface ArenaBuildOptions {
  /** What the run holds besides this arena, counted against the budget (model/run-memory.ts). */
  alongside?: MemoryItem[];
}

export interface PoolInfo {
  pool: string;
  /** Bytes in use, alignment padding included. */
  bytes: number;
  buffers: GPUBuffer[];
}

export class Arena {
  private constructor(
    private readonly gpu: Gpu,
    private readonly ranges: Map<string, TensorRange>,
    readonly pools: PoolInfo[],
  ) {}

  /**
   * Lays out the plan, checks it (single tensors, whole pools, the budget with `alongside`), and
   * only then creates the pool buffers (one per pool unless maxBufferSize forces more), so a
   * refused plan allocates nothing. Prefer create(), which also catches allocation failures.
   */
  static build(gpu: Gpu, plan: ArenaPlan, label = 'arena', opts: ArenaBuildOptions = {}): Arena {
    const { device } = gpu;
    const layout = layoutArena(plan, device.limits);
    const verdict = checkMemory(poolBytes(layout), { ...limitsOf(device), budget: gpu.memoryBudget }, opts.alongside);
    if (!verdict.ok) throw new GpuError('out-of-memory', verdict.message, verdict.hint);

    const ranges = new Map<string, TensorRange>();
    const pools: PoolInfo[] = [];
    for (const p of layout) {
      const buffers = p.sizes.map((size, i) => {
        gpu.stats.buffers++;
        return device.createBuffer({
          label: `${label}.${p.pool}${p.sizes.length > 1 ? `#${i}` : ''}`,
          size: bufferSize(size),
          // Read at call time, not module load: plans are also built in Node, without WebGPU.
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        });
      });
      for (const s of p.slots) {
        ranges.set(s.t.name, {
          name: s.t.name,
          pool: p.pool,
          shape: s.t.shape,
          dtype: s.t.dtype,
          numel: numelOf(s.t.shape),
          buffer: buffers[s.bufferIndex]!,
          offset: s.offset,
          size: s.size,
        });
      }
      pools.push({ pool: p.pool, bytes: p.sizes.reduce((a, b) => a + b, 0), buffers });
    }
    return new Arena(gpu, ranges, pools);
  }

  /**
   * build() inside an out-of-memory error scope. The budget is a stated default, not a
   * measurement, so the GPU may still fail to allocate: then the buffers already created are
   * destroyed and a GpuError('out-of-memory') names the planned sizes, instead of an uncaptured
   * error and an arena that fails later.
   */
  static async create(gpu: Gpu, plan: ArenaPlan, label = 'arena', opts: ArenaBuildOptions = {}): Promise<Arena> {
    const { device } = gpu;
    device.pushErrorScope('out-of-memory');
    let arena: Arena;
    try {
      arena = Arena.build(gpu, plan, label, opts);
    } catch (e) {
      await device.popErrorScope(); // refused before allocating; the scope must close all the same
      throw e;
    }
    const error = await device.popErrorScope();
    if (!error) return arena;
    arena.destroy();
    throw new GpuError(
      'out-of-memory',
      `The GPU could not allocate the ${label} arena (${describePlan(poolBytes(layoutArena(plan, device.limits)), opts.alongside)}): ${error.message}`,
      'The GPU has less free memory than masklab planned for (other tabs and programs share it). Choose a smaller batch, sequence length or model, or close other GPU-heavy tabs, and start again.',
    );
  }

  has(name: string): boolean {
    return this.ranges.has(name);
  }

  get(name: string): TensorRange {
    const r = this.ranges.get(name);
    if (!r) throw new Error(`arena: no tensor named "${name}"`);
    return r;
  }

  names(pool?: string): string[] {
    return [...this.ranges.values()].filter((r) => pool === undefined || r.pool === pool).map((r) => r.name);
  }

  /**
   * The whole pool as one range (e.g. every parameter, for one fused AdamW dispatch). Pools with
   * the same tensors added in the same order have the same layout, so element i of the params
   * pool and element i of the grads pool belong to the same parameter.
   */
  poolRange(pool: string): TensorRange {
    const p = this.pools.find((x) => x.pool === pool);
    if (!p) throw new Error(`arena: no pool named "${pool}"`);
    if (p.buffers.length !== 1) throw new Error(`arena: pool "${pool}" spans ${p.buffers.length} buffers; it cannot be bound as one range (plan it with bindWhole)`);
    const size = Math.ceil(p.bytes / 4) * 4;
    return { name: `pool:${pool}`, pool, shape: [size / 4], dtype: 'f32', numel: size / 4, buffer: p.buffers[0]!, offset: 0, size };
  }

  /** Bytes per pool, for the "planned GPU bytes" line of the bench. */
  plannedBytes(): Record<string, number> {
    return Object.fromEntries(this.pools.map((p) => [p.pool, p.bytes]));
  }

  /** Uploads a whole tensor; the array's length must equal the tensor's element count. */
  write<D extends DType>(name: string, data: TypedArrayOf<D>): void {
    const r = this.get(name);
    if (data.length !== r.numel) {
      throw new Error(`arena: ${name} has ${r.numel} elements [${r.shape.join('×')}], got ${data.length}`);
    }
    this.gpu.write(r.buffer, r.offset, data);
  }

  /** Records zeroing of every buffer of a pool (e.g. grads before backward): one call, no kernel. */
  clearPool(encoder: GPUCommandEncoder, pool: string): void {
    const p = this.pools.find((x) => x.pool === pool);
    if (!p) throw new Error(`arena: no pool named "${pool}"`);
    for (const b of p.buffers) encoder.clearBuffer(b);
  }

  destroy(): void {
    for (const p of this.pools) for (const b of p.buffers) b.destroy();
  }
}

function limitsOf(device: GPUDevice): Omit<MemoryLimits, 'budget'> {
  return { maxBufferSize: device.limits.maxBufferSize, maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize };
}
