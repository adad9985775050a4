// Copies of whole arena pools kept on the GPU (the "last good state" a diverging run rolls back
// to: parameters and both AdamW moments). A copy is recorded into the step's own command buffer,
// so taking one costs a buffer-to-buffer copy and no readback or extra submit; restoring records
// the copies the other way. Two slots: one holds the state the run last confirmed healthy while
// the other receives the next copy, which is unconfirmed until its step's metrics come back.

import type { Arena } from './arena.ts';
import type { Gpu } from './device.ts';
import { GpuError } from './errors.ts';
import type { StepEncoder } from './step-encoder.ts';

export class PoolSnapshots {
  /** slots[k][i] mirrors the i-th buffer of the listed pools, in order. */
  private readonly slots: GPUBuffer[][];
  private readonly sources: GPUBuffer[];
  readonly bytes: number;

  /** Allocates the slots inside an out-of-memory error scope: a failure is a message, not a lost device. */
  static async create(gpu: Gpu, arena: Arena, pools: readonly string[], slotCount = 2): Promise<PoolSnapshots> {
    gpu.device.pushErrorScope('out-of-memory');
    const s = new PoolSnapshots(gpu, arena, pools, slotCount);
    const error = await gpu.device.popErrorScope();
    if (!error) return s;
    s.destroy();
    const mib = (s.bytes / 2 ** 20).toFixed(1);
    throw new GpuError('out-of-memory', `The GPU could not allocate the ${mib} MiB that keep the last good state (parameters and AdamW moments, twice): ${error.message}`, 'Choose a smaller model, or close other GPU-heavy tabs, and start again.');
  }

  private constructor(
    gpu: Gpu,
    arena: Arena,
    pools: readonly string[],
    slotCount = 2,
  ) {
    this.sources = pools.flatMap((name) => {
      const p = arena.pools.find((x) => x.pool === name);
      if (!p) throw new Error(`snapshots: the arena has no pool "${name}"`);
      return p.buffers;
    });
    this.slots = Array.from({ length: slotCount }, (_, k) =>
      this.sources.map((b, i) => {
        gpu.stats.buffers++;
        return gpu.device.createBuffer({ label: `snapshot${k}.${i}`, size: b.size, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      }),
    );
    this.bytes = slotCount * this.sources.reduce((a, b) => a + b.size, 0);
  }

  /** Records "pools → slot" at this point of the step (before its dispatches: the state the step starts from). */
  record(enc: StepEncoder, slot: number): void {
    const e = enc.commandEncoder;
    this.sources.forEach((b, i) => e.copyBufferToBuffer(b, 0, this.slots[slot]![i]!, 0, b.size));
  }

  /** Records "slot → pools": the pools hold exactly what the slot copied. */
  restore(enc: StepEncoder, slot: number): void {
    const e = enc.commandEncoder;
    this.sources.forEach((b, i) => e.copyBufferToBuffer(this.slots[slot]![i]!, 0, b, 0, b.size));
  }

  destroy(): void {
    for (const s of this.slots) for (const b of s) b.destroy();
  }
}
