// The soak test's numbers (cli/soak.ts, e2e/soak.spec.ts): the series it samples, their
// least-squares slopes per minute, the printed table, and the rule that fails it on growing GPU
// buffers. Pure functions of the samples; taking them from a page is soak-run.ts's job.

/** One sample, taken every interval while the app trains with every view open. */
export interface SoakSample {
  /** Minutes since the soak started training. */
  minute: number;
  /** The page's JS heap in use after a forced GC (MiB). */
  pageHeapMiB: number;
  /** The engine worker's JS heap in use after a forced GC (MiB); NaN when it could not be read. */
  workerHeapMiB: number;
  /** GPU buffers alive (created, not destroyed): the least over a short burst of reads, so buffers that live for one readback do not count. */
  liveBuffers: number;
  /** Their bytes (MiB), read with the same least count. */
  liveMiB: number;
  /** DOM nodes of the page (after the GC, so detached ones that could be freed are gone). */
  domNodes: number;
  /** JS event listeners of the page. */
  listeners: number;
  /** The engine's own ms per training step over the interval before this sample (NaN: no steps). */
  msPerStep: number;
  /** Steps trained in that interval, and runs started so far (the run restarts when it ends). */
  steps: number;
  runs: number;
}

type SeriesKey = 'pageHeapMiB' | 'workerHeapMiB' | 'liveBuffers' | 'liveMiB' | 'domNodes' | 'listeners' | 'msPerStep';

/** The columns of the table and the slopes, in order: key, header, decimals. */
export const SERIES: readonly (readonly [SeriesKey, string, number])[] = [
  ['pageHeapMiB', 'page heap MiB', 2],
  ['workerHeapMiB', 'worker heap MiB', 2],
  ['liveBuffers', 'GPU buffers', 0],
  ['liveMiB', 'GPU MiB', 2],
  ['domNodes', 'DOM nodes', 0],
  ['listeners', 'listeners', 0],
  ['msPerStep', 'ms/step', 1],
];

/** Least-squares slope of y over x, skipping non-finite points; NaN with fewer than two. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const pts = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((a, [x]) => a + x, 0) / pts.length;
  const my = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  return sxx > 0 ? sxy / sxx : NaN;
}

/** Slope per minute of every series over the samples after the first (the first is warm-up). */
export function slopes(samples: readonly SoakSample[]): Record<SeriesKey, number> {
  const after = samples.slice(1);
  const minutes = after.map((s) => s.minute);
  return Object.fromEntries(SERIES.map(([k]) => [k, slope(minutes, after.map((s) => s[k]))])) as Record<SeriesKey, number>;
}

export const LEAK_RULE =
  'GPU buffers grow when, over the samples after the first (warm-up: the first run builds its model, views and caches), ' +
  'the least-squares slope of the live-buffer count is above 0 AND the least count of the later half of those samples is above the least of the earlier half. ' +
  'Each sample is the least count over a burst of reads while training, so buffers alive for one readback do not count; one that spans a whole burst ' +
  '(an eval or autosave reading back for seconds) is a single high sample, which cannot raise the least of a half. A leak raises the floor.';

export interface LeakVerdict {
  growing: boolean;
  /** One line: the numbers the rule looked at. */
  detail: string;
}

/** LEAK_RULE applied; needs at least two samples after the warm-up one. */
export function gpuBufferVerdict(samples: readonly SoakSample[]): LeakVerdict {
  const after = samples.slice(1);
  if (after.length < 2) return { growing: false, detail: `only ${after.length} sample(s) after warm-up: too few to judge (run longer or sample more often)` };
  const counts = after.map((x) => x.liveBuffers);
  const s = slope(after.map((x) => x.minute), counts);
  // Halves without the middle sample of an odd count: 5 samples compare the first 2 with the last 2.
  const earlier = Math.min(...counts.slice(0, Math.floor(counts.length / 2)));
  const later = Math.min(...counts.slice(Math.ceil(counts.length / 2)));
  const growing = s > 0 && later > earlier;
  return {
    growing,
    detail: `live GPU buffers ${counts.join(' ')} in ${counts.length} samples after warm-up: least ${earlier} in the earlier half, ${later} in the later, slope ${s.toFixed(2)}/min: ${growing ? 'GROWING (leak)' : 'flat'}`,
  };
}

const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/** The samples as an aligned text table, then one line of slopes per minute. */
export function formatTable(samples: readonly SoakSample[]): string {
  const head = ['min', ...SERIES.map(([, h]) => h), 'steps', 'runs'];
  const rows = samples.map((s) => [s.minute.toFixed(2), ...SERIES.map(([k, , d]) => fmt(s[k], d)), String(s.steps), String(s.runs)]);
  const sl = slopes(samples);
  const slopeRow = ['slope/min', ...SERIES.map(([k, , d]) => fmt(sl[k], d + 2)), '', ''];
  const all = [head, ...rows, slopeRow];
  const widths = head.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => v.padStart(widths[c]!)).join('  ');
  return [line(head), ...rows.map(line), line(slopeRow)].join('\n');
}
