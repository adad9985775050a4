// The mask strip: how the masks move over training steps for one sequence, as a token × step
// grid (rows = steps, columns = tokens). A thin React shell around drawMaskStrip: it owns the
// canvas, redraws when the strip changes and names the cell under the pointer. It does not
// collect the steps (the parent keeps the history of one sequence's mask record).
import { useEffect, useRef, type MouseEvent } from 'react';
import { MASK_LABELS } from './palette.ts';
import { drawMaskStrip, maskStripCellAt, type MaskStrip as Strip, type MaskStripLayout } from './d3/mask-strip.ts';
import './views.css';

export function MaskStrip(props: { strip: Strip | null }) {
  const { strip } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const layoutRef = useRef<MaskStripLayout | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !strip) return;
    layoutRef.current = drawMaskStrip(canvas, strip);
  }, [strip]);

  // The tooltip is set on the element, not in React state: hovering must not re-render.
  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const layout = layoutRef.current;
    const canvas = e.currentTarget;
    if (!layout || !strip) return;
    const rect = canvas.getBoundingClientRect();
    const cell = maskStripCellAt(layout, e.clientX - rect.left, e.clientY - rect.top);
    canvas.title = cell
      ? `step ${strip.steps[cell.row] ?? cell.row} · "${strip.tokens[cell.col] ?? ''}" · ${MASK_LABELS[strip.kinds[cell.row]?.[cell.col] ?? 0] ?? '?'}`
      : '';
  };

  const empty = !strip || strip.kinds.length === 0 || strip.tokens.length === 0;
  return (
    <div className="mask-strip" data-testid="mask-strip">
      <p className="explain">How the masks move over steps for one sequence: each row is a training step, each column a token.</p>
      {empty ? (
        <p className="muted placeholder">No steps recorded yet: train a few steps to fill the strip.</p>
      ) : (
        <div className="strip-scroll">
          <canvas ref={canvasRef} onMouseMove={onMove} role="img" aria-label={`Mask kinds of ${strip.tokens.length} tokens over ${strip.steps.length} steps`} />
        </div>
      )}
    </div>
  );
}
