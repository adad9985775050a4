// The ELECTRA view: what the discriminator was shown and what it thought. Per token of a batch
// row, three aligned lines: the original token, the discriminator's input (the generator's
// sample where masked, highlighted where it differs) and its "replaced" probability as a heat
// cell, with the true label outlined. With a probe, the same probabilities on the typed sentence.
// Prop-driven: it does not read the store or ask the engine for anything, and it computes no
// metrics beyond a per-row count (the run's ElectraMetrics are the charts' job).
import type { BatchView, ProbeResult } from '../../train/protocol.ts';
import { pieceLabel } from '../../ui/d3/mask-groups.ts';
import { heat } from '../../ui/palette.ts';
import '../../ui/views.css';

type Electra = NonNullable<BatchView['rows'][number]['electra']>;

/** The discriminator calls a token replaced at p ≥ ½ (as ElectraMetrics' accuracy does). */
const THRESHOLD = 0.5;

export function ElectraView(props: { view: BatchView | null; probe: ProbeResult | null }) {
  const { view, probe } = props;
  const rows = (view?.rows ?? []).flatMap((r) => (r.electra ? [{ tokens: r.tokens, electra: r.electra }] : []));
  const probeP = probe?.replaced;
  if (rows.length === 0 && !probeP) {
    return (
      <div className="token-view electra-view" data-testid="electra-view">
        <p className="muted placeholder">ELECTRA runs only: choose an electra preset or objective.</p>
      </div>
    );
  }
  return (
    <div className="token-view electra-view" data-testid="electra-view">
      <p className="explain">
        The generator fills the masked tokens with its own samples; the discriminator sees every token and says how likely
        each one is to have been replaced{view ? ` (step ${view.step})` : ''}. Brighter = more likely replaced; an outline
        marks the tokens that really were.
      </p>
      <ElectraLegend />
      {rows.map((r, i) => (
        <ElectraRow key={i} index={i} tokens={r.tokens} electra={r.electra} />
      ))}
      {probe && probeP && <ProbeReplaced probe={probe} probs={probeP} />}
    </div>
  );
}

function ElectraLegend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        p(replaced) 0 <span className="heat-ramp" style={{ background: `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map(heat).join(', ')})` }} /> 1
      </li>
      <li>
        <span className="swatch swatch-replaced" /> really replaced
      </li>
      <li>
        <span className="diff-sample">sample</span> generator changed the token
      </li>
    </ul>
  );
}

function ElectraRow({ index, tokens, electra }: { index: number; tokens: string[]; electra: Electra }) {
  const replaced = electra.labels.filter((l) => l === 1).length;
  const flagged = electra.probs.filter((p) => p >= THRESHOLD).length;
  return (
    <div className="electra-row" data-testid="electra-row">
      <div className="electra-caption muted">
        row {index + 1}: {replaced} replaced, {flagged} flagged (p ≥ ½)
      </div>
      <div className="electra-grid">
        <div className="electra-heads muted" aria-hidden="true">
          <span>original</span>
          <span>disc. input</span>
          <span>p(replaced)</span>
        </div>
        <div className="electra-cols">
          {tokens.map((tok, i) => {
            const input = electra.input[i] ?? tok;
            const p = electra.probs[i] ?? 0;
            const label = electra.labels[i] ?? 0;
            const differs = input !== tok;
            return (
              <div key={i} className="electra-col">
                <span className="cell-text" title={tok}>
                  {pieceLabel(tok).text}
                </span>
                <span className={`cell-text${differs ? ' diff-sample' : ''}`} title={differs ? `generator sampled "${input}" for "${tok}"` : input}>
                  {pieceLabel(input).text}
                </span>
                <ProbCell p={p} replaced={label === 1} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function ProbCell({ p, replaced }: { p: number; replaced: boolean | null }) {
  const label = replaced === null ? '' : replaced ? ' · really replaced' : ' · really original';
  return (
    <span
      className={`prob-cell${replaced ? ' replaced' : ''}`}
      style={{ background: heat(p) }}
      title={`p(replaced) = ${p.toFixed(3)}${label}`}
      data-p={p.toFixed(3)}
    />
  );
}

/** The typed sentence has no true labels: only the discriminator's opinion is shown. */
function ProbeReplaced({ probe, probs }: { probe: ProbeResult; probs: number[] }) {
  return (
    <div className="electra-row electra-probe" data-testid="electra-probe">
      <div className="electra-caption muted">
        probe sentence (step {probe.step}): how much each token looks replaced
      </div>
      <div className="electra-cols">
        {probe.tokens.map((tok, i) => (
          <div key={i} className="electra-col">
            <span className="cell-text" title={tok}>
              {pieceLabel(tok).text}
            </span>
            <ProbCell p={probs[i] ?? 0} replaced={null} />
          </div>
        ))}
      </div>
    </div>
  );
}
