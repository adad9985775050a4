// Turns the runs of the store into chart series: one line per run, or, for runs that differ only
// in their seed, the mean line with a min–max band; x in steps, tokens seen, or estimated FLOPs
// (spec D.2: compare ELECTRA and MLM at equal compute, not equal steps). Pure.
import type { RunRecord, SeriesColumn } from '../store/run.ts';
import type { XAxis } from '../store/setup.ts';
import type { EvalPoint } from '../train/protocol.ts';
import { bestLayer, taskScores } from '../train/probe-report.ts';
import type { ChartSeries } from './d3/line-chart.ts';
import { seriesColor } from './palette.ts';


export const X_LABELS: Record<XAxis, string> = { steps: 'step', tokens: 'tokens seen', flops: 'estimated FLOPs' };

/** x of `step` for a run: steps, tokens (B·T per step) or FLOPs (its estimate per step). */
export function xOf(run: RunRecord, axis: XAxis): (step: number) => number {
  const { batch } = run.config.train;
  const perStep = axis === 'steps' ? 1 : axis === 'tokens' ? batch * run.config.model.T : (run.info?.flopsPerStep ?? NaN);
  return (step) => step * perStep;
}

/** One colour per group, in the order groups first appear, so a run keeps its colour in every chart. */
export function groupColors(runs: RunRecord[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of runs) if (!m.has(r.group)) m.set(r.group, seriesColor(m.size));
  return m;
}

interface Line {
  run: RunRecord;
  steps: ArrayLike<number>;
  y: ArrayLike<number>;
}

/**
 * Lines grouped by `run.group`: a group of one is its run's line; a larger group (seeds) becomes
 * the mean at the steps every member has, with the min and max as a band.
 */
export function groupLines(lines: Line[], axis: XAxis, colors: Map<string, string>, opts: { dashed?: boolean; suffix?: string } = {}): ChartSeries[] {
  const groups = new Map<string, Line[]>();
  for (const l of lines) groups.set(l.run.group, [...(groups.get(l.run.group) ?? []), l]);
  const out: ChartSeries[] = [];
  for (const [group, members] of groups) {
    const first = members[0]!;
    const x = xOf(first.run, axis);
    const color = colors.get(group) ?? seriesColor(0);
    const id = `${group}${opts.suffix ?? ''}`;
    if (members.length === 1) {
      out.push({ id, label: `${first.run.label}${opts.suffix ?? ''}`, color, x: Array.from(first.steps, x), y: first.y, ...(opts.dashed ? { dashed: true } : {}) });
      continue;
    }
    const maps = members.map((m) => new Map(Array.from(m.steps, (s, i) => [s, m.y[i]!] as const)));
    const steps = Array.from(first.steps).filter((s) => maps.every((m) => m.has(s)));
    const vals = steps.map((s) => maps.map((m) => m.get(s)!));
    out.push({
      id,
      label: `${group} (${members.length} seeds)${opts.suffix ?? ''}`,
      color,
      x: steps.map(x),
      y: vals.map((v) => v.reduce((a, b) => a + b, 0) / v.length),
      band: { lo: vals.map((v) => Math.min(...v)), hi: vals.map((v) => Math.max(...v)) },
      ...(opts.dashed ? { dashed: true } : {}),
    });
  }
  return out;
}

/** A per-step metric of every run. */
export function metricSeries(runs: RunRecord[], column: SeriesColumn, axis: XAxis): ChartSeries[] {
  return groupLines(
    runs.filter((r) => r.series.length > 0).map((run) => ({ run, steps: run.series.column('step'), y: run.series.column(column) })),
    axis,
    groupColors(runs),
  );
}

/** An eval metric of every run (fixed mask, or the run's own strategy, drawn dashed). */
export function evalSeries(runs: RunRecord[], pick: (e: EvalPoint) => number, axis: XAxis, opts: { dashed?: boolean; suffix?: string } = {}): ChartSeries[] {
  return groupLines(
    runs.filter((r) => r.evals.length > 0).map((run) => ({ run, steps: run.evals.map((e) => e.step), y: run.evals.map(pick) })),
    axis,
    groupColors(runs),
    opts,
  );
}

/** Probe accuracy (issue [H]) of every run: the best layer's held-out accuracy at each probed step. */
export function probeSeries(runs: RunRecord[], task: string, axis: XAxis): ChartSeries[] {
  const lines = runs
    .map((run) => {
      const pts = run.probes.filter((p) => taskScores(p, task));
      return { run, steps: pts.map((p) => p.step), y: pts.map((p) => bestLayer(taskScores(p, task)!).score.accuracy) };
    })
    .filter((l) => l.steps.length > 0);
  return groupLines(lines, axis, groupColors(runs));
}

/** The majority-class baseline of a task as a flat dashed line across the probed range (from the newest run that has it). */
export function majoritySeries(runs: RunRecord[], task: string, axis: XAxis): ChartSeries[] {
  const run = [...runs].reverse().find((r) => r.info && !('unavailable' in r.info.probe) && r.info.probe.tasks.some((t) => t.id === task));
  const info = run?.info?.probe;
  if (!run || !info || 'unavailable' in info) return [];
  const m = info.tasks.find((t) => t.id === task)!.majority;
  const xs = runs.flatMap((r) => r.probes.map((p) => xOf(r, axis)(p.step)));
  if (xs.length === 0) return [];
  return [{ id: `majority-${task}`, label: `majority class (${m.label})`, color: BASELINE_COLOR, x: [Math.min(...xs), Math.max(...xs)], y: [m.accuracy, m.accuracy], dashed: true }];
}

/**
 * An objective's own baselines for `metric` (RunInfo.baselines; position: guesses from a table)
 * as flat dashed lines across each run's evaluated range, one per run and baseline.
 */
export function objectiveBaselineSeries(runs: RunRecord[], metric: string, axis: XAxis): ChartSeries[] {
  return runs.flatMap((run) => {
    const bs = (run.info?.baselines ?? []).filter((b) => b.metric === metric);
    if (!bs.length || !run.evals.length) return [];
    const x = xOf(run, axis);
    const span = [x(0), x(run.evals.at(-1)!.step)];
    return bs.map((b) => ({ id: `baseline-${run.id}-${b.short}`, label: `${run.label}: ${b.short}`, color: BASELINE_COLOR, x: span, y: [b.value, b.value], dashed: true }));
  });
}

/** Grey for baselines: never one of the series colours. */
export const BASELINE_COLOR = '#94a3b8';
