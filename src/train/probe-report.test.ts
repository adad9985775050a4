import { describe, expect, it } from 'vitest';
import { bestLayer, describeProbe, probeRecords } from './probe-report.ts';
import type { ProbeInfo, ProbePoint } from './protocol.ts';

const info: ProbeInfo = {
  tasks: [{ id: 'pos', label: 'POS tags', classes: ['NOUN', 'VERB'], train: 10, test: 5, macroF1: true, majority: { label: 'NOUN', accuracy: 0.4, macroF1: 0.2 } }],
  layers: ['embeddings', 'layer 1'],
  model: 'encoder',
  classifier: { steps: 64, lr: 0.1 },
};
const point = (step: number, accs: number[], totalMs = 100): ProbePoint => ({ step, tasks: [{ task: 'pos', layers: accs.map((a) => ({ accuracy: a, macroF1: a / 2 })) }], ms: 50, totalMs, share: 0.05 });

describe('probe report', () => {
  it('the best layer wins on accuracy, ties to the lower layer', () => {
    expect(bestLayer([{ accuracy: 0.5, macroF1: 0 }, { accuracy: 0.7, macroF1: 0 }, { accuracy: 0.7, macroF1: 1 }]).layer).toBe(1);
  });

  it('JSON: both baselines (majority, step 0) beside the final best layer, and every point flattened', () => {
    const r = probeRecords([point(0, [0.5, 0.45]), point(100, [0.6, 0.8], 300)], info);
    if ('unavailable' in r) throw new Error('expected probes');
    expect(r.tasks[0]!.baselines.majority.accuracy).toBe(0.4);
    expect(r.tasks[0]!.baselines.initialWeights!.map((s) => s.accuracy)).toEqual([0.5, 0.45]);
    expect(r.tasks[0]!.final).toEqual({ step: 100, bestLayer: 'layer 1', accuracy: 0.8, macroF1: 0.4 });
    expect(r.points).toHaveLength(4);
    expect(r.points[3]).toEqual({ step: 100, task: 'pos', layer: 1, layerName: 'layer 1', accuracy: 0.8, macroF1: 0.4 });
    expect(r.cost).toEqual({ ms: 300, shareOfRun: 0.05, probes: 2 });
    expect(probeRecords([], { unavailable: 'no labels' })).toEqual({ unavailable: 'no labels' });
  });

  it('CLI lines name the best layer, F1 and the majority baseline, and the cost', () => {
    const lines = describeProbe(point(100, [0.6, 0.8]), info);
    expect(lines[0]).toBe('probe @100 pos: acc by layer 0.600 0.800 | best layer 1 0.800 F1 0.400 (majority 0.400)');
    expect(lines[1]).toMatch(/^probe @100: 0\.1 s; probes so far 0\.1 s = 5\.0% of the run's time$/);
  });
});
