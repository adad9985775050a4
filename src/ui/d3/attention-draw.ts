// Draw functions for the attention views: one head's heatmap (canvas), the model view of every
// layer × head (canvas) with its hit test, and the BertViz-style head view (SVG). Element and
// data in, pixels out; the hit tests are pure geometry so they can be tested without a DOM.
// It deliberately holds no state between calls, reads no store, owns no React and computes no
// attention statistics (attention-math.ts does): callers pass the matrices to draw.
//
// Matrices are (n, n) [query][key] attention probabilities; the layer block is (NH, n, n).
import { rgb, select, type Selection } from 'd3';
import { heat, seriesColor } from '../palette.ts';
import { matrixMax } from './attention-math.ts';

const TEXT = '#e2e8f0';
const MUTED = '#94a3b8';
const BORDER = '#1e2b47';
const ACCENT = '#f59e0b';

/** heat() sampled at 256 levels as RGB bytes: ImageData needs bytes, not CSS strings. */
const LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = rgb(heat(i / 255));
    lut.set([c.r, c.g, c.b], i * 3);
  }
  return lut;
})();

/** A head's line colour. Okabe–Ito's eighth colour is black, invisible on the dark app: use the text colour. */
export function headColor(h: number): string {
  const c = seriesColor(h);
  return c === '#000000' ? TEXT : c;
}

/** Labels longer than this are cut with an ellipsis so one long word cannot squeeze the grid. */
const MAX_LABEL = 12;
const shortLabel = (t: string) => (t.length > MAX_LABEL ? `${t.slice(0, MAX_LABEL - 1)}…` : t);

/** Sizes the canvas backing store for devicePixelRatio and returns a context in CSS pixels. */
function setupCanvas(canvas: HTMLCanvasElement, cssW: number, cssH: number): CanvasRenderingContext2D | null {
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(cssW * dpr));
  canvas.height = Math.max(1, Math.round(cssH * dpr));
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  ctx.imageSmoothingEnabled = false; // one token = one crisp block, never a blur
  return ctx;
}

/** Empties a canvas but keeps its CSS size, so a page without data keeps its layout. */
export function clearCanvas(canvas: HTMLCanvasElement, cssW: number, cssH: number): void {
  setupCanvas(canvas, cssW, cssH);
}

/**
 * Writes m[offset .. offset + n·n) into the n×n-pixel `img` as heat(value / max): one pixel per
 * cell, then drawImage scales it up. Much cheaper than n² fillRects with CSS colour strings.
 */
function paintMatrix(img: HTMLCanvasElement, m: Float32Array, n: number, max: number, offset = 0): void {
  const ctx = img.getContext('2d');
  if (!ctx) return;
  const data = ctx.createImageData(n, n);
  const px = data.data;
  for (let i = 0; i < n * n; i++) {
    const t = max > 0 ? Math.min(1, Math.max(0, m[offset + i] / max)) : 0;
    const j = Math.round(t * 255) * 3;
    px[4 * i] = LUT[j];
    px[4 * i + 1] = LUT[j + 1];
    px[4 * i + 2] = LUT[j + 2];
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
}

function scratch(n: number): HTMLCanvasElement {
  const img = document.createElement('canvas');
  img.width = img.height = Math.max(1, n);
  return img;
}

// ---------------------------------------------------------------------------------------------
// Heatmap of one (n, n) matrix

export interface HeatmapLayout {
  n: number;
  /** CSS pixels per token. */
  cell: number;
  /** Where the grid starts (after the query labels on the left and key labels on top). */
  left: number;
  top: number;
  /** The value drawn as the top of the colour ramp. */
  max: number;
}

/** Below this cell size labels would overlap each other, so they are left out. */
const MIN_LABEL_CELL = 9;

/**
 * Draws an (n, n) matrix as an n×n grid: rows = queries (labelled left), columns = keys (labelled
 * on top, rotated). Colour = heat(value / max) with max = opts.max ?? the matrix's own largest
 * value: attention over many tokens is mostly small numbers, and a fixed 0..1 scale would paint
 * a whole sentence dark; the returned layout says which max was used, for the legend.
 */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  m: Float32Array,
  n: number,
  opts: { tokens: string[]; cell?: number; labels: boolean; max?: number; fontSize?: number },
): HeatmapLayout {
  const cell = opts.cell ?? Math.max(4, Math.min(28, Math.floor(360 / Math.max(1, n))));
  const max = opts.max ?? matrixMax(m);
  const labels = opts.labels && cell >= MIN_LABEL_CELL && opts.tokens.length === n;
  const font = `${Math.min(opts.fontSize ?? 12, cell - 1)}px system-ui, sans-serif`;
  let margin = 0;
  if (labels) {
    const measure = canvas.getContext('2d');
    if (measure) {
      measure.font = font;
      for (const t of opts.tokens) margin = Math.max(margin, measure.measureText(shortLabel(t)).width);
    }
    margin = Math.ceil(margin) + 6;
  }
  const layout: HeatmapLayout = { n, cell, left: margin, top: margin, max };
  const size = n * cell;
  const ctx = setupCanvas(canvas, margin + size + 1, margin + size + 1);
  if (!ctx || n === 0) return layout;

  const img = scratch(n);
  paintMatrix(img, m, n, max);
  ctx.drawImage(img, margin, margin, size, size);
  ctx.strokeStyle = BORDER;
  ctx.strokeRect(margin + 0.5, margin + 0.5, size, size);

  if (labels) {
    ctx.font = font;
    ctx.fillStyle = TEXT;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    opts.tokens.forEach((t, q) => ctx.fillText(shortLabel(t), margin - 4, margin + (q + 0.5) * cell));
    ctx.textAlign = 'left';
    opts.tokens.forEach((t, k) => {
      ctx.save();
      ctx.translate(margin + (k + 0.5) * cell, margin - 4);
      ctx.rotate(-Math.PI / 2); // reads bottom-up, starting just above its column
      ctx.fillText(shortLabel(t), 0, 0);
      ctx.restore();
    });
  }
  return layout;
}

/** The (query, key) cell under CSS-pixel point (x, y) of a drawn heatmap, or null. */
export function heatmapHit(layout: HeatmapLayout, x: number, y: number): { query: number; key: number } | null {
  const key = Math.floor((x - layout.left) / layout.cell);
  const query = Math.floor((y - layout.top) / layout.cell);
  if (key < 0 || query < 0 || key >= layout.n || query >= layout.n) return null;
  return { query, key };
}

// ---------------------------------------------------------------------------------------------
// Model view: L rows × NH columns of small heatmaps

export interface ModelViewLayout {
  /** One head's tile side, CSS pixels (n tokens × cell, rounded so tile edges stay crisp). */
  tile: number;
  gap: number;
  /** Room for the layer labels (left) and head labels (top). */
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Geometry shared by drawModelView and modelViewHit; `cell` = CSS pixels per token. */
export function modelViewLayout(L: number, NH: number, n: number, cell: number): ModelViewLayout {
  const tile = Math.max(1, Math.round(n * cell));
  const gap = 6; // leaves room for the 2px selection outline outside the tile
  const left = 26;
  const top = 16;
  return { tile, gap, left, top, width: left + NH * tile + (NH - 1) * gap + 3, height: top + L * tile + (L - 1) * gap + 3 };
}

/**
 * Every head of every layer as a small heatmap, layer l on row l, head h in column h, with the
 * selected head outlined. All tiles share a fixed 0..1 colour scale (unlike drawHeatmap), so
 * heads compare at a glance: a diffuse head is dark, a head that locks onto one token is bright.
 */
export function drawModelView(
  canvas: HTMLCanvasElement,
  attention: Float32Array,
  L: number,
  NH: number,
  n: number,
  opts: { cell: number; selected?: { l: number; h: number }; fontSize?: number },
): ModelViewLayout {
  const lay = modelViewLayout(L, NH, n, opts.cell);
  const ctx = setupCanvas(canvas, lay.width, lay.height);
  if (!ctx || n === 0) return lay;
  const at = (l: number, h: number) => [lay.left + h * (lay.tile + lay.gap), lay.top + l * (lay.tile + lay.gap)] as const;

  const img = scratch(n);
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < NH; h++) {
      paintMatrix(img, attention, n, 1, (l * NH + h) * n * n);
      const [x, y] = at(l, h);
      ctx.drawImage(img, x, y, lay.tile, lay.tile);
    }
  }

  ctx.font = `${opts.fontSize ?? 11}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillStyle = MUTED;
  for (let l = 0; l < L; l++) ctx.fillText(`L${l}`, lay.left - 5, at(l, 0)[1] + lay.tile / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (let h = 0; h < NH; h++) {
    ctx.fillStyle = headColor(h); // the same colour as the head's lines and toggle in the head view
    ctx.fillText(`H${h}`, at(0, h)[0] + lay.tile / 2, lay.top - 3);
  }

  const sel = opts.selected;
  if (sel && sel.l >= 0 && sel.l < L && sel.h >= 0 && sel.h < NH) {
    const [x, y] = at(sel.l, sel.h);
    ctx.strokeStyle = ACCENT;
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 2, y - 2, lay.tile + 4, lay.tile + 4);
  }
  return lay;
}

/** The (layer, head) tile under CSS-pixel point (x, y) of the model view, or null (gaps, labels). */
export function modelViewHit(x: number, y: number, L: number, NH: number, n: number, cell: number): { l: number; h: number } | null {
  const lay = modelViewLayout(L, NH, n, cell);
  const pitch = lay.tile + lay.gap;
  const h = Math.floor((x - lay.left) / pitch);
  const l = Math.floor((y - lay.top) / pitch);
  if (h < 0 || l < 0 || h >= NH || l >= L) return null;
  if (x - lay.left - h * pitch >= lay.tile || y - lay.top - l * pitch >= lay.tile) return null;
  return { l, h };
}

// ---------------------------------------------------------------------------------------------
// Head view (BertViz style): queries on the left, keys on the right, one line per (query, key)

export type FocusSide = 'query' | 'key';

/** Line opacity is quantised to this many levels; weights under half a level are not drawn. */
const LEVELS = 20;

/**
 * One layer's heads overlaid: a line from query token q (left) to key token k (right) with
 * opacity = attention weight, coloured by head. Lines of one head and opacity level share a
 * single <path>, so the SVG has at most NH·LEVELS paths whatever n is. With `focus` set, only
 * lines leaving that query (focusSide 'query', the default) or reaching that key are drawn.
 * Hovering a token label calls onFocus(i, side); leaving a column calls onFocus(null, side).
 * Token elements are joined by index, so a redraw under the pointer keeps them (no flicker).
 */
export function drawHeadView(
  svg: SVGSVGElement,
  layerAttention: Float32Array,
  NH: number,
  n: number,
  tokens: string[],
  opts: {
    heads: boolean[];
    focus: number | null;
    focusSide?: FocusSide;
    width: number;
    rowHeight?: number;
    fontSize?: number;
    onFocus?: (i: number | null, side: FocusSide) => void;
  },
): void {
  const rowH = opts.rowHeight ?? 18;
  const pad = 4;
  const width = opts.width;
  const height = n * rowH + 2 * pad;
  const labelW = Math.min(110, Math.floor(width * 0.3));
  const x1 = labelW + 2;
  const x2 = width - labelW - 2;
  const y = (i: number) => pad + (i + 0.5) * rowH;
  const side = opts.focusSide ?? 'query';
  const focus = opts.focus !== null && opts.focus >= 0 && opts.focus < n ? opts.focus : null;

  const root = select(svg).attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
  const lines = group(root, 'hv-lines');
  const columns = [
    { side: 'query' as const, g: group(root, 'hv-queries'), rectX: 0, textX: labelW - 4, anchor: 'end' },
    { side: 'key' as const, g: group(root, 'hv-keys'), rectX: width - labelW, textX: width - labelW + 4, anchor: 'start' },
  ];

  const paths: { id: string; h: number; opacity: number; d: string }[] = [];
  for (let h = 0; h < NH; h++) {
    if (!opts.heads[h]) continue;
    const segs: string[][] = Array.from({ length: LEVELS + 1 }, () => []);
    const base = h * n * n;
    for (let q = 0; q < n; q++) {
      if (focus !== null && side === 'query' && q !== focus) continue;
      for (let k = 0; k < n; k++) {
        if (focus !== null && side === 'key' && k !== focus) continue;
        const level = Math.round(Math.min(1, layerAttention[base + q * n + k]) * LEVELS);
        if (level > 0) segs[level].push(`M${x1},${y(q)}L${x2},${y(k)}`);
      }
    }
    segs.forEach((s, level) => {
      if (s.length) paths.push({ id: `${h}:${level}`, h, opacity: level / LEVELS, d: s.join('') });
    });
  }
  lines
    .selectAll<SVGPathElement, (typeof paths)[number]>('path')
    .data(paths, (p) => p.id)
    .join('path')
    .attr('d', (p) => p.d)
    .attr('fill', 'none')
    .attr('stroke', (p) => headColor(p.h))
    .attr('stroke-width', 1.5)
    .attr('stroke-opacity', (p) => p.opacity);

  const data = tokens.slice(0, n).map((t, i) => ({ t, i }));
  const fontSize = opts.fontSize ?? 12;
  for (const col of columns) {
    const tok = col.g
      .selectAll<SVGGElement, { t: string; i: number }>('g.hv-token')
      .data(data)
      .join((enter) => {
        const t = enter.append('g').attr('class', 'hv-token');
        t.append('rect').attr('pointer-events', 'all');
        t.append('text').attr('dominant-baseline', 'central');
        return t;
      })
      .attr('transform', (d) => `translate(0,${pad + d.i * rowH})`)
      .on('mouseenter', (_e, d) => opts.onFocus?.(d.i, col.side));
    tok
      .select('rect')
      .attr('x', col.rectX)
      .attr('width', labelW)
      .attr('height', rowH)
      .attr('rx', 3)
      .attr('fill', (d) => (focus === d.i && side === col.side ? 'rgba(245, 158, 11, 0.25)' : 'transparent'));
    tok
      .select('text')
      .attr('x', col.textX)
      .attr('y', rowH / 2)
      .attr('text-anchor', col.anchor)
      .attr('font-size', fontSize)
      .attr('fill', TEXT)
      .text((d) => shortLabel(d.t));
    // Leaving the whole column, not each token: moving between tokens then never flashes "all lines".
    col.g.on('mouseleave', () => opts.onFocus?.(null, col.side));
  }
}

function group(root: Selection<SVGSVGElement, unknown, null, undefined>, cls: string) {
  const g = root.select<SVGGElement>(`g.${cls}`);
  return g.empty() ? root.append('g').attr('class', cls) : g;
}
