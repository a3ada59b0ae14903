/** The run report's entries about notices (`notifications.undelivered`, `dropped`), and `notify list`'s. */
import type { DeadLetter, Lease } from '../../core/notice/outbox';
import type { Notice } from '../../core/notice/notice';
import { endingWords } from '../../core/notice/notice-labels';
import type { NoticeEntryReport, UndeliveredNoticeReport } from '../../core/run-report';
import { serverPath } from '../../core/notice/server-record';

/** Which notice, to which receiver: the fields every report entry about a notice starts with. */
export function noticeEntryFields(receiver: string, entry: { readonly notice: Notice }): NoticeEntryReport {
  // A waiting `recovered` of an episode that ended without a recovery was listed as `recovered` (a trial).
  const ended = endingWords(entry.notice);
  return {
    receiver,
    noticeId: entry.notice.id,
    type: entry.notice.type,
    severity: entry.notice.severity,
    ...(entry.notice.raisedFrom ? { raisedFrom: entry.notice.raisedFrom } : {}),
    ...(entry.notice.causeChangedFrom ? { causeChangedFrom: entry.notice.causeChangedFrom } : {}),
    ...(ended !== undefined ? { ended } : {}),
    gateway: entry.notice.gateway.id,
    server: serverOf(entry.notice),
  };
}

/** A dead letter as the report and `notify list` show it: not sent again until re-sent by hand. */
export function deadLetterEntry(receiver: string, letter: DeadLetter): UndeliveredNoticeReport {
  return {
    ...noticeEntryFields(receiver, letter),
    status: 'dead-letter',
    reason: letter.reason,
    retry: 'by-hand',
    queuedAt: letter.queuedAt,
    failedRuns: letter.failedRuns,
    parkedAt: letter.parkedAt,
  };
}

/**
 * Why a notice waits behind an older one of its server that another run holds (core/notice/outbox.ts
 * heldBehind): `is` while that run still holds it, `was` when it held it at this run's claim.
 */
export function heldBehindReason(older: Lease, tense: 'is' | 'was'): string {
  return `waits for an older notice of the same server, which run ${older.runId} ${tense === 'is' ? 'is sending' : 'was sending'} (held until ${older.until}): sent after it, so the receiver gets the server's notices in order`;
}

/**
 * Why a notice whose lease has ended waits: the run that held it stopped (killed, or its host went away)
 * before it recorded what became of the send, so the receiver may have it already; the next run sends
 * it again with the same id (at least once: README "Notify on change"). `lastError`: a failure recorded
 * by an earlier try.
 */
export function unsettledReason(lease: Lease, lastError: string | undefined): string {
  return (
    `run ${lease.runId} was sending it and stopped before it recorded the outcome (its hold ended ` +
    `${lease.until}): it may have reached the receiver; the next run sends it again, with the same id` +
    (lastError ? ` (the try before: ${lastError})` : '')
  );
}

/**
 * Why a waiting notice (not held by another run) is not delivered yet, for the report and `notify list`
 * alike: behind an older notice of its server that another run holds (`older`), else what this run
 * learnt of it (`note`: a send's reason), else its last failure, else never tried.
 */
export function waitingReason(
  queued: { readonly lastError?: string },
  older: Lease | undefined,
  note?: string,
): string {
  return older ? heldBehindReason(older, 'is') : (note ?? queued.lastError ?? 'not sent yet');
}

/** `gateway/pool/settings/address`: how reports name the server a notice is about. */
export function serverOf(notice: Notice): string {
  return serverPath({ ...notice, address: notice.server.address });
}
