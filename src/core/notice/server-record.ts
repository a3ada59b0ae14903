import type { Cause, CauseId } from '../causes';
import type { Finding } from '../model';
import type { Notice, NoticeType } from './notice';
import type { Severity } from './severity';

/**
 * What the notifier remembers about one backend server between runs (the state document's
 * `servers` map). Only servers in a bad episode are kept: a healthy server has no record.
 */
export interface ServerRecord {
  readonly gateway: Finding['gateway'];
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  /** Consecutive runs that saw it bad (flap damping: `degraded` waits for `notify.for`). */
  readonly badRuns: number;
  /** ISO: first bad run of this episode. */
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
   * Set while an active silence holds back this episode's transitions (silence.ts): when it first did,
   * when it last did, which silences, and the transition last held back. Cleared once a notice is sent.
   */
  readonly silenced?: {
    readonly since: string;
    readonly at: string;
    readonly silenceIds: readonly string[];
    readonly type: NoticeType;
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
  };
}

/** A record's severity, `warning` for a record of a release that did not keep one. */
export function recordSeverity(record: Pick<ServerRecord, 'severity'>): Severity {
  return record.severity ?? 'warning';
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
