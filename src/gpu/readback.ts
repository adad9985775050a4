// Getting numbers back from the GPU without stalling training. ReadbackRing copies a step's
// metrics into one of a few staging buffers inside the step's command buffer and maps it after
// submit; while a slot is still mapping, the next step reuses another, and when all are busy the
// step simply skips its readback (metrics are throttled anyway) instead of waiting.
// readRange() is the simple awaiting version for tests and one-off reads.

import type { Gpu } from './device.ts';
import type { BufferRange } from './pipelines.ts';

/** Reads a range now (copy + map + wait). Not for the training loop: it waits on the queue. */
export async function readRange(gpu: Gpu, range: BufferRange): Promise<ArrayBuffer> {
  const { device } = gpu;
  gpu.stats.buffers++;
  const staging = device.createBuffer({ label: `read:${range.name ?? ''}`, size: range.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'readRange' });
  enc.copyBufferToBuffer(range.buffer, range.offset, staging, 0, range.size);
  device.queue.submit([enc.finish()]);
  gpu.stats.submits++;
  gpu.stats.mapAsyncCalls++;
  gpu.stats.readbackBytes += range.size;
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0);
  staging.unmap();
  staging.destroy();
  return copy;
}

export async function readF32(gpu: Gpu, range: BufferRange): Promise<Float32Array> {
  return new Float32Array(await readRange(gpu, range));
}

export async function readU32(gpu: Gpu, range: BufferRange): Promise<Uint32Array> {
  return new Uint32Array(await readRange(gpu, range));
}

/** Several f32 ranges read back one after another into one array (in the order given). */
export async function readF32Concat(gpu: Gpu, ranges: readonly BufferRange[]): Promise<Float32Array> {
  const parts = await Promise.all(ranges.map((r) => readF32(gpu, r)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A readback recorded into a command buffer; call start() once that buffer is submitted. */
export class PendingReadback {
  readonly result: Promise<ArrayBuffer[]>;
  private resolve!: (v: ArrayBuffer[]) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly ring: ReadbackRing,
    private readonly slot: number,
    private readonly sizes: number[],
  ) {
    this.result = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  start(): void {
    this.ring.map(this.slot, this.sizes).then(this.resolve, this.reject);
  }
}

export class ReadbackRing {
  private staging: GPUBuffer[] = [];
  private busy: boolean[] = [];

  constructor(
    private readonly gpu: Gpu,
    /** Largest total bytes one readback copies. */
    readonly slotBytes: number,
    slots = 3,
  ) {
    for (let i = 0; i < slots; i++) {
      gpu.stats.buffers++;
      this.staging.push(
        gpu.device.createBuffer({ label: `readback#${i}`, size: slotBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
      );
      this.busy.push(false);
    }
  }

  /** Free slots right now (for tests and the status line). */
  get free(): number {
    return this.busy.filter((b) => !b).length;
  }

  /** Records copies of `sources` (concatenated) into a free slot; null if every slot is in flight. */
  record(encoder: GPUCommandEncoder, sources: readonly BufferRange[]): PendingReadback | null {
    const total = sources.reduce((a, s) => a + s.size, 0);
    if (total > this.slotBytes) throw new Error(`readback of ${total} bytes exceeds the ring's slot size ${this.slotBytes}`);
    const slot = this.busy.indexOf(false);
    if (slot < 0) return null;
    this.busy[slot] = true;
    let at = 0;
    for (const s of sources) {
      encoder.copyBufferToBuffer(s.buffer, s.offset, this.staging[slot]!, at, s.size);
      at += s.size;
    }
    return new PendingReadback(this, slot, sources.map((s) => s.size));
  }

  /** @internal Maps a slot after its copies were submitted and splits it back per source. */
  async map(slot: number, sizes: number[]): Promise<ArrayBuffer[]> {
    const buf = this.staging[slot]!;
    const total = sizes.reduce((a, b) => a + b, 0);
    this.gpu.stats.mapAsyncCalls++;
    this.gpu.stats.readbackBytes += total;
    try {
      await buf.mapAsync(GPUMapMode.READ, 0, total);
      const all = buf.getMappedRange(0, total);
      const out: ArrayBuffer[] = [];
      let at = 0;
      for (const s of sizes) {
        out.push(all.slice(at, at + s));
        at += s;
      }
      buf.unmap();
      return out;
    } finally {
      this.busy[slot] = false;
    }
  }

  destroy(): void {
    for (const b of this.staging) b.destroy();
  }
}
