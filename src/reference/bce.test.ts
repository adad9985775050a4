// Proves the float64 BCE backward against central differences of the forward, and the exact AUC
// on cases small enough to count by hand, so the GPU tests compare against references that are right.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { bceBackward, bceForward, bceMetrics, exactAuc } from './bce.ts';
import { fdError } from './finite-diff.ts';

describe('bce reference (float64)', () => {
  it('backward matches finite differences of scale · weighted mean loss', () => {
    const N = 23;
    const rng = new Rng(7, 2);
    const logits = Float64Array.from({ length: N }, (_, i) => (i === 3 ? 25 : i === 4 ? -25 : 4 * rng.normal()));
    const labels = Float64Array.from({ length: N }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const weights = Float64Array.from({ length: N }, (_, i) => (i % 5 === 1 ? 0 : 1));
    const scale = 50;
    const loss = () => scale * bceForward(logits, labels, weights).meanLoss;
    const err = fdError(bceBackward(logits, labels, weights, scale), logits, loss);
    console.log(`bce FD: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-6);
  });

  it('Σw = 0: loss and gradient are 0', () => {
    const z = new Float64Array(3);
    expect(bceForward([1, -2, 3], [1, 0, 1], z).meanLoss).toBe(0);
    expect(Array.from(bceBackward([1, -2, 3], [1, 0, 1], z, 50))).toEqual([0, 0, 0]);
  });

  it('exact AUC: separable 1, reversed 0, ties half, one class 0.5, zero weights ignored', () => {
    const y = [0, 0, 1, 1];
    const w = [1, 1, 1, 1];
    expect(exactAuc([-2, -1, 1, 2], y, w)).toBe(1);
    expect(exactAuc([2, 1, -1, -2], y, w)).toBe(0);
    expect(exactAuc([0, 0, 0, 0], y, w)).toBe(0.5);
    expect(exactAuc([-1, 1, 1, 2], y, w)).toBe(0.875); // one of 4 pairs tied
    expect(exactAuc([1, 2, 3, 4], [1, 1, 1, 1], w)).toBe(0.5);
    expect(exactAuc([-2, 9, 1, 2], y, [1, 0, 1, 1])).toBe(1); // the misranked negative is padding
  });

  it('metrics: accuracy, precision and recall count weighted tokens, 0 when undefined', () => {
    // pred = [x ≥ 0]: TP at 0, FP at 1, FN at 2, TN at 3, padding at 4.
    const m = bceMetrics([1, 2, -1, -2, 5], [1, 0, 1, 0, 1], [1, 1, 1, 1, 0]);
    expect(Array.from(m.subarray(1, 4))).toEqual([0.5, 0.5, 0.5]);
    expect(m[5]).toBe(4);
    expect(m[6]).toBe(2);
    const none = bceMetrics([-1, -2], [0, 0], [1, 1]);
    expect([none[2], none[3], none[4]]).toEqual([0, 0, 0.5]);
  });
});
