// One command buffer per training step: every dispatch of the step is recorded here and the
// whole step is submitted once. Dispatches share one compute pass (WebGPU orders storage writes
// between dispatches of a pass); clears and copies end the pass, the next dispatch opens another.
// With a profiler, each dispatch gets its own timed pass instead.

import type { Gpu } from './device.ts';
import { GpuError } from './errors.ts';
import type { Kernel, BufferRange } from './pipelines.ts';
import type { DispatchTiming, TimestampProfiler } from './profiler.ts';
import type { PendingReadback, ReadbackRing } from './readback.ts';

export interface StepSubmission {
  /** Per-dispatch times, when this step was profiled. */
  timings: Promise<DispatchTiming[]> | null;
  /** Resolves when the GPU has finished this step (use sparingly: waiting stalls the pipeline). */
  done: () => Promise<void>;
}

export class StepEncoder {
  private readonly enc: GPUCommandEncoder;
  private pass: GPUComputePassEncoder | null = null;
  private readonly reads: PendingReadback[] = [];
  private readonly profiling: boolean;
  private submitted = false;
  /** Dispatches recorded so far in this step. */
  dispatches = 0;

  constructor(
    private readonly gpu: Gpu,
    private readonly opts: { label?: string; profiler?: TimestampProfiler } = {},
  ) {
    if (gpu.lost) throw new GpuError(gpu.lost.kind, gpu.lost.message, gpu.lost.hint);
    this.enc = gpu.device.createCommandEncoder({ label: opts.label ?? 'step' });
    this.profiling = opts.profiler?.begin() ?? false;
  }

  /** The raw encoder, with any open pass ended (for clears, copies, query resolves). */
  get commandEncoder(): GPUCommandEncoder {
    this.endPass();
    return this.enc;
  }

  dispatch(kernel: Kernel, group: GPUBindGroup, x: number, y = 1, z = 1, label?: string): void {
    const max = this.gpu.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max || x < 1 || y < 1 || z < 1) {
      throw new GpuError('validation', `${label ?? kernel.label}: workgroup count (${x}, ${y}, ${z}) is outside 1..${max}.`);
    }
    let pass = this.pass;
    if (this.profiling) {
      this.endPass();
      const timestampWrites = this.opts.profiler!.passWrites(label ?? kernel.label);
      pass = this.enc.beginComputePass(timestampWrites ? { label, timestampWrites } : { label });
    } else if (!pass) {
      pass = this.pass = this.enc.beginComputePass({ label: this.opts.label ?? 'step' });
    }
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiling) pass.end();
    this.dispatches++;
    this.gpu.stats.dispatches++;
  }

  clear(range: BufferRange): void {
    this.commandEncoder.clearBuffer(range.buffer, range.offset, range.size);
  }

  copy(src: BufferRange, dst: BufferRange): void {
    if (src.size !== dst.size) throw new Error(`copy ${src.name ?? '?'} → ${dst.name ?? '?'}: sizes ${src.size} ≠ ${dst.size}`);
    if (src.buffer === dst.buffer) {
      // WebGPU forbids copyBufferToBuffer within one buffer, and arena pools hold many tensors.
      throw new Error(`copy ${src.name ?? '?'} → ${dst.name ?? '?'}: both lie in one buffer, which WebGPU cannot copy within; use a kernel.`);
    }
    this.commandEncoder.copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, src.size);
  }

  /**
   * Copies `sources` into a staging slot of `ring` at this point of the step. The promise resolves
   * after submit() without blocking; null means every slot was busy and this read was skipped.
   */
  readback(ring: ReadbackRing, sources: readonly BufferRange[]): Promise<ArrayBuffer[]> | null {
    const pending = ring.record(this.commandEncoder, sources);
    if (!pending) return null;
    this.reads.push(pending);
    return pending.result;
  }

  submit(): StepSubmission {
    if (this.submitted) throw new Error('StepEncoder.submit called twice');
    this.submitted = true;
    this.endPass();
    if (this.profiling) this.opts.profiler!.resolve(this.enc);
    this.gpu.device.queue.submit([this.enc.finish()]);
    this.gpu.stats.submits++;
    for (const r of this.reads) r.start();
    const queue = this.gpu.device.queue;
    return {
      timings: this.profiling ? this.opts.profiler!.collect() : null,
      done: () => queue.onSubmittedWorkDone(),
    };
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }
}
