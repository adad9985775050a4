// Store slice: every run of this page session as the engine reported it, the last one active.
// Small, slow-changing state lives in zustand; each run's per-step series lives in a growable
// buffer outside React state, and charts subscribe to `seriesVersion` to redraw (design.md: hot
// data out of React state). Earlier runs stay for the comparison views until cleared.
import { create } from 'zustand';
import type { RunConfig } from '../model/config.ts';
import { metricNames } from '../objectives/metrics.ts';
import type { Divergence, EvalPoint, MetricPoint, ProbePoint, RunInfo, RunState } from '../train/protocol.ts';

export type RunStatus = RunState | 'configuring';

/** The columns every run has; an objective's own metrics (its spec's `metrics`) follow them. */
const COMMON = ['step', 'loss', 'accuracy', 'lr', 'gradNorm', 'tokensPerSec', 'elapsedMs', 'maskRate'] as const;
/** A common column or one of the run's objective's metric names. */
export type SeriesColumn = (typeof COMMON)[number] | (string & {});

/**
 * Per-step metrics of one run, appended as they arrive, one growable array per column, so a
 * chart reads a column as a view (no copy per redraw). Views are read-only for callers.
 */
export class Series {
  readonly columns: readonly string[];
  length = 0;
  private data: Float64Array[];

  /** `metrics`: the names of the objective's metrics (objectives/metrics.ts metricNames). */
  constructor(private readonly metrics: readonly string[] = []) {
    this.columns = [...COMMON, ...metrics];
    this.data = this.columns.map(() => new Float64Array(1024));
  }

  push(p: MetricPoint): void {
    if (this.length === this.data[0]!.length) {
      this.data = this.data.map((old) => {
        const next = new Float64Array(old.length * 2);
        next.set(old);
        return next;
      });
    }
    const row = [p.step, p.loss, p.accuracy, p.lr, p.gradNorm, p.tokensPerSec, p.elapsedMs, p.mask.achievedRate, ...this.metrics.map((m) => p.values?.[m] ?? NaN)];
    row.forEach((v, c) => (this.data[c]![this.length] = v));
    this.length++;
  }

  /** Drops the rows after `step` (a roll-back): steps only grow along a series. */
  truncateAfter(step: number): void {
    const steps = this.data[0]!;
    while (this.length > 0 && steps[this.length - 1]! > step) this.length--;
  }

  /** The column's values so far: a view into the series, valid until the next push. */
  column(name: SeriesColumn): Float64Array {
    const c = this.columns.indexOf(name);
    if (c < 0) throw new Error(`This run's series has no column "${name}" (it has ${this.columns.join(', ')}).`);
    return this.data[c]!.subarray(0, this.length);
  }
}

export interface RunRecord {
  id: number;
  /** What distinguishes the run in legends and tables ("span, rate 0.4 · seed 2"). */
  label: string;
  config: RunConfig;
  /** Runs with the same group differ only in their seed: drawn as one band. */
  group: string;
  info: RunInfo | null;
  series: Series;
  evals: EvalPoint[];
  /** The linear probes by step (step 0: the untrained model). */
  probes: ProbePoint[];
  last: MetricPoint | null;
  /** Queued by a comparison: kept when a plain run starts. */
  compared: boolean;
}

export interface RunSlice {
  runs: RunRecord[];
  /** The engine's state for the active (last) run. */
  status: RunStatus;
  step: number;
  error: { message: string; hint: string } | null;
  /** The active run paused on a divergence rule, with the step a roll-back returns to. */
  divergence: { divergence: Divergence; rollbackStep: number | null; lr: number; hint: string } | null;
  /** Something the engine did on its own that the user should know (a run rebuilt after a lost device). */
  notice: { message: string; hint: string } | null;
  seriesVersion: number;
}

export const useRunStore = create<RunSlice>(() => ({ runs: [], status: 'idle', step: 0, error: null, divergence: null, notice: null, seriesVersion: 0 }));

/** The run the engine is working on (or worked on last). */
export function activeRun(s: RunSlice): RunRecord | null {
  return s.runs.at(-1) ?? null;
}

let nextId = 1;
const setActive = (f: (r: RunRecord) => RunRecord) =>
  useRunStore.setState((s) => (s.runs.length ? { runs: [...s.runs.slice(0, -1), f(s.runs.at(-1)!)] } : {}));

/**
 * A new run starts configuring. A plain run (Train, Reset) replaces the previous plain run and
 * keeps the comparison's runs; a comparison run keeps every earlier run.
 */
export function runConfiguring(config: RunConfig, meta: { label: string; group: string; compared: boolean }): void {
  flushMetrics();
  const record: RunRecord = { id: nextId++, label: meta.label, config, group: meta.group, info: null, series: new Series(metricNames(config.objective)), evals: [], probes: [], last: null, compared: meta.compared };
  useRunStore.setState((s) => ({
    runs: [...(meta.compared ? s.runs : s.runs.filter((r) => r.compared)), record],
    status: 'configuring',
    step: 0,
    error: null,
    divergence: null,
    notice: null,
    seriesVersion: s.seriesVersion + 1,
  }));
}

export function runConfigured(info: RunInfo): void {
  setActive((r) => ({ ...r, info }));
  useRunStore.setState({ error: null });
}

/**
 * Metrics can arrive hundreds of times a second on a fast GPU: the series takes each point at
 * once (outside React), the store shows the newest at most every METRICS_MS, so the page redraws
 * at a bounded rate however fast training runs. Every other update flushes first, keeping order.
 */
const METRICS_MS = 100;
let pending: MetricPoint | null = null;
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flushMetrics(): void {
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  const p = pending;
  pending = null;
  if (!p) return;
  setActive((x) => ({ ...x, last: p }));
  useRunStore.setState((s) => ({ step: Math.max(s.step, p.step), seriesVersion: s.seriesVersion + 1 }));
}

export function runMetrics(p: MetricPoint): void {
  const r = activeRun(useRunStore.getState());
  if (!r) return;
  r.series.push(p);
  pending = p;
  flushTimer ??= setTimeout(flushMetrics, METRICS_MS);
}

export function runEval(p: EvalPoint): void {
  flushMetrics();
  setActive((r) => ({ ...r, evals: [...r.evals, p] }));
}

export function runProbeEval(p: ProbePoint): void {
  flushMetrics();
  setActive((r) => ({ ...r, probes: [...r.probes, p] }));
}

export function runStatus(status: RunState, step: number): void {
  flushMetrics();
  useRunStore.setState({ status, step });
}

/** The error is shown; the run, its series and its evals stay. */
export function runError(message: string, hint: string): void {
  useRunStore.setState((s) => ({ error: { message, hint }, status: s.status === 'configuring' ? 'idle' : s.status }));
}

export function runDiverged(d: NonNullable<RunSlice['divergence']>): void {
  flushMetrics();
  useRunStore.setState({ divergence: d });
}

/** The run went back to `step`: what it measured after that step is gone from every view. */
export function runRolledBack(step: number): void {
  flushMetrics();
  const r = activeRun(useRunStore.getState());
  r?.series.truncateAfter(step);
  setActive((x) => ({ ...x, evals: x.evals.filter((p) => p.step <= step), probes: x.probes.filter((p) => p.step <= step), last: x.series.length ? x.last : null }));
  useRunStore.setState((s) => ({ divergence: null, step, seriesVersion: s.seriesVersion + 1 }));
}

export function runNotice(notice: RunSlice['notice']): void {
  useRunStore.setState({ notice });
}

export function clearDivergence(): void {
  useRunStore.setState({ divergence: null });
}

export function clearError(): void {
  useRunStore.setState({ error: null });
}

/** Forgets the comparison's runs (the active run stays, as a plain run). */
export function clearRuns(): void {
  useRunStore.setState((s) => ({ runs: s.runs.slice(-1).map((r) => ({ ...r, compared: false })), seriesVersion: s.seriesVersion + 1 }));
}
