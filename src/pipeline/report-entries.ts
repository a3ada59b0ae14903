import type { GatewayReport } from '../core/run-report';
import type { Spool, SpoolEntry } from './spool';

/**
 * A direct run's finished gateways' report entries (GatewayReport), kept as JSON in a file of its scratch
 * (a Spool) from the moment each gateway is done, instead of in memory until the run's end (issue 14: at
 * 20 000 gateways over 50 subscriptions, with two in five having a finding, keeping them took the run's
 * peak resident set from about 225 to 250 MiB: README "Memory").
 */
export interface ReportEntries {
  /**
   * Keeps one gateway's entry as its JSON text. Never throws: the spool keeps the text in memory once its
   * file fails (spool.ts).
   */
  add(report: GatewayReport): Promise<SpoolEntry>;
  /**
   * The entries kept at `kept`, in that order, as the report's `gateways`: a read-only array whose items
   * are read back and parsed when they are asked for (spooledArray). Valid until the scratch is disposed.
   */
  view(kept: readonly SpoolEntry[]): readonly GatewayReport[];
}

/** The report entries of one run, in `spool`. */
export function createReportEntries(spool: Spool): ReportEntries {
  return {
    add: (report) => spool.add(JSON.stringify(report)),
    view: (kept) => spooledArray(kept, (entry) => JSON.parse(spool.textSync(entry)) as GatewayReport),
  };
}

/** A canonical array index (`"0"`, `"17"`, never `"01"` or `"1e3"`): what an array's items are keyed by. */
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * A read-only array of `entries.length` items, item `i` being `read(entries[i])`, read when it is asked
 * for (one item remembered: the last one read). It is an array to everything that reads the report:
 * `Array.isArray` says so, and `length`, indexing, iteration, `map`/`filter`/`reduce`…, spreading and
 * `JSON.stringify` see the items. So every reader of a report (the summary, `--json`, the sinks'
 * report.json, telemetry) works unchanged and holds at most the items it keeps.
 *
 * Each reading is a new object (an item read twice is equal, not the same: `indexOf` of an item read
 * before finds nothing); writing an item, `length` or anything else, freezing it or `structuredClone`
 * fails (a TypeError, a DataCloneError). No reader of a report does any of these. `read` throws what
 * it throws (the scratch's ScratchUnavailableError when its file cannot be read: a disk error, or the
 * scratch disposed) to whoever asked for the item.
 */
export function spooledArray<E, T>(entries: readonly E[], read: (entry: E) => T): readonly T[] {
  let last: { readonly index: number; readonly item: T } | undefined;
  const item = (index: number): T => {
    if (last?.index !== index) last = { index, item: read(entries[index] as E) };
    return last.item;
  };
  const indexOf = (key: string | symbol): number | undefined =>
    typeof key === 'string' && INDEX.test(key) && Number(key) < entries.length ? Number(key) : undefined;
  // The target holds the entries, so its own keys are the array's: `has`, `ownKeys` and `length` need no trap.
  const target: unknown[] = [...entries];
  const array = new Proxy(target, {
    get(target, key, receiver) {
      const index = indexOf(key);
      return index === undefined ? Reflect.get(target, key, receiver) : item(index);
    },
    getOwnPropertyDescriptor(target, key) {
      const index = indexOf(key);
      if (index === undefined) return Reflect.getOwnPropertyDescriptor(target, key);
      return { value: item(index), writable: false, enumerable: true, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
    setPrototypeOf: () => false,
    preventExtensions: () => false,
  }) as unknown as readonly T[];
  // Node's util.inspect (console.log, a test's look for a secret) shows a Proxy's target, past its traps:
  // the places, not the items. It asks the target for this method first (nodejs.org/api/util.html,
  // "Custom inspection functions on objects"): the items as a plain array.
  Object.defineProperty(target, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => Array.from(array),
    enumerable: false,
  });
  return array;
}
