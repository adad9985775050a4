// Grouped bars for "which layer knows it" (issue [H]): one group per layer (embeddings, layer 1,
// …), one bar per measurement in it (the untrained model, the latest probe), and reference lines
// across the plot (the majority-class baseline). Values are accuracies in [0, 1].
// Pure d3 drawing into a given <svg>: no React, no store (ProbeLayers.tsx passes the data).

import * as d3 from 'd3';

export interface BarSeries {
  label: string;
  color: string;
  /** One value per group; NaN = no bar. */
  values: readonly number[];
}

export interface LayerBarsSpec {
  groups: readonly string[];
  bars: readonly BarSeries[];
  /** Horizontal dashed lines with a label at their right end. */
  refs: readonly { label: string; value: number; color: string }[];
  yLabel: string;
  width: number;
  height: number;
  title?: string;
}

const MARGIN = { top: 8, right: 16, bottom: 28, left: 48 };
const ROW_H = 16;

export function drawLayerBars(svg: SVGSVGElement, spec: LayerBarsSpec): void {
  const { width, height, groups, bars, refs } = spec;
  const root = d3.select(svg).attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`).classed('bar-chart', true);
  root.selectAll('*').remove();
  let top = MARGIN.top;
  if (spec.title) {
    root.append('text').attr('class', 'bc-title').attr('x', MARGIN.left).attr('y', top + 12).text(spec.title);
    top += 20;
  }
  // Legend: one row, bars then reference lines.
  const legend = root.append('g').attr('class', 'bc-legend').attr('transform', `translate(${MARGIN.left},${top + 10})`);
  let lx = 0;
  for (const b of bars) {
    legend.append('rect').attr('x', lx).attr('y', -8).attr('width', 10).attr('height', 10).attr('fill', b.color);
    const t = legend.append('text').attr('x', lx + 14).attr('y', 1).text(b.label);
    lx += 14 + textWidth(t.node(), b.label) + 14;
  }
  for (const r of refs) {
    legend.append('line').attr('x1', lx).attr('x2', lx + 16).attr('y1', -3).attr('y2', -3).attr('stroke', r.color).attr('stroke-dasharray', '4 3');
    const t = legend.append('text').attr('x', lx + 20).attr('y', 1).text(r.label);
    lx += 20 + textWidth(t.node(), r.label) + 14;
  }
  top += ROW_H + 4;

  const w = Math.max(10, width - MARGIN.left - MARGIN.right);
  const h = Math.max(10, height - top - MARGIN.bottom);
  const plot = root.append('g').attr('transform', `translate(${MARGIN.left},${top})`);
  const x = d3.scaleBand<string>().domain(groups).range([0, w]).paddingInner(0.25).paddingOuter(0.1);
  const inner = d3.scaleBand<number>().domain(d3.range(bars.length)).range([0, x.bandwidth()]).padding(0.08);
  const y = d3.scaleLinear().domain([0, 1]).range([h, 0]);
  plot.append('g').attr('class', 'bc-grid').call(d3.axisLeft(y).ticks(5).tickSize(-w).tickFormat(() => ''));
  plot.append('g').attr('class', 'bc-axis').attr('transform', `translate(0,${h})`).call(d3.axisBottom(x));
  plot.append('g').attr('class', 'bc-axis').call(d3.axisLeft(y).ticks(5, '.0%'));
  plot.append('text').attr('class', 'bc-label').attr('transform', `translate(${-38},${h / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(spec.yLabel);

  bars.forEach((b, i) => {
    const g = plot.append('g').attr('class', 'bc-series').attr('data-label', b.label);
    groups.forEach((grp, k) => {
      const v = b.values[k];
      if (v === undefined || !Number.isFinite(v)) return;
      const bx = x(grp)! + inner(i)!;
      g.append('rect').attr('class', 'bc-bar').attr('x', bx).attr('y', y(v)).attr('width', inner.bandwidth()).attr('height', h - y(v)).attr('fill', b.color).append('title').text(`${grp}, ${b.label}: ${(100 * v).toFixed(1)}%`);
      if (inner.bandwidth() >= 22) g.append('text').attr('class', 'bc-value').attr('x', bx + inner.bandwidth() / 2).attr('y', y(v) - 3).attr('text-anchor', 'middle').text((100 * v).toFixed(0));
    });
  });
  for (const r of refs) {
    if (!Number.isFinite(r.value)) continue;
    plot.append('line').attr('class', 'bc-ref').attr('x1', 0).attr('x2', w).attr('y1', y(r.value)).attr('y2', y(r.value)).attr('stroke', r.color).attr('stroke-dasharray', '4 3');
  }
}

/** Width of a laid-out <text>, or an estimate where there is no layout (hidden, export). */
function textWidth(node: SVGTextElement | null, text: string): number {
  const w = node?.getComputedTextLength?.() ?? 0;
  return w > 0 ? w : text.length * 6.5;
}
