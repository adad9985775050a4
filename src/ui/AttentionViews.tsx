// The attention panel for one probe sentence: head view (one layer, heads overlaid), model view
// (all layers × heads, click to select), the selected head's heatmap, attention rollout and
// per-head entropy. Prop-driven: it owns only view state (selected layer/head, visible heads,
// hovered token). It deliberately does not read the store, ask the engine for probes or compute
// or draw anything itself: attention-math.ts computes, attention-draw.ts draws.
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { ProbeResult } from '../train/protocol.ts';
import {
  clearCanvas,
  drawHeadView,
  drawHeatmap,
  drawModelView,
  headColor,
  heatmapHit,
  modelViewHit,
  type FocusSide,
  type HeatmapLayout,
} from './d3/attention-draw.ts';
import { attentionRollout, checkAttentionShape, headEntropy, headMatrix, layerAttention, normalisedEntropy } from './d3/attention-math.ts';
import './attention.css';

/** CSS-pixel sizes; presenter mode is read from the back of a lecture hall. */
const SIZES = {
  normal: { headWidth: 440, rowHeight: 18, fontSize: 12, heatPx: 360, maxCell: 28, tilePx: 56 },
  presenter: { headWidth: 640, rowHeight: 26, fontSize: 18, heatPx: 560, maxCell: 44, tilePx: 84 },
};
type Sizes = (typeof SIZES)['normal'];

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
/** One empty token list, so effects keyed on tokens do not rerun on every render without a probe. */
const NO_TOKENS: string[] = [];

export function AttentionViews({ probe: given, presenter = false }: { probe: ProbeResult | null; presenter?: boolean }) {
  const sizes = presenter ? SIZES.presenter : SIZES.normal;
  const [layer, setLayer] = useState(0);
  const [head, setHead] = useState(0);
  const [headsState, setHeads] = useState<boolean[]>([]);
  const [focus, setFocus] = useState<{ i: number; side: FocusSide } | null>(null);

  // A probe whose tensor does not match its own L, NH and tokens would draw a plausible lie.
  const shapeError = useMemo(() => {
    if (!given) return null;
    try {
      checkAttentionShape(given.attention, given.L, given.NH, given.tokens.length);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }, [given]);
  const probe = shapeError ? null : given;
  const L = probe?.L ?? 0;
  const NH = probe?.NH ?? 0;
  const n = probe?.tokens.length ?? 0;
  // Selections survive a new probe; clamp them when the model shape changed under them.
  const l = clamp(layer, 0, Math.max(0, L - 1));
  const h = clamp(head, 0, Math.max(0, NH - 1));
  const heads = useMemo(() => (headsState.length === NH ? headsState : new Array<boolean>(NH).fill(true)), [headsState, NH]);

  const selected = useMemo(() => (probe ? headMatrix(probe.attention, L, NH, n, l, h) : null), [probe, L, NH, n, l, h]);
  const rollout = useMemo(() => (probe ? attentionRollout(probe.attention, L, NH, n) : null), [probe, L, NH, n]);
  const entropy = useMemo(() => (probe ? headEntropy(probe.attention, L, NH, n) : null), [probe, L, NH, n]);

  const headSvg = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const svg = headSvg.current;
    if (!svg) return;
    if (!probe) {
      svg.replaceChildren();
      return;
    }
    drawHeadView(svg, layerAttention(probe.attention, L, NH, n, l), NH, n, probe.tokens, {
      heads,
      focus: focus?.i ?? null,
      focusSide: focus?.side,
      width: sizes.headWidth,
      rowHeight: sizes.rowHeight,
      fontSize: sizes.fontSize,
      onFocus: (i, side) => setFocus(i === null ? null : { i, side }),
    });
  }, [probe, L, NH, n, l, heads, focus, sizes]);

  const modelCanvas = useRef<HTMLCanvasElement>(null);
  const modelCell = n > 0 ? sizes.tilePx / n : 1;
  useEffect(() => {
    const canvas = modelCanvas.current;
    if (!canvas) return;
    if (!probe) clearCanvas(canvas, 240, 120);
    else drawModelView(canvas, probe.attention, L, NH, n, { cell: modelCell, selected: { l, h }, fontSize: sizes.fontSize - 1 });
  }, [probe, L, NH, n, l, h, modelCell, sizes]);
  const pickHead = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const hit = modelViewHit(e.clientX - r.left, e.clientY - r.top, L, NH, n, modelCell);
    if (hit) {
      setLayer(hit.l);
      setHead(hit.h);
    }
  };

  const layerSelect = (
    <label>
      Layer{' '}
      <select value={l} onChange={(e) => setLayer(Number(e.target.value))} disabled={!probe}>
        {Array.from({ length: L }, (_, i) => (
          <option key={i} value={i}>
            {i}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className={`panel attention${presenter ? ' presenter' : ''}`} aria-label="Attention">
      <h2>Attention</h2>
      {probe ? (
        <p className="attention-meta muted">
          “{probe.text}” · weights from step {probe.step}
          {probe.truncated && <span data-testid="attention-truncated"> (cut to {n} tokens)</span>}
        </p>
      ) : (
        <p className="attention-placeholder muted" data-testid="attention-placeholder">
          {shapeError ?? 'Configure a run to see attention on the probe sentence.'}
        </p>
      )}

      <div className="attention-grid">
        <div className="attention-block">
          <h3>Head view</h3>
          <p className="explain">Lines join each query token (left) to the tokens it attends to (right); fainter lines carry less weight.</p>
          {probe && (
            <div className="attention-controls">
              {layerSelect}
              <span className="head-toggles" role="group" aria-label="Visible heads">
                {heads.map((on, i) => (
                  <button
                    key={i}
                    className="head-toggle"
                    aria-pressed={on}
                    style={{ borderColor: headColor(i), background: on ? headColor(i) : 'transparent', color: on ? '#0f172a' : headColor(i) }}
                    onClick={() => setHeads(heads.map((v, j) => (j === i ? !v : v)))}
                  >
                    H{i}
                  </button>
                ))}
              </span>
              <span className="muted">hover a token to isolate its lines</span>
            </div>
          )}
          <svg ref={headSvg} className="head-view" data-testid="head-view" role="img" aria-label="Head view: attention lines between tokens" />
        </div>

        <div className="attention-block">
          <h3>Model view</h3>
          <p className="explain">Every head of every layer at once (rows = layers, columns = heads, colour 0→1); click one to select it.</p>
          <canvas ref={modelCanvas} data-testid="model-view" className="model-view" onClick={pickHead} aria-label="Model view: all layers and heads" />
        </div>

        <div className="attention-block">
          <h3>
            Layer {l}, head {h}
          </h3>
          <p className="explain">How strongly each query token (row) attends to each key token (column) in the selected head.</p>
          <HeatmapCanvas m={selected} n={n} tokens={probe?.tokens ?? NO_TOKENS} sizes={sizes} testId="attention-heatmap" label="Selected head heatmap" />
        </div>

        <div className="attention-block">
          <h3>Attention rollout</h3>
          <p className="explain">
            Attention multiplied through all layers (residual counted as ½): how much each top-layer token (row) draws on each input token (column).
          </p>
          <HeatmapCanvas m={rollout} n={n} tokens={probe?.tokens ?? NO_TOKENS} sizes={sizes} testId="attention-rollout" label="Attention rollout heatmap" />
        </div>
      </div>

      <div className="attention-block">
        <h3>Head entropy</h3>
        <p className="explain">Mean entropy of each head&apos;s rows in nats, and ÷ ln n: 1.0 = uniform attention, 0 = one token. Click a cell to select the head.</p>
        {entropy && (
          <EntropyTable entropy={entropy} L={L} NH={NH} n={n} selected={{ l, h }} onSelect={(sl, sh) => {
              setLayer(sl);
              setHead(sh);
            }} />
        )}
      </div>
    </section>
  );
}

/** A labelled heatmap canvas with a hover readout of the cell under the pointer. */
function HeatmapCanvas(props: { m: Float32Array | null; n: number; tokens: string[]; sizes: Sizes; testId: string; label: string }) {
  const { m, n, tokens, sizes } = props;
  const ref = useRef<HTMLCanvasElement>(null);
  const [layout, setLayout] = useState<HeatmapLayout | null>(null);
  const [hover, setHover] = useState<{ query: number; key: number } | null>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    if (!m || n === 0) {
      clearCanvas(canvas, sizes.heatPx / 2, sizes.heatPx / 2);
      setLayout(null);
      return;
    }
    const cell = clamp(Math.floor(sizes.heatPx / n), 4, sizes.maxCell);
    setLayout(drawHeatmap(canvas, m, n, { tokens, cell, labels: true, fontSize: sizes.fontSize }));
  }, [m, n, tokens, sizes]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    setHover(layout ? heatmapHit(layout, e.clientX - r.left, e.clientY - r.top) : null);
  };
  const cellValue = hover && m && hover.query < n && hover.key < n ? m[hover.query * n + hover.key] : undefined;
  return (
    <>
      <canvas ref={ref} data-testid={props.testId} aria-label={props.label} onMouseMove={onMove} onMouseLeave={() => setHover(null)} />
      {layout && (
        <p className="heat-readout muted">
          {hover && cellValue !== undefined
            ? `${tokens[hover.query]} → ${tokens[hover.key]}: ${cellValue.toFixed(3)}`
            : `colour 0 → ${layout.max.toFixed(2)} (the largest value here); hover a cell for its weight`}
        </p>
      )}
    </>
  );
}

function EntropyTable(props: {
  entropy: Float32Array;
  L: number;
  NH: number;
  n: number;
  selected: { l: number; h: number };
  onSelect: (l: number, h: number) => void;
}) {
  const { entropy, L, NH, n, selected } = props;
  return (
    <table className="entropy-table" data-testid="attention-entropy">
      <thead>
        <tr>
          <th />
          {Array.from({ length: NH }, (_, h) => (
            <th key={h} style={{ color: headColor(h) }}>
              H{h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: L }, (_, l) => (
          <tr key={l}>
            <th>L{l}</th>
            {Array.from({ length: NH }, (_, h) => {
              const e = entropy[l * NH + h];
              const norm = normalisedEntropy(e, n);
              const isSel = selected.l === l && selected.h === h;
              return (
                <td key={h} className={isSel ? 'selected' : undefined} onClick={() => props.onSelect(l, h)} title={`layer ${l}, head ${h}`}>
                  <span className="entropy-value">
                    {e.toFixed(2)} <span className="muted">({norm.toFixed(2)})</span>
                  </span>
                  <span className="entropy-bar" style={{ width: `${clamp(norm, 0, 1) * 100}%` }} />
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
