// The comparison's pure parts: teaching experiments give valid runs that differ only in what they
// vary, seeds become one group drawn as a band, and the table/CSV carry what the runs reported.
import { describe, expect, it } from 'vitest';
import { PRESETS, presetConfig, validateConfig } from '../../model/config.ts';
import { Series, type RunRecord } from '../../store/run.ts';
import type { MetricPoint } from '../../train/protocol.ts';
import { compareMetrics, metricNames } from '../../objectives/metrics.ts';
import { metricSeries } from '../chart-data.ts';
import { compareRows, curvesCsv, tableCsv } from './table.ts';
import { EXPERIMENTS, experimentRuns } from './teaching.ts';

const point = (step: number, loss: number, tokensPerSec = 100): MetricPoint => ({
  step,
  loss,
  accuracy: 0.5,
  lr: 1e-3,
  gradNorm: 1,
  tokensPerSec,
  elapsedMs: step * 10,
  mask: { targetRate: 0.15, achievedRate: 0.15, maskFrac: 0.8, randomFrac: 0.1, keepFrac: 0.1, meanUnitLength: 1, unitsPerSequence: 2, fallbackRows: 0 },
});

function record(id: number, label: string, group: string, losses: number[]): RunRecord {
  const series = new Series();
  losses.forEach((l, i) => series.push(point(i + 1, l, 100 * (i + 1))));
  return { id, label, group, config: presetConfig('bert-micro'), info: null, series, evals: [], probes: [], last: point(losses.length, losses.at(-1)!), compared: true };
}

describe('teaching experiments', () => {
  it('every experiment on every preset gives valid configs that differ from each other', () => {
    for (const e of EXPERIMENTS) {
      for (const p of PRESETS) {
        const runs = experimentRuns(e, presetConfig(p.id), 2);
        expect(runs).toHaveLength(2 * e.variants.length);
        for (const r of runs) expect(validateConfig(r.config), `${e.id} on ${p.id}: ${r.label}`).toEqual([]);
        const settings = new Set(runs.map((r) => JSON.stringify({ ...r.config, train: { ...r.config.train, seed: 0 } })));
        expect(settings.size).toBe(e.variants.length);
        expect(new Set(runs.map((r) => r.group)).size).toBe(e.variants.length);
        expect(runs.map((r) => r.config.train.seed)).toEqual(e.variants.flatMap(() => [1, 2]));
      }
    }
  });
});

describe('curves of several seeds', () => {
  it('one line per group: the mean, with min and max as the band', () => {
    const runs = [record(1, 'a s1', 'a', [3, 2, 1]), record(2, 'a s2', 'a', [5, 4, 3]), record(3, 'b', 'b', [1, 1, 1])];
    const s = metricSeries(runs, 'loss', 'steps');
    expect(s).toHaveLength(2);
    expect(Array.from(s[0]!.y)).toEqual([4, 3, 2]);
    expect(Array.from(s[0]!.band!.lo)).toEqual([3, 2, 1]);
    expect(Array.from(s[0]!.band!.hi)).toEqual([5, 4, 3]);
    expect(s[1]!.band).toBeUndefined();
    expect(s[0]!.color).not.toBe(s[1]!.color);
  });
});

describe('compare table', () => {
  it('rows carry the last eval and the median throughput; CSV quotes labels with commas', () => {
    const r = record(1, 'span, 40%', 'g', [3, 2, 1, 0.5]);
    r.evals.push({ step: 4, loss: 2.5, accuracy: 0.4, count: 10, own: { loss: 3, accuracy: 0.3, count: 10 } });
    const layers = (accs: number[]) => accs.map((accuracy) => ({ accuracy, macroF1: accuracy / 2 }));
    r.probes.push(
      { step: 0, tasks: [{ task: 'pos', layers: layers([0.5, 0.4, 0.45]) }], ms: 1, totalMs: 1, share: 1 },
      { step: 4, tasks: [{ task: 'pos', layers: layers([0.6, 0.8, 0.7]) }], ms: 1, totalMs: 2, share: 0.1 },
    );
    const [row] = compareRows([r]);
    expect(row).toMatchObject({ steps: 4, evalLoss: 2.5, evalAccuracy: 0.4, ownLoss: 3, ownAccuracy: 0.3, tokensPerSec: 250 });
    expect(Number.isNaN(row!.metrics.auc!)).toBe(true);
    // The best layer at the last probe, and at step 0 (the untrained model); no genre probe.
    expect(row!.probes.pos).toEqual({ accuracy: 0.8, macroF1: 0.4, init: 0.5 });
    expect(Number.isNaN(row!.probes.genre!.accuracy)).toBe(true);
    const csv = tableCsv([row!]).split('\n');
    // The objectives' compare metrics (ELECTRA's auc, ...) sit between the evals and the throughput.
    const objective = compareMetrics().map((m) => m.name);
    expect(csv[0]).toBe(`label,steps,evalLoss,evalAccuracy,ownLoss,ownAccuracy,${objective.join(',')},tokensPerSec,flopsPerStep,totalFlops,posProbe,posProbeF1,posProbeInit,genreProbe,genreProbeF1,genreProbeInit`);
    expect(csv[1]).toBe(`"span, 40%",4,2.5,0.4,3,0.3,${','.repeat(objective.length)}250,,,0.8,0.4,0.5,,,`);
    const curves = curvesCsv([r]).trim().split('\n');
    expect(curves).toHaveLength(5);
    expect(curves[4]).toBe('"span, 40%",4,0.5,0.5,0.001,1,400,2.5,0.4,3,0.3,0.8,');
  });

  it("an objective's metrics become series columns and compare cells by name", () => {
    const config = presetConfig('electra-micro');
    const series = new Series(metricNames(config.objective));
    series.push({ ...point(1, 4), values: { auc: 0.75, discLoss: 0.4 } });
    expect(Array.from(series.column('auc'))).toEqual([0.75]);
    expect(Number.isNaN(series.column('recall')[0]!)).toBe(true);
    expect(() => record(1, 'mlm', 'mlm', [1]).series.column('auc')).toThrow(/no column "auc"/);
    const r: RunRecord = { id: 1, label: 'electra', group: 'electra', config, info: null, series, evals: [], probes: [], last: null, compared: true };
    r.evals.push({ step: 1, loss: 2, accuracy: 0.3, count: 10, own: { loss: 2, accuracy: 0.3, count: 10 }, values: { auc: 0.875 } });
    const cells = compareRows([r])[0]!.metrics;
    expect(cells.auc).toBe(0.875);
    for (const [name, v] of Object.entries(cells)) if (name !== 'auc') expect(v, name).toBeNaN();
    expect(tableCsv(compareRows([r])).split('\n')[1]).toMatch(/^electra,0,2,0.3,2,0.3,0.875,/);
  });
});
