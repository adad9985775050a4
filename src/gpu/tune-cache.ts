// Where the tuner's choices live between visits: IndexedDB in the app (page or worker), a Map in
// tests and benches. A cache that fails (private windows may refuse IndexedDB) behaves as empty:
// tuning then just runs again; it never stops a run.
import type { CachedChoice, TuneCache } from './autotune.ts';

export function memoryTuneCache(): TuneCache & { size: () => number } {
  const m = new Map<string, CachedChoice>();
  return {
    get: (key) => Promise.resolve(m.get(key)),
    put: (key, value) => {
      m.set(key, value);
      return Promise.resolve();
    },
    size: () => m.size,
  };
}

const STORE = 'choices';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** The tuner's cache in IndexedDB database `name` (default "masklab-tune"). */
export function idbTuneCache(name = 'masklab-tune'): TuneCache {
  let db: Promise<IDBDatabase | null> | null = null;
  const open = (): Promise<IDBDatabase | null> => {
    db ??= new Promise<IDBDatabase | null>((resolve) => {
      if (typeof indexedDB === 'undefined') return resolve(null);
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => resolve(null);
      r.onblocked = () => resolve(null);
    });
    return db;
  };
  return {
    async get(key) {
      const d = await open();
      if (!d) return undefined;
      try {
        return (await request(d.transaction(STORE, 'readonly').objectStore(STORE).get(key))) as CachedChoice | undefined;
      } catch {
        return undefined;
      }
    },
    async put(key, value) {
      const d = await open();
      if (!d) return;
      try {
        await request(d.transaction(STORE, 'readwrite').objectStore(STORE).put(value, key));
      } catch {
        // A full or refused store loses only the shortcut, not the run.
      }
    },
  };
}
