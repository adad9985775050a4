// Small uniform blocks (shapes, scalars) for prepared ops, packed into a few 64 KiB buffers.
// Allocated when an op is prepared, never per step; values that change every step (step index,
// learning rate, seed) live in one block the loop rewrites with a single writeBuffer.

import type { Gpu } from './device.ts';
import type { BufferRange } from './pipelines.ts';

const CHUNK_BYTES = 64 * 1024;

export class UniformPool {
  private buffers: GPUBuffer[] = [];
  private used = CHUNK_BYTES; // forces a new chunk on first alloc

  constructor(
    private readonly gpu: Gpu,
    private readonly label = 'uniforms',
  ) {}

  /** Reserves a block and uploads `data` into it. Size is rounded up to 16 bytes (WGSL rule). */
  alloc(data: ArrayBufferView, name?: string): BufferRange {
    const align = this.gpu.device.limits.minUniformBufferOffsetAlignment;
    const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
    if (size > CHUNK_BYTES) throw new Error(`uniform block ${name ?? ''} of ${size} bytes is larger than ${CHUNK_BYTES}`);
    let offset = Math.ceil(this.used / align) * align;
    if (offset + size > CHUNK_BYTES) {
      this.gpu.stats.buffers++;
      this.buffers.push(
        this.gpu.device.createBuffer({
          label: `${this.label}#${this.buffers.length}`,
          size: CHUNK_BYTES,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        }),
      );
      offset = 0;
    }
    this.used = offset + size;
    const buffer = this.buffers[this.buffers.length - 1]!;
    this.gpu.write(buffer, offset, data);
    return { buffer, offset, size, ...(name ? { name } : {}) };
  }

  /** Rewrites a block allocated earlier (same size or smaller). */
  update(range: BufferRange, data: ArrayBufferView): void {
    if (data.byteLength > range.size) throw new Error(`uniform ${range.name ?? ''}: ${data.byteLength} bytes > ${range.size}`);
    this.gpu.write(range.buffer, range.offset, data);
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers = [];
    this.used = CHUNK_BYTES;
  }
}
