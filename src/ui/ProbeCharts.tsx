// The linear probes (issue [H]) in the Curves panel: per probe task, the best layer's held-out
// accuracy over training for every run (x = steps, tokens or FLOPs like the other curves) with
// the majority-class baseline, and "which layer knows it": the active run's accuracy by layer at
// its latest probe beside the same model at its initial weights. Runs on data without labels
// get the reason instead of numbers.
import { PROBE_TASKS } from '../data/probe-tasks.ts';
import type { RunRecord } from '../store/run.ts';
import type { XAxis } from '../store/setup.ts';
import { bestLayer, initialProbe, taskScores } from '../train/probe-report.ts';
import type { ProbeInfo } from '../train/protocol.ts';
import { Chart } from './Chart.tsx';
import { BASELINE_COLOR, majoritySeries, probeSeries, X_LABELS } from './chart-data.ts';
import { drawLayerBars } from './d3/layer-bars.ts';
import { seriesColor } from './palette.ts';

type Common = { xLabel: string; version: number; height: number };

export function ProbeCharts({ runs, axis, common }: { runs: RunRecord[]; axis: XAxis; common: Common }) {
  const active = runs.at(-1);
  const info: ProbeInfo | undefined = active?.info?.probe;
  const tasks = PROBE_TASKS.filter((t) => runs.some((r) => r.info && !('unavailable' in r.info.probe) && r.info.probe.tasks.some((x) => x.id === t.id)));
  if (info && 'unavailable' in info && tasks.length === 0) {
    return (
      <section className="chart probe-note" data-testid="probe-unavailable">
        <h3 className="chart-title">Probes</h3>
        <p className="explain">{info.unavailable}</p>
      </section>
    );
  }
  const last = active?.probes.at(-1);
  return (
    <>
      {tasks.map((t) => (
        <Chart
          key={`curve-${t.id}`}
          title={`Probe: ${t.label}`}
          explanation={`Linear probe on frozen features (best layer), held-out documents: ${t.description} Step 0 is the untrained model; dashed: always answering the most frequent class.`}
          series={[...probeSeries(runs, t.id, axis), ...majoritySeries(runs, t.id, axis)]}
          yLabel="probe accuracy"
          testId={`probe-chart-${t.id}`}
          {...common}
          xLabel={X_LABELS[axis]}
        />
      ))}
      {active && info && !('unavailable' in info) && last && tasks.map((t) => <LayerChart key={`layers-${t.id}`} run={active} info={info} task={t.id} label={t.label} height={common.height} version={common.version} />)}
      {last && (
        <p className="muted probe-cost" data-testid="probe-cost">
          Probes so far: {(last.totalMs / 1000).toFixed(1)} s, {(100 * last.share).toFixed(1)}% of the run’s time (last one {(last.ms / 1000).toFixed(1)} s).
        </p>
      )}
    </>
  );
}

function LayerChart({ run, info, task, label, height, version }: { run: RunRecord; info: Extract<ProbeInfo, { tasks: unknown }>; task: string; label: string; height: number; version: number }) {
  const last = run.probes.at(-1)!;
  const now = taskScores(last, task);
  if (!now) return null;
  const init = initialProbe(run.probes);
  const at0 = init && init !== last ? taskScores(init, task) : undefined;
  const spec = info.tasks.find((t) => t.id === task)!;
  const bars = [
    ...(at0 ? [{ label: 'initial weights', color: BASELINE_COLOR, values: at0.map((s) => s.accuracy) }] : []),
    { label: `step ${last.step}`, color: seriesColor(0), values: now.map((s) => s.accuracy) },
  ];
  const best = bestLayer(now);
  return (
    <Chart
      title={`Which layer knows ${label}`}
      explanation={`${info.model === 'discriminator' ? 'The discriminator’s' : 'The encoder’s'} held-out probe accuracy by layer at step ${last.step} (best: ${info.layers[best.layer]}, ${(100 * best.score.accuracy).toFixed(1)}%)${at0 ? ', beside the same model at its initial weights' : ''}; dashed: majority class.`}
      series={[]}
      points={bars.reduce((n, b) => n + b.values.filter(Number.isFinite).length, 0)}
      xLabel="layer"
      yLabel="probe accuracy"
      testId={`probe-layers-${task}`}
      height={height}
      version={version}
      render={(svg, size) => drawLayerBars(svg, { groups: info.layers, bars, refs: [{ label: `majority (${spec.majority.label})`, value: spec.majority.accuracy, color: BASELINE_COLOR }], yLabel: 'probe accuracy', ...size })}
    />
  );
}
