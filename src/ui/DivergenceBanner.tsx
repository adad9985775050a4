// A diverging run paused by the divergence watch (train/divergence.ts): what tripped, where, and
// the way back — the last state that passed, at the same or half the learning rate (the same
// rate replays the same batches, so it usually diverges again at the same step).
import { clearDivergence, useRunStore } from '../store/run.ts';
import { engine } from '../train/client.ts';

const RULES = {
  'non-finite': 'a value is not a number',
  'above-start': 'the loss is far above where the run started',
  'loss-spike': 'the loss spiked',
  'grad-explosion': 'the gradient norm exploded',
} as const;

export function DivergenceBanner() {
  const d = useRunStore((s) => s.divergence);
  const running = useRunStore((s) => s.status === 'running');
  if (!d) return null;
  const { divergence: v, rollbackStep: back } = d;
  return (
    <div className="error-banner" role="alert" data-testid="divergence-banner" data-rule={v.rule} data-step={v.step}>
      <strong>
        Training paused at step {v.step}: {RULES[v.rule]} (rule {v.rule}: {v.message}).
      </strong>
      <span>{d.hint}</span>
      {back !== null && (
        <span className="banner-actions">
          <button onClick={() => engine.rollback(1)} disabled={running} data-testid="rollback">
            Roll back to step {back}
          </button>
          <button onClick={() => engine.rollback(0.5)} disabled={running} data-testid="rollback-half">
            Roll back to step {back} at half the learning rate
          </button>
        </span>
      )}
      <button className="dismiss" onClick={clearDivergence} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
