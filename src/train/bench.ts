// The engine-side benchmark of training steps: after warm-up, time `steps` real training steps
// (the same TrainingSession the app uses) and count what they cost besides kernel time:
// dispatches, bind groups created (0 after warm-up: everything is prepared once), bytes written
// and read back, mapAsync calls; plus the planned GPU bytes of every arena pool.
import type { BrownCorpus } from '../data/brown.ts';
import type { Gpu, GpuStats } from '../gpu/device.ts';
import type { RunConfig } from '../model/config.ts';
import type { DispatchTiming } from '../gpu/profiler.ts';
import type { BenchResult, KernelTime } from './protocol.ts';
import { TrainingSession } from './session.ts';

/** Dispatch labels of the masking stage (the [B] kernel and the masking lab's kernels). */
export function isMaskingDispatch(label: string): boolean {
  return /^(random_masking|lab_|mask_stats|attention_scores)/.test(label);
}

/**
 * Dispatch timings grouped by kernel, largest total first. A dispatch label is the kernel (one or
 * more words: "matmul backward") followed by the tensor it writes, so the kernel is all but the
 * last word; this is what says where a step's time goes (e.g. how much of it is matmul).
 */
export function timeByKernel(timings: readonly DispatchTiming[]): KernelTime[] {
  const by = new Map<string, KernelTime>();
  for (const t of timings) {
    const words = t.label.split(' ');
    const kernel = words.length > 1 ? words.slice(0, -1).join(' ') : t.label;
    const k = by.get(kernel) ?? { kernel, dispatches: 0, ms: 0 };
    k.dispatches += 1;
    k.ms += t.ms;
    by.set(kernel, k);
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms || a.kernel.localeCompare(b.kernel));
}

export async function benchTraining(gpu: Gpu, config: RunConfig, opts: { warmup: number; steps: number }, loadBrown: () => Promise<BrownCorpus>): Promise<BenchResult> {
  const cfg = structuredClone(config);
  // No eval inside the timed window, and no "final" eval: the run never reaches its end.
  cfg.train.steps = opts.warmup + opts.steps + 1;
  cfg.train.evalEvery = 0;
  cfg.train.warmupSteps = 0;
  const session = await TrainingSession.create(gpu, cfg, () => undefined, loadBrown);
  try {
    await session.train(opts.warmup, () => false);
    const before = gpu.snapshotStats();
    const t0 = performance.now();
    await session.train(opts.warmup + opts.steps, () => false);
    const ms = performance.now() - t0;
    const after = gpu.snapshotStats();
    // Share of GPU time spent masking, from one profiled step (each dispatch in its own timed pass).
    const timings = await session.profileStep();
    const total = timings ? timings.reduce((a, r) => a + r.ms, 0) : 0;
    const maskMs = timings ? timings.filter((r) => isMaskingDispatch(r.label)).reduce((a, r) => a + r.ms, 0) : 0;
    const per = (k: keyof GpuStats) => (after[k] - before[k]) / opts.steps;
    const { B } = session.model.shape;
    const T = cfg.model.T;
    return {
      preset: cfg.preset,
      adapter: `${gpu.report.vendor} / ${gpu.report.architecture}`,
      profile: gpu.profile,
      shape: { L: cfg.model.L, C: cfg.model.C, NH: cfg.model.NH, FFN: cfg.model.FFN, T, B, V: session.info.vocabSize },
      steps: opts.steps,
      msPerStep: ms / opts.steps,
      tokensPerSec: (opts.steps * B * T) / (ms / 1000),
      gflopPerSec: (session.info.flopsPerStep * opts.steps) / (ms / 1000) / 1e9,
      perStep: {
        dispatches: per('dispatches'),
        bindGroupsCreated: per('bindGroups'),
        pipelinesCreated: per('pipelines'),
        buffersCreated: per('buffers'),
        submits: per('submits'),
        writeBufferBytes: per('writeBufferBytes'),
        readbackBytes: per('readbackBytes'),
        mapAsyncCalls: per('mapAsyncCalls'),
      },
      masking: { strategy: session.info.masking.strategy, gpuMs: maskMs, stepGpuMs: total, share: total > 0 ? maskMs / total : null },
      gpuTime: timings ? timeByKernel(timings) : [],
      plannedBytes: session.info.plannedBytes,
      parameters: session.info.parameters,
      flopsPerStep: session.info.flopsPerStep,
    };
  } finally {
    session.destroy();
  }
}
