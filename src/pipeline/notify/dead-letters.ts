import { receiverConfigName, receiverKey } from '../../core/notice/receiver-name';
import { gatewayKey } from '../../core/arm-id';
import { episodeIsOver } from '../../core/notice/episode';
import { isEpisode, noticeServerKey } from '../../core/notice/server-record';
import {
  heldBehind,
  isLeasedElsewhere,
  requeueDeadLetters,
  type DeadLetter,
  type QueuedNotice,
} from '../../core/notice/outbox';
import { mutedAtSend, type MutedNotice } from '../../core/notice/mute';
import type { Notice } from '../../core/notice/notice';
import type { Silence } from '../../core/notice/silence';
import { groupDue, groupDueAt, groupHeldReason, type GroupTiming } from '../../core/notice/grouping';
import { isStateConflictError, StateConflictError, toError } from '../../errors';
import type { Clock, StateStore, StateStores } from '../../ports';
import type { ReportedError, UndeliveredNoticeReport } from '../../core/run-report';
import { reportedError } from '../../core/reported-error';
import { deadLetterEntry, noticeEntryFields, unsettledReason, waitingReason } from './notice-entries';
import {
  type CopiedDocument,
  copyOf,
  parseStateDocument,
  receiverOutbox,
  receiversOf,
  type NotifyStateDocument,
} from './state-document';
import { typedStateStores } from './typed-stores';

/**
 * What an operator does with undelivered notices by hand (`appgw-insights notify list|resend`): list
 * every outbox and dead letter in the state, and move dead letters back into their outbox, where the
 * next run sends them (same ids) before anything new. Documents that cannot be read are reported and
 * skipped, never changed.
 */

/** Which dead letters to re-send; every given field must match. */
export interface DeadLetterFilter {
  /** `ops` or `webhook[ops]`. */
  readonly receiver?: string;
  /** A gateway's ARM id (any case). */
  readonly gateway?: string;
  readonly noticeId?: string;
}

export interface OutboxListing {
  /** Every notice waiting, leased or parked, by gateway then receiver, oldest first. */
  readonly notices: readonly UndeliveredNoticeReport[];
  /** Documents that could not be listed or read: what they hold is not known. */
  readonly errors: readonly ReportedError[];
  /** How many documents were read (their notices are all in `notices`). */
  readonly read: number;
  /** False when the documents could not be listed: then none was read, and how many there are is not known. */
  readonly listed: boolean;
  /**
   * Documents that hold another gateway's state than their place names (copyOf: a copy made in the
   * state folder): each document's name and the gateway whose state it holds; read, not
   * used, nothing of them listed. Absent: none.
   */
  readonly copies?: readonly CopiedDocument[];
}

/**
 * Every undelivered notice in the state; a live lease is shown as held (this is no run of its own).
 * `groupTimingOf`: a receiver's group timers when it groups by gateway (undefined: it does not): a
 * notice waiting for its group's next message says until when, as a run's summary does (a break trial:
 * a `recovered` held for the group interval read "not sent yet, retry next-run"). Absent: none groups.
 */
export async function listOutboxes(
  untyped: StateStores<NotifyStateDocument>,
  clock: Clock,
  groupTimingOf: (receiver: string) => GroupTiming | undefined = () => undefined,
  silences: readonly Silence[] = [],
): Promise<OutboxListing> {
  const stores = typedStateStores(untyped);
  const notices: UndeliveredNoticeReport[] = [];
  const errors: ReportedError[] = [];
  const copies: CopiedDocument[] = [];
  const now = clock.now().toISOString();
  let keys: string[];
  try {
    keys = await stores.listKeys();
  } catch (error) {
    return { notices, errors: [stateError(error, stores.name)], read: 0, listed: false };
  }
  let read = 0;
  for (const [key, store] of keys.map((key) => [key, stores.forKey(key)] as const)) {
    try {
      const doc = parseStateDocument((await store.read())?.value, store.name);
      // A copy of another gateway's document: its notices are that one's, listed from its own.
      const copied = copyOf(doc, key);
      if (copied !== undefined) {
        copies.push({ document: store.name, gateway: copied });
        continue;
      }
      read++;
      for (const receiver of receiversOf(doc)) {
        const { waiting, parked } = receiverOutbox(doc, receiver);
        const behind = heldBehind(waiting, '', now);
        const timing = groupTimingOf(receiver);
        const group = doc.groups?.[receiver];
        const heldUntil =
          timing && group && !groupDue(waiting, group, now, timing) ? groupDueAt(group, timing) : undefined;
        // Held by a silence in force at its send (core/notice/mute.ts), by episode as a run holds them
        // (a break trial: judged notice by notice, the list and the run disagreed both ways).
        const silenced = mutedAtSend(waiting, silences, clock.now(), doc.servers);
        for (const queued of waiting) {
          const leased = queued.lease && isLeasedElsewhere(queued, '', now) ? queued.lease : undefined;
          const older = behind.get(queued.notice.id);
          const muted = !leased && !older && !queued.lease ? silenced.get(queued.notice.id) : undefined;
          // Held for its group: not leased, not behind an older notice, and no lease of its own.
          const held = !leased && !older && !queued.lease && !muted ? heldUntil : undefined;
          notices.push({
            ...noticeEntryFields(receiver, queued),
            status: leased ? 'leased' : 'waiting',
            reason: leased
              ? `held by run ${leased.runId} until ${leased.until}`
              : !older && queued.lease
                ? unsettledReason(queued.lease, queued.lastError)
                : waitingReason(
                    queued,
                    older,
                    muted ? silenceHeldReason(muted) : held ? groupHeldReason(held) : undefined,
                  ),
            retry: leased ? 'after-lease' : 'next-run',
            queuedAt: queued.queuedAt,
            failedRuns: queued.failedRuns,
            ...(leased ? { leasedBy: leased.runId, leasedUntil: leased.until } : {}),
            ...(held ? { dueAt: held.at, dueBy: held.by } : {}),
          });
        }
        for (const letter of parked) {
          notices.push(deadLetterEntry(receiver, letter));
        }
      }
    } catch (error) {
      errors.push(stateError(error, store.name));
    }
  }
  return { notices, errors, read, listed: true, ...(copies.length ? { copies } : {}) };
}

export interface ResendResult {
  /** The dead letters moved back into their outbox, with the receiver they wait for. */
  readonly requeued: ReadonlyArray<{ readonly receiver: string; readonly letter: DeadLetter }>;
  /**
   * Matching dead letters not re-sent, and taken out of the state, with why: a `degraded` or reminder
   * of an episode that has ended (its server recovered, or is in another episode), which re-sent would
   * open an alert that is over.
   */
  readonly notResent: ReadonlyArray<{
    readonly receiver: string;
    readonly letter: DeadLetter;
    readonly reason: string;
  }>;
  /** Documents that hold another gateway's state (OutboxListing.copies): not used, nothing re-queued there. Absent: none. */
  readonly copies?: readonly CopiedDocument[];
  /**
   * Matching dead letters left as they are: a `recovered` whose receiver's way of reading was not known
   * (ReadingOrder `unknown`); each has its error in `errors`, saying why and what to do.
   */
  readonly kept: ReadonlyArray<{ readonly receiver: string; readonly letter: DeadLetter }>;
  readonly errors: readonly ReportedError[];
}

/**
 * Why a `recovered` of an older episode is not re-sent to a receiver that reads in order (a chat): its
 * server went bad again since, and this receiver was told so, so sent now it would read as the
 * server's latest news.
 */
function laterEpisodeNotResent(since: string): string {
  return `not re-sent, and removed: its server has gone bad again since (a newer episode, from ${since}, which this receiver was told), so in this receiver's messages, read in order, it would say recovered of a server that is down`;
}

/**
 * How a receiver's messages are read, for a `recovered` of an older episode (resendDeadLetters): in
 * order, as a chat's are (`teams`, `slack`), or paired by episode (`json`, `cloudevents`,
 * `pagerduty`: a late `recovered` closes its own alert); or, when the configuration's receivers could
 * not be read, not known (`unknown`: why).
 */
export type ReadingOrder =
  { readonly readsInOrder: (receiver: string) => boolean } | { readonly unknown: string };

/** Why a dead letter of an ended episode is not re-sent (ResendResult.notResent). */
const ENDED_EPISODE_NOT_RESENT =
  'not re-sent, and removed: its episode has ended (the server recovered since, or is in another episode), so re-sending it would open an alert that is over';

const MAX_CONFLICT_RETRIES = 5;

/**
 * Moves the dead letters that match `filter` back to the front of their outbox (ETag-conditional,
 * retried when a run writes in between). The next run sends them, same ids, before anything new. A
 * matching `degraded` or reminder of an episode that has ended (by the document's server records:
 * core/notice/episode.ts, episodeIsOver) is not re-queued but removed and returned in `notResent`.
 */
export async function resendDeadLetters(
  untyped: StateStores<NotifyStateDocument>,
  filter: DeadLetterFilter,
  /**
   * How each receiver's messages are read (ReadingOrder). A `recovered` whose server has gone bad again
   * since, in an episode this receiver was told of (its `degraded` delivered: queued for it, and no
   * longer waiting or parked), is not re-sent to a receiver read in order (a break trial: a Teams
   * channel's last word on a server down was "recovered"), and is left as a dead letter, with an error
   * saying why, when that is not known. Absent: every receiver pairs by episode.
   */
  order: ReadingOrder = { readsInOrder: () => false },
): Promise<ResendResult> {
  const stores = typedStateStores(untyped);
  const requeued: Array<{ receiver: string; letter: DeadLetter }> = [];
  const notResent: Array<{ receiver: string; letter: DeadLetter; reason: string }> = [];
  const kept: KeptLetter[] = [];
  const errors: ReportedError[] = [];
  const copies: CopiedDocument[] = [];
  const receiver = filter.receiver && receiverKey(receiverConfigName(filter.receiver));
  for (const [key, store] of await storesOf(stores, filter.gateway, errors)) {
    try {
      const moved = await requeueIn(store, key, receiver, filter.noticeId, order);
      // A copy of another gateway's document: re-queued there, its letters would never go (runs skip it).
      if (moved.copyOf !== undefined) {
        copies.push({ document: store.name, gateway: moved.copyOf });
        continue;
      }
      requeued.push(...moved.requeued);
      notResent.push(...moved.notResent);
      kept.push(...moved.kept);
      errors.push(...moved.kept.map((letter) => keptError(letter, order, store.name)));
    } catch (error) {
      errors.push(stateError(error, store.name));
    }
  }
  return { requeued, notResent, kept, errors, ...(copies.length ? { copies } : {}) };
}

/** A matching dead letter left parked: whether its receiver reads in order was not known. */
interface KeptLetter {
  readonly receiver: string;
  readonly letter: DeadLetter;
}

/** The error that says why a letter was kept (KeptLetter), and what to do. */
function keptError(kept: KeptLetter, order: ReadingOrder, document: string): ReportedError {
  const why = 'unknown' in order ? order.unknown : 'not known';
  return {
    code: 'ConfigInvalid',
    message: `${kept.receiver}: ${kept.letter.notice.id} (recovered of an older episode; its server has gone bad again since, and ${kept.receiver} was told) left as a dead letter: whether ${kept.receiver} is read in order (teams, slack: not re-sent) or pairs by episode (json, cloudevents, pagerduty: re-sent) is not known, as the configuration's receivers could not be read (${why}). Fix the configuration, then resend again.`,
    retryable: false,
    document,
  };
}

async function requeueIn(
  store: StateStore<NotifyStateDocument>,
  key: string,
  receiver: string | undefined,
  noticeId: string | undefined,
  order: ReadingOrder,
): Promise<
  Pick<ResendResult, 'requeued' | 'notResent'> & {
    readonly kept: readonly KeptLetter[];
    /** The document is a copy of this gateway's (copyOf): nothing was changed. */
    readonly copyOf?: string;
  }
> {
  const none = { requeued: [], notResent: [], kept: [] };
  // What the last write that met a conflict would have done: a write that landed but whose answer was
  // lost (a reset, a 500 OperationTimedOut) is tried again, meets the document it changed, and finds no
  // dead letter left to match; said then as "no dead letter matched" for letters it had re-queued.
  let tried: Awaited<ReturnType<typeof requeueIn>> | undefined;
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await store.read();
    if (!stored) return none;
    const doc = parseStateDocument(stored.value, store.name);
    const copied = copyOf(doc, key);
    if (copied !== undefined) return { ...none, copyOf: copied };
    const outbox = { ...doc.outbox };
    const deadLetters = { ...doc.deadLetters };
    const moved: Array<{ receiver: string; letter: DeadLetter }> = [];
    const over: Array<{ receiver: string; letter: DeadLetter; reason: string }> = [];
    const kept: KeptLetter[] = [];
    for (const name of receiversOf(doc).filter((r) => receiver === undefined || r === receiver)) {
      const inOrder = 'readsInOrder' in order ? order.readsInOrder(name) : undefined;
      const pending = receiverOutbox(doc, name);
      const newerSince = (letter: DeadLetter) => toldNewerEpisode(letter, name, doc, pending);
      // A `recovered` closes what it can, whenever it goes, but for a receiver read in order that was
      // told of its server's newer episode; anything else of an ended episode is old news.
      const isOver = (letter: DeadLetter) =>
        letter.notice.type === 'recovered'
          ? inOrder === true && newerSince(letter) !== undefined
          : episodeIsOver(letter.notice, doc.servers);
      const matches = (letter: DeadLetter) => noticeId === undefined || letter.notice.id === noticeId;
      // Not known how this receiver reads: such a `recovered` stays a dead letter, and the error says why.
      const unknown = (letter: DeadLetter) =>
        inOrder === undefined && letter.notice.type === 'recovered' && newerSince(letter) !== undefined;
      kept.push(
        ...pending.parked
          .filter((letter) => matches(letter) && unknown(letter))
          .map((letter) => ({ receiver: name, letter })),
      );
      const step = requeueDeadLetters(pending, (letter) => matches(letter) && !unknown(letter), isOver);
      outbox[name] = step.outbox.waiting;
      deadLetters[name] = step.outbox.parked;
      moved.push(...step.requeued.map((letter) => ({ receiver: name, letter })));
      over.push(
        ...step.over.map((letter) => {
          const since = newerSince(letter);
          return {
            receiver: name,
            letter,
            reason: since !== undefined ? laterEpisodeNotResent(since) : ENDED_EPISODE_NOT_RESENT,
          };
        }),
      );
    }
    if (moved.length === 0 && over.length === 0)
      return tried && landed(tried, doc) ? tried : { ...none, kept };
    const result = { requeued: moved, notResent: over, kept };
    try {
      await store.write({ ...doc, outbox, deadLetters }, stored.etag);
      return result;
    } catch (error) {
      if (!isStateConflictError(error)) throw error;
      tried = result;
    }
  }
  throw new StateConflictError(store.name);
}

/**
 * Whether `doc` is what `tried` wrote: each letter it re-queued waits in its receiver's outbox and is no
 * dead letter, and each it removed is no dead letter either.
 */
function landed(tried: Pick<ResendResult, 'requeued' | 'notResent'>, doc: NotifyStateDocument): boolean {
  const parked = (receiver: string, id: string) =>
    receiverOutbox(doc, receiver).parked.some((l) => l.notice.id === id);
  return (
    tried.requeued.every(
      ({ receiver, letter }) =>
        receiverOutbox(doc, receiver).waiting.some((q) => q.notice.id === letter.notice.id) &&
        !parked(receiver, letter.notice.id),
    ) && tried.notResent.every(({ receiver, letter }) => !parked(receiver, letter.notice.id))
  );
}

/**
 * When `letter` is a `recovered` whose server has gone bad again since, in an episode `receiver` was
 * told of: that episode's start (ISO). Told: its `degraded` was queued for this receiver (the server's
 * record, `notified.receivers`) and is no longer waiting or parked for it (`pending`); one still
 * waiting goes after the re-sent `recovered`, in order. Undefined otherwise (no newer episode, one not
 * told to this receiver: silenced, not routed to it, still counting its bad runs).
 */
function toldNewerEpisode(
  letter: DeadLetter,
  receiver: string,
  doc: NotifyStateDocument,
  pending: { readonly waiting: readonly QueuedNotice[]; readonly parked: readonly DeadLetter[] },
): string | undefined {
  if (letter.notice.type !== 'recovered') return undefined;
  const key = noticeServerKey(letter.notice);
  const record = doc.servers[key];
  if (!record || !isEpisode(record) || record.degradedSince === letter.notice.degradedSince) return undefined;
  if (!record.notified?.receivers?.includes(receiver)) return undefined;
  const ofNewer = (q: { readonly notice: Notice }) =>
    noticeServerKey(q.notice) === key && q.notice.degradedSince === record.degradedSince;
  return pending.waiting.some(ofNewer) || pending.parked.some(ofNewer) ? undefined : record.degradedSince;
}

/** The stores to look at: one gateway's, or every gateway's. */
async function storesOf(
  stores: StateStores<NotifyStateDocument>,
  gateway: string | undefined,
  errors: ReportedError[],
): Promise<Array<readonly [string, StateStore<NotifyStateDocument>]>> {
  if (gateway) return [[gatewayKey(gateway), stores.forKey(gatewayKey(gateway))]];
  try {
    return (await stores.listKeys()).map((key) => [key, stores.forKey(key)] as const);
  } catch (error) {
    errors.push(stateError(error, stores.name));
    return [];
  }
}

function stateError(error: unknown, document: string): ReportedError {
  const reported = reportedError(toError(error));
  return { ...reported, document: reported.document ?? document };
}

/** Why `notify list` lists a notice a silence holds at its send (mutedAtSend), and when it goes. */
function silenceHeldReason(muted: MutedNotice): string {
  const ids = muted.silenceIds.join(', ');
  return `held by silence ${ids}${muted.until !== undefined ? ` until ${muted.until}` : ''}: the first run after it sends it, if its server is still bad`;
}
