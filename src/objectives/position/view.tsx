// The position view: for the probe sentence, each token's predicted position distribution as a
// (true × predicted) heatmap, live. Rows are the sentence's tokens in order (true position 0..n−1),
// columns the positions the model can name; a perfect model lights the diagonal. The model sees
// every token as context here (as after pretraining), never the position itself.
// Prop-driven: it reads only the probe result the panel hands it.
import type { ProbeResult } from '../../train/protocol.ts';
import { pieceLabel } from '../../ui/d3/mask-groups.ts';
import { heat } from '../../ui/palette.ts';
import '../../ui/views.css';

const CELL = 12;

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function PositionView(props: { probe: ProbeResult | null }) {
  const { probe } = props;
  const rows = probe?.tokenOutput;
  if (!probe || !rows) {
    return (
      <div className="token-view position-view" data-testid="position-view">
        <p className="muted placeholder">Position prediction runs only: type a probe sentence and train with objective position.</p>
      </div>
    );
  }
  const n = rows.length;
  const probs = rows.map(softmax);
  // Columns up to the last position any row puts mass on, at least the sentence's length.
  const cols = Math.max(n, ...probs.map((p) => p.findLastIndex((v) => v > 0.02) + 1));
  const argmax = probs.map((p) => p.indexOf(Math.max(...p)));
  const right = argmax.filter((a, i) => a === i).length;
  const err = argmax.reduce((a, p, i) => a + Math.abs(p - i), 0) / n;
  const labelW = 70;
  return (
    <div className="token-view position-view" data-testid="position-view">
      <p className="explain">
        Step {probe.step}: each row is a token of the probe sentence at its true position, each column a position the model can
        name; brighter = more probability. The model has no position embeddings: it orders the tokens by their content. Right on{' '}
        <strong data-testid="position-right">{right}</strong> of {n} tokens, mean |predicted − true| {err.toFixed(2)}.
      </p>
      <svg width={labelW + cols * CELL + 4} height={n * CELL + 16} role="img" aria-label="True position by predicted position" data-testid="position-heatmap">
        {probs.map((p, i) => (
          <g key={i} transform={`translate(0, ${16 + i * CELL})`}>
            <text x={labelW - 4} y={CELL - 3} textAnchor="end" fontSize={10} fill="currentColor">
              {pieceLabel(probe.tokens[i] ?? '').text}
            </text>
            {p.slice(0, cols).map((v, j) => (
              <rect key={j} x={labelW + j * CELL} width={CELL - 1} height={CELL - 1} fill={heat(v)} stroke={j === i ? '#fff' : 'none'} strokeWidth={j === i ? 0.5 : 0}>
                <title>{`${probe.tokens[i]} (position ${i}): p(position ${j}) = ${v.toFixed(3)}`}</title>
              </rect>
            ))}
          </g>
        ))}
        <text x={labelW} y={10} fontSize={10} fill="currentColor" className="muted">
          predicted position →
        </text>
      </svg>
    </div>
  );
}
