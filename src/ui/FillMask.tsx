// Fill-the-mask probe: the user types a sentence with [MASK] and sees the model's five best
// guesses for each blank, with their probabilities, from the weights of a named step.
// Controlled and prop-driven: the parent owns the text, debounces it, sends it to the engine as
// the probe and passes back the ProbeResult; this component neither fetches nor debounces.
import type { ProbeResult } from '../train/protocol.ts';
import { pieceLabel } from './d3/mask-groups.ts';
import './views.css';

/** The tokenizer's special token (case-sensitive, as src/data/tokenizer.ts splits it). */
const MASK = '[MASK]';

export function FillMask(props: { text: string; onText: (s: string) => void; probe: ProbeResult | null; presenter?: boolean }) {
  const { text, onText, probe, presenter } = props;
  const hasMask = text.includes(MASK);
  // The probe answers an earlier text while the parent's debounce and the engine catch up.
  const stale = probe !== null && probe.text !== text;
  return (
    <div className={`fill-mask${presenter ? ' presenter' : ''}`} data-testid="fill-mask">
      <label className="fill-label">
        <span className="muted">type a sentence with {MASK}</span>
        <input
          data-testid="fill-mask-input"
          type="text"
          value={text}
          onChange={(e) => onText(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          placeholder="the cat sat on the [MASK] ."
        />
      </label>
      <div className="fill-results" data-testid="fill-mask-results" aria-live="polite">
        {!hasMask ? (
          <p className="muted">This sentence has no {MASK}: put one where the model should guess a word.</p>
        ) : !probe ? (
          <p className="muted">No predictions yet: train or step the model.</p>
        ) : (
          <FillResults probe={probe} stale={stale} />
        )}
      </div>
    </div>
  );
}

function FillResults({ probe, stale }: { probe: ProbeResult; stale: boolean }) {
  return (
    <>
      <p className="muted fill-step">
        Predictions of step {probe.step}
        {stale ? ' (for the previous text; updating…)' : ''}
        {probe.truncated ? ' · the sentence was cut to the model’s length' : ''}
      </p>
      {probe.fill.length === 0 && (
        // Every [MASK] past the model's length (or past its prediction slots) is dropped.
        <p className="muted">No [MASK] reached the model: shorten the sentence.</p>
      )}
      {probe.fill.map((f, k) => (
        <div key={f.position} className="fill-blank">
          <div className="fill-blank-head">
            [MASK] {probe.fill.length > 1 ? `#${k + 1} ` : ''}
            <span className="muted">at position {f.position}</span>
          </div>
          <ol className="fill-top">
            {f.top.slice(0, 5).map((t, j) => (
              <li key={j} className="fill-token">
                <span className="fill-word" title={t.token}>
                  {wordOf(t.token)}
                </span>
                <span className="fill-bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(0, Math.min(1, t.prob)) * 100}%` }} />
                </span>
                <span className="fill-pct">{(100 * t.prob).toFixed(1)}%</span>
              </li>
            ))}
          </ol>
        </div>
      ))}
    </>
  );
}

/** A guess that continues a word keeps its "##": it says the blank was filled with a suffix. */
function wordOf(token: string): string {
  const l = pieceLabel(token);
  return l.cont ? token : l.text;
}
