import type { Cause, CauseId } from '../causes';
import type { Finding } from '../model';
import type { Notice, NoticeType } from './notice';
import type { Severity } from './severity';

/**
 * What the notifier remembers about one backend server between runs (the state document's
 * `servers` map). Only servers in a bad episode are kept, and servers an on-demand probe confirmed
 * healthy a short while ago (`confirmed`, a mark with no episode: `badRuns` 0, no `notified`); any
 * other healthy server has no record.
 */
export interface ServerRecord {
  readonly gateway: Finding['gateway'];
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  /** Consecutive runs that saw it bad (flap damping: `degraded` waits for `notify.for`). */
  readonly badRuns: number;
  /**
   * ISO: first bad run of this episode. In the mark of a confirmed fix (`confirmed`, no episode): that
   * of the episode the fix closed, kept by a later recheck (the recheck's time when it closed none).
   */
  readonly degradedSince: string;
  readonly health: string;
  readonly probeLog: string;
  readonly cause: Cause;
  /**
   * The severity of its last bad run (severity.ts). Absent in records of earlier releases: read as
   * `warning` (recordSeverity).
   */
  readonly severity?: Severity;
  /**
   * Consecutive runs since the server was last bad, while a told episode waits for `notify.recoverAfter`
   * (decide.ts); absent when it was bad in the last run.
   */
  readonly goodRuns?: number;
  /**
   * The run (its id, Observation.reading) last counted in `badRuns` or `goodRuns`: another reading of
   * the same run (a queue message delivered twice) counts nothing. Absent in records of earlier
   * releases and of observations without a reading.
   */
  readonly countedReading?: string;
  /**
   * Set while an active silence holds back this episode's transitions (silence.ts): when it first did,
   * when it last did, which silences, and the transition last held back. Cleared once a notice is sent.
   */
  readonly silenced?: {
    readonly since: string;
    readonly at: string;
    readonly silenceIds: readonly string[];
    readonly type: NoticeType;
  };
  /**
   * Set when an on-demand probe (`recheck`) found the server healthy at `at` (ISO): until `until` (ISO,
   * `at` + the probe's interval × unhealthy threshold: how long the gateway's own backend-health reading
   * may still show the failure that was fixed), a bad scheduled reading opens no episode. Such a reading
   * is recorded here (`badReadings`, `lastBadAt`) and in the record's health, probe log and cause; a
   * reading still bad after `until` opens the episode then. A record with this mark and `badRuns` 0 is the
   * mark only (no episode): it is dropped at the first run past `until` that finds the server not bad.
   */
  readonly confirmed?: {
    readonly at: string;
    readonly until: string;
    readonly badReadings?: number;
    readonly lastBadAt?: string;
  };
  /** Set once `degraded` was decided for this episode. */
  readonly notified?: {
    readonly at: string;
    readonly causeId: CauseId;
    readonly repeats: number;
    /**
     * The highest severity this episode was told with (a rise above it is a new `degraded`; the
     * `recovered` carries it). Absent in records of earlier releases: no rise is news then.
     */
    readonly severity?: Severity;
    /**
     * Receivers (`webhook[ops]`) the episode's `degraded` notices were queued for (receiver-rules.ts,
     * routeNotices): its `recovered` goes to exactly these. Absent in records of earlier releases,
     * which sent to every receiver.
     */
    readonly receivers?: readonly string[];
    /**
     * Per receiver of `receivers`, the highest severity it was sent in this episode (its `degraded` and
     * `still-degraded` notices): its `recovered` carries it (receiver-rules.ts, routeNotices), so a
     * receiver routed `warning` only is never told "the episode was critical". Absent in records of
     * earlier releases, and for a receiver missing from it: the `recovered` carries `severity`.
     */
    readonly receiverSeverities?: Readonly<Record<string, Severity>>;
  };
}

/** A record's severity, `warning` for a record of a release that did not keep one. */
export function recordSeverity(record: Pick<ServerRecord, 'severity'>): Severity {
  return record.severity ?? 'warning';
}

/**
 * Whether a record is a bad episode (bad in some run since it opened, or told), rather than only the
 * mark of a confirmed fix (`confirmed`, badRuns 0).
 */
export function isEpisode(record: Pick<ServerRecord, 'badRuns' | 'notified'>): boolean {
  return record.badRuns > 0 || record.notified !== undefined;
}

/**
 * Whether `record` is the mark of a confirmed fix still in force at `now`: a bad reading of its server
 * then opens no episode (ServerRecord.confirmed). False for undefined and for an open episode.
 */
export function heldByConfirmation(record: ServerRecord | undefined, now: Date): boolean {
  if (!record?.confirmed || isEpisode(record)) return false;
  return now.getTime() < Date.parse(record.confirmed.until);
}

/** gateway + pool + settings + server, case-insensitive as ARM names are. */
export function serverKey(parts: {
  gateway: { id: string };
  backendPool: string;
  backendSettings: string;
  address: string;
}): string {
  return [parts.gateway.id, parts.backendPool, parts.backendSettings, parts.address].join('|').toLowerCase();
}

/**
 * `gateway/pool/settings/address`: how reports and the CLI name a server (the gateway by name, case
 * as configured; not a key: serverKey is).
 */
export function serverPath(parts: {
  gateway: { name: string };
  backendPool: string;
  backendSettings: string;
  address: string;
}): string {
  return `${parts.gateway.name}/${parts.backendPool}/${parts.backendSettings}/${parts.address}`;
}

/** serverKey of the server a notice is about (a notice keeps the address under `server`). */
export function noticeServerKey(
  notice: Pick<Notice, 'gateway' | 'backendPool' | 'backendSettings' | 'server'>,
): string {
  return serverKey({
    gateway: notice.gateway,
    backendPool: notice.backendPool,
    backendSettings: notice.backendSettings,
    address: notice.server.address,
  });
}
