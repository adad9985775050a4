// The mask view: the first rows of the current training batch as the model saw them, one chip
// per token coloured by what the masking did to it (none / [MASK] / random / kept), whole masked
// units outlined together, and a ✓/✗ for whether the model's top guess was right. Above them,
// the step's masking statistics (target vs achieved rate, corruption shares, unit sizes).
// Prop-driven: it does not read the store, ask the engine for batches or keep history; the
// parent passes the latest BatchView and MaskStats (e.g. the MetricPoint's `mask`).
import type { BatchView, MaskStats } from '../train/protocol.ts';
import { MASK_KIND } from '../train/protocol.ts';
import { groupUnits, pieceLabel } from './d3/mask-groups.ts';
import { MASK_COLORS, MASK_LABELS, RIGHT, WRONG } from './palette.ts';
import './views.css';

type Row = BatchView['rows'][number];

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

/** The kinds the legend explains, in MASK_KIND order after "not masked". */
const KINDS = [MASK_KIND.none, MASK_KIND.mask, MASK_KIND.random, MASK_KIND.keep] as const;

export function MaskView(props: { view: BatchView | null; stats: MaskStats | null; presenter?: boolean }) {
  const { view, stats, presenter } = props;
  // The e2e test compares this with the `.masked` chips and with the engine's record.
  const masked = view ? view.rows.reduce((n, r) => n + r.kinds.filter((k) => k !== MASK_KIND.none).length, 0) : 0;
  return (
    <div className={`token-view mask-view${presenter ? ' presenter' : ''}`} data-testid="mask-view" data-masked={masked}>
      {stats && <MaskStatsLine stats={stats} />}
      <p className="explain">
        Each row is one training sequence{view ? ` of step ${view.step}` : ''} as the model saw it: coloured chips are
        the tokens it must predict, an outline holds one masked unit (a whole word or span), and ✓/✗ says whether its top
        guess was right.
      </p>
      <MaskLegend />
      {view && view.rows.length > 0 ? (
        <div className="mask-rows">
          {view.rows.map((row, r) => (
            <MaskRow key={r} row={row} index={r} />
          ))}
        </div>
      ) : (
        <p className="muted placeholder">No batch yet: train or step the model to see its masks.</p>
      )}
    </div>
  );
}

function MaskStatsLine({ stats }: { stats: MaskStats }) {
  return (
    <dl className="mask-stats" data-testid="mask-stats">
      <div>
        <dt>rate (target → achieved)</dt>
        <dd>
          {pct(stats.targetRate)} → <strong>{pct(stats.achievedRate)}</strong>
        </dd>
      </div>
      <div>
        <dt>of masked: [MASK] · random · kept</dt>
        <dd>
          {pct(stats.maskFrac)} · {pct(stats.randomFrac)} · {pct(stats.keepFrac)}
        </dd>
      </div>
      <div>
        <dt>tokens per unit</dt>
        <dd>{num(stats.meanUnitLength)}</dd>
      </div>
      <div>
        <dt>units per sequence</dt>
        <dd>{num(stats.unitsPerSequence, 1)}</dd>
      </div>
      {stats.fallbackRows > 0 && (
        // Only attention-guided masking falls back; a zero would be noise for every other strategy.
        <div>
          <dt>rows fell back to random</dt>
          <dd>{stats.fallbackRows}</dd>
        </div>
      )}
    </dl>
  );
}

function MaskLegend() {
  return (
    <ul className="legend" aria-label="Legend">
      {KINDS.map((k) => (
        <li key={k}>
          <span className={`swatch${k === MASK_KIND.none ? ' swatch-none' : ''}`} style={k === MASK_KIND.none ? undefined : { background: MASK_COLORS[k] }} />
          {MASK_LABELS[k]}
        </li>
      ))}
      <li>
        <span className="swatch swatch-unit" />
        one masked unit
      </li>
      <li>
        <Mark right={true} /> right
      </li>
      <li>
        <Mark right={false} /> wrong
      </li>
    </ul>
  );
}

/** Colour plus symbol, so the mark does not depend on telling blue from vermillion. */
function Mark({ right }: { right: boolean }) {
  return (
    <span className="mark" role="img" style={{ background: right ? RIGHT : WRONG }} aria-label={right ? 'guessed right' : 'guessed wrong'}>
      {right ? '✓' : '✗'}
    </span>
  );
}

function MaskRow({ row, index }: { row: Row; index: number }) {
  const groups = groupUnits(row.kinds, row.units);
  return (
    <div className="token-row" data-testid="mask-row">
      <span className="row-label muted">{index + 1}</span>
      <div className="chips">
        {groups.map((g) =>
          g.kind === 'unit' ? (
            <span key={g.start} className="unit" title={(row.units[g.start] ?? -1) >= 0 ? `masked unit ${row.units[g.start]}` : 'masked token (no unit id)'}>
              {range(g.start, g.end).map((i) => (
                <MaskChip key={i} row={row} i={i} />
              ))}
            </span>
          ) : (
            range(g.start, g.end).map((i) => <MaskChip key={i} row={row} i={i} />)
          ),
        )}
      </div>
    </div>
  );
}

function MaskChip({ row, i }: { row: Row; i: number }) {
  const token = row.tokens[i] ?? '';
  const input = row.inputs[i] ?? token;
  const kind = row.kinds[i] ?? MASK_KIND.none;
  const correct = row.correct[i] ?? null;
  const { text, cont } = pieceLabel(token);
  const isMasked = kind !== MASK_KIND.none;
  const title = isMasked
    ? `${MASK_LABELS[kind] ?? kind}: "${token}", the model saw "${input}"` + (correct === null ? '' : correct ? '; top guess right' : '; top guess wrong')
    : token;
  return (
    <span
      className={`chip${isMasked ? ' masked' : ''}${cont ? ' cont' : ''}`}
      data-kind={isMasked ? kind : undefined}
      style={isMasked ? { background: MASK_COLORS[kind] } : undefined}
      title={title}
    >
      {text}
      {kind === MASK_KIND.random && <span className="replacement">→{pieceLabel(input).text}</span>}
      {isMasked && correct !== null && <Mark right={correct} />}
    </span>
  );
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, k) => start + k);
}
