import { describe, expect, it } from 'vitest';
import { budget, budgetTable, defaultMaxPredictions, scheduledRate } from './budget.ts';

describe('masking budget and schedules', () => {
  it('rounds half up (BERT) or up (SpanBERT), at least 1, at most the cap', () => {
    expect(budget(10, 0.15, 20)).toBe(2); // 1.5 → 2
    expect(budget(20, 0.15, 20)).toBe(3); // 3.0000000000000004 stays 3
    expect(budget(21, 0.15, 20, 'ceil')).toBe(4); // 3.15 → 4
    expect(budget(20, 0.15, 20, 'ceil')).toBe(3); // exactly 3 stays 3
    expect(budget(3, 0.15, 20)).toBe(1);
    expect(budget(128, 0.5, 20)).toBe(20);
    expect(budget(0, 0.15, 20)).toBe(0);
    expect(defaultMaxPredictions(128, 0.15)).toBe(20);
    const t = budgetTable(0.15, 20);
    expect(t.length).toBe(516);
    expect([t[0], t[10], t[128]]).toEqual([0, 2, 19]);
  });

  it('schedule values at chosen steps equal the spec formulas', () => {
    const S = 1000;
    for (const s of [0, 250, 500, 999, 1000]) {
      expect(scheduledRate(0.15, 'constant', s, S)).toBe(0.15);
      expect(scheduledRate(0.15, 'cosine', s, S)).toBeCloseTo(0.15 * (1 + Math.cos((Math.PI * s) / S)) + 0.02, 12);
      expect(scheduledRate(0.15, 'linear', s, S)).toBeCloseTo(Math.max(0.01, 2 * 0.15 * (1 - s / S)), 12);
    }
    expect(scheduledRate(0.15, 'cosine', 0, S)).toBeCloseTo(0.32, 12);
    expect(scheduledRate(0.15, 'cosine', S, S)).toBeCloseTo(0.02, 12);
  });
});
