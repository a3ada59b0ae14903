import type { CauseId } from '../causes';
import { isCauseId } from '../causes';
import { capText, VALUE_CAPS } from '../caps';
import { clipMessage } from '../text-clip';
import { readHealth } from '../health';
import type { GatewayRef, HealthState } from '../model';
import { ERROR_CODES } from '../error-codes';

/**
 * The status page's memory of one gateway: every reading of the retained window (each run that tried
 * the gateway appends one), and per server what each reading said. Kept beside the notify state (one
 * document per gateway, same stores), so the status page needs no database.
 *
 * Shape (version 1), compact because it is read and rewritten every run:
 * - `readings`: ISO times, ascending, one per run that tried this gateway; `outcomes` has one character
 *   per reading: `+` read, `!` the read failed.
 * - `servers[key].values`: the distinct `[health as reported, normalised state, cause id | null]` seen
 *   in the window; `samples` one character per reading: the value's index in VALUE_ALPHABET, or `.`
 *   when the server was not in that reading (the read failed, or the server was not listed then).
 *
 * So "each run appends, per server, (time, health, state, cause)", at one byte per server and run.
 */
export interface HistoryDocument {
  readonly version: 1;
  readonly gateway: GatewayRef;
  /** ISO: the last reading that succeeded. */
  readonly lastReadAt?: string;
  /** The last failed reading, when it is later than `lastReadAt`. */
  readonly lastError?: { readonly at: string; readonly code: string; readonly message: string };
  /**
   * The last successful reading (`at` is `lastReadAt`) lacked these backend pools, which the gateway's
   * configuration routes to (GatewayReport.poolsNotRead): their servers were not read then. Absent when
   * that reading listed every routed pool, or none was known.
   */
  readonly lastReadIncomplete?: { readonly at: string; readonly pools: readonly string[] };
  /**
   * The insights and result of the last successful reading (`at` is `lastReadAt`) did not reach these
   * sinks (their failures, at most UNDELIVERED_SINKS_KEPT): the page's links to that reading's copies
   * may open nothing there, or an earlier reading's page. Absent: delivered to every sink, or not known.
   */
  readonly undelivered?: { readonly at: string; readonly sinks: readonly UndeliveredSink[] };
  readonly readings: readonly string[];
  readonly outcomes: string;
  readonly servers: Readonly<Record<string, ServerHistory>>;
}

/** A sink that did not take a reading's insights (HistoryDocument.undelivered): its name and why. */
export interface UndeliveredSink {
  /** The sink's name (`folder`, `blob`); capped. */
  readonly sink: string;
  /** Its failure's message, as the run's report has it (deliveryErrors); clipped. */
  readonly message: string;
}

/**
 * The sink name of an UndeliveredSink that stands for every sink: the reading was read, but every try
 * of its queue message stopped before its delivery was known (the Functions app's poison queue).
 */
export const DELIVERY_NOT_KNOWN = '(delivery not known)';

/** Most sinks kept in HistoryDocument.undelivered: a run has a handful (folder, blob). */
export const UNDELIVERED_SINKS_KEPT = 8;
/** Characters kept of an undelivered sink's message (one line; the page names the sink only). */
const UNDELIVERED_MESSAGE_CHARS = 500;

export type HistoryValue = readonly [health: string, state: HealthState, cause: CauseId | null];

export interface ServerHistory {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  readonly values: readonly HistoryValue[];
  readonly samples: string;
}

/** What one run read of one gateway: every server it listed, or why the read failed. */
export type GatewayReading =
  | {
      readonly at: Date;
      readonly ok: true;
      readonly servers: readonly ServerReading[];
      /** Routed pools the reading lacked (GatewayReport.poolsNotRead); absent: none. */
      readonly poolsNotRead?: readonly string[];
      /**
       * Sinks its insights and result did not reach (HistoryDocument.undelivered): `[]` when delivered
       * to every sink. Absent: not known yet (recorded before its delivery, as the Functions app's queue
       * function does): the mark of the last successful reading (an earlier try of this same reading, or
       * the reading before it) carries over, until a delivery says otherwise (withDeliveryOutcome).
       */
      readonly undelivered?: readonly UndeliveredSink[];
    }
  | {
      readonly at: Date;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };

export interface ServerReading {
  /** serverKey (src/core/notice/server-record.ts). */
  readonly key: string;
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  /** As reported (capped where it entered the core). */
  readonly health: string;
  readonly state: HealthState;
  /** The finding's cause when the server was reported (unhealthyStates), else null. */
  readonly cause: CauseId | null;
}

/**
 * Bounds of one document, so a gateway's history never grows without limit whatever the schedule:
 * at most `readings` readings (4 032: two weeks at the default 5-minute schedule; the oldest dropped
 * first), `servers` servers (those seen longest ago dropped first) and `valuesPerServer` distinct values
 * per server (one character each). Worst case about 4 MB; a gateway of 20 servers on a 5-minute
 * schedule with the default 7 days keeps about 100 KB.
 */
export const HISTORY_CAPS = { readings: 4_032, servers: 1_000, valuesPerServer: 62 } as const;

/** The characters of `samples`: index → character (HISTORY_CAPS.valuesPerServer of them). */
export const VALUE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ABSENT = '.';
const READ = '+';
const FAILED = '!';

/** A document with nothing in it yet. */
export function emptyHistory(gateway: GatewayRef): HistoryDocument {
  return {
    version: 1,
    gateway: {
      id: gateway.id,
      name: gateway.name,
      subscriptionId: gateway.subscriptionId,
      resourceGroup: gateway.resourceGroup,
    },
    readings: [],
    outcomes: '',
    servers: {},
  };
}

/**
 * `stored` with `reading` added in time order (a run that read earlier but writes later, overlapping
 * another, lands where its time says), then every reading older than `retentionInMs` before this
 * reading dropped, then HISTORY_CAPS applied. This reading is always kept. Stored readings are put in
 * order, one per time, and those dated after `writtenAt` (the writer's clock, the run's time; by
 * default the reading's) by more than FUTURE_TOLERANCE_IN_MS are discarded (historyUntil;
 * futureReadings names them for a warning). `writtenAt` is apart from the reading's time because the
 * Functions app dates a reading by its run's discovery: a queue message retried after a later
 * discovery's reading is older than that real reading, which must stay. Pure: `stored` is not changed.
 *
 * A time already recorded is the same run's reading again (a write retried after a conflict; the
 * Functions app dates a gateway's readings by its run's discovery, so each try of its queue message
 * lands on one time): it is never added twice. A successful reading replaces the one there (the later
 * try read the gateway again); a failed one replaces nothing (the run read the gateway, or its first
 * failure says why it could not).
 */
export function addReading(
  stored: HistoryDocument | undefined,
  gateway: GatewayRef,
  reading: GatewayReading,
  retentionInMs: number,
  writtenAt: Date = reading.at,
): HistoryDocument {
  const at = reading.at.toISOString();
  // A stored reading dated well after the writer's time cannot be real (a hand edit, a clock far
  // off): it is dropped, so it never decides what retention keeps.
  const doc = stored && historyUntil(stored, writtenAt.getTime() + FUTURE_TOLERANCE_IN_MS);
  const recorded = doc?.readings.indexOf(at) ?? -1;
  if (doc && recorded >= 0) {
    if (!reading.ok) return trimmed(doc, retentionInMs, at);
    // A try recording the reading again before it delivers keeps the last try's mark: a try that then
    // dies (a time-out, a scale-in) left the page linking to copies never written, unsaid (a break trial).
    const known =
      reading.undelivered === undefined && doc.undelivered?.at === at
        ? { ...reading, undelivered: doc.undelivered.sinks }
        : reading;
    return addReading(withoutReading(doc, recorded), gateway, known, retentionInMs, writtenAt);
  }
  const base = doc ?? emptyHistory(gateway);
  const index = insertionIndex(base.readings, at);
  const readings = [...base.readings.slice(0, index), at, ...base.readings.slice(index)];
  const outcomes = spliceChar(base.outcomes, index, reading.ok ? READ : FAILED);
  const servers: Record<string, ServerHistory> = {};
  const listed = new Map(reading.ok ? reading.servers.map((s) => [s.key, s]) : []);
  for (const [key, server] of Object.entries(base.servers)) {
    const now = listed.get(key);
    listed.delete(key);
    if (!now) {
      servers[key] = { ...server, samples: spliceChar(server.samples, index, ABSENT) };
      continue;
    }
    const { values, char } = valueChar(server.values, now);
    servers[key] = { ...server, values, samples: spliceChar(server.samples, index, char) };
  }
  for (const server of listed.values()) {
    const { values, char } = valueChar([], server);
    servers[server.key] = {
      backendPool: server.backendPool,
      backendSettings: server.backendSettings,
      address: server.address,
      values,
      samples: `${ABSENT.repeat(index)}${char}${ABSENT.repeat(readings.length - index - 1)}`,
    };
  }
  const lastReadAt = reading.ok && (!base.lastReadAt || at > base.lastReadAt) ? at : base.lastReadAt;
  const lastError = latestError(base.lastError, reading, at, lastReadAt);
  const lastReadIncomplete =
    reading.ok && lastReadAt === at
      ? reading.poolsNotRead?.length
        ? { at, pools: reading.poolsNotRead.slice(0, INCOMPLETE_POOLS_KEPT) }
        : undefined
      : base.lastReadIncomplete?.at === lastReadAt
        ? base.lastReadIncomplete
        : undefined;
  // As lastReadIncomplete: this reading's when it is the last successful one, else kept with its own.
  // A reading whose delivery is not known yet (recorded before it, as the queue function does) takes
  // the mark of the last successful reading before it: the sink refused that one, and until a delivery
  // succeeds the page must not take its links for good. A try that died between recording and
  // delivering left a gateway unmarked whose folder still refused (a break trial).
  const sinksNow =
    reading.ok && reading.undelivered === undefined && base.undelivered?.at === base.lastReadAt
      ? base.undelivered?.sinks
      : reading.ok
        ? reading.undelivered
        : undefined;
  const undelivered =
    reading.ok && lastReadAt === at
      ? sinksNow?.length
        ? { at, sinks: keptSinks(sinksNow) }
        : undefined
      : base.undelivered?.at === lastReadAt
        ? base.undelivered
        : undefined;
  return trimmed(
    {
      version: 1,
      gateway: base.gateway,
      ...(lastReadAt ? { lastReadAt } : {}),
      ...(lastError ? { lastError } : {}),
      ...(lastReadIncomplete ? { lastReadIncomplete } : {}),
      ...(undelivered ? { undelivered } : {}),
      readings,
      outcomes,
      servers,
    },
    retentionInMs,
    at,
  );
}

/** Most pool names kept of an incomplete reading (HistoryDocument.lastReadIncomplete): ARM's 100 pools per gateway. */
const INCOMPLETE_POOLS_KEPT = 100;

/**
 * `doc` with what the delivery of its reading at `at` (ISO) did: `sinks`, the sinks it did not reach
 * (HistoryDocument.undelivered), replacing any mark of that reading (a delivery goes to every sink, so
 * the latest try's says it all); none: delivered everywhere, the mark gone. Unchanged (the same object)
 * when `at` is not its last successful reading (a newer one has been added since: its links are that
 * reading's) or nothing changes. For a writer that records the reading before delivering it (the
 * Functions app's queue function). Pure.
 */
export function withDeliveryOutcome(
  doc: HistoryDocument,
  at: string,
  sinks: readonly UndeliveredSink[],
): HistoryDocument {
  if (doc.lastReadAt !== at) return doc;
  if (sinks.length === 0) {
    if (doc.undelivered === undefined) return doc;
    const { undelivered: _delivered, ...rest } = doc;
    return rest;
  }
  return { ...doc, undelivered: { at, sinks: keptSinks(sinks) } };
}

/** `sinks` capped: one entry per sink (its last), at most UNDELIVERED_SINKS_KEPT, names and messages cut. */
function keptSinks(sinks: readonly UndeliveredSink[]): UndeliveredSink[] {
  const bySink = new Map<string, string>();
  for (const { sink, message } of sinks) {
    const name = capText(sink, VALUE_CAPS.name);
    bySink.delete(name);
    bySink.set(name, clipMessage(message, UNDELIVERED_MESSAGE_CHARS, { oneLine: true }));
  }
  return [...bySink].slice(-UNDELIVERED_SINKS_KEPT).map(([sink, message]) => ({ sink, message }));
}

/**
 * How far after a run's reading a stored reading may be dated and still be real: overlapping runs
 * (a run that read earlier writes later) and clocks a little apart (Functions instances, a laptop's
 * CLI beside them). Ten minutes is two default 5-minute schedules, far above NTP-kept clock skew
 * (seconds) yet far below any real retention (hours to weeks), so a reading dated later than this
 * is a hand edit or a clock badly wrong, and is discarded rather than let it push real readings out.
 */
export const FUTURE_TOLERANCE_IN_MS = 10 * 60_000;

/**
 * The readings of `doc` dated after `writtenAt` by more than FUTURE_TOLERANCE_IN_MS: the ones
 * addReading discards (so the caller can warn once, naming the document). ISO times.
 */
export function futureReadings(doc: HistoryDocument, writtenAt: Date): string[] {
  const limit = writtenAt.getTime() + FUTURE_TOLERANCE_IN_MS;
  return doc.readings.filter((t) => Date.parse(t) > limit);
}

/**
 * `doc` with its readings in time order, one per time (the first of a repeated time), and none dated
 * after `untilMs` (ms since the epoch); `lastReadAt` and `lastError` worked out again from what is
 * left. A stored document is untrusted (edited by hand): this is what the rest assumes. Pure.
 */
export function historyUntil(doc: HistoryDocument, untilMs: number): HistoryDocument {
  const order = doc.readings
    .map((t, i) => ({ t, ms: Date.parse(t), i }))
    .filter((r) => r.ms <= untilMs)
    .sort((a, b) => a.ms - b.ms || a.i - b.i)
    .filter((r, k, all) => k === 0 || all[k - 1]?.t !== r.t);
  const unchanged = order.length === doc.readings.length && order.every((r, k) => r.i === k);
  const pick = (text: string) => order.map((r) => text.charAt(r.i)).join('');
  const readings = unchanged ? doc.readings : order.map((r) => r.t);
  const outcomes = unchanged ? doc.outcomes : pick(doc.outcomes);
  const servers: Record<string, ServerHistory> = {};
  for (const [key, server] of Object.entries(doc.servers))
    servers[key] = unchanged ? server : { ...server, samples: pick(server.samples) };
  const lastRead = outcomes.lastIndexOf(READ);
  const lastReadAt = lastRead >= 0 ? readings[lastRead] : undefined;
  const lastError =
    doc.lastError && Date.parse(doc.lastError.at) <= untilMs && (!lastReadAt || doc.lastError.at > lastReadAt)
      ? doc.lastError
      : undefined;
  const lastReadIncomplete =
    doc.lastReadIncomplete && doc.lastReadIncomplete.at === lastReadAt ? doc.lastReadIncomplete : undefined;
  const undelivered = doc.undelivered && doc.undelivered.at === lastReadAt ? doc.undelivered : undefined;
  return {
    version: 1,
    gateway: doc.gateway,
    ...(lastReadAt ? { lastReadAt } : {}),
    ...(lastError ? { lastError } : {}),
    ...(lastReadIncomplete ? { lastReadIncomplete } : {}),
    ...(undelivered ? { undelivered } : {}),
    readings,
    outcomes,
    servers,
  };
}

/**
 * `doc` without its reading at `index` (to be replaced by another of the same time): `lastReadAt` and
 * `lastError` are worked out again from the readings left (a failed reading's error is kept only while
 * it is the last error, so one replaced is forgotten).
 */
function withoutReading(doc: HistoryDocument, index: number): HistoryDocument {
  const at = doc.readings[index] as string;
  const readings = doc.readings.filter((_, i) => i !== index);
  const outcomes = `${doc.outcomes.slice(0, index)}${doc.outcomes.slice(index + 1)}`;
  const servers: Record<string, ServerHistory> = {};
  for (const [key, server] of Object.entries(doc.servers))
    servers[key] = {
      ...server,
      samples: `${server.samples.slice(0, index)}${server.samples.slice(index + 1)}`,
    };
  let lastReadAt = doc.lastReadAt;
  if (lastReadAt === at) {
    const last = outcomes.lastIndexOf(READ);
    lastReadAt = last >= 0 ? readings[last] : undefined;
  }
  const lastError = doc.lastError && doc.lastError.at !== at ? doc.lastError : undefined;
  return {
    version: 1,
    gateway: doc.gateway,
    ...(lastReadAt ? { lastReadAt } : {}),
    ...(lastError && (!lastReadAt || lastError.at > lastReadAt) ? { lastError } : {}),
    readings,
    outcomes,
    servers,
  };
}

function latestError(
  previous: HistoryDocument['lastError'],
  reading: GatewayReading,
  at: string,
  lastReadAt: string | undefined,
): HistoryDocument['lastError'] {
  // A 404 whose GET could not confirm it (a 500, no answer) after ARM confirmed the deletion is the same
  // deletion: its down servers came back into the page's title, after their `recovered` (a break trial).
  const sameDeletion =
    previous?.code === ERROR_CODES.gatewayDeleted &&
    !reading.ok &&
    reading.error.code === ERROR_CODES.gatewayNotFound;
  const candidate =
    !reading.ok && !sameDeletion && (!previous || at > previous.at)
      ? {
          at,
          code: capText(reading.error.code, 64),
          message: clipMessage(reading.error.message, VALUE_CAPS.errorMessage),
        }
      : previous;
  return candidate && (!lastReadAt || candidate.at > lastReadAt) ? candidate : undefined;
}

/** The value's character, adding the value when new (or, past the cap, the nearest one of the same state). */
function valueChar(
  values: readonly HistoryValue[],
  server: ServerReading,
): { values: readonly HistoryValue[]; char: string } {
  const value: HistoryValue = [server.health, server.state, server.cause];
  const same = values.findIndex((v) => v[0] === value[0] && v[1] === value[1] && v[2] === value[2]);
  if (same >= 0) return { values, char: VALUE_ALPHABET.charAt(same) };
  if (values.length < VALUE_ALPHABET.length)
    return { values: [...values, value], char: VALUE_ALPHABET.charAt(values.length) };
  const near = Math.max(
    values.findIndex((v) => v[1] === value[1] && v[2] === value[2]),
    values.findIndex((v) => v[1] === value[1]),
    0,
  );
  return { values, char: VALUE_ALPHABET.charAt(near) };
}

/**
 * Drops readings past the retention and past the caps; unused values go. The retention is measured
 * from this run's reading `at` (ISO), never from a later stored one, and `at` itself is always kept
 * (so the cap may be passed by the few readings dated after it, within FUTURE_TOLERANCE_IN_MS).
 */
function trimmed(doc: HistoryDocument, retentionInMs: number, at: string): HistoryDocument {
  if (doc.readings.length === 0) return doc;
  const cutoff = new Date(Date.parse(at) - retentionInMs).toISOString();
  let from = 0;
  while (from < doc.readings.length && (doc.readings[from] as string) < cutoff) from += 1;
  from = Math.max(from, doc.readings.length - HISTORY_CAPS.readings);
  const own = doc.readings.indexOf(at);
  if (own >= 0) from = Math.min(from, own);
  const readings = doc.readings.slice(from);
  const servers: Array<[string, ServerHistory, number]> = [];
  for (const [key, server] of Object.entries(doc.servers)) {
    const kept = compactValues(server, from);
    const lastSeen = lastIndexNotAbsent(kept.samples);
    if (lastSeen >= 0) servers.push([key, kept, lastSeen]); // a server not seen in the window goes
  }
  // Past the cap, the servers seen longest ago go first (a pool emptied long since, not today's).
  servers.sort((a, b) => b[2] - a[2]);
  const keptServers = Object.fromEntries(servers.slice(0, HISTORY_CAPS.servers).map(([k, s]) => [k, s]));
  return { ...doc, readings, outcomes: doc.outcomes.slice(from), servers: keptServers };
}

/** The server's samples from reading `from` on, with only the values they still use (re-indexed). */
function compactValues(server: ServerHistory, from: number): ServerHistory {
  const samples = server.samples.slice(from);
  const used = [...new Set(samples.replaceAll(ABSENT, ''))]
    .map((c) => VALUE_ALPHABET.indexOf(c))
    .sort((a, b) => a - b);
  if (used.length === server.values.length) return { ...server, samples };
  const remap = new Map(used.map((old, i) => [VALUE_ALPHABET.charAt(old), VALUE_ALPHABET.charAt(i)]));
  return {
    ...server,
    values: used.map((i) => server.values[i] as HistoryValue),
    samples: [...samples].map((c) => remap.get(c) ?? ABSENT).join(''),
  };
}

function lastIndexNotAbsent(samples: string): number {
  for (let i = samples.length - 1; i >= 0; i--) if (samples[i] !== ABSENT) return i;
  return -1;
}

function insertionIndex(sorted: readonly string[], value: string): number {
  let i = sorted.length;
  while (i > 0 && (sorted[i - 1] as string) > value) i -= 1;
  return i;
}

function spliceChar(text: string, index: number, char: string): string {
  return `${text.slice(0, index)}${char}${text.slice(index)}`;
}

/**
 * A stored document read back (untrusted: a file someone edited, a blob another version wrote), or the
 * problems that make it unreadable. Every field is checked, lengths agree, values are capped, so the
 * renderer never meets a shape it does not expect.
 */
export function parseHistory(value: unknown): { doc: HistoryDocument } | { problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(value)) return { problems: ['not a JSON object'] };
  if (value['version'] !== 1)
    return { problems: [`"version" is ${JSON.stringify(value['version'])}, not 1`] };
  const gateway = value['gateway'];
  if (
    !isRecord(gateway) ||
    !['id', 'name', 'subscriptionId', 'resourceGroup'].every((k) => typeof gateway[k] === 'string')
  )
    problems.push('"gateway" is not {id, name, subscriptionId, resourceGroup}');
  const readings = value['readings'];
  const outcomes = value['outcomes'];
  if (!Array.isArray(readings) || !readings.every(isIsoTime))
    problems.push('"readings" is not a list of ISO times');
  const count = Array.isArray(readings) ? readings.length : 0;
  if (typeof outcomes !== 'string' || outcomes.length !== count || /[^+!]/.test(outcomes))
    problems.push('"outcomes" is not one "+" or "!" per reading');
  for (const key of ['lastReadAt'] as const)
    if (value[key] !== undefined && !isIsoTime(value[key])) problems.push(`"${key}" is not an ISO time`);
  const lastError = value['lastError'];
  if (
    lastError !== undefined &&
    !(
      isRecord(lastError) &&
      isIsoTime(lastError['at']) &&
      typeof lastError['code'] === 'string' &&
      typeof lastError['message'] === 'string'
    )
  )
    problems.push('"lastError" is not {at, code, message}');
  const shortString = (limit: number) => (v: unknown) => typeof v === 'string' && v.length <= limit;
  if (
    !isMarkOfReading(
      value['lastReadIncomplete'],
      'pools',
      INCOMPLETE_POOLS_KEPT,
      shortString(VALUE_CAPS.name * 2),
    )
  )
    problems.push('"lastReadIncomplete" is not {at, pools: [names]}');
  const sinkOk = (s: unknown) =>
    isRecord(s) &&
    shortString(VALUE_CAPS.name * 2)(s['sink']) &&
    shortString(UNDELIVERED_MESSAGE_CHARS * 2)(s['message']);
  if (!isMarkOfReading(value['undelivered'], 'sinks', UNDELIVERED_SINKS_KEPT, sinkOk))
    problems.push(
      `"undelivered" is not {at, sinks: [{sink, message}]} (at most ${UNDELIVERED_SINKS_KEPT} sinks, each message at most ${UNDELIVERED_MESSAGE_CHARS * 2} characters)`,
    );
  const servers = value['servers'];
  if (!isRecord(servers)) problems.push('"servers" is not an object');
  else {
    for (const [key, server] of Object.entries(servers)) {
      const problem = serverProblem(server, count);
      if (problem) problems.push(`"servers" ${JSON.stringify(key.slice(0, 200))}: ${problem}`);
    }
  }
  if (problems.length > 0) return { problems };
  const doc = value as unknown as HistoryDocument;
  return {
    doc: {
      ...doc,
      gateway: {
        id: capText(doc.gateway.id, 1_024),
        name: capText(doc.gateway.name, VALUE_CAPS.name),
        subscriptionId: capText(doc.gateway.subscriptionId, VALUE_CAPS.name),
        resourceGroup: capText(doc.gateway.resourceGroup, VALUE_CAPS.name),
      },
    },
  };
}

/**
 * Whether `value` is absent or one of the marks kept with a reading (lastReadIncomplete, undelivered):
 * `{at: ISO time, [list]: at most `max` items, each `itemOk`}`.
 */
function isMarkOfReading(
  value: unknown,
  list: string,
  max: number,
  itemOk: (item: unknown) => boolean,
): boolean {
  if (value === undefined) return true;
  if (!isRecord(value) || !isIsoTime(value['at'])) return false;
  const items = value[list];
  return Array.isArray(items) && items.length <= max && items.every(itemOk);
}

function serverProblem(server: unknown, count: number): string | undefined {
  if (!isRecord(server)) return 'not an object';
  for (const key of ['backendPool', 'backendSettings', 'address'] as const)
    if (typeof server[key] !== 'string' || server[key].length > VALUE_CAPS.name * 2)
      return `"${key}" is not a name`;
  const values = server['values'];
  if (
    !Array.isArray(values) ||
    values.length > VALUE_ALPHABET.length ||
    !values.every(
      (v) =>
        Array.isArray(v) &&
        v.length === 3 &&
        typeof v[0] === 'string' &&
        v[0].length <= VALUE_CAPS.health * 2 &&
        v[1] === readHealth(v[0]) &&
        (v[2] === null || (typeof v[2] === 'string' && isCauseId(v[2]))),
    )
  )
    return '"values" is not a list of [health, state, cause id or null]';
  const samples = server['samples'];
  if (typeof samples !== 'string' || samples.length !== count)
    return '"samples" is not one character per reading';
  const allowed = new Set([ABSENT, ...VALUE_ALPHABET.slice(0, values.length)]);
  if ([...samples].some((c) => !allowed.has(c))) return '"samples" names a value that is not there';
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIsoTime(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}
