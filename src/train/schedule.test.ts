import { describe, expect, it } from 'vitest';
import { learningRate, type LrSchedule } from './schedule.ts';

const base: LrSchedule = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, decay: 'linear' };

describe('learning-rate schedule', () => {
  it('warms up linearly from 0 to peak over warmupSteps', () => {
    expect(learningRate(base, 0)).toBe(0);
    expect(learningRate(base, 5)).toBeCloseTo(5e-4, 15);
    expect(learningRate(base, 9)).toBeCloseTo(9e-4, 15);
    expect(learningRate(base, 10)).toBe(1e-3); // peak exactly at the end of warmup
    for (let s = 1; s < 10; s++) expect(learningRate(base, s)).toBeGreaterThan(learningRate(base, s - 1));
  });

  it('linear decay: halfway is half, totalSteps is the floor', () => {
    expect(learningRate(base, 60)).toBeCloseTo(5e-4, 15);
    expect(learningRate(base, 110)).toBe(0);
    expect(learningRate({ ...base, minRatio: 0.1 }, 110)).toBeCloseTo(1e-4, 15);
    expect(learningRate({ ...base, minRatio: 0.1 }, 60)).toBeCloseTo(5.5e-4, 15);
  });

  it('cosine decay: peak at the start, half at the midpoint, floor at totalSteps', () => {
    const cos: LrSchedule = { ...base, decay: 'cosine', minRatio: 0.2 };
    expect(learningRate(cos, 10)).toBe(1e-3);
    expect(learningRate(cos, 60)).toBeCloseTo(1e-3 * (0.2 + 0.8 * 0.5), 15);
    expect(learningRate(cos, 110)).toBeCloseTo(2e-4, 15);
    for (let s = 11; s <= 110; s++) expect(learningRate(cos, s)).toBeLessThanOrEqual(learningRate(cos, s - 1));
  });

  it('constant holds peak after warmup', () => {
    const c: LrSchedule = { ...base, decay: 'constant' };
    expect(learningRate(c, 3)).toBeCloseTo(3e-4, 15);
    expect(learningRate(c, 10)).toBe(1e-3);
    expect(learningRate(c, 1000)).toBe(1e-3);
  });

  it('stays at the floor beyond totalSteps', () => {
    expect(learningRate(base, 10_000)).toBe(0);
    expect(learningRate({ ...base, decay: 'cosine', minRatio: 0.05 }, 10_000)).toBeCloseTo(5e-5, 15);
  });

  it('no warmup starts at peak; a zero-length decay phase sits at the floor', () => {
    expect(learningRate({ ...base, warmupSteps: 0 }, 0)).toBe(1e-3);
    expect(learningRate({ ...base, warmupSteps: 10, totalSteps: 10, minRatio: 0.5 }, 10)).toBe(5e-4);
  });

  it('rejects nonsense with a message', () => {
    expect(() => learningRate(base, -1)).toThrow(/step/);
    expect(() => learningRate({ ...base, minRatio: 2 }, 0)).toThrow(/minRatio/);
    expect(() => learningRate({ ...base, peak: Number.NaN }, 0)).toThrow(/peak/);
  });
});
