// Line charts for training curves (loss, accuracy, eval loss, lr …): a pure d3 draw function,
// spec + <svg> in, pixels out. It is redrawn several times a second while training, so it keeps
// one skeleton per <svg> and joins into it instead of rebuilding, and draws long series as about
// one min/max pair per pixel column (100k steps cost what ~2×width points cost).
// Deliberately not here: the pure maths (chart-math.ts), SVG / PNG export (svg-export.ts), React,
// the store, colour choice (the caller passes palette colours), zoom/pan, and any knowledge of
// what the series mean.
import * as d3 from 'd3';
import { defaultFormatX, downsample, downsampleBand, extent, formatValue, nearestIndex, padDomain, usable } from './chart-math.ts';

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
