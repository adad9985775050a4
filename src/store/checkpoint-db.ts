// The autosaves in the browser's IndexedDB, so a reload (or a crashed tab) can resume a run. One
// slot per run (autosave-slots.ts names them and picks what to evict), each a metadata record and
// a bytes record in two stores, so listing the slots at load reads no checkpoint. A save writes
// both and evicts in ONE readwrite transaction: IndexedDB commits a transaction whole or not at
// all, so a save that fails (a full disk) or is cut off (the tab closed) leaves the slot's
// previous autosave as it was; never a delete in one transaction and a put in another.
// Version 1 kept one autosave (store 'checkpoints', key 'autosave'); it stays readable where it
// is, listed as the slot LEGACY_KEY until it is discarded or resumed (the resumed run's first save
// deletes it in the same transaction that writes its new slot). Nothing is moved at upgrade, so
// a full disk cannot make the upgrade, and with it every autosave, fail.
// Deliberately thin (IndexedDB is not in Node; e2e/autosave.spec.ts runs this): which slot a run
// writes and what the user is told are decided in train/autosave.ts; failures are rejected
// promises, never thrown at the page.
import { evictions, LEGACY_KEY, type SlotMeta } from './autosave-slots.ts';

const DB_NAME = 'masklab';
const VERSION = 2;
const LEGACY = 'checkpoints';
const LEGACY_RECORD = 'autosave';
const META = 'autosave-meta';
const BYTES = 'autosave-bytes';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('This browser has no IndexedDB.'));
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      for (const store of [META, BYTES]) if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
    };
    req.onsuccess = () => {
      req.result.onversionchange = () => req.result.close(); // a later version's upgrade in another tab must not wait for us
      resolve(req.result);
    };
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
  });
}

/**
 * Runs `body` in one transaction over every store; resolves with what its returned function reads
 * once the transaction has committed, rejects with the error it was aborted with.
 */
async function transact<T>(mode: IDBTransactionMode, body: (tx: IDBTransaction) => () => T): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const stores = db.objectStoreNames.contains(LEGACY) ? [META, BYTES, LEGACY] : [META, BYTES];
      // 'strict': committed means on disk, so a crash right after a save still finds it.
      const tx = db.transaction(stores, mode, { durability: mode === 'readwrite' ? 'strict' : 'default' });
      let result: (() => T) | null = null;
      tx.oncomplete = () => resolve(result!());
      tx.onabort = () => reject(tx.error ?? new DOMException('The save was interrupted; the previous autosave is kept.', 'AbortError'));
      try {
        result = body(tx);
      } catch (e) {
        reject(e); // e.g. a DataCloneError from put(): nothing of this transaction is kept
        tx.abort();
      }
    });
  } finally {
    db.close();
  }
}

interface LegacyRecord {
  bytes: ArrayBuffer;
  step: number;
  steps: number;
  label: string;
  savedAt: string;
}

const isLegacy = (r: unknown): r is LegacyRecord => typeof r === 'object' && r !== null && (r as LegacyRecord).bytes instanceof ArrayBuffer;

function remove(tx: IDBTransaction, key: string): void {
  if (key !== LEGACY_KEY) {
    tx.objectStore(META).delete(key);
    tx.objectStore(BYTES).delete(key);
  } else if (tx.objectStoreNames.contains(LEGACY)) {
    tx.objectStore(LEGACY).delete(LEGACY_RECORD);
  }
}

/** Every saved run's metadata, in no particular order (autosave-slots.ts newestFirst orders them). */
export const listSlots = (): Promise<SlotMeta[]> =>
  transact('readonly', (tx) => {
    const metas = tx.objectStore(META).getAll() as IDBRequest<SlotMeta[]>;
    const legacy = tx.objectStoreNames.contains(LEGACY) ? (tx.objectStore(LEGACY).get(LEGACY_RECORD) as IDBRequest<unknown>) : null;
    return () => {
      const old = legacy?.result;
      const slots = metas.result.filter((m) => typeof m?.key === 'string');
      return isLegacy(old) ? [...slots, { key: LEGACY_KEY, tabId: '', label: old.label, step: old.step, steps: old.steps, savedAt: old.savedAt }] : slots;
    };
  });

/** A slot's checkpoint bytes; null when the slot is gone (discarded, evicted, storage cleared). */
export const readSlot = (key: string): Promise<ArrayBuffer | null> =>
  transact('readonly', (tx) => {
    const req = (key === LEGACY_KEY ? (tx.objectStoreNames.contains(LEGACY) ? tx.objectStore(LEGACY).get(LEGACY_RECORD) : null) : tx.objectStore(BYTES).get(key)) as IDBRequest<unknown> | null;
    return () => {
      const r = req?.result;
      if (key === LEGACY_KEY) return isLegacy(r) ? r.bytes : null;
      return r instanceof ArrayBuffer ? r : null;
    };
  });

/**
 * Saves a run into its slot `meta.key`, deletes `replaces` (the version-1 autosave it continues)
 * and evicts beyond `keep` (never a `protect`ed slot nor this one), all in one transaction.
 * Resolves with the evicted keys once committed.
 */
export const writeSlot = (meta: SlotMeta, bytes: ArrayBuffer, opts: { keep: number; protect: ReadonlySet<string>; replaces?: string | null }): Promise<string[]> =>
  transact('readwrite', (tx) => {
    tx.objectStore(BYTES).put(bytes, meta.key);
    tx.objectStore(META).put(meta, meta.key);
    if (opts.replaces) remove(tx, opts.replaces);
    let evicted: string[] = [];
    const all = tx.objectStore(META).getAll() as IDBRequest<SlotMeta[]>; // sees the put above
    all.onsuccess = () => {
      evicted = evictions(all.result, opts.keep, new Set([...opts.protect, meta.key]));
      for (const key of evicted) remove(tx, key);
    };
    return () => evicted;
  });

/** Deletes these slots (discarded by the user), in one transaction. */
export const deleteSlots = (keys: readonly string[]): Promise<void> =>
  transact('readwrite', (tx) => {
    for (const key of keys) remove(tx, key);
    return () => undefined;
  });
