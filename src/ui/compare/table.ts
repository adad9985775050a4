// The comparison table and the CSV exports, from the runs in the store. Pure.
// Row values: the last fixed-mask eval (comparable across runs, spec D.1), the last own-mask
// eval, the objectives' compare metrics (ELECTRA's AUC) at that eval, the linear probes (issue [H]: the best layer's held-out accuracy at the last probe and
// at step 0, the untrained model), the median tokens/s of the run, and compute (estimated FLOPs
// per step and in total). Probe columns come from the probe-task registry.
import { PROBE_TASKS } from '../../data/probe-tasks.ts';
import { compareMetrics } from '../../objectives/metrics.ts';
import type { RunRecord } from '../../store/run.ts';
import { bestLayer, initialProbe, taskScores } from '../../train/probe-report.ts';

/** A probe task's numbers in one row: NaN where the run has no such probe. */
export interface ProbeCells {
  accuracy: number;
  macroF1: number;
  /** The same architecture at its initial weights (the step-0 probe). */
  init: number;
}

export interface CompareRow {
  id: number;
  label: string;
  steps: number;
  evalLoss: number;
  evalAccuracy: number;
  ownLoss: number;
  ownAccuracy: number;
  /** The objectives' compare metrics (objectives/metrics.ts) at the last eval, by name; NaN where the run has none. */
  metrics: Record<string, number>;
  tokensPerSec: number;
  flopsPerStep: number;
  totalFlops: number;
  /** By probe task id. */
  probes: Record<string, ProbeCells>;
}

function median(xs: Float64Array): number {
  const v = Array.from(xs).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

export function compareRows(runs: RunRecord[]): CompareRow[] {
  return runs.map((r) => {
    const e = r.evals.at(-1);
    const steps = r.last?.step ?? 0;
    const flopsPerStep = r.info?.flopsPerStep ?? NaN;
    return {
      id: r.id,
      label: r.label,
      steps,
      evalLoss: e?.loss ?? NaN,
      evalAccuracy: e?.accuracy ?? NaN,
      ownLoss: e?.own.loss ?? NaN,
      ownAccuracy: e?.own.accuracy ?? NaN,
      metrics: Object.fromEntries(compareMetrics().map((m) => [m.name, e?.values?.[m.name] ?? NaN])),
      tokensPerSec: median(r.series.column('tokensPerSec')),
      flopsPerStep,
      totalFlops: flopsPerStep * steps,
      probes: probeCells(r),
    };
  });
}

function probeCells(r: RunRecord): Record<string, ProbeCells> {
  const last = r.probes.at(-1);
  const init = initialProbe(r.probes);
  const best = (p: typeof last, task: string) => {
    const s = p && taskScores(p, task);
    return s ? bestLayer(s).score : { accuracy: NaN, macroF1: NaN };
  };
  return Object.fromEntries(PROBE_TASKS.map((t) => [t.id, { ...best(last, t.id), init: best(init, t.id).accuracy }]));
}

/** RFC 4180 field: quoted when it holds a comma, quote or newline; NaN → empty. */
function field(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const csv = (header: string[], rows: (string | number)[][]) => [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';

export function tableCsv(rows: CompareRow[]): string {
  const head = ['label', 'steps', 'evalLoss', 'evalAccuracy', 'ownLoss', 'ownAccuracy'] as const;
  const metrics = compareMetrics().map((m) => m.name);
  const tail = ['tokensPerSec', 'flopsPerStep', 'totalFlops'] as const;
  const probeCols = PROBE_TASKS.flatMap((t) => [`${t.id}Probe`, `${t.id}ProbeF1`, `${t.id}ProbeInit`]);
  const probeVals = (r: CompareRow) => PROBE_TASKS.flatMap((t) => [r.probes[t.id]!.accuracy, r.probes[t.id]!.macroF1, r.probes[t.id]!.init]);
  return csv(
    [...head, ...metrics, ...tail, ...probeCols],
    rows.map((r) => [...head.map((c) => r[c]), ...metrics.map((m) => r.metrics[m]!), ...tail.map((c) => r[c]), ...probeVals(r)]),
  );
}

/** Every run's per-step metrics and eval points, long format (one row per run and step). */
export function curvesCsv(runs: RunRecord[]): string {
  const rows: (string | number)[][] = [];
  for (const r of runs) {
    const cols = ['step', 'loss', 'accuracy', 'lr', 'gradNorm', 'tokensPerSec'] as const;
    const data = cols.map((c) => r.series.column(c));
    const evals = new Map(r.evals.map((e) => [e.step, e]));
    const probes = new Map(r.probes.map((p) => [p.step, p]));
    // The best layer's probe accuracy at the steps that were probed.
    const probeAt = (step: number) => PROBE_TASKS.map((t) => {
      const p = probes.get(step);
      const s = p && taskScores(p, t.id);
      return s ? bestLayer(s).score.accuracy : NaN;
    });
    for (let i = 0; i < r.series.length; i++) {
      const e = evals.get(data[0]![i]!);
      rows.push([r.label, ...data.map((d) => d[i]!), e?.loss ?? NaN, e?.accuracy ?? NaN, e?.own.loss ?? NaN, e?.own.accuracy ?? NaN, ...probeAt(data[0]![i]!)]);
    }
  }
  return csv(['run', 'step', 'loss', 'accuracy', 'lr', 'gradNorm', 'tokensPerSec', 'evalLoss', 'evalAccuracy', 'ownLoss', 'ownAccuracy', ...PROBE_TASKS.map((t) => `${t.id}Probe`)], rows);
}
