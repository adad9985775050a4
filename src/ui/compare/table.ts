// The comparison table and the CSV exports, from the runs in the store. Pure.
// Row values: the last fixed-mask eval (comparable across runs, spec D.1), the last own-mask
// eval, the median tokens/s of the run, and compute (estimated FLOPs per step and in total).
import type { RunRecord } from '../../store/run.ts';

export interface CompareRow {
  id: number;
  label: string;
  steps: number;
  evalLoss: number;
  evalAccuracy: number;
  ownLoss: number;
  ownAccuracy: number;
  /** ELECTRA: held-out discriminator AUC. */
  auc: number;
  tokensPerSec: number;
  flopsPerStep: number;
  totalFlops: number;
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
      auc: e?.electra?.auc ?? NaN,
      tokensPerSec: median(r.series.column('tokensPerSec')),
      flopsPerStep,
      totalFlops: flopsPerStep * steps,
    };
  });
}

/** RFC 4180 field: quoted when it holds a comma, quote or newline; NaN → empty. */
function field(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const csv = (header: string[], rows: (string | number)[][]) => [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';

export function tableCsv(rows: CompareRow[]): string {
  const cols = ['label', 'steps', 'evalLoss', 'evalAccuracy', 'ownLoss', 'ownAccuracy', 'auc', 'tokensPerSec', 'flopsPerStep', 'totalFlops'] as const;
  return csv([...cols], rows.map((r) => cols.map((c) => r[c])));
}

/** Every run's per-step metrics and eval points, long format (one row per run and step). */
export function curvesCsv(runs: RunRecord[]): string {
  const rows: (string | number)[][] = [];
  for (const r of runs) {
    const cols = ['step', 'loss', 'accuracy', 'lr', 'gradNorm', 'tokensPerSec'] as const;
    const data = cols.map((c) => r.series.column(c));
    const evals = new Map(r.evals.map((e) => [e.step, e]));
    for (let i = 0; i < r.series.length; i++) {
      const e = evals.get(data[0]![i]!);
      rows.push([r.label, ...data.map((d) => d[i]!), e?.loss ?? NaN, e?.accuracy ?? NaN, e?.own.loss ?? NaN, e?.own.accuracy ?? NaN]);
    }
  }
  return csv(['run', 'step', 'loss', 'accuracy', 'lr', 'gradNorm', 'tokensPerSec', 'evalLoss', 'evalAccuracy', 'ownLoss', 'ownAccuracy'], rows);
}
