import type { ServerRecord } from '../../core/notice/server-record';
import type { DeadLetter, QueuedNotice } from '../../core/notice/outbox';
import { CLOCK_SKEW_IN_MS } from './lease';
import type { NotifyStateDocument } from './state-document';

/**
 * How far ahead a lease may be before it is dropped: a day. A lease runs for minutes (lease.ts), but
 * this run's own clock may be the one behind, and dropping another run's live lease would send its
 * notices twice (a break trial); a lease a day ahead is a clock days fast.
 */
export const MAX_LEASE_AHEAD_IN_MS = 24 * 60 * 60_000;

/** A document with the times no run could have written yet taken back to `now`, and how many there were. */
export interface PastTimes {
  readonly document: NotifyStateDocument;
  /** How many times were later than `now` (beyond CLOCK_SKEW_IN_MS); 0: the document as it was. */
  readonly taken: number;
  /** The latest of them (ISO), when any. */
  readonly latest?: string;
}

/**
 * `readAt`: when the reading this document is read for began (Observation.readAt): a newest counted
 * reading dated ahead is taken back to it rather than to `now`.
 * `doc` with every time that records the past and gates a decision (when a group started and last sent,
 * when a server was told or confirmed, when a notice was queued, tried or parked, when the newest
 * counted reading began) that is later than `now` (beyond CLOCK_SKEW_IN_MS) taken as `now`; a
 * confirmed fix keeps its hold's length from
 * then; a lease that runs further ahead than any lease can (MAX_LEASE_AHEAD_IN_MS) is dropped. Such a
 * time comes from a run whose clock was ahead (a machine days fast, a hand edit), and compared with
 * the right clock it held everything it gates until then: one run 30 days ahead held a receiver's
 * group message, and with it every later notice, for 30 days (a break trial). Pure.
 */
export function withPastTimes(doc: NotifyStateDocument, now: Date, readAt?: Date): PastTimes {
  const nowInMs = now.getTime();
  const iso = now.toISOString();
  let taken = 0;
  let latest: number | undefined;
  const past = (time: string, asOf = iso): string => {
    const at = Date.parse(time);
    if (!(at > nowInMs + CLOCK_SKEW_IN_MS)) return time;
    taken += 1;
    latest = Math.max(latest ?? at, at);
    return asOf;
  };
  const maybe = (time: string | undefined) => (time === undefined ? undefined : past(time));
  const server = (record: ServerRecord): ServerRecord => {
    const confirmed = record.confirmed;
    const confirmedAt = confirmed ? past(confirmed.at) : undefined;
    return {
      ...record,
      // Only what gates a decision; `degradedSince` and a silence's start are history, kept as written
      // (the run with the wrong clock may be this one: a clock behind rewrote them a day back).
      ...(record.notified ? { notified: { ...record.notified, at: past(record.notified.at) } } : {}),
      ...(confirmed && confirmedAt !== undefined
        ? {
            confirmed: {
              ...confirmed,
              at: confirmedAt,
              // The hold keeps its length from the time taken (a probe's interval × threshold).
              until:
                confirmedAt === confirmed.at
                  ? confirmed.until
                  : new Date(nowInMs + Date.parse(confirmed.until) - Date.parse(confirmed.at)).toISOString(),
              ...(confirmed.lastBadAt !== undefined ? { lastBadAt: past(confirmed.lastBadAt) } : {}),
            },
          }
        : {}),
    };
  };
  const queued = (q: QueuedNotice): QueuedNotice => {
    const { lease, ...rest } = q;
    const keepLease = lease && !(Date.parse(lease.until) > nowInMs + MAX_LEASE_AHEAD_IN_MS);
    if (lease && !keepLease) taken += 1;
    const lastTriedAt = maybe(q.lastTriedAt);
    return {
      ...rest,
      queuedAt: past(q.queuedAt),
      ...(lastTriedAt !== undefined ? { lastTriedAt } : {}),
      ...(keepLease ? { lease } : {}),
    };
  };
  const parked = (letter: DeadLetter): DeadLetter => ({
    ...letter,
    queuedAt: past(letter.queuedAt),
    parkedAt: past(letter.parkedAt),
  });
  const map = <T, U>(record: Readonly<Record<string, T>>, f: (value: T) => U): Record<string, U> =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
  const document: NotifyStateDocument = {
    ...doc,
    servers: map(doc.servers, server),
    outbox: map(doc.outbox, (queue) => queue.map(queued)),
    deadLetters: map(doc.deadLetters, (letters) => letters.map(parked)),
    ...(doc.groups
      ? {
          groups: map(doc.groups, (group) => {
            const flushedAt = maybe(group.flushedAt);
            return {
              ...group,
              openedAt: past(group.openedAt),
              ...(flushedAt !== undefined ? { flushedAt } : {}),
            };
          }),
        }
      : {}),
    // A newest reading dated ahead would leave every reading until then uncounted (reading-order.ts).
    // Taken back to when this reading began, not to now: a reading begins before it is decided on, so
    // "now" made the very reading that found the clock stepped back "older" than itself, and the run
    // sent nothing of it (a break trial: a `degraded`, and a `recovered`, a run late).
    ...(doc.newestReadingAt !== undefined
      ? {
          newestReadingAt: past(
            doc.newestReadingAt,
            readAt !== undefined && readAt.getTime() < nowInMs ? readAt.toISOString() : iso,
          ),
        }
      : {}),
  };
  if (taken === 0) return { document: doc, taken };
  return { document, taken, ...(latest !== undefined ? { latest: new Date(latest).toISOString() } : {}) };
}
