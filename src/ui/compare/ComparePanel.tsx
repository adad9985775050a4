// Compare: queue runs that differ in chosen settings (the current setup, as many times as it is
// changed and added, or a teaching experiment), several seeds each; their curves overlay in the
// charts above and this table sums them up. Exports the table and the curves as CSV.
import { compareMetrics } from '../../objectives/metrics.ts';
import { useState } from 'react';
import { clearRuns, useRunStore } from '../../store/run.ts';
import { setXAxis, useSetupStore } from '../../store/setup.ts';
import { downloadBlob } from '../../store/files.ts';
import { runLabel } from '../../store/run-label.ts';
import { clearQueue, enqueue, useQueueStore, withSeeds } from './queue.ts';
import { compareRows, curvesCsv, tableCsv } from './table.ts';
import { EXPERIMENTS, experimentRuns } from './teaching.ts';
import { PROBE_TASKS } from '../../data/probe-tasks.ts';

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const big = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : '–');
const csvBlob = (text: string) => new Blob([text], { type: 'text/csv' });

export function ComparePanel() {
  const draft = useSetupStore((s) => s.draft);
  const runs = useRunStore((s) => s.runs);
  useRunStore((s) => s.seriesVersion); // the table's tokens/s follows the series
  const { pending, running } = useQueueStore();
  const [seeds, setSeeds] = useState(1);
  const [experiment, setExperiment] = useState(EXPERIMENTS[0]!.id);
  const exp = EXPERIMENTS.find((e) => e.id === experiment)!;
  const rows = compareRows(runs);

  return (
    <section className="panel compare-panel" aria-label="Compare runs">
      <h2>Compare</h2>
      <p className="explain">Runs that differ only in the settings you change (same data, same seed unless you ask for several, same frozen eval mask); their curves overlay above.</p>
      <div className="compare-controls">
        <button onClick={() => enqueue(withSeeds(draft, seeds))} data-testid="compare-add" title="Queue the setup on the left as it is now">
          Queue current setup
        </button>
        <label>
          seeds{' '}
          <input type="number" min={1} max={5} value={seeds} onChange={(e) => setSeeds(Math.min(5, Math.max(1, Math.round(Number(e.target.value)) || 1)))} data-testid="compare-seeds" />
        </label>
        <span className="teaching">
          <select value={experiment} onChange={(e) => setExperiment(e.target.value)} data-testid="experiment-select" aria-label="Teaching experiment">
            {EXPERIMENTS.map((e) => (
              <option key={e.id} value={e.id}>
                {e.title}
              </option>
            ))}
          </select>
          <button
            onClick={() => {
              setXAxis(exp.xAxis);
              enqueue(experimentRuns(exp, draft, seeds));
            }}
            data-testid="experiment-run"
          >
            Run experiment
          </button>
        </span>
      </div>
      <p className="explain" data-testid="experiment-finding">
        {exp.finding} {exp.read}
      </p>
      <p className="explain" data-testid="experiment-ours">
        At masklab’s scale: {exp.ours}
      </p>
      <p className="muted" data-testid="compare-queue">
        {running ? `Training ${running.label}` : 'Queue idle'}
        {pending.length > 0 && ` · ${pending.length} waiting: ${pending.map((r) => r.label).join('; ')}`}
        {pending.length > 0 && (
          <button className="link" onClick={clearQueue}>
            clear queue
          </button>
        )}
      </p>
      <table className="compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th>run</th>
            <th>steps</th>
            <th title="Held-out loss on the frozen 15% all-[MASK] mask (comparable across runs)">fixed-mask loss</th>
            <th>fixed-mask acc</th>
            <th title="Held-out, under the run's own strategy">own-mask loss</th>
            <th>own-mask acc</th>
            {compareMetrics().map((m) => (
              <th key={m.name} title={`${m.label}, at the last held-out eval (runs of other objectives: –)`}>
                {m.label}
              </th>
            ))}
            {PROBE_TASKS.map((t) => (
              <th key={t.id} data-testid={`compare-probe-${t.id}`} title={`Linear probe, ${t.description} Best layer's held-out accuracy at the last probe; in brackets the same model at its initial weights.`}>
                {t.label} probe
              </th>
            ))}
            <th>tokens/s</th>
            <th>FLOPs/step</th>
            <th>FLOPs total</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="compare-row">
              <td>{r.label}</td>
              <td>{r.steps}</td>
              <td>{f(r.evalLoss)}</td>
              <td>{f(r.evalAccuracy)}</td>
              <td>{f(r.ownLoss)}</td>
              <td>{f(r.ownAccuracy)}</td>
              {compareMetrics().map((m) => (
                <td key={m.name}>{f(r.metrics[m.name]!)}</td>
              ))}
              {PROBE_TASKS.map((t) => {
                const p = r.probes[t.id]!;
                return <td key={t.id}>{Number.isFinite(p.accuracy) ? `${f(p.accuracy)}${Number.isFinite(p.init) ? ` (${f(p.init)})` : ''}` : '–'}</td>;
              })}
              <td>{Number.isFinite(r.tokensPerSec) ? Math.round(r.tokensPerSec).toLocaleString('en-US') : '–'}</td>
              <td>{big(r.flopsPerStep)}</td>
              <td>{big(r.totalFlops)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="compare-controls">
        <button onClick={() => downloadBlob(csvBlob(tableCsv(rows)), 'masklab-compare.csv')} disabled={rows.length === 0} data-testid="compare-csv">
          Table CSV
        </button>
        <button onClick={() => downloadBlob(csvBlob(curvesCsv(runs)), 'masklab-curves.csv')} disabled={rows.length === 0} data-testid="curves-csv">
          Curves CSV
        </button>
        <button onClick={clearRuns} disabled={runs.length < 2 || running !== null}>
          Clear comparison
        </button>
        <span className="muted">Next run label: {runLabel(draft)}</span>
      </div>
    </section>
  );
}
