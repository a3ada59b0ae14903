import { StateConflictError } from '../../../src/errors';
import type { StateStore, StateStores, StoredDocument } from '../../../src/ports';

/**
 * StateStores in a Map (unstorage's memory driver, with ETags), enough for the use cases that run
 * notify on change (run-checks, fan-out, process-gateway). Documents are kept as JSON text, so a
 * reader never shares objects with a writer, as with files and blobs. Each operation can be told to
 * fail. The notify stage's own tests, and the stores' contract, have their own helpers.
 */
export interface MemoryStateForRuns<T> extends StateStores<T> {
  /** Key → the stored JSON text and its etag. */
  readonly documents: Map<string, { readonly text: string; readonly etag: string }>;
  /** Thrown instead of doing the operation; a map is per key. Unset to heal. */
  readonly failures: {
    list?: Error;
    /** Thrown by `forKey` itself (not a store failure: a bug, which callers must still contain). */
    forKey?: Error;
    readonly read: Map<string, Error>;
    readonly write: Map<string, Error>;
  };
}

export function memoryStateForRuns<T>(name = 'memory state'): MemoryStateForRuns<T> {
  const documents = new Map<string, { text: string; etag: string }>();
  let version = 0;
  const failures: MemoryStateForRuns<T>['failures'] = { read: new Map(), write: new Map() };
  const forKey = (key: string): StateStore<T> => ({
    name: `${name} ${key}`,
    async read(): Promise<StoredDocument<T> | undefined> {
      const failure = failures.read.get(key);
      if (failure) throw failure;
      const stored = documents.get(key);
      return stored && { value: JSON.parse(stored.text) as T, etag: stored.etag };
    },
    async write(value, expectedEtag) {
      const failure = failures.write.get(key);
      if (failure) throw failure;
      if (documents.get(key)?.etag !== expectedEtag) throw new StateConflictError(`${name} ${key}`);
      const etag = `"${++version}"`;
      documents.set(key, { text: JSON.stringify(value), etag });
      return etag;
    },
  });
  return {
    name,
    documents,
    failures,
    forKey(key) {
      if (failures.forKey) throw failures.forKey;
      return forKey(key);
    },
    async listKeys() {
      if (failures.list) throw failures.list;
      return [...documents.keys()];
    },
  };
}
