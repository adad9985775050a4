// Per-dispatch GPU time from timestamp queries, when the device has 'timestamp-query'. While
// profiling, the step encoder gives every dispatch its own compute pass with begin/end
// timestamps (queries are per pass), so profiled steps are a little slower than normal ones.
// Chrome rounds timestamps (to 100 µs unless developer features are on): sum many dispatches
// or many steps before trusting a number.

import type { Gpu } from './device.ts';

export interface DispatchTiming {
  label: string;
  ms: number;
}

export class TimestampProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private readonly staging: GPUBuffer;
  private labels: string[] = [];
  private active = false;
  private mapping = false;

  constructor(
    private readonly gpu: Gpu,
    readonly maxPasses = 1024,
  ) {
    if (!gpu.hasTimestamps) throw new Error('TimestampProfiler needs the timestamp-query feature');
    const bytes = maxPasses * 2 * 8;
    this.querySet = gpu.device.createQuerySet({ label: 'profiler', type: 'timestamp', count: maxPasses * 2 });
    gpu.stats.buffers += 2;
    this.resolveBuf = gpu.device.createBuffer({ label: 'profiler.resolve', size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.staging = gpu.device.createBuffer({ label: 'profiler.staging', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Starts collecting for one command buffer; false if the previous results are still mapping. */
  begin(): boolean {
    if (this.mapping) return false;
    this.labels = [];
    this.active = true;
    return true;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Timestamp writes for the next pass, or undefined when not profiling or out of queries. */
  passWrites(label: string): GPUComputePassTimestampWrites | undefined {
    if (!this.active || this.labels.length >= this.maxPasses) return undefined;
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Records the query resolve + copy; call after the last pass, before finish(). */
  resolve(encoder: GPUCommandEncoder): void {
    if (!this.active || this.labels.length === 0) return;
    const n = this.labels.length * 2;
    encoder.resolveQuerySet(this.querySet, 0, n, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, this.staging, 0, n * 8);
  }

  /** After submit: the time of each profiled pass, in recording order. */
  async collect(): Promise<DispatchTiming[]> {
    const labels = this.labels;
    this.active = false;
    if (labels.length === 0) return [];
    this.mapping = true;
    this.gpu.stats.mapAsyncCalls++;
    try {
      await this.staging.mapAsync(GPUMapMode.READ, 0, labels.length * 16);
      const t = new BigUint64Array(this.staging.getMappedRange(0, labels.length * 16).slice(0));
      this.staging.unmap();
      return labels.map((label, i) => ({ label, ms: Number(t[2 * i + 1]! - t[2 * i]!) / 1e6 }));
    } finally {
      this.mapping = false;
    }
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
    this.staging.destroy();
  }
}

/** Sums timings by label (e.g. all "matmul" dispatches of a step), largest first. */
export function totalsByLabel(timings: readonly DispatchTiming[]): DispatchTiming[] {
  const m = new Map<string, number>();
  for (const t of timings) m.set(t.label, (m.get(t.label) ?? 0) + t.ms);
  return [...m].map(([label, ms]) => ({ label, ms })).sort((a, b) => b.ms - a.ms);
}
