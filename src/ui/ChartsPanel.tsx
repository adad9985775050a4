// The training curves of every run in the store: train loss, the fixed-mask eval (comparable
// across runs and strategies, spec D.1) beside the own-mask eval, LR, gradient norm, tokens/s,
// the charts the runs' objectives declare (ELECTRA: the discriminator's AUC); the linear probes
// (ProbeCharts). One x-axis switch for all of them.
import { useRunStore } from '../store/run.ts';
import { setXAxis, useSetupStore, type XAxis } from '../store/setup.ts';
import { Chart } from './Chart.tsx';
import { evalSeries, objectiveBaselineSeries, metricSeries, X_LABELS } from './chart-data.ts';
import { ProbeCharts } from './ProbeCharts.tsx';
import { metricCharts } from '../objectives/metrics.ts';

export function ChartsPanel({ presenter = false }: { presenter?: boolean }) {
  const runs = useRunStore((s) => s.runs);
  const version = useRunStore((s) => s.seriesVersion);
  const axis = useSetupStore((s) => s.xAxis);
  const xLabel = X_LABELS[axis];
  const common = { xLabel, version, height: presenter ? 320 : 220 };
  return (
    <section className="panel charts-panel" aria-label="Training curves">
      <div className="panel-head">
        <h2>Curves</h2>
        <label>
          x-axis{' '}
          <select value={axis} onChange={(e) => setXAxis(e.target.value as XAxis)} data-testid="x-axis-select">
            <option value="steps">steps</option>
            <option value="tokens">tokens seen</option>
            <option value="flops">estimated FLOPs</option>
          </select>
        </label>
      </div>
      <div className="charts-grid">
        <Chart
          title="Train loss"
          explanation="The loss on each training batch under the run's own masking: not comparable across masking rates or strategies (use the fixed-mask eval)."
          series={metricSeries(runs, 'loss', axis)}
          yLabel="loss"
          allowLog
          testId="loss-chart"
          {...common}
        />
        <Chart
          title="Held-out loss"
          explanation="Solid: every run on the same frozen 15% all-[MASK] mask, the fair comparison; dashed: the tokens each run's own strategy chooses, all shown as [MASK], how hard its own task is."
          series={[...evalSeries(runs, (e) => e.loss, axis), ...evalSeries(runs, (e) => e.own.loss, axis, { dashed: true, suffix: ' (own mask)' })]}
          yLabel="loss"
          allowLog
          testId="eval-loss-chart"
          {...common}
        />
        <Chart
          title="Held-out accuracy"
          explanation="Share of masked held-out tokens predicted exactly; solid: the fixed mask, dashed: the run's own mask. Grey dashed: what the run's objective is judged against, where it has a baseline (position prediction: guesses from a table)."
          series={[
            ...evalSeries(runs, (e) => e.accuracy, axis),
            ...evalSeries(runs, (e) => e.own.accuracy, axis, { dashed: true, suffix: ' (own mask)' }),
            ...objectiveBaselineSeries(runs, 'accuracy', axis),
          ]}
          yLabel="accuracy"
          testId="eval-acc-chart"
          {...common}
        />
        {metricCharts(runs.map((r) => r.config.objective)).map(({ chart, objective, metrics }) => (
          <Chart
            key={`${objective}-${chart.id}`}
            title={chart.title}
            explanation={chart.explanation}
            series={metrics.flatMap((m) => metricSeries(runs.filter((r) => r.series.columns.includes(m.name)), m.name, axis))}
            yLabel={chart.yLabel}
            testId={`${chart.id}-chart`}
            {...common}
          />
        ))}
        <ProbeCharts runs={runs} axis={axis} common={common} />
        {!presenter && (
          <>
            <Chart title="Learning rate" explanation="The schedule: linear warm-up, then constant, linear or cosine decay." series={metricSeries(runs, 'lr', axis)} yLabel="LR" testId="lr-chart" {...common} />
            <Chart
              title="Gradient norm"
              explanation="Global L2 norm of the gradient before clipping: spikes warn of instability."
              series={metricSeries(runs, 'gradNorm', axis)}
              yLabel="‖g‖"
              allowLog
              testId="gradnorm-chart"
              {...common}
            />
            <Chart title="Throughput" explanation="Training tokens per second, measured between metric reports." series={metricSeries(runs, 'tokensPerSec', axis)} yLabel="tokens/s" testId="throughput-chart" {...common} />
          </>
        )}
      </div>
    </section>
  );
}
