// Times the peer benchmark's cases the same way on every runtime: a warm-up block each, then
// `reps` rounds in which every runtime runs one block of k iterations in turn (A B C A B C …,
// the starting runtime rotating each round so none always follows the same neighbour), each block
// queued at once and waited for once. Reports per-iteration median and interquartile range, the
// WebGPU calls per iteration (from an untimed block under the counters), and our speedup over
// each peer (peer ms / ours ms: > 1 means we are faster). A case whose equal-work check failed is
// never timed.
import type { BenchCase, CallCounts, RuntimeId } from './types.ts';

export interface TimingOptions {
  reps: number;
  /** Iterations per timed block. */
  k: number;
  warmup: number;
}

export interface RuntimeTiming {
  /** ms per iteration of each timed block, in the order run. */
  blocks: number[];
  median: number;
  q1: number;
  q3: number;
  counts: CallCounts | null;
}

export interface CaseResult {
  name: string;
  /** Iterations per timed block. */
  k: number;
  kind: BenchCase['kind'];
  flops?: number;
  check?: BenchCase['check'];
  /** Empty when the check failed: nothing was timed. */
  runtimes: Partial<Record<RuntimeId, RuntimeTiming>>;
  /** peer median / ours median, per peer. */
  speedup: Partial<Record<RuntimeId, number>>;
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (i - lo);
}

/** Round r's order of the runtimes: rotated by r, so each one leads in turn. */
export function roundOrder<T>(ids: readonly T[], r: number): T[] {
  const s = r % Math.max(1, ids.length);
  return [...ids.slice(s), ...ids.slice(0, s)];
}

export function geomean(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x) && x > 0);
  return v.length ? Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length) : NaN;
}

type Counter = { snapshot(): CallCounts };

function perIteration(a: CallCounts, b: CallCounts, k: number): CallCounts {
  const out = {} as CallCounts;
  for (const key of Object.keys(a) as (keyof CallCounts)[]) out[key] = (b[key] - a[key]) / k;
  return out;
}

export async function timeCase(c: BenchCase, opts: TimingOptions, counter: Counter | null, now: () => number = () => performance.now()): Promise<CaseResult> {
  const result: CaseResult = { name: c.name, k: opts.k, kind: c.kind, ...(c.flops !== undefined ? { flops: c.flops } : {}), ...(c.check ? { check: c.check } : {}), runtimes: {}, speedup: {} };
  if (c.check && !c.check.ok) return result;
  const ids = Object.keys(c.runners) as RuntimeId[];
  for (const id of ids) await c.runners[id]!.run(opts.warmup);
  const counts = new Map<RuntimeId, CallCounts>();
  if (counter) {
    for (const id of ids) {
      const before = counter.snapshot();
      await c.runners[id]!.run(opts.k);
      counts.set(id, perIteration(before, counter.snapshot(), opts.k));
    }
  }
  const blocks = new Map<RuntimeId, number[]>(ids.map((id) => [id, []]));
  for (let r = 0; r < opts.reps; r++) {
    for (const id of roundOrder(ids, r)) {
      const t0 = now();
      await c.runners[id]!.run(opts.k);
      blocks.get(id)!.push((now() - t0) / opts.k);
    }
  }
  for (const id of ids) {
    const b = blocks.get(id)!;
    const s = [...b].sort((x, y) => x - y);
    result.runtimes[id] = { blocks: b, median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), counts: counts.get(id) ?? null };
  }
  const ours = result.runtimes.ours?.median;
  if (ours) for (const id of ids) if (id !== 'ours') result.speedup[id] = result.runtimes[id]!.median / ours;
  return result;
}
