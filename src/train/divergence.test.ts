import { describe, expect, it } from 'vitest';
import { DIVERGENCE, DivergenceWatch, type HealthSample } from './divergence.ts';

/** A healthy run: loss falling from ln(1000) towards 3 with noise, gradient norm around 1. */
function healthy(n: number, seed = 1): HealthSample[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => ({ step: i + 1, loss: 3 + 3.9 * Math.exp(-i / 30) + 0.2 * (rand() - 0.5), gradNorm: 1 + 0.5 * rand() }));
}

describe('DivergenceWatch', () => {
  it('lets a healthy run through, including a diffusion-like loss that swings ±50% per step', () => {
    const w = new DivergenceWatch();
    for (const s of healthy(300)) expect(w.check(s)).toBeNull();
    const swing = new DivergenceWatch();
    for (let i = 0; i < 300; i++) expect(swing.check({ step: i + 1, loss: i === 0 ? 6.9 : 2.5 * (1 + 0.5 * Math.sin(i * 2.1)), gradNorm: 1 + (i % 3) })).toBeNull();
  });

  it('catches NaN and Inf in the loss or the gradient norm at once', () => {
    expect(new DivergenceWatch().check({ step: 1, loss: NaN, gradNorm: 1 })?.rule).toBe('non-finite');
    expect(new DivergenceWatch().check({ step: 1, loss: 3, gradNorm: Infinity })?.rule).toBe('non-finite');
  });

  it("catches the issue's run: loss 3 → 140 within 20 steps (above the first loss)", () => {
    const w = new DivergenceWatch();
    const run = healthy(60);
    for (const s of run) expect(w.check(s)).toBeNull();
    const d = w.check({ step: 61, loss: 140, gradNorm: 3 });
    expect(d?.rule).toBe('above-start');
    expect(d?.message).toContain('140');
    expect(d?.message).toContain(`step ${run[0]!.step}`);
  });

  it('catches a spike that stays below the first loss (2× the recent median and 1 nat above it)', () => {
    const w = new DivergenceWatch(healthy(200));
    // By now the loss is about 3.0; 6.2 is below 1.5 × 6.9 but a spike.
    expect(w.check({ step: 201, loss: 5.5, gradNorm: 1.2 })).toBeNull(); // below 2× the median: not yet
    const d = w.check({ step: 202, loss: 6.5, gradNorm: 1.2 });
    expect(d?.rule).toBe('loss-spike');
  });

  it('a small loss does not count as a spike unless it is also a nat above the median', () => {
    const w = new DivergenceWatch(Array.from({ length: 30 }, (_, i) => ({ step: i + 1, loss: i === 0 ? 2 : 0.3, gradNorm: 1 })));
    expect(w.check({ step: 31, loss: 1.1, gradNorm: 1 })).toBeNull(); // 3.7× the median, but only 0.8 nats above
    expect(w.check({ step: 32, loss: 1.4, gradNorm: 1 })?.rule).toBe('loss-spike');
  });

  it('catches a gradient-norm explosion with a still-normal loss', () => {
    const w = new DivergenceWatch(healthy(100));
    expect(w.check({ step: 101, loss: 3.2, gradNorm: 15 })).toBeNull();
    expect(w.check({ step: 102, loss: 3.2, gradNorm: 40 })?.rule).toBe('grad-explosion');
  });

  it('needs a few healthy windows before the relative rules apply', () => {
    const w = new DivergenceWatch();
    const first = healthy(DIVERGENCE.MIN_HISTORY - 1);
    for (const s of first) w.check(s);
    expect(w.check({ step: 10, loss: 6.9, gradNorm: 1000 })).toBeNull();
  });

  it('does not learn from the samples it rejects: a diverged run stays diverged', () => {
    const w = new DivergenceWatch(healthy(100));
    for (let i = 0; i < 50; i++) expect(w.check({ step: 101 + i, loss: 140, gradNorm: 1 })).not.toBeNull();
  });
});
