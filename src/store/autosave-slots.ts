// The pure rules of the autosave slots (store/checkpoint-db.ts keeps them in IndexedDB): how a
// slot is named, which slots a save evicts, the order and wording of the resume offer, and what
// a failed save tells the user. One slot per run: a run autosaves into its own slot only, so a
// second tab (or a new run) never overwrites another run's save. No IndexedDB, no DOM here.

/** Slots kept: a save evicts the oldest beyond these (a slot a live tab is writing is never evicted). */
export const AUTOSAVE_KEEP = 5;

/** The version-1 single autosave (store 'checkpoints', key 'autosave'), listed as a slot until resumed or discarded. */
export const LEGACY_KEY = 'legacy';

/** One saved run without its bytes: what the offer lists and eviction orders. */
export interface SlotMeta {
  /** `tabId/startedAt/seq`: unique per tab and run (slotKey). */
  key: string;
  /** The tab that last wrote it ('' for the version-1 autosave). */
  tabId: string;
  /** The run's label in the page ("bert-micro · MLM · random · 15% · seed 1"). */
  label: string;
  step: number;
  /** Steps the run was set to train. */
  steps: number;
  /** ISO time of the save. */
  savedAt: string;
}

/** Whose run a slot is, as the offer says it. 'open in another tab': a live tab is writing it now. */
export type SlotOwner = 'this tab' | 'another tab' | 'open in another tab' | 'an earlier version';

export interface AutosaveOffer extends SlotMeta {
  owner: SlotOwner;
}

/** A tab id from random bytes (the caller's crypto.getRandomValues): 8 hex digits. */
export const tabIdFrom = (bytes: Uint8Array): string => Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A new run's slot: the tab's id, the time the run started and a per-page counter (two runs
 * started in the same millisecond stay apart), so no two runs, in one tab or two, share a key.
 */
export const slotKey = (tabId: string, startedAt: Date, seq: number): string => `${tabId}/${startedAt.toISOString()}/${seq}`;

/** Newest save first; equal times by key, so the order is the same on every load. */
export const newestFirst = <T extends SlotMeta>(slots: readonly T[]): T[] =>
  [...slots].sort((a, b) => (a.savedAt === b.savedAt ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.savedAt < b.savedAt ? 1 : -1));

/**
 * The keys a save deletes: all but the newest `keep` slots, where `protect` (the slot just
 * written and slots live tabs are writing) is never deleted and counts toward `keep`.
 */
export function evictions(slots: readonly SlotMeta[], keep: number, protect: ReadonlySet<string>): string[] {
  const ordered = newestFirst(slots);
  let kept = ordered.filter((s) => protect.has(s.key)).length;
  const out: string[] = [];
  for (const s of ordered) {
    if (protect.has(s.key)) continue;
    if (kept < keep) kept++;
    else out.push(s.key);
  }
  return out;
}

export function ownerOf(s: SlotMeta, tabId: string, inUse: ReadonlySet<string>): SlotOwner {
  if (s.key === LEGACY_KEY) return 'an earlier version';
  if (inUse.has(s.key)) return 'open in another tab';
  return s.tabId === tabId ? 'this tab' : 'another tab';
}

/** The resume offer at load: every saved run, newest first, with whose it is. `inUse`: slots live tabs hold. */
export const offersFrom = (slots: readonly SlotMeta[], tabId: string, inUse: ReadonlySet<string>): AutosaveOffer[] =>
  newestFirst(slots).map((s) => ({ ...s, owner: ownerOf(s, tabId, inUse) }));

/** Whether a failed save ran out of storage (a QuotaExceededError, thrown or as the aborted transaction's error). */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, message } = e as { name?: unknown; message?: unknown };
  return name === 'QuotaExceededError' || /quota/i.test(String(message ?? ''));
}

/**
 * What the page says when a save failed. The transaction was aborted whole, so the run's
 * previous autosave (`keptStep`, null: none yet) is still there; the run itself is in the page.
 */
export function autosaveFailure(e: unknown, keptStep: number | null): string {
  const kept = keptStep === null ? 'this run has no autosave yet' : `its autosave at step ${keptStep} is kept`;
  if (isQuotaError(e)) {
    return `Autosave failed: this site's storage in the browser is full (QuotaExceededError). The run is still here and ${kept}. Download a checkpoint to keep it, or discard old autosaves to make room.`;
  }
  const why = typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e);
  return `Autosave failed: ${why || 'the browser gave no reason'}. The run is still here and ${kept}. Download a checkpoint to keep it.`;
}
