// The line chart's pure helpers (chart-math.ts: domains, hover lookup, downsampling, names);
// drawing and export need a DOM and are covered by the e2e run.
import { describe, expect, it } from 'vitest';
import { seriesColor } from '../palette.ts';
import { chartFileName, defaultFormatX, downsample, downsampleBand, extent, formatValue, nearestIndex } from './chart-math.ts';
import type { ChartSeries } from './line-chart.ts';

/** A noisy falling loss curve with a few spikes, like a real run (deterministic). */
function lossCurve(n: number): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i;
    y[i] = 2 + 8 * Math.exp(-i / (n / 5)) + 0.1 * Math.sin(i * 12.9898);
  }
  return { x, y };
}

const isAscending = (a: ArrayLike<number>) => Array.from(a).every((v, i, all) => i === 0 || all[i - 1]! <= v);

describe('extent', () => {
  it('spans several arrays and skips non-finite values', () => {
    expect(extent([[3, NaN, 1], [Infinity, 7, -Infinity], new Float32Array([2, 5])])).toEqual([1, 7]);
  });

  it('on a log axis also skips y ≤ 0', () => {
    expect(extent([[0, -2, 0.5, 4]], true)).toEqual([0.5, 4]);
    expect(extent([[0, -2, 0.5, 4]], false)).toEqual([-2, 4]);
  });

  it('is null when there is nothing to place', () => {
    expect(extent([])).toBeNull();
    expect(extent([[NaN], []])).toBeNull();
    expect(extent([[0, -1]], true)).toBeNull();
  });

  it('reads the y of ChartSeries (as the draw does, bands included)', () => {
    const s: ChartSeries = { id: 'a', label: 'a', color: seriesColor(0), x: [0, 1], y: [2, 3], band: { lo: [1.5, 2.5], hi: [2.5, 9] } };
    expect(extent([s.y, s.band!.lo, s.band!.hi])).toEqual([1.5, 9]);
  });
});

describe('nearestIndex', () => {
  const xs = [0, 10, 20, 30, 50];

  it('finds the nearest element by binary search', () => {
    expect(nearestIndex(xs, 12)).toBe(1);
    expect(nearestIndex(xs, 18)).toBe(2);
    expect(nearestIndex(xs, 41)).toBe(4);
    expect(nearestIndex(xs, 39)).toBe(3);
    expect(nearestIndex(xs, 30)).toBe(3);
  });

  it('prefers the earlier element on a tie', () => {
    expect(nearestIndex(xs, 15)).toBe(1);
    expect(nearestIndex(xs, 40)).toBe(3);
  });

  it('clamps outside the range, and is -1 for no data', () => {
    expect(nearestIndex(xs, -5)).toBe(0);
    expect(nearestIndex(xs, 1e9)).toBe(4);
    expect(nearestIndex(xs, Infinity)).toBe(4);
    expect(nearestIndex([], 3)).toBe(-1);
    expect(nearestIndex(xs, NaN)).toBe(-1);
    expect(nearestIndex([7], 100)).toBe(0);
  });

  it('agrees with a linear scan on uneven spacing', () => {
    const uneven = new Float64Array([1, 2, 4, 8, 16, 32, 64, 65, 66, 200]);
    for (let q = -3; q <= 210; q += 0.75) {
      let best = 0;
      for (let i = 1; i < uneven.length; i++) if (Math.abs(uneven[i]! - q) < Math.abs(uneven[best]! - q)) best = i;
      expect(Math.abs(uneven[nearestIndex(uneven, q)]! - q), `q=${q}`).toBe(Math.abs(uneven[best]! - q));
    }
  });
});

describe('downsample', () => {
  it('draws 100k points as at most 2·maxPoints + 2', () => {
    const { x, y } = lossCurve(100_000);
    const d = downsample(x, y, 600);
    expect(d.x.length).toBe(d.y.length);
    expect(d.x.length).toBeLessThanOrEqual(2 * 600 + 2);
    expect(d.x.length).toBeGreaterThan(600); // a min/max pair per bucket, not one point
  });

  it('keeps the global min and max, a lone spike, and the first and last points', () => {
    const { x, y } = lossCurve(50_000);
    y[31_337] = 40; // a loss spike, one step wide
    y[45_000] = 0.01;
    const d = downsample(x, y, 300);
    const ys = Array.from(d.y);
    expect(Math.max(...ys)).toBe(40);
    expect(Math.min(...ys)).toBeCloseTo(0.01, 12);
    expect(Array.from(d.x)).toContain(31_337);
    expect([d.x[0], d.y[0]]).toEqual([x[0], y[0]]);
    expect([d.x[d.x.length - 1], d.y[d.y.length - 1]]).toEqual([x[49_999], y[49_999]]);
  });

  it('keeps every bucket extreme (spikes anywhere survive)', () => {
    const { x, y } = lossCurve(10_000);
    for (let k = 0; k < 20; k++) y[137 + k * 487] = k % 2 ? 100 + k : -k;
    const d = downsample(x, y, 100);
    const kept = new Set(Array.from(d.x));
    for (let k = 0; k < 20; k++) expect(kept.has(137 + k * 487), `spike ${k}`).toBe(true);
  });

  it('preserves ascending x', () => {
    const { x, y } = lossCurve(20_000);
    const d = downsample(x, y, 123);
    expect(isAscending(d.x)).toBe(true);
    // and every output point is a real input point
    for (let i = 0; i < d.x.length; i++) expect(d.y[i]).toBe(y[d.x[i]!]);
  });

  it('returns short inputs unchanged (the same arrays)', () => {
    const x = [0, 1, 2, 3, 4];
    const y = [5, NaN, 3, 2, 1];
    const d = downsample(x, y, 2); // 5 ≤ 2·2 + 2
    expect(d.x).toBe(x);
    expect(d.y).toBe(y);
  });

  it('keeps a long NaN stretch as a gap and ignores NaN when picking extremes', () => {
    const { x, y } = lossCurve(10_000);
    for (let i = 4_000; i < 6_000; i++) y[i] = NaN; // diverged, then (say) resumed from a checkpoint
    y[3_000] = NaN; // a lone NaN inside a bucket with data
    const d = downsample(x, y, 100);
    const nanXs = Array.from(d.x).filter((_, i) => Number.isNaN(d.y[i]));
    expect(nanXs.length).toBeGreaterThan(10);
    expect(nanXs.every((v) => v >= 4_000 && v < 6_000)).toBe(true);
    // The finite points still carry the true finite extremes.
    const finite = Array.from(d.y).filter(Number.isFinite);
    expect(Math.max(...finite)).toBe(Math.max(...Array.from(y).filter(Number.isFinite)));
  });

  it('with log, treats y ≤ 0 as a gap rather than a minimum', () => {
    const { x, y } = lossCurve(10_000);
    y[5_000] = 0;
    const linear = downsample(x, y, 50);
    const log = downsample(x, y, 50, true);
    expect(Array.from(linear.y)).toContain(0);
    expect(Array.from(log.y)).not.toContain(0);
  });
});

describe('downsampleBand', () => {
  it('keeps the envelope (min of lo, max of hi) in at most 2·maxPoints points', () => {
    const n = 30_000;
    const x = new Float64Array(n).map((_, i) => i);
    const lo = new Float64Array(n).map((_, i) => 3 - i / n);
    const hi = new Float64Array(n).map((_, i) => 4 - i / n);
    lo[12_345] = 0.5;
    hi[777] = 9;
    const b = downsampleBand(x, lo, hi, 200);
    expect(b.x.length).toBeLessThanOrEqual(400);
    expect(isAscending(b.x)).toBe(true);
    expect(Math.min(...Array.from(b.lo))).toBe(0.5);
    expect(Math.max(...Array.from(b.hi))).toBe(9);
  });

  it('returns short bands unchanged', () => {
    const x = [0, 1];
    const b = downsampleBand(x, [1, 2], [3, 4], 10);
    expect(b.x).toBe(x);
  });
});

describe('labels', () => {
  it('formats read-out values to 4 significant digits, gaps as a dash', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(10.38714)).toBe('10.39');
    expect(formatValue(NaN)).toBe('–');
    expect(formatValue(-Infinity)).toBe('–');
  });

  it('formats steps and tokens compactly', () => {
    expect(defaultFormatX(2000)).toBe('2000');
    expect(defaultFormatX(25_000)).toBe('25k');
    expect(defaultFormatX(1_200_000)).toBe('1.2M');
    expect(defaultFormatX(0.5)).toBe('0.5');
  });

  it('names export files after the title', () => {
    expect(chartFileName('Loss (train) vs eval', 'png')).toBe('loss-train-vs-eval.png');
    expect(chartFileName('  ', 'svg')).toBe('chart.svg');
  });
});
