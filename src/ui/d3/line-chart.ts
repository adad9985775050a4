// Line charts for training curves (loss, accuracy, eval loss, lr …): a pure d3 draw function,
// spec + <svg> in, pixels out, plus export of the drawn chart as standalone SVG / PNG.
// It is redrawn several times a second while training, so it keeps one skeleton per <svg> and
// joins into it instead of rebuilding, and draws long series as about one min/max pair per pixel
// column (100k steps cost what ~2×width points cost).
// Deliberately not here: React, the store, colour choice (the caller passes palette colours),
// zoom/pan, and any knowledge of what the series mean.
import * as d3 from 'd3';

export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  /** Ascending (steps, tokens, FLOPs …); same length as y. */
  x: ArrayLike<number>;
  /** Non-finite values are gaps. */
  y: ArrayLike<number>;
  /** Same x as the series; drawn as a translucent area (min..max over seeds). */
  band?: { lo: ArrayLike<number>; hi: ArrayLike<number> };
  dashed?: boolean;
}

export interface LineChartSpec {
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  logX?: boolean;
  /** Pixels, the whole <svg>. */
  width: number;
  height: number;
  /** Drawn inside the SVG (for exports; on screen the React shell shows its own). */
  title?: string;
  formatX?: (x: number) => string;
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (unit-tested in Node)

/** A value a (possibly log) axis can place: finite, and > 0 on a log axis. */
const usable = (v: number, log: boolean): boolean => Number.isFinite(v) && (!log || v > 0);

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
function padDomain([lo, hi]: [number, number], log: boolean): [number, number] {
  if (lo < hi) return [lo, hi];
  if (log) return [lo / 2, hi * 2];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - d, hi + d];
}

// ---------------------------------------------------------------------------------------------
// Drawing

type Scale = d3.ScaleContinuousNumeric<number, number>;
type G = d3.Selection<SVGGElement, unknown, null, undefined>;

/** Pixels around the plot area; the top grows by the title and legend rows. */
const MARGIN = { top: 8, right: 16, bottom: 40, left: 60 };
const TITLE_H = 20;
const ROW_H = 16;

/** What the hover handlers need from the latest draw (they are bound once per <svg>). */
interface Frame {
  spec: LineChartSpec;
  x: Scale;
  y: Scale;
  w: number;
  formatX: (x: number) => string;
}
interface State {
  clipId: string;
  /** Mouse x in plot pixels, or null when the pointer is outside the plot. */
  hoverPx: number | null;
  frame: Frame | null;
}
const states = new WeakMap<SVGSVGElement, State>();
let nextClipId = 0;

/** Width of a <text> as laid out, or an estimate where there is no layout (hidden, export). */
function textWidth(node: SVGTextElement | null, text: string): number {
  const w = node?.getComputedTextLength?.() ?? 0;
  return w > 0 ? w : text.length * 6.5;
}

/** Build the skeleton once per <svg>; later draws only update it. */
function setup(svg: SVGSVGElement): State {
  const existing = states.get(svg);
  if (existing) return existing;
  const st: State = { clipId: `lc-clip-${nextClipId++}`, hoverPx: null, frame: null };
  states.set(svg, st);
  const root = d3.select(svg).classed('line-chart', true);
  root.append('text').attr('class', 'lc-title');
  root.append('g').attr('class', 'lc-legend');
  const plot = root.append('g').attr('class', 'lc-plot');
  plot.append('defs').append('clipPath').attr('id', st.clipId).append('rect');
  for (const cls of ['lc-grid lc-grid-y', 'lc-grid lc-grid-x', 'lc-axis lc-axis-x', 'lc-axis lc-axis-y']) plot.append('g').attr('class', cls);
  for (const cls of ['lc-label lc-label-x', 'lc-label lc-label-y', 'lc-empty']) plot.append('text').attr('class', cls);
  plot.append('g').attr('class', 'lc-bands').attr('clip-path', `url(#${st.clipId})`);
  plot.append('g').attr('class', 'lc-lines').attr('clip-path', `url(#${st.clipId})`);
  const update = (px: number | null) => {
    st.hoverPx = px;
    drawHover(svg, st);
  };
  plot
    .append('rect')
    .attr('class', 'lc-overlay')
    .attr('fill', 'transparent')
    .attr('pointer-events', 'all')
    .on('pointermove', (ev: PointerEvent) => update(d3.pointer(ev)[0]))
    .on('pointerleave', () => update(null));
  // Above the overlay but transparent to the pointer, so moving over the box does not "leave".
  const hover = plot.append('g').attr('class', 'lc-hover').attr('pointer-events', 'none').style('display', 'none');
  hover.append('line').attr('class', 'lc-rule');
  hover.append('g').attr('class', 'lc-dots');
  hover.append('g').attr('class', 'lc-readout').append('rect').attr('class', 'lc-readout-bg').attr('rx', 4);
  return st;
}

/** Legend items in rows that wrap at maxW; returns the number of rows (0 when empty). */
function drawLegend(g: G, series: ChartSeries[], x0: number, y0: number, maxW: number): number {
  const items = g
    .selectAll<SVGGElement, ChartSeries>('g.lc-legend-item')
    .data(series, (d) => d.id)
    .join((enter) => {
      const item = enter.append('g').attr('class', 'lc-legend-item');
      item.append('line').attr('x1', 0).attr('x2', 16).attr('y1', -4).attr('y2', -4);
      item.append('text').attr('x', 20);
      return item;
    });
  items
    .select('line')
    .attr('stroke', (d) => d.color)
    .attr('stroke-dasharray', (d) => (d.dashed ? '4 3' : null));
  items.select('text').text((d) => d.label);
  let cx = 0;
  let row = 0;
  items.each(function (d) {
    const iw = 20 + textWidth(this.querySelector('text'), d.label) + 14;
    if (cx > 0 && cx + iw > maxW) {
      row++;
      cx = 0;
    }
    this.setAttribute('transform', `translate(${x0 + cx},${y0 + row * ROW_H + 12})`);
    cx += iw;
  });
  return series.length ? row + 1 : 0;
}

/** (Re)draw the chart into svg. Cheap to call repeatedly with the same svg and new data. */
export function drawLineChart(svg: SVGSVGElement, spec: LineChartSpec): void {
  const st = setup(svg);
  const { width, height, series } = spec;
  const logX = !!spec.logX;
  const logY = !!spec.logY;
  const root = d3.select(svg).attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);

  root
    .select('.lc-title')
    .attr('x', MARGIN.left)
    .attr('y', MARGIN.top + 14)
    .style('display', () => (spec.title ? null : 'none'))
    .text(spec.title ?? '');
  let top = MARGIN.top + (spec.title ? TITLE_H : 0);
  const legendW = width - MARGIN.left - MARGIN.right;
  const rows = drawLegend(root.select<SVGGElement>('.lc-legend'), series.length >= 2 ? series : [], MARGIN.left, top, legendW);
  top += rows ? rows * ROW_H + 6 : 6;
  const w = Math.max(10, width - MARGIN.left - MARGIN.right);
  const h = Math.max(10, height - top - MARGIN.bottom);
  const plot = root.select<SVGGElement>('.lc-plot').attr('transform', `translate(${MARGIN.left},${top})`);

  // Domains. x spans the data exactly (curves start at the left edge); linear y is niced.
  const xData = extent(
    series.map((s) => s.x),
    logX,
  );
  const yData = extent(
    series.flatMap((s) => (s.band ? [s.y, s.band.lo, s.band.hi] : [s.y])),
    logY,
  );
  const xDom = padDomain(xData ?? (logX ? [1, 10] : [0, 1]), logX);
  const yDom = padDomain(yData ?? (logY ? [0.1, 1] : [0, 1]), logY);
  const x: Scale = logX ? d3.scaleLog().domain(xDom).range([0, w]) : d3.scaleLinear().domain(xDom).range([0, w]);
  // No nice() on log y: it would round out to whole decades and squash a 2..10 loss curve.
  const y: Scale = logY ? d3.scaleLog().domain(yDom).range([h, 0]) : d3.scaleLinear().domain(yDom).range([h, 0]).nice();

  // Axes and grid. On log axes d3's tickFormat blanks the crowded labels; keep that blanking.
  const formatX = spec.formatX ?? defaultFormatX;
  const nx = Math.max(2, Math.floor(w / 90));
  const ny = Math.max(2, Math.floor(h / 32));
  const logXLabels = logX ? x.tickFormat(nx) : null;
  const xTick = (v: number) => (logXLabels && logXLabels(v) === '' ? '' : formatX(v));
  const yTick = y.tickFormat(ny, logY ? '~g' : undefined);
  plot
    .select<SVGGElement>('.lc-axis-x')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom<number>(x).ticks(nx).tickFormat(xTick).tickSizeOuter(0));
  plot.select<SVGGElement>('.lc-axis-y').call(d3.axisLeft<number>(y).ticks(ny).tickFormat(yTick).tickSizeOuter(0));
  plot
    .select<SVGGElement>('.lc-grid-y')
    .call(d3.axisLeft<number>(y).ticks(ny).tickSize(-w).tickFormat(() => ''))
    .call((g) => g.select('.domain').remove());
  plot
    .select<SVGGElement>('.lc-grid-x')
    .attr('transform', `translate(0,${h})`)
    .call(d3.axisBottom<number>(x).ticks(nx).tickSize(-h).tickFormat(() => ''))
    .call((g) => g.select('.domain').remove());
  plot
    .select('.lc-label-x')
    .attr('x', w / 2)
    .attr('y', h + 34)
    .attr('text-anchor', 'middle')
    .text(spec.xLabel);
  plot
    .select('.lc-label-y')
    .attr('transform', 'rotate(-90)')
    .attr('x', -h / 2)
    .attr('y', -MARGIN.left + 14)
    .attr('text-anchor', 'middle')
    .text(spec.yLabel);
  plot
    .select('.lc-empty')
    .attr('x', w / 2)
    .attr('y', h / 2)
    .attr('text-anchor', 'middle')
    .text(yData ? '' : 'no data yet');
  // 2 px of slack so a line along the top or bottom edge is not cut in half.
  plot.select(`#${st.clipId} rect`).attr('x', 0).attr('y', -2).attr('width', w).attr('height', h + 4);
  plot.select('.lc-overlay').attr('width', w).attr('height', h);

  // Series, each downsampled to ~one min/max pair per pixel column. Paths are over point indices
  // so the typed arrays are read in place.
  const okX = (v: number) => usable(v, logX);
  const okY = (v: number) => usable(v, logY);
  const bands = series.filter((s) => s.band).map((s) => ({ s, d: downsampleBand(s.x, s.band!.lo, s.band!.hi, w, logY) }));
  plot
    .select('.lc-bands')
    .selectAll<SVGPathElement, (typeof bands)[number]>('path')
    .data(bands, (b) => b.s.id)
    .join('path')
    .attr('class', 'lc-band')
    .attr('fill', (b) => b.s.color)
    .attr('d', ({ d }) => {
      const n = Math.min(d.x.length, d.lo.length, d.hi.length);
      const area = d3
        .area<number>()
        .defined((i) => okX(d.x[i]!) && okY(d.lo[i]!) && okY(d.hi[i]!))
        .x((i) => x(d.x[i]!))
        .y0((i) => y(d.lo[i]!))
        .y1((i) => y(d.hi[i]!));
      return area(d3.range(n)) ?? '';
    });
  const lines = series.map((s) => ({ s, d: downsample(s.x, s.y, w, logY) }));
  plot
    .select('.lc-lines')
    .selectAll<SVGPathElement, (typeof lines)[number]>('path')
    .data(lines, (l) => l.s.id)
    .join('path')
    .attr('class', 'lc-line')
    .attr('stroke', (l) => l.s.color)
    .attr('stroke-dasharray', (l) => (l.s.dashed ? '6 4' : null))
    .attr('d', ({ d }) => {
      const n = Math.min(d.x.length, d.y.length);
      const line = d3
        .line<number>()
        .defined((i) => okX(d.x[i]!) && okY(d.y[i]!))
        .x((i) => x(d.x[i]!))
        .y((i) => y(d.y[i]!));
      return line(d3.range(n)) ?? '';
    });

  st.frame = { spec, x, y, w, formatX };
  // Keep the read-out live while training redraws under a still mouse.
  drawHover(svg, st);
}

interface ReadoutRow {
  key: string;
  color: string | null;
  text: string;
}

/** Vertical rule at the mouse x, a dot and a value per series at its point nearest that x. */
function drawHover(svg: SVGSVGElement, st: State): void {
  const hover = d3.select(svg).select<SVGGElement>('.lc-hover');
  const f = st.frame;
  if (!f || st.hoverPx === null || f.spec.series.length === 0) {
    hover.style('display', 'none');
    return;
  }
  const { x, y, w, spec } = f;
  const px = Math.min(w, Math.max(0, st.hoverPx));
  const xv = x.invert(px);
  const logY = !!spec.logY;
  const hits = spec.series.map((s) => {
    const i = nearestIndex(s.x, xv);
    const ok = i >= 0 && i < s.y.length;
    return { s, x: ok ? s.x[i]! : NaN, y: ok ? s.y[i]! : NaN };
  });
  // Series may be sampled at different x (train every step, eval every k): head the box with
  // the real x nearest the mouse.
  const closest = d3.least(
    hits.filter((hit) => Number.isFinite(hit.x)),
    (hit) => Math.abs(x(hit.x) - px),
  );
  hover.style('display', null);
  hover.select('.lc-rule').attr('x1', px).attr('x2', px).attr('y1', 0).attr('y2', y.range()[0]!);
  hover
    .select('.lc-dots')
    .selectAll<SVGCircleElement, (typeof hits)[number]>('circle')
    .data(
      hits.filter((hit) => Number.isFinite(hit.x) && usable(hit.y, logY)),
      (hit) => hit.s.id,
    )
    .join('circle')
    .attr('r', 3)
    .attr('fill', (hit) => hit.s.color)
    .attr('cx', (hit) => x(hit.x))
    .attr('cy', (hit) => y(hit.y));

  const rows: ReadoutRow[] = [
    { key: ' x', color: null, text: `${spec.xLabel} ${closest ? f.formatX(closest.x) : '–'}` },
    ...hits.map((hit) => ({ key: hit.s.id, color: hit.s.color, text: `${hit.s.label}: ${formatValue(hit.y)}` })),
  ];
  const box = hover.select<SVGGElement>('.lc-readout');
  const items = box
    .selectAll<SVGGElement, ReadoutRow>('g.lc-readout-row')
    .data(rows, (r) => r.key)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'lc-readout-row');
      g.append('rect').attr('width', 8).attr('height', 8).attr('y', -8);
      g.append('text');
      return g;
    })
    .attr('transform', (_, i) => `translate(8,${16 + i * 15})`);
  items.select('rect').attr('fill', (r) => r.color ?? 'none');
  items
    .select('text')
    .attr('x', (r) => (r.color ? 12 : 0))
    .text((r) => r.text);
  let textW = 0;
  items.each(function (r) {
    textW = Math.max(textW, (r.color ? 12 : 0) + textWidth(this.querySelector('text'), r.text));
  });
  const boxW = textW + 16;
  const boxH = rows.length * 15 + 10;
  box.select('.lc-readout-bg').attr('width', boxW).attr('height', boxH);
  // Right of the rule unless that runs off the plot.
  const bx = px + 10 + boxW <= w ? px + 10 : Math.max(0, px - 10 - boxW);
  box.attr('transform', `translate(${bx},4)`);
}

// ---------------------------------------------------------------------------------------------
// Export

/** Presentation properties copied inline, so the file looks like the screen without our CSS. */
const INLINE = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'shape-rendering', 'display',
] as const;

/** The first non-transparent background behind el (the chart is light-on-dark). */
function backgroundOf(el: Element | null): string {
  for (let e = el; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') return bg;
  }
  return '#0f172a';
}

/** Standalone SVG document (xmlns, inline computed styles, the page's background). */
export function svgToString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  const computed = new Map<Element, CSSStyleDeclaration>(src.map((el) => [el, getComputedStyle(el)]));
  src.forEach((el, i) => {
    const cs = computed.get(el)!;
    const parent = el === svg ? undefined : computed.get(el.parentElement!);
    // Write only what the file would not reproduce anyway (inherited from the parent, no
    // attribute of its own to override it, or the initial value of the two non-inherited ones):
    // keeps the file several times smaller.
    const needed = (p: (typeof INLINE)[number], v: string): boolean => {
      if (p === 'display') return v === 'none';
      if (p === 'opacity') return v !== '1';
      return v !== '' && (el.hasAttribute(p) || v !== parent?.getPropertyValue(p));
    };
    const style = INLINE.map((p) => [p, cs.getPropertyValue(p)] as const)
      .filter(([p, v]) => needed(p, v))
      .map(([p, v]) => `${p}:${v}`)
      .join(';');
    if (style) dst[i]!.setAttribute('style', style);
    else dst[i]!.removeAttribute('style');
  });
  clone.querySelector('.lc-overlay')?.remove();
  const { width, height } = svgSize(svg);
  clone.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', backgroundOf(svg.parentElement));
  clone.insertBefore(bg, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const r = svg.getBoundingClientRect();
  return { width: svg.width.baseVal.value || r.width, height: svg.height.baseVal.value || r.height };
}

/**
 * PNG at `scale`× the on-screen pixels. The SVG is serialized before this returns, so the caller
 * may redraw the chart right away (e.g. to drop a title it drew only for the export).
 */
export function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const text = svgToString(svg);
  const { width, height } = svgSize(svg);
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
    const img = new Image();
    img.onload = () => {
      try {
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('This browser gave no 2D canvas to draw the PNG; use the SVG export instead.');
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0, width, height);
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The browser could not encode the PNG; use the SVG export instead.'))), 'image/png');
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        URL.revokeObjectURL(url);
      }
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('The chart could not be rendered to an image; use the SVG export instead.'));
    };
    img.src = url;
  });
}

/** Save a blob through a temporary <a download>. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; the URL is tiny to keep.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
