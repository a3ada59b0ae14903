import { counted } from '../../core/counted';
import { gatewayKey } from '../../core/arm-id';
import { readHealth } from '../../core/health';
import type { GatewayRef } from '../../core/model';
import { serverKey } from '../../core/notice/server-record';
import { reportedError } from '../../core/reported-error';
import { gatewayFields, type ReportedError } from '../../core/run-report';
import {
  addReading,
  FUTURE_TOLERANCE_IN_MS,
  futureReadings,
  parseHistory,
  type GatewayReading,
  type HistoryDocument,
  type ServerReading,
  type UndeliveredSink,
  withDeliveryOutcome,
} from '../../core/status/history';
import {
  GatewayDeletedError,
  isStateConflictError,
  StateConflictError,
  StateInvalidError,
} from '../../errors';
import type { StateStore } from '../../ports';
import type { GatewayOutcome } from '../check-gateway';
import { typedStateStore } from '../notify/typed-stores';
import { STATUS_PAGE_SINK } from '../../core/run-report';
import { historyError, type StatusServices } from './status-services';

/** Overlapping runs that keep writing first: give up after this many tries (as notify state does). */
const MAX_CONFLICT_RETRIES = 5;

/**
 * `doc`: the document as written, or, when `error` says the history could not be read, understood or
 * written, a document of this reading alone, so the status page still shows what the run read (its
 * timeline without history, said so on the page).
 */
export interface RecordedHistory {
  readonly doc: HistoryDocument;
  readonly error?: ReportedError;
}

/**
 * Adds what this run read of `gateway` (or that its read failed) to its history document: read it,
 * add the reading (src/core/status/history.ts: time order, retention, caps), write it back only if
 * nobody wrote it since (the store's etag); on a lost race, read again and add the reading to what the
 * other run wrote, so neither run's reading is lost. Never throws: a document that cannot be read,
 * understood or written is returned as the error (sink "status page", naming the document) with a
 * document of this reading alone, and stops nothing else. A document that is not a history this version reads is never written over.
 *
 * `options.writtenAt`: the writer's clock (the run's time), when the reading is dated otherwise (the
 * fan-out's discovery); by default `at`. `options.undelivered`: the sinks its delivery did not reach
 * (undeliveredSinks of its failures; `[]`: it reached every sink), kept with the reading so the page says its links may be missing there
 * (HistoryDocument.undelivered, undeliveredSinks); absent: not delivered yet (recordDeliveryOutcome
 * says it after), and the last successful reading's mark carries over to it until then (addReading).
 */
export async function recordHistory(
  services: StatusServices,
  gateway: GatewayRef,
  outcome: GatewayOutcome,
  at: Date,
  options: { readonly writtenAt?: Date; readonly undelivered?: readonly UndeliveredSink[] } = {},
): Promise<RecordedHistory> {
  const writtenAt = options.writtenAt ?? at;
  const reading = readingOf(gateway, outcome, at, options.undelivered);
  const updated = await updateHistory(services, gateway, (previous, name, attempt) => {
    const future = previous ? futureReadings(previous, writtenAt) : [];
    // Once per document, not per conflict retry.
    if (future.length > 0 && attempt === 0)
      services.logger.warn(
        `status page: the history in ${name} had ${counted(future.length, 'reading')} dated after this run's time (${writtenAt.toISOString()}) by more than ${FUTURE_TOLERANCE_IN_MS / 60_000} minutes, the latest ${future.at(-1) ?? ''}: ${future.length === 1 ? 'it cannot be real (a hand edit or a clock far off) and is' : 'they cannot be real (a hand edit or a clock far off) and are'} discarded.`,
      );
    return addReading(previous, gateway, reading, services.retentionInMs, writtenAt);
  });
  if (updated.doc) return { doc: updated.doc };
  return {
    doc: addReading(undefined, gateway, reading, services.retentionInMs, writtenAt),
    ...(updated.error ? { error: updated.error } : {}),
  };
}

/**
 * The gateway's history document changed by `change` (given the stored document, or undefined when
 * there is none, its store's name and the try's number; undefined back: nothing to write) and written
 * back only if nobody wrote it since (the store's etag); on a lost race, read and changed again, up to
 * MAX_CONFLICT_RETRIES times. Never throws: `doc` is the document as written (absent when `change`
 * wrote nothing); `error`, the read or write that failed (sink "status page", naming the document),
 * logged.
 */
async function updateHistory(
  services: StatusServices,
  gateway: GatewayRef,
  change: (
    previous: HistoryDocument | undefined,
    name: string,
    attempt: number,
  ) => HistoryDocument | undefined,
): Promise<{ readonly doc?: HistoryDocument; readonly error?: ReportedError }> {
  const store = typedStateStore(services.history.forKey(gatewayKey(gateway.id)));
  // Which step failed decides what the message says the page lacks.
  let situation: 'read' | 'written' = 'read';
  try {
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      situation = 'read';
      const stored = await store.read();
      const doc = change(stored ? readStored(store, stored.value) : undefined, store.name, attempt);
      if (!doc) return {};
      situation = 'written';
      try {
        await store.write(doc, stored?.etag);
        return { doc };
      } catch (error) {
        if (!isStateConflictError(error)) throw error;
      }
    }
    throw new StateConflictError(store.name);
  } catch (error) {
    const reported = reportedError(historyError(error, situation), STATUS_PAGE_SINK);
    services.logger.warn(`status page: ${reported.message}`);
    return { error: { ...reported, document: reported.document ?? store.name } };
  }
}

/** A stored history, checked (it may be another version's, or edited by hand). */
export function readStored(store: Pick<StateStore<unknown>, 'name'>, value: unknown): HistoryDocument {
  const parsed = parseHistory(value);
  if ('problems' in parsed) throw new StateInvalidError(store.name, parsed.problems);
  return parsed.doc;
}

/**
 * Records what the delivery of the reading of `gateway` at `at` did, for a writer that recorded the
 * reading before delivering it (the Functions app's queue function): `sinks` (its delivery's failures,
 * undeliveredSinks) mark it not delivered to them; none clears a mark an earlier try of it left. Read,
 * withDeliveryOutcome, write back only if nobody wrote it since (as recordHistory); nothing is written
 * when nothing changes. Returns the document as written; `doc` is undefined when nothing was written
 * (no change, no document, or a newer reading recorded since). Never throws: a failure is returned as
 * recordHistory's are, `doc` then undefined (the page shows the reading as it was recorded).
 */
export async function recordDeliveryOutcome(
  services: StatusServices,
  gateway: GatewayRef,
  at: Date,
  sinks: readonly UndeliveredSink[],
): Promise<{ readonly doc?: HistoryDocument; readonly error?: ReportedError }> {
  return updateHistory(services, gateway, (previous) => {
    if (!previous) return undefined;
    const doc = withDeliveryOutcome(previous, at.toISOString(), sinks);
    return doc === previous ? undefined : doc;
  });
}

/**
 * The sinks a gateway's delivery did not reach, from its failures (deliveryErrors entries): one per
 * sink, its message. The status page's own failures (sink "status page": a history) are not a sink's.
 */
export function undeliveredSinks(failures: readonly ReportedError[]): UndeliveredSink[] {
  return failures
    .filter((f) => f.sink !== STATUS_PAGE_SINK)
    .map((f) => ({ sink: f.sink ?? 'a sink', message: f.message }));
}

/**
 * Whether `outcome` is a successful reading of its gateway (the history records its servers): its read
 * succeeded and listed them. A failed one's delivery carries its result alone, none of its insights.
 */
export function readingSucceeded(outcome: GatewayOutcome): boolean {
  return outcome.report.ok && outcome.listed !== undefined;
}

/** What the run read of the gateway: every server listed (healthy too), or the read's error. */
function readingOf(
  gateway: GatewayRef,
  outcome: GatewayOutcome,
  at: Date,
  undelivered: readonly UndeliveredSink[] | undefined,
): GatewayReading {
  if (!readingSucceeded(outcome)) {
    const error = outcome.report.error ?? { code: 'Unexpected', message: 'the gateway was not read' };
    return { at, ok: false, error: { code: error.code, message: error.message } };
  }
  // The findings name their server's cause; the listing names every server with its health.
  const causes = new Map(outcome.insights.map(({ finding }) => [serverKey(finding), finding.cause.id]));
  const servers: ServerReading[] = (outcome.servers ?? []).map((entry) => ({
    key: entry.key,
    backendPool: entry.backendPool,
    backendSettings: entry.backendSettings,
    address: entry.address,
    health: entry.health,
    state: readHealth(entry.health),
    cause: causes.get(entry.key) ?? null,
  }));
  const poolsNotRead = outcome.report.poolsNotRead;
  return {
    at,
    ok: true,
    servers,
    ...(poolsNotRead?.length ? { poolsNotRead } : {}),
    ...(undelivered !== undefined ? { undelivered } : {}),
  };
}

/**
 * Records that ARM confirmed `gateway` deleted (GatewayDeletedError) though this run did not read it
 * (notify's check of gateways no target holds: notifyUnvisited's `deletedGateways`), so its status page
 * shows it deleted and counts it nowhere, as a read that met the deletion does. As recordHistory.
 */
export async function recordDeletion(
  services: StatusServices,
  gateway: GatewayRef,
  at: Date,
): Promise<RecordedHistory> {
  const outcome: GatewayOutcome = {
    insights: [],
    report: {
      ...gatewayFields(gateway),
      ok: false,
      error: reportedError(new GatewayDeletedError(gateway.id)),
      durationInMs: 0,
      servers: 0,
      findings: [],
    },
  };
  return recordHistory(services, gateway, outcome, at);
}
