// Kernel tuning for a run being set up (issue [M]): the engine builds the run's model, which notes
// every tunable kernel it prepared (gpu.kernels); the kernels not yet decided on this device are
// tuned (gpu/autotune.ts; the cache makes a second visit instant) and, when any choice differs
// from the default the model was built with, the caller rebuilds the model to use it.
import { autotune, type TuneCache, type TuneOutcome } from '../gpu/autotune.ts';
import type { Gpu } from '../gpu/device.ts';
import type { OpContext } from '../gpu/op-context.ts';
import { tuneProblems } from '../model/ops/tune-families.ts';
import { opContext } from '../shaders/index.ts';
import type { AutotuneMode, PostEvent } from './protocol.ts';

// One op context per device for tuning, so a later run's tuning reuses the compiled candidates
// (compiling, not timing, is most of a tuning on a software adapter).
const contexts = new WeakMap<Gpu, OpContext>();

/** Whether `mode` tunes on this adapter: 'auto' only on hardware (a software adapter trains on the CPU tuning would take). */
export function tunesOn(mode: AutotuneMode, gpu: Gpu): boolean {
  return mode === 'on' || (mode === 'auto' && !gpu.report.isFallbackAdapter);
}

export interface RunTuning {
  /** Outcomes of every kernel of the run, by key: tuned now, earlier on this device, or from the cache. */
  outcomes: TuneOutcome[];
  /** Some kernel now uses a variant other than the one the model was built with. */
  changed: boolean;
  ms: number;
}

/**
 * Tunes `keys` (the run's kernels) that this device has not decided yet; `known` holds the
 * outcomes decided earlier (updated here). Posts tune-progress events.
 */
export async function tuneRunKernels(
  gpu: Gpu,
  keys: readonly string[],
  known: Map<string, TuneOutcome>,
  opts: { post: PostEvent; cache?: TuneCache; budgetMs: number; shouldStop: () => boolean },
): Promise<RunTuning> {
  const t0 = performance.now();
  const todo = keys.filter((k) => gpu.kernels.get(k) === undefined);
  let changed = false;
  if (todo.length) {
    let ctx = contexts.get(gpu);
    if (!ctx) contexts.set(gpu, (ctx = opContext(gpu)));
    const problems = await tuneProblems(ctx, todo);
    const outcomes = await autotune(gpu, problems, {
      budgetMs: opts.budgetMs,
      shouldStop: opts.shouldStop,
      ...(opts.cache ? { cache: opts.cache } : {}),
      onProgress: (done, total, key) => opts.post({ type: 'tune-progress', done, total, key }),
    });
    for (const o of outcomes) {
      known.set(o.key, o);
      // Out of time or skipped: left undecided, so the next run set up tries again.
      if (o.source === 'measured' || o.source === 'cache') gpu.kernels.set(o.key, o.choice);
      if (o.choice !== o.defaultId) changed = true;
    }
  }
  return { outcomes: keys.flatMap((k) => known.get(k) ?? []), changed, ms: performance.now() - t0 };
}
