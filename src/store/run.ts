// Store slice: the current training run as the engine reports it. Small, slow-changing state
// lives in zustand; the per-step series lives in a growable buffer outside React state, and
// components subscribe to `seriesVersion` to redraw (design.md: hot data out of React state).
import { create } from 'zustand';
import type { EvalPoint, MetricPoint, RunInfo, RunState } from '../train/protocol.ts';

export type RunStatus = RunState | 'configuring';

export interface RunSlice {
  status: RunStatus;
  step: number;
  info: RunInfo | null;
  last: MetricPoint | null;
  evals: EvalPoint[];
  error: { message: string; hint: string } | null;
  seriesVersion: number;
}

/** Per-step metrics (step, loss, accuracy, lr, gradNorm, tokens/s), appended as they arrive. */
export class Series {
  readonly columns = ['step', 'loss', 'accuracy', 'lr', 'gradNorm', 'tokensPerSec'] as const;
  length = 0;
  private data = new Float64Array(6 * 1024);

  push(p: MetricPoint): void {
    if ((this.length + 1) * 6 > this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data.set([p.step, p.loss, p.accuracy, p.lr, p.gradNorm, p.tokensPerSec], this.length * 6);
    this.length++;
  }

  column(name: (typeof this.columns)[number]): Float64Array {
    const c = this.columns.indexOf(name);
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.data[i * 6 + c]!;
    return out;
  }

  clear(): void {
    this.length = 0;
  }
}

export const runSeries = new Series();

const initial: RunSlice = { status: 'idle', step: 0, info: null, last: null, evals: [], error: null, seriesVersion: 0 };
export const useRunStore = create<RunSlice>(() => ({ ...initial }));

export function runConfiguring(): void {
  runSeries.clear();
  useRunStore.setState({ ...initial, status: 'configuring', seriesVersion: useRunStore.getState().seriesVersion + 1 });
}

export function runConfigured(info: RunInfo): void {
  useRunStore.setState({ info, error: null });
}

export function runMetrics(p: MetricPoint): void {
  runSeries.push(p);
  useRunStore.setState((s) => ({ last: p, step: Math.max(s.step, p.step), seriesVersion: s.seriesVersion + 1 }));
}

export function runEval(p: EvalPoint): void {
  useRunStore.setState((s) => ({ evals: [...s.evals, p] }));
}

export function runStatus(status: RunState, step: number): void {
  useRunStore.setState({ status, step });
}

/** The error is shown; the run, its series and its evals stay. */
export function runError(message: string, hint: string): void {
  useRunStore.setState((s) => ({ error: { message, hint }, status: s.status === 'configuring' ? 'idle' : s.status }));
}
