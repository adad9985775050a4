// Draws the mask strip: one sequence's mask record over training steps as a canvas grid,
// rows = steps in the order given, columns = tokens, a cell coloured by MASK_KIND. A canvas, not SVG,
// because a strip of 128 tokens × a few hundred steps is tens of thousands of cells.
// Pure: data and a canvas in, pixels and the layout (for hit-testing) out. It does not collect
// the steps (the parent keeps the history) and does not listen to the pointer.
import { MASK_COLORS } from '../palette.ts';
import { pieceLabel } from './mask-groups.ts';

export interface MaskStrip {
  tokens: string[];
  /** Training step of each row. */
  steps: number[];
  /** kinds[stepIndex][token]: MASK_KIND per token. */
  kinds: number[][];
}

export interface MaskStripOptions {
  /** CSS pixels per cell. */
  cellW?: number;
  cellH?: number;
  /** Device pixels per CSS pixel; the browser's by default (sharp on HiDPI screens). */
  dpr?: number;
  /** CSS font size of the labels. */
  fontPx?: number;
  /** Colour of an unmasked cell: dim, so the masked ones carry the picture. */
  none?: string;
  text?: string;
  muted?: string;
}

/** Where the grid lies on the canvas, in CSS pixels, so a parent can map the pointer to a cell. */
export interface MaskStripLayout {
  left: number;
  top: number;
  cellW: number;
  cellH: number;
  cols: number;
  rows: number;
  width: number;
  height: number;
}

/** Longest token label drawn on top; longer ones are cut with "…" (the tooltip has them whole). */
const MAX_LABEL_CHARS = 10;
/** Token labels are drawn at −60° so narrow columns still get readable words. */
const LABEL_ANGLE = -Math.PI / 3;

export function drawMaskStrip(canvas: HTMLCanvasElement, strip: MaskStrip, opts: MaskStripOptions = {}): MaskStripLayout {
  const cellW = opts.cellW ?? 14;
  const cellH = opts.cellH ?? 6;
  const fontPx = opts.fontPx ?? 11;
  const dpr = opts.dpr ?? (typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1);
  const none = opts.none ?? '#1b2742';
  const text = opts.text ?? '#e2e8f0';
  const muted = opts.muted ?? '#94a3b8';
  const cols = strip.tokens.length;
  const rows = strip.kinds.length;
  const font = `${fontPx}px system-ui, sans-serif`;

  const ctx = canvas.getContext('2d');
  const labels = strip.tokens.map((t) => {
    const s = pieceLabel(t).text;
    return s.length > MAX_LABEL_CHARS ? `${s.slice(0, MAX_LABEL_CHARS - 1)}…` : s;
  });
  // Measure before sizing: the top margin must fit the longest rotated label.
  let labelW = 0;
  if (ctx) {
    ctx.font = font;
    for (const l of labels) labelW = Math.max(labelW, ctx.measureText(l).width);
  }
  const top = Math.ceil(labelW * Math.sin(-LABEL_ANGLE) + fontPx) + 4;
  const stepDigits = String(strip.steps.at(-1) ?? 0).length;
  const left = Math.ceil(stepDigits * fontPx * 0.62) + 8;
  // The labels lean right: the last one needs room past the grid.
  const width = left + cols * cellW + Math.ceil(labelW * Math.cos(LABEL_ANGLE)) + 4;
  const height = top + rows * cellH + 2;

  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const layout: MaskStripLayout = { left, top, cellW, cellH, cols, rows, width, height };
  if (!ctx) return layout;

  // Draw in CSS pixels; the transform maps them onto the device-pixel backing store.
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = font;

  // One-pixel gaps only while cells are big enough to keep some colour after them.
  const gapX = cellW >= 6 ? 1 : 0;
  const gapY = cellH >= 4 ? 1 : 0;
  for (let r = 0; r < rows; r++) {
    const kinds = strip.kinds[r]!;
    for (let c = 0; c < cols; c++) {
      const k = kinds[c] ?? 0;
      ctx.fillStyle = k === 0 ? none : (MASK_COLORS[k] ?? none);
      ctx.fillRect(left + c * cellW, top + r * cellH, cellW - gapX, cellH - gapY);
    }
  }

  ctx.fillStyle = text;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (let c = 0; c < cols; c++) {
    ctx.save();
    ctx.translate(left + c * cellW + cellW / 2, top - 4);
    ctx.rotate(LABEL_ANGLE);
    ctx.fillText(labels[c]!, 0, 0);
    ctx.restore();
  }

  // Step numbers every few rows: as often as the font allows without overlapping.
  ctx.fillStyle = muted;
  ctx.textAlign = 'right';
  const every = Math.max(1, Math.ceil((fontPx + 2) / cellH));
  for (let r = 0; r < rows; r += every) {
    ctx.fillText(String(strip.steps[r] ?? r), left - 4, top + r * cellH + cellH / 2);
  }
  return layout;
}

/** The (row, column) under a CSS-pixel point of the canvas, or null outside the grid. */
export function maskStripCellAt(layout: MaskStripLayout, x: number, y: number): { row: number; col: number } | null {
  const col = Math.floor((x - layout.left) / layout.cellW);
  const row = Math.floor((y - layout.top) / layout.cellH);
  if (x < layout.left || y < layout.top || col >= layout.cols || row >= layout.rows) return null;
  return { row, col };
}
