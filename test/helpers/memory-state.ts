import { StateConflictError, StateInvalidError, StateUnavailableError } from '../../src/errors';
import type { StateStore, StateStores, StoredDocument } from '../../src/ports';

/**
 * In-memory state stores for unit tests of the notify use cases (unstorage's `memory` driver, with
 * the real stores' optimistic concurrency): a Map of key → JSON text + etag. It keeps the port's
 * contract as the file and blob stores do (it passes test/adapters/storage/contract): a write is
 * conditional on the etag read (undefined: only if none exists) and throws StateConflictError when it
 * changed; values are stored as JSON text, so what a test reads back is never the object the code
 * under test still holds. On top of that, a test can
 * - inject faults per operation and document (`fail`): unavailable, not JSON (invalid), a write that
 *   loses the race (conflict), or a call that hangs until released;
 * - act between a use case's read and its write (`interleave`), as an overlapping run would;
 * - plant any value as a document (`plant`, also what the schema refuses) and look at it (`peek`);
 * - see every call made (`calls`).
 */

export type StateOperation = 'read' | 'write' | 'list';

export type StateFault =
  /** StateUnavailableError naming the document (as a storage account that is down or refuses the key). */
  | { readonly kind: 'unavailable'; readonly retryable?: boolean; readonly detail?: string }
  /** `read`: StateInvalidError, the document is not JSON (as the file and blob stores say). */
  | { readonly kind: 'invalid' }
  /** `write`: another run writes the document first, so the etag condition fails (StateConflictError). */
  | { readonly kind: 'conflict' }
  /**
   * The call gets no answer until the fault's `release()`: then it fails as StateUnavailableError "no
   * answer in time" (what the blob store's request time-out gives), or with `release({ proceed: true })`
   * goes on as if nothing happened.
   */
  | { readonly kind: 'hang' };

export interface FaultOptions {
  /** Only this document (a key as given to `forKey`); default every document (and the listing). */
  readonly key?: string;
  /** How many calls it hits, then it is gone; default every call until `clear()`/`heal()`. */
  readonly times?: number;
  /** How many matching calls it lets through before it hits (e.g. 1: a use case's second write). */
  readonly after?: number;
}

export interface InjectedFault {
  /** How many calls it has hit so far. */
  readonly hits: number;
  /** Removes it (calls hanging on it stay until released). */
  clear(): void;
  /** `hang` only: lets every call waiting on it go on (`proceed`) or fail as a time-out (default). */
  release(options?: { readonly proceed?: boolean }): void;
}

export interface StateCall {
  readonly op: StateOperation;
  /** undefined for `list`. */
  readonly key?: string;
}

export interface MemoryStateStores<T> extends StateStores<T> {
  /** Every call made, in order (a fault's calls included). */
  readonly calls: readonly StateCall[];
  fail(op: StateOperation, fault: StateFault, options?: FaultOptions): InjectedFault;
  /**
   * Runs `act` at the start of the next `times` (default 1) calls of `op` on `key` (undefined for
   * `list`), before the call itself: e.g. another run's write between this run's read and its write.
   */
  interleave(
    op: StateOperation,
    key: string | undefined,
    act: () => void | Promise<void>,
    times?: number,
  ): void;
  /** Removes every fault and interleaving (hanging calls stay until released). */
  heal(): void;
  /** Stores `value` (any JSON value, whatever the schema says) under `key` with a new etag. */
  plant(key: string, value: unknown): string;
  /** What `key` holds now (a copy), or undefined. */
  peek(key: string): unknown;
  /** The current etag of `key`, or undefined. */
  etagOf(key: string): string | undefined;
}

export interface MemoryStateOptions {
  /** The family's name in reports; default `memory documents`. */
  readonly name?: string;
}

/** Unique across every memory store of the process, so a foreign etag never matches by chance. */
let etagCounter = 0;
const newEtag = () => `"mem-${++etagCounter}"`;

interface Entry {
  readonly text: string;
  readonly etag: string;
}

interface Rule {
  readonly op: StateOperation;
  readonly fault: StateFault;
  readonly key: string | undefined;
  remaining: number;
  skip: number;
  hits: number;
  readonly waiting: Array<(proceed: boolean) => void>;
}

/** A family of in-memory documents, one per key (as createFileStateStores / createBlobStateStores). */
export function createMemoryStateStores<T>(options: MemoryStateOptions = {}): MemoryStateStores<T> {
  const name = options.name ?? 'memory documents';
  const documents = new Map<string, Entry>();
  const rules: Rule[] = [];
  const interleaved: Array<{
    op: StateOperation;
    key: string | undefined;
    act: () => void | Promise<void>;
    left: number;
  }> = [];
  const calls: StateCall[] = [];
  const documentName = (key: string) => `memory document ${key}`;

  /** Applies interleavings and faults for one call; returns normally when the call may go on. */
  async function intercept(op: StateOperation, key: string | undefined, document: string): Promise<void> {
    calls.push(key === undefined ? { op } : { op, key });
    for (const step of interleaved.filter((s) => s.op === op && s.key === key && s.left > 0)) {
      step.left--;
      await step.act();
    }
    const rule = rules.find((r) => r.op === op && r.remaining > 0 && (r.key === undefined || r.key === key));
    if (!rule) return;
    if (rule.skip > 0) {
      rule.skip--;
      return;
    }
    rule.remaining--;
    rule.hits++;
    switch (rule.fault.kind) {
      case 'unavailable':
        throw new StateUnavailableError(
          document,
          rule.fault.detail ?? `cannot ${op} it: the store is down (injected)`,
          'Check the store (a test fault).',
          { retryable: rule.fault.retryable ?? true },
        );
      case 'invalid':
        throw new StateInvalidError(document, ['not valid JSON (injected)']);
      case 'conflict': {
        // Another run rewrote it (same text, new etag); a first write loses to one that created it.
        const current = key === undefined ? undefined : documents.get(key);
        if (key === undefined || !current) throw new StateConflictError(document);
        documents.set(key, { text: current.text, etag: newEtag() });
        return;
      }
      case 'hang': {
        const proceed = await new Promise<boolean>((resolve) => rule.waiting.push(resolve));
        if (proceed) return;
        throw new StateUnavailableError(
          document,
          `cannot ${op} it: no answer in time (injected hang)`,
          'Check the store (a test fault).',
          { retryable: true },
        );
      }
    }
  }

  function storeFor(key: string): StateStore<T> {
    const document = documentName(key);
    return {
      name: document,
      async read(): Promise<StoredDocument<T> | undefined> {
        await intercept('read', key, document);
        const entry = documents.get(key);
        return entry ? { value: JSON.parse(entry.text) as T, etag: entry.etag } : undefined;
      },
      async write(value: T, expectedEtag: string | undefined): Promise<string> {
        const text = JSON.stringify(value) as string | undefined;
        if (text === undefined) throw new TypeError('A state document must be a JSON value.');
        await intercept('write', key, document);
        // No await between the check and the set: writes are atomic, as the stores' conditions are.
        if (documents.get(key)?.etag !== expectedEtag) throw new StateConflictError(document);
        const etag = newEtag();
        documents.set(key, { text, etag });
        return etag;
      },
    };
  }

  return {
    name,
    calls,
    forKey: storeFor,
    async listKeys() {
      await intercept('list', undefined, name);
      return [...documents.keys()];
    },
    fail(op, fault, faultOptions = {}) {
      const rule: Rule = {
        op,
        fault,
        key: faultOptions.key,
        remaining: faultOptions.times ?? Number.POSITIVE_INFINITY,
        skip: faultOptions.after ?? 0,
        hits: 0,
        waiting: [],
      };
      rules.unshift(rule); // the latest fault wins over older ones for the same calls
      return {
        get hits() {
          return rule.hits;
        },
        clear: () => void (rule.remaining = 0),
        release: (release = {}) => {
          for (const resume of rule.waiting.splice(0)) resume(release.proceed ?? false);
        },
      };
    },
    interleave(op, key, act, times = 1) {
      interleaved.push({ op, key, act, left: times });
    },
    heal() {
      for (const rule of rules) rule.remaining = 0;
      for (const step of interleaved) step.left = 0;
    },
    plant(key, value) {
      const etag = newEtag();
      documents.set(key, { text: JSON.stringify(value) ?? 'null', etag });
      return etag;
    },
    peek(key) {
      const entry = documents.get(key);
      return entry ? (JSON.parse(entry.text) as unknown) : undefined;
    },
    etagOf: (key) => documents.get(key)?.etag,
  };
}

/** One in-memory document (a family of one, under the key `document`). */
export function createMemoryStateStore<T>(): StateStore<T> & { readonly stores: MemoryStateStores<T> } {
  const stores = createMemoryStateStores<T>();
  return Object.assign(stores.forKey('document'), { stores });
}
