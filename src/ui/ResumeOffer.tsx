// After a load: the runs autosaved in this browser (earlier visits of this tab, other tabs, the
// previous version's single autosave), newest first, each to resume or discard. Reads the export
// store; the slots themselves are train/autosave.ts's.
import { useExportStore } from '../store/export.ts';
import type { SlotOwner } from '../store/autosave-slots.ts';
import { engine } from '../train/client.ts';

const OWNER: Record<SlotOwner, string> = {
  'this tab': 'this tab',
  'another tab': "another tab's run",
  'open in another tab': 'open in another tab now; resuming it here continues a copy',
  'an earlier version': 'saved by an earlier version of masklab',
};

export function ResumeOffer() {
  const offer = useExportStore((s) => s.offer);
  const busy = useExportStore((s) => s.busy);
  if (offer.length === 0) return null;
  return (
    <div className="resume-offer" role="status" data-testid="resume-offer">
      <span>{offer.length === 1 ? 'A run saved in this browser:' : `${offer.length} runs saved in this browser, newest first:`}</span>
      <ul>
        {offer.map((o) => (
          <li key={o.key} data-testid="resume-item" data-owner={o.owner}>
            <span>
              {o.label}: saved at step {o.step} of {o.steps}, {new Date(o.savedAt).toLocaleString()} ({OWNER[o.owner]}).
            </span>
            <button onClick={() => void engine.resumeAutosave(o.key)} disabled={busy !== null} data-testid="resume-autosave">
              Resume it
            </button>
            {/* A live tab's slot is that tab's to keep: discarding it here would drop its save. */}
            <button onClick={() => engine.discardAutosave(o.key)} disabled={o.owner === 'open in another tab'} data-testid="discard-autosave">
              Discard
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
