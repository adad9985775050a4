// This tab's side of the autosave slots: its id (kept in sessionStorage, so a reload is the same
// tab and finds its own runs) and a Web Lock on the slot its current run writes. The lock is how
// another tab knows the slot is live: resuming a slot someone holds continues in a new slot
// (train/autosave.ts), so two tabs never write one slot. A tab's locks go with it when it closes
// or reloads. Without the Web Locks API (old browsers, insecure origins) the lock answers are
// null and callers fall back to tab ids. Does not touch IndexedDB.
import { tabIdFrom } from './autosave-slots.ts';

const TAB_KEY = 'masklab-tab';
const LOCK_PREFIX = 'masklab-autosave:';

let id: string | null = null;

/** This tab's id: the same across reloads of the tab, another in each new tab. */
export function tabId(): string {
  if (id) return id;
  try {
    id = sessionStorage.getItem(TAB_KEY);
  } catch {
    // sessionStorage can be off (sandboxed frames): a new id per load then
  }
  if (!id) {
    id = tabIdFrom(crypto.getRandomValues(new Uint8Array(4)));
    try {
      sessionStorage.setItem(TAB_KEY, id);
    } catch {
      // as above
    }
  }
  return id;
}

const locks = (): LockManager | null => (typeof navigator !== 'undefined' && navigator.locks ? navigator.locks : null);

/** Releases of the slot locks this tab holds, by slot key. */
const held = new Map<string, () => void>();
/** Slots this tab wants held: a lock granted after its slot was let go is let go at once. */
const wanted = new Set<string>();

/** Holds the slot's lock until released: true, or false when a live tab holds it (null: no Web Locks). */
export function claimSlot(key: string): Promise<boolean | null> {
  const l = locks();
  if (!l) return Promise.resolve(null);
  if (held.has(key)) return Promise.resolve(true);
  wanted.add(key);
  return new Promise((resolve) => {
    l.request(LOCK_PREFIX + key, { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      if (!lock || !wanted.has(key)) return;
      return new Promise<void>((release) => held.set(key, release)); // held until released
    }).catch(() => resolve(null));
  });
}

/** Lets go of every slot lock but `keep`'s (the current run's). */
export function releaseSlotsExcept(keep: string | null): void {
  for (const key of wanted) if (key !== keep) wanted.delete(key);
  for (const [key, release] of held) {
    if (key === keep) continue;
    release();
    held.delete(key);
  }
}

/** Slots whose lock another tab holds (this tab's own excluded); null without Web Locks. */
export async function slotsInUse(): Promise<Set<string> | null> {
  const l = locks();
  if (!l) return null;
  const { held: all = [] } = await l.query();
  const names = all.map((lock) => lock.name ?? '').filter((n) => n.startsWith(LOCK_PREFIX));
  return new Set(names.map((n) => n.slice(LOCK_PREFIX.length)).filter((key) => !held.has(key)));
}
