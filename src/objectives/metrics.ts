// What the surfaces derive from the objectives' metric blocks (types.ts MetricSpec): the status
// line, the compare table's and CSV's columns, the charts. Pure, so the UI, the CLI and tests
// share the same words and formats.
import { objectiveById, OBJECTIVES } from './registry.ts';
import type { MetricChart, MetricSpec } from './types.ts';

/** A metric's value as the status line and the CLI show it. */
export function formatMetric(m: MetricSpec, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (m.unit === 'share') return `${(100 * v).toFixed(0)}%`;
  if (m.unit === 'count') return String(Math.round(v));
  if (m.unit === 'positions') return v.toFixed(2);
  return v.toFixed(3);
}

/**
 * Whether `value` beats a baseline's on `metric`: 'accuracy' (the common metric) is higher-better;
 * the objective's own metrics say which way in their spec.
 */
export function beatsBaseline(objective: string, metric: string, value: number, baseline: number): boolean {
  const lower = metric !== 'accuracy' && objectiveById(objective)?.metrics.find((m) => m.name === metric)?.better === 'lower';
  return lower ? value < baseline : value > baseline;
}

/**
 * "G 3.214 · D 0.312 · AUC 0.912 · replaced 35%": the objective's status metrics (or `all` of
 * them, for the CLI's eval lines); '' when none.
 */
export function statusLine(objective: string, values: Record<string, number> | undefined, sep = ' · ', which: 'status' | 'all' = 'status'): string {
  const ms = (objectiveById(objective)?.metrics ?? []).filter((m) => which === 'all' || m.status);
  if (!values || ms.length === 0) return '';
  return ms.map((m) => `${m.short} ${formatMetric(m, values[m.name])}`).join(sep);
}

// The registry is fixed at build time: its compare columns are worked out once.
const COMPARE = (() => {
  const seen = new Set<string>();
  return OBJECTIVES.flatMap((o) => o.metrics).filter((m) => m.compare && !seen.has(m.name) && seen.add(m.name));
})();

/** Every objective's metrics in the compare table (one column each, named once). */
export function compareMetrics(): readonly MetricSpec[] {
  return COMPARE;
}

/** The charts of these objectives, each with the metrics it draws. */
export function metricCharts(objectives: readonly string[]): { chart: MetricChart; objective: string; metrics: MetricSpec[] }[] {
  return [...new Set(objectives)].flatMap((id) => {
    const o = objectiveById(id);
    return (o?.charts ?? []).map((chart) => ({ chart, objective: id, metrics: o!.metrics.filter((m) => m.chart === chart.id) }));
  });
}

/** The names of an objective's metrics: its columns in the store's series. */
export function metricNames(objective: string): string[] {
  return (objectiveById(objective)?.metrics ?? []).map((m) => m.name);
}
