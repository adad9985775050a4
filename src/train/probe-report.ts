// The linear probes' results as people read them (issue [H]): the headline number of a probe
// (the best layer's held-out accuracy), the baselines beside it (majority class; the same
// architecture at its initial weights = the step-0 probe), log lines for the CLI, and the flat
// records of the JSON output, the compare table and its CSV. Pure: no GPU, no DOM.

import type { ProbeInfo, ProbePoint, ProbeScore } from './protocol.ts';

type ProbeTasks = Extract<ProbeInfo, { tasks: unknown }>;

/** The layer whose classifier scored best on held-out examples (accuracy; ties: the lower layer). */
export function bestLayer(layers: readonly ProbeScore[]): { layer: number; score: ProbeScore } {
  let layer = 0;
  layers.forEach((s, l) => {
    if (s.accuracy > layers[layer]!.accuracy) layer = l;
  });
  return { layer, score: layers[layer]! };
}

/** Task `task`'s per-layer scores at a point, or undefined. */
export function taskScores(p: ProbePoint, task: string): ProbeScore[] | undefined {
  return p.tasks.find((t) => t.task === task)?.layers;
}

/** The step-0 probe (the untrained model), if the run has it. */
export function initialProbe(points: readonly ProbePoint[]): ProbePoint | undefined {
  return points.find((p) => p.step === 0);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));

/** CLI lines for one probe: per task, accuracy by layer, the best, and the baselines. */
export function describeProbe(p: ProbePoint, info: ProbeInfo): string[] {
  if ('unavailable' in info) return [];
  const lines = p.tasks.map((t) => {
    const spec = info.tasks.find((x) => x.id === t.task);
    const best = bestLayer(t.layers);
    const f1 = spec?.macroF1 ? ` F1 ${f3(best.score.macroF1)}` : '';
    return `probe @${p.step} ${t.task}: acc by layer ${t.layers.map((s) => f3(s.accuracy)).join(' ')} | best ${info.layers[best.layer]} ${f3(best.score.accuracy)}${f1} (majority ${f3(spec?.majority.accuracy ?? NaN)})`;
  });
  lines.push(`probe @${p.step}: ${(p.ms / 1000).toFixed(1)} s; probes so far ${(p.totalMs / 1000).toFixed(1)} s = ${pct(p.share)} of the run's time`);
  return lines;
}

/** One row per (step, task, layer): what the JSON output and CSV export hold. */
export interface ProbeRecord {
  step: number;
  task: string;
  layer: number;
  layerName: string;
  accuracy: number;
  macroF1: number;
}

/** The JSON output's probe section: tasks with both baselines, every point flattened, and the cost. */
export function probeRecords(points: readonly ProbePoint[], info: ProbeInfo) {
  if ('unavailable' in info) return { unavailable: info.unavailable };
  const init = initialProbe(points);
  const last = points.at(-1);
  return {
    model: info.model,
    layers: info.layers,
    classifier: info.classifier,
    tasks: info.tasks.map((t) => ({
      id: t.id,
      label: t.label,
      classes: t.classes.length,
      trainExamples: t.train,
      heldOutExamples: t.test,
      baselines: {
        majority: t.majority,
        initialWeights: init ? taskScores(init, t.id) ?? null : null,
      },
      final: last ? { step: last.step, ...bestOf(last, t.id, info.layers) } : null,
    })),
    points: flatten(points, info),
    cost: last ? { ms: last.totalMs, shareOfRun: last.share, probes: points.length } : null,
  };
}

function bestOf(p: ProbePoint, task: string, layers: readonly string[]): { bestLayer: string; accuracy: number; macroF1: number } | Record<string, never> {
  const s = taskScores(p, task);
  if (!s) return {};
  const b = bestLayer(s);
  return { bestLayer: layers[b.layer] ?? `layer ${b.layer}`, accuracy: b.score.accuracy, macroF1: b.score.macroF1 };
}

export function flatten(points: readonly ProbePoint[], info: ProbeTasks): ProbeRecord[] {
  return points.flatMap((p) => p.tasks.flatMap((t) => t.layers.map((s, layer) => ({ step: p.step, task: t.task, layer, layerName: info.layers[layer] ?? `layer ${layer}`, accuracy: s.accuracy, macroF1: s.macroF1 }))));
}
