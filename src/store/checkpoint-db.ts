// The latest autosave, in the browser's IndexedDB, so a reload (or a crashed tab) can resume the
// run. One slot: each autosave replaces the last. Failures (private windows, a full disk) are
// reported to the caller, never thrown at the page.

const DB_NAME = 'masklab';
const STORE = 'checkpoints';
const KEY = 'autosave';

export interface SavedCheckpoint {
  /** The checkpoint file (src/train/checkpoint.ts). */
  bytes: ArrayBuffer;
  step: number;
  /** Steps the run was set to train. */
  steps: number;
  /** The run's label in the page ("random 15% · bert-micro"). */
  label: string;
  savedAt: string;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('This browser has no IndexedDB.'));
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction was aborted (is the disk full?).'));
    });
  } finally {
    db.close();
  }
}

export const putAutosave = (c: SavedCheckpoint): Promise<IDBValidKey> => withStore('readwrite', (s) => s.put(c, KEY));

export async function getAutosave(): Promise<SavedCheckpoint | null> {
  const c = (await withStore('readonly', (s) => s.get(KEY))) as SavedCheckpoint | undefined;
  return c && c.bytes instanceof ArrayBuffer ? c : null;
}

export const clearAutosave = (): Promise<undefined> => withStore('readwrite', (s) => s.delete(KEY));
