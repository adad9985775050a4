// Picks the fastest correct variant of each tunable kernel on the adapter the user has (issue
// [M]). Knows nothing about what the kernels compute: a TuneProblem brings a reference, the
// candidates, and a way to poison and read the output. For each problem:
//   1. the reference runs once on seeded inputs;
//   2. every candidate runs on the same inputs into a NaN-poisoned output and must match the
//      reference (scaled max relative error ≤ the problem's tolerance, every entry finite), so a
//      kernel that is wrong, or skips outputs, is rejected and never used;
//   3. the survivors are timed: `batches` batches of `reps` runs each, one submission per batch,
//      by timestamp queries where the device has them (else wall time); the median batch wins.
// The choice per (adapter, kernel family, shape) goes to a TuneCache (IndexedDB in the app), so
// the next visit starts tuned; a cached choice is checked again before it is used.
// Bounded in time: problems are tuned largest first, and those the deadline does not reach keep
// their default.

import type { Gpu } from './device.ts';
import { TimestampProfiler } from './profiler.ts';
import { StepEncoder } from './step-encoder.ts';

export interface TuneKernel {
  id: string;
  /** Records one run into the step. */
  record(enc: StepEncoder): void;
}

export interface TuneProblem {
  /** The kernel and its shape, e.g. "matmul NT 256x128x384": what KernelChoices is keyed by. */
  key: string;
  /** What decides a cached choice is still valid: the adapter plus the kernels' source and variant list. */
  cacheKey: string;
  /** Work per run (e.g. FLOPs): big problems are tuned first. */
  cost: number;
  /** The variant used untuned; the gain is measured against it. */
  defaultId: string;
  reference: TuneKernel;
  /** Prepares a candidate; a throw (e.g. it does not compile here) rejects it. */
  candidates: { id: string; prepare(): Promise<TuneKernel> }[];
  /** Overwrites the output with NaN (a queue write, so it lands before the next submission). */
  poison(): void;
  read(): Promise<Float32Array>;
  /** Bound on scaledMaxRelError(candidate, reference), floor 1e-2 of the largest entry. */
  tolerance: number;
  /** Frees the problem's buffers. */
  release(): void;
}

export interface TuneOutcome {
  key: string;
  choice: string;
  defaultId: string;
  /** Median ms per run of each candidate that passed its check. */
  ms: Record<string, number>;
  /** Candidates that failed, and why. */
  rejected: Record<string, string>;
  /** ms[default] / ms[choice]; 1 when the default won or was not timed. */
  gain: number;
  /** measured now, taken from the cache, or not tuned: out of time, or skipped by the user. */
  source: 'measured' | 'cache' | 'time bound' | 'skipped';
}

export interface CachedChoice {
  choice: string;
  ms: Record<string, number>;
  gain: number;
}

export interface TuneCache {
  get(key: string): Promise<CachedChoice | undefined>;
  put(key: string, value: CachedChoice): Promise<void>;
}

export interface TuneOptions {
  /** Batches timed per candidate (the median counts). Default 5. */
  batches?: number;
  /**
   * Runs per batch, at most. Default 16; fewer when one run is slow (a batch aims at ~2 ms of
   * work, enough for Chrome's coarse timestamps, no more: a software adapter has no time to spare).
   */
  reps?: number;
  /** Wall-clock bound for the whole tuning, ms. Default 30 s. */
  budgetMs?: number;
  cache?: TuneCache;
  /** Polled between problems: true skips the rest (they keep their defaults). */
  shouldStop?: () => boolean;
  onProgress?: (done: number, total: number, key: string) => void;
}

/** The candidates of a problem whose variants are ids a launcher takes (`prepare(id)` builds one). */
export function variantCandidates<V extends string>(ids: readonly V[], prepare: (id: V) => Promise<{ record(enc: StepEncoder): void }>): TuneProblem['candidates'] {
  return ids.map((id) => ({
    id,
    prepare: async () => {
      const op = await prepare(id);
      return { id, record: (enc) => op.record(enc) };
    },
  }));
}

const FLOOR = 1e-2;
/** Work one timed batch aims at, ms (see TuneOptions.reps). */
const BATCH_MS = 2;

/** max |got − want| / max(|want|, 1e-2·max|want|); Infinity when any entry of got is not finite. */
export function tuneError(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) return Infinity;
  let scale = 1e-30;
  for (const w of want) scale = Math.max(scale, Math.abs(w));
  const floor = FLOOR * scale;
  let m = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    if (!Number.isFinite(g)) return Infinity;
    m = Math.max(m, Math.abs(g - want[i]!) / Math.max(Math.abs(want[i]!), floor));
  }
  return m;
}

async function runOnce(gpu: Gpu, problem: TuneProblem, k: TuneKernel): Promise<Float32Array> {
  problem.poison();
  const enc = new StepEncoder(gpu, { label: `tune ${problem.key}` });
  k.record(enc);
  await enc.submit().done();
  return problem.read();
}

/** Median ms per run of `k`: timestamp sums where available, else wall time per batch. */
async function timeKernel(gpu: Gpu, k: TuneKernel, batches: number, maxReps: number, profiler: TimestampProfiler | null): Promise<number> {
  const per: number[] = [];
  let reps = 1; // the warm-up batch (b = -1) is one run, whose time sets the batch size
  for (let b = -1; b < batches; b++) {
    const enc = new StepEncoder(gpu, { label: 'tune timing', ...(profiler ? { profiler } : {}) });
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) k.record(enc);
    const sub = enc.submit();
    await sub.done();
    const wall = performance.now() - t0;
    const timings = sub.timings ? await sub.timings : null;
    const ms = timings?.length ? timings.reduce((s, t) => s + t.ms, 0) : wall;
    if (b >= 0) per.push(ms / reps);
    else reps = Math.max(1, Math.min(maxReps, Math.ceil(BATCH_MS / Math.max(wall, 1e-3))));
  }
  per.sort((x, y) => x - y);
  return per[Math.floor(per.length / 2)]!;
}

async function measure(gpu: Gpu, p: TuneProblem, opts: Required<Pick<TuneOptions, 'batches' | 'reps'>>, profiler: TimestampProfiler | null): Promise<Omit<TuneOutcome, 'source'>> {
  const want = await runOnce(gpu, p, p.reference);
  const ms: Record<string, number> = {};
  const rejected: Record<string, string> = {};
  for (const c of p.candidates) {
    let k: TuneKernel;
    try {
      k = await c.prepare();
    } catch (e) {
      rejected[c.id] = `not prepared: ${e instanceof Error ? e.message : String(e)}`;
      continue;
    }
    const err = tuneError(await runOnce(gpu, p, k), want);
    if (!(err <= p.tolerance)) {
      rejected[c.id] = `differs from the reference: ${err === Infinity ? 'non-finite or missing outputs' : `error ${err.toExponential(2)} > ${p.tolerance}`}`;
      continue;
    }
    ms[c.id] = await timeKernel(gpu, k, opts.batches, opts.reps, profiler);
  }
  const ids = Object.keys(ms);
  if (ids.length === 0) return { key: p.key, choice: p.defaultId, defaultId: p.defaultId, ms, rejected, gain: 1 };
  const choice = ids.reduce((best, id) => (ms[id]! < ms[best]! ? id : best));
  const gain = ms[p.defaultId] !== undefined ? ms[p.defaultId]! / ms[choice]! : 1;
  return { key: p.key, choice, defaultId: p.defaultId, ms, rejected, gain };
}

/** Does a cached choice still give the reference's answer here? */
async function stillCorrect(gpu: Gpu, p: TuneProblem, id: string): Promise<boolean> {
  const c = p.candidates.find((x) => x.id === id);
  if (!c) return false;
  try {
    const k = await c.prepare();
    const want = await runOnce(gpu, p, p.reference);
    return tuneError(await runOnce(gpu, p, k), want) <= p.tolerance;
  } catch {
    return false;
  }
}

/**
 * Tunes each problem (largest first, within opts.budgetMs) and returns one outcome per problem,
 * in the order given. Releases every problem. The caller applies the choices (KernelChoices).
 */
export async function autotune(gpu: Gpu, problems: TuneProblem[], opts: TuneOptions = {}): Promise<TuneOutcome[]> {
  const o = { batches: opts.batches ?? 5, reps: opts.reps ?? 16 };
  const deadline = performance.now() + (opts.budgetMs ?? 30_000);
  const profiler = gpu.hasTimestamps ? new TimestampProfiler(gpu, 4 * o.reps) : null;
  const byKey = new Map<string, TuneOutcome>();
  const order = [...problems].sort((a, b) => b.cost - a.cost);
  try {
    for (const [i, p] of order.entries()) {
      opts.onProgress?.(i, order.length, p.key);
      const cached = await opts.cache?.get(p.cacheKey);
      const skip = opts.shouldStop?.() ?? false;
      if (cached && (await stillCorrect(gpu, p, cached.choice))) {
        byKey.set(p.key, { key: p.key, choice: cached.choice, defaultId: p.defaultId, ms: cached.ms, rejected: {}, gain: cached.gain, source: 'cache' });
      } else if (skip || performance.now() >= deadline) {
        byKey.set(p.key, { key: p.key, choice: p.defaultId, defaultId: p.defaultId, ms: {}, rejected: {}, gain: 1, source: skip ? 'skipped' : 'time bound' });
      } else {
        const m = await measure(gpu, p, o, profiler);
        byKey.set(p.key, { ...m, source: 'measured' });
        if (Object.keys(m.ms).length) await opts.cache?.put(p.cacheKey, { choice: m.choice, ms: m.ms, gain: m.gain });
      }
      p.release();
    }
    opts.onProgress?.(order.length, order.length, '');
  } finally {
    profiler?.destroy();
    for (const p of problems) if (!byKey.has(p.key)) p.release();
  }
  return problems.map((p) => byKey.get(p.key)!);
}

/** A short stable fingerprint of some text (FNV-1a, 32 bits, hex): cache keys change when kernels do. */
export function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The adapter part of a cache key: who made it, which chip, and the driver's description. */
export function adapterKey(gpu: Gpu): string {
  const r = gpu.report;
  return [r.vendor, r.architecture, r.device, r.description, r.isFallbackAdapter ? 'fallback' : ''].join('/');
}
