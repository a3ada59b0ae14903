import { clipMessage, firstLineOf } from '../../core/text-clip';
import { isAppGwInsightsError, StateUnavailableError } from '../../errors';
import type { StateStore, StateStores } from '../../ports';

/**
 * The state stores as the notify use case calls them. The port says how a store fails
 * (StateUnavailableError, StateInvalidError, StateConflictError: src/ports.ts), and both adapters keep
 * to it; a failure a store does not type (a bug in an adapter, a store that breaks the contract) is
 * still a failure of the state: a StateUnavailableError naming the document, reported like any other,
 * never `Unexpected` without a document. Errors of ours pass unchanged (a lost race stays a conflict).
 */
export function typedStateStores<T>(stores: StateStores<T>): StateStores<T> {
  return {
    name: stores.name,
    forKey: (key) => typedStateStore(stores.forKey(key)),
    listKeys: () => typed(stores.name, 'list', () => stores.listKeys()),
  };
}

/** One document's store, typed as `typedStateStores` says. */
export function typedStateStore<T>(store: StateStore<T>): StateStore<T> {
  return {
    name: store.name,
    read: () => typed(store.name, 'read', () => store.read()),
    write: (value, expectedEtag) => typed(store.name, 'write', () => store.write(value, expectedEtag)),
  };
}

async function typed<R>(document: string, action: string, call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (error) {
    if (isAppGwInsightsError(error)) throw error;
    throw new StateUnavailableError(
      document,
      `cannot ${action} it: the state store failed without saying why (${firstLine(error)})`,
      'The next run tries again; if it persists, please report it (a bug in the state store).',
      { retryable: true, cause: error },
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The first line (the rest may be a dump), its start and its end, the cut marker between.
  return clipMessage(firstLineOf(text).trim(), 300);
}
