// Pure helpers behind the line chart: axis extents, the hover's nearest-point lookup, min/max
// downsampling of long series (about one pair per pixel column), value and axis labels, and
// export file names. No DOM: unit-tested in Node (chart-math.test.ts).
// Deliberately not here: drawing (line-chart.ts), SVG / PNG export (svg-export.ts), and any
// knowledge of what the series mean.
import * as d3 from 'd3';

/** A value a (possibly log) axis can place: finite, and > 0 on a log axis. */
export const usable = (v: number, log: boolean): boolean => Number.isFinite(v) && (!log || v > 0);

/** [min, max] over several arrays (y, band.lo, band.hi …), skipping gaps; null when none usable. */
export function extent(arrays: readonly ArrayLike<number>[], log = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!usable(v, log)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Index of the element of ascending xs nearest to x (ties: the earlier one); -1 when empty. */
export function nearestIndex(xs: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (n === 0 || Number.isNaN(x)) return -1;
  if (x <= xs[0]!) return 0;
  if (x >= xs[n - 1]!) return n - 1;
  // First index with xs[i] >= x; it exists and is ≥ 1 after the checks above.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return x - xs[lo - 1]! <= xs[lo]! - x ? lo - 1 : lo;
}

export interface XY {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/**
 * At most 2·maxPoints + 2 points that draw like the input: the first and last points (the newest
 * value must show at the line's end), then per index bucket its min and max in x order, so
 * spikes survive. A bucket with no usable y becomes one NaN point (the gap stays); a gap inside
 * a bucket that also has data is closed (it is narrower than a pixel column). Inputs already that
 * short are returned unchanged (the same arrays). With log, y ≤ 0 counts as a gap.
 */
export function downsample(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number, log = false): XY {
  const n = Math.min(x.length, y.length);
  const buckets = Math.max(1, Math.floor(maxPoints));
  if (n <= 2 * buckets + 2) return { x, y };
  const ox = new Float64Array(2 * buckets + 2);
  const oy = new Float64Array(2 * buckets + 2);
  let m = 0;
  const push = (i: number, v = y[i]!) => {
    ox[m] = x[i]!;
    oy[m] = v;
    m++;
  };
  push(0);
  const inner = n - 2; // indices 1 .. n-2; > 2·buckets, so every bucket holds ≥ 2
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = start; i < end; i++) {
      const v = y[i]!;
      if (!usable(v, log)) continue;
      if (iMin < 0 || v < y[iMin]!) iMin = i;
      if (iMax < 0 || v > y[iMax]!) iMax = i;
    }
    if (iMin < 0) push(start, NaN);
    else if (iMin === iMax) push(iMin);
    else {
      push(Math.min(iMin, iMax));
      push(Math.max(iMin, iMax));
    }
  }
  push(n - 1);
  return { x: ox.subarray(0, m), y: oy.subarray(0, m) };
}

export interface Band {
  x: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

/**
 * The band's envelope per index bucket (min of lo, max of hi), placed at the bucket's first and
 * last x: at most 2·maxPoints points. Short inputs are returned unchanged.
 */
export function downsampleBand(x: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, maxPoints: number, log = false): Band {
  const n = Math.min(x.length, lo.length, hi.length);
  const buckets = Math.max(1, Math.floor(maxPoints));
  if (n <= 2 * buckets) return { x, lo, hi };
  const ox = new Float64Array(2 * buckets);
  const olo = new Float64Array(2 * buckets);
  const ohi = new Float64Array(2 * buckets);
  let m = 0;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let l = Infinity;
    let h = -Infinity;
    for (let i = start; i < end; i++) {
      if (usable(lo[i]!, log) && usable(hi[i]!, log)) {
        l = Math.min(l, lo[i]!);
        h = Math.max(h, hi[i]!);
      }
    }
    const ok = l <= h;
    for (const i of ok ? [start, end - 1] : [start]) {
      ox[m] = x[i]!;
      olo[m] = ok ? l : NaN;
      ohi[m] = ok ? h : NaN;
      m++;
    }
  }
  return { x: ox.subarray(0, m), lo: olo.subarray(0, m), hi: ohi.subarray(0, m) };
}

const fmt4 = d3.format('.4g');
/** A y value for the hover read-out: 4 significant digits; gaps as "–". */
export function formatValue(v: number): string {
  return Number.isFinite(v) ? fmt4(v) : '–';
}

/** Steps and tokens: "2000", "25k", "1.2M"; small fractions stay plain ("0.5", not "500m"). */
export function defaultFormatX(v: number): string {
  return Math.abs(v) >= 1e4 ? d3.format('~s')(v) : d3.format('~g')(v);
}

/** "Loss (train) vs eval" → "loss-train-vs-eval.png". */
export function chartFileName(title: string, ext: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'chart'}.${ext}`;
}

/** Widen a one-value domain so the scale has a non-zero span. */
export function padDomain([lo, hi]: [number, number], log: boolean): [number, number] {
  if (lo < hi) return [lo, hi];
  if (log) return [lo / 2, hi * 2];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - d, hi + d];
}
