// Main-thread autosave: which IndexedDB slot (store/checkpoint-db.ts) each 'checkpoint' event with
// reason 'autosave' goes to, the saved runs offered at load, and resuming or discarding one.
// A run writes only its own slot: a new run gets a new slot named by this tab's id and its start
// time; a run resumed from a slot continues in that slot (so reload/resume cycles do not multiply
// slots) unless a live tab is writing it (its Web Lock, store/autosave-tab.ts), or it is the
// version-1 autosave: then it continues in a new slot of this tab's.
// Run boundaries come from the engine's events, which arrive in command order: engine.ts runs its
// commands one after another, so the last autosave of a run that is replaced comes before the
// 'configured'/'restored' event of the next, and the slot changes at that event, not at the
// command. Does not talk to the worker (client.ts sends the restore) or render (ResumeOffer.tsx).
import type { RunConfig } from '../model/config.ts';
import { AUTOSAVE_KEEP, autosaveFailure, isQuotaError, LEGACY_KEY, offersFrom, slotKey, type SlotMeta } from '../store/autosave-slots.ts';
import { claimSlot, releaseSlotsExcept, slotsInUse, tabId } from '../store/autosave-tab.ts';
import { deleteSlots, listSlots, readSlot, writeSlot } from '../store/checkpoint-db.ts';
import { setExportState, useExportStore } from '../store/export.ts';
import { runLabel } from '../store/run-label.ts';

interface Slot {
  key: string;
  /** A slot this run's first save deletes in the same transaction (the version-1 autosave it continues). */
  replaces: string | null;
  /** The step of the slot's last committed save: what a failed save keeps (null: none). */
  savedStep: number | null;
}

/** The current run's slot (null before the first run); set at 'configured'/'restored'. */
let slot: Slot | null = null;
/** The slot a restore sent after takeForResume() continues in, with the step and label it expects back. */
let pending: { slot: Slot; step: number; label: string } | null = null;
let seq = 0;
/** Saves one after another, so a later save of a slot always lands after an earlier one. */
let saving: Promise<void> = Promise.resolve();

const freshSlot = (): Slot => ({ key: slotKey(tabId(), new Date(), seq++), replaces: null, savedStep: null });

function use(s: Slot): void {
  slot = s;
  void claimSlot(s.key);
  releaseSlotsExcept(s.key);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A new run was configured ('configured' event): it gets a slot of its own. */
export const runStarted = (): void => use(freshSlot());

/** A checkpoint was resumed ('restored' event): the slot takeForResume() chose for it, or a new one for a file. */
export function runRestored(step: number, config: RunConfig): void {
  const p = pending;
  pending = null;
  use(p && p.step === step && p.label === runLabel(config) ? p.slot : freshSlot());
}

/** An autosave from the engine: written into the slot of the run it belongs to. */
export function save(ev: { step: number; config: RunConfig; bytes: ArrayBuffer }): void {
  const s = (slot ??= freshSlot()); // taken now: a 'configured' event may follow before the write
  const meta: SlotMeta = { key: s.key, tabId: tabId(), label: runLabel(ev.config), step: ev.step, steps: ev.config.train.steps, savedAt: new Date().toISOString() };
  saving = saving.then(async () => {
    try {
      const protect = (await slotsInUse().catch(() => null)) ?? new Set<string>();
      const evicted = await writeSlot(meta, ev.bytes, { keep: AUTOSAVE_KEEP, protect, replaces: s.replaces });
      s.replaces = null;
      s.savedStep = ev.step;
      const gone = new Set([...evicted, meta.key]);
      const offer = useExportStore.getState().offer.filter((o) => !gone.has(o.key));
      setExportState({ autosaved: { step: ev.step, at: meta.savedAt }, autosaveProblem: null, autosaveFull: false, offer });
    } catch (e) {
      setExportState({ autosaveProblem: autosaveFailure(e, s.savedStep), autosaveFull: isQuotaError(e) });
    }
  });
}

/** At load: every saved run, newest first, offered for resume (the page shows the list). */
export async function findSaved(): Promise<void> {
  try {
    const [slots, inUse] = await Promise.all([listSlots(), slotsInUse().catch(() => null)]);
    const offer = offersFrom(slots, tabId(), inUse ?? new Set()).filter((o) => o.key !== slot?.key);
    setExportState({ offer });
  } catch (e) {
    setExportState({ autosaveProblem: `Autosave is off: ${message(e)}` });
  }
}

/**
 * The bytes of an offered slot to restore, and the slot the resumed run will save into; null
 * when the slot is gone (discarded in another tab, evicted, storage cleared).
 */
export async function takeForResume(key: string): Promise<ArrayBuffer | null> {
  const o = useExportStore.getState().offer.find((x) => x.key === key);
  const bytes = o ? await readSlot(key).catch(() => null) : null;
  if (!o || !bytes) return null;
  let next: Slot;
  if (key === LEGACY_KEY) next = { ...freshSlot(), replaces: LEGACY_KEY, savedStep: o.step }; // kept until the first save replaces it
  else {
    const mine = (await claimSlot(key)) ?? o.tabId === tabId(); // no Web Locks: a tab continues only its own slots
    next = mine ? { key, replaces: null, savedStep: o.step } : freshSlot();
  }
  pending = { slot: next, step: o.step, label: o.label };
  return bytes;
}

/** Deletes an offered slot; the offer forgets it at once, the delete is best effort. */
export function discard(key: string): void {
  setExportState({ offer: useExportStore.getState().offer.filter((o) => o.key !== key) });
  void deleteSlots([key]).catch(() => undefined);
}

/**
 * After a full-storage failure: deletes every saved run but the current one and those live tabs
 * are writing. Resolves true when the current run should be saved again now.
 */
export async function discardOthers(): Promise<boolean> {
  const inUse = (await slotsInUse().catch(() => null)) ?? new Set<string>();
  try {
    const keys = (await listSlots()).map((s) => s.key).filter((k) => k !== slot?.key && !inUse.has(k));
    await deleteSlots(keys);
    setExportState({ offer: [], autosaveProblem: `Discarded ${keys.length} other autosave${keys.length === 1 ? '' : 's'}; saving this run again…`, autosaveFull: false });
    return slot !== null;
  } catch (e) {
    setExportState({ autosaveProblem: `Old autosaves could not be discarded: ${message(e)}. Download a checkpoint to keep this run.` });
    return false;
  }
}
