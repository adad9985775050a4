// The arithmetic that turns the GPU's metric blocks into ELECTRA metrics, and combines held-out
// batches: exact precision/recall from summed true positives, pair-weighted AUC.
import { describe, expect, it } from 'vitest';
import { ElectraEvalSum, electraMetrics } from './metrics.ts';
import { ELECTRA } from './spec.ts';

const gen = (loss: number, acc: number, w: number) => Float32Array.from([loss, acc, w, 0]);
// [loss, accuracy, precision, recall, AUC, Σw, positives, 0]
const disc = (loss: number, acc: number, precision: number, recall: number, auc: number, w: number, pos: number) => Float32Array.from([loss, acc, precision, recall, auc, w, pos, 0]);

describe('ELECTRA metrics', () => {
  it('names exactly the metrics its spec declares (the readback and the surfaces agree)', () => {
    const names = Object.keys(electraMetrics(gen(0, 0, 0), disc(0, 0, 0, 0, 0.5, 0, 0), new Uint32Array(4)));
    expect(names.sort()).toEqual(ELECTRA.metrics.map((m) => m.name).sort());
    expect(Object.keys(new ElectraEvalSum().result()).sort()).toEqual(names);
  });

  it('reads one step: sampled accuracy and replaced fractions from the replace stats', () => {
    const m = electraMetrics(gen(2, 0.5, 10), disc(0.25, 0.875, 0.5, 0.25, 0.75, 100, 8), Uint32Array.from([10, 2, 8, 100]));
    expect(m).toMatchObject({ genLoss: 2, genAccuracy: 0.5, discLoss: 0.25, discAccuracy: 0.875, auc: 0.75, precision: 0.5, recall: 0.25 });
    expect(m.sampledAccuracy).toBeCloseTo(0.2, 6);
    expect(m.replacedOfMasked).toBeCloseTo(0.8, 6);
    expect(m.replacedShare).toBeCloseTo(0.08, 6);
    expect(electraMetrics(gen(0, 0, 0), disc(0, 0, 0, 0, 0.5, 0, 0), new Uint32Array(4)).sampledAccuracy).toBe(0);
  });

  it('combines batches: weighted means, precision/recall from true positives, pair-weighted AUC', () => {
    const s = new ElectraEvalSum();
    // Batch 1: 4 positives, TP = 2 (recall 0.5), predicted positives 4 (precision 0.5); 96 negatives.
    s.add(gen(1, 0.5, 10), disc(0.2, 0.96, 0.5, 0.5, 0.9, 100, 4), Uint32Array.from([10, 6, 4, 100]));
    // Batch 2: 6 positives, TP = 6, predicted positives 6; 44 negatives.
    s.add(gen(3, 0.1, 30), disc(0.5, 1, 1, 1, 0.6, 50, 6), Uint32Array.from([30, 24, 6, 50]));
    const r = s.result();
    expect(r.genLoss).toBeCloseTo((1 * 10 + 3 * 30) / 40, 6);
    expect(r.genAccuracy).toBeCloseTo((0.5 * 10 + 0.1 * 30) / 40, 6);
    expect(r.discLoss).toBeCloseTo((0.2 * 100 + 0.5 * 50) / 150, 6);
    expect(r.precision).toBeCloseTo(8 / 10, 6);
    expect(r.recall).toBeCloseTo(8 / 10, 6);
    expect(r.auc).toBeCloseTo((0.9 * 4 * 96 + 0.6 * 6 * 44) / (4 * 96 + 6 * 44), 5);
    expect(r.sampledAccuracy).toBeCloseTo(30 / 40, 6);
    expect(r.replacedOfMasked).toBeCloseTo(10 / 40, 6);
    expect(new ElectraEvalSum().result().auc).toBe(0.5);
  });
});
