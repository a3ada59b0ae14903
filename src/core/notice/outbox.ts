import { counted } from '../counted';
import type { Notice } from './notice';
import { episodeId } from './episode';
import { noticeServerKey } from './server-record';

/**
 * The outbox rule: what becomes of each notice waiting for one receiver, as pure functions over the
 * receiver's queue (no clock: times are passed in as ISO strings). The notify stage applies them inside
 * its ETag-conditional writes (src/pipeline/notify/notify-on-change.ts):
 * - `claimOutbox` when a run claims its notices: new ones join the end, the outbox is bounded, and every
 *   notice no other live run holds is leased to this run;
 * - `settleOutbox` when the run has sent them: delivered notices leave; a retryable failure keeps the
 *   notice's place and id; a permanent refusal parks it as a dead letter with its reason, and the rest
 *   go on; notices this run did not try are released unchanged;
 * - `requeueDeadLetters` when an operator re-sends dead letters by hand.
 * Order is kept everywhere: oldest first.
 */

/** A run's hold on a notice while it sends it: other runs skip the notice until `until` (ISO). */
export interface Lease {
  readonly runId: string;
  readonly until: string;
}

/** A notice waiting to be sent to one receiver. */
export interface QueuedNotice {
  readonly notice: Notice;
  /** ISO: when the notice was decided. */
  readonly queuedAt: string;
  /** Runs that tried to deliver it and failed (retryably). */
  readonly failedRuns: number;
  /** The last failure, as the receiver answered (scrubbed of URL tokens and secrets, then cut). */
  readonly lastError?: string;
  /** ISO: when a run last tried it and failed. */
  readonly lastTriedAt?: string;
  /**
   * The run sending it now. Overlapping runs skip leased notices, so two live runs never both send
   * the same notice. A run that dies mid-send, or cannot record a delivery (its settle write failed), leaves a
   * lease that expires, and a later run sends the notice again (same id): delivery is at least once.
   */
  readonly lease?: Lease;
  /**
   * True when the notice is its episode's first to this receiver (the receiver was not told the server
   * went bad before): until it is delivered, the receiver knows nothing of the episode, so when the
   * episode ends first neither it nor the `recovered` is sent (grouping.ts, dropEndedEpisodes). Absent
   * on notices queued by earlier releases: their `recovered` is sent as before.
   */
  readonly opensEpisode?: boolean;
  /**
   * True once a run's send of it got no HTTP answer (a time-out, a reset) or a gateway's 502/504 (its
   * upstream may have taken it: post-retry.ts, mayHaveReachedUpstream), or a run took it over from a
   * run whose lease ran out (that run may have sent it): the receiver may hold it, so an episode it
   * opened counts as told (grouping.ts, dropEndedEpisodes).
   */
  readonly mayHaveReached?: boolean;
}

/**
 * A notice set aside, not sent again until re-sent by hand (`appgw-insights notify resend`): the
 * receiver refused it for good (a 4xx other than 408/429, a redirect, a URL it may not be sent to), or
 * the outbox was over its bound. Reported on every run until re-sent.
 */
export interface DeadLetter {
  readonly notice: Notice;
  readonly queuedAt: string;
  readonly failedRuns: number;
  /** ISO: when it was set aside. */
  readonly parkedAt: string;
  /** Why: the receiver's answer (`HTTP 400 Bad Request: …`) or the outbox bound. */
  readonly reason: string;
  /**
   * As on QueuedNotice: it was its episode's first notice to this receiver, and nothing of the episode
   * has reached the receiver since (settleOutbox clears it once something may have). Absent on letters
   * parked by earlier releases: they never make an episode untold.
   */
  readonly opensEpisode?: boolean;
  /** As on QueuedNotice: a send of it may have reached the receiver (no HTTP answer, a lease that ran out). */
  readonly mayHaveReached?: boolean;
}

/** One receiver's notices in one state document. */
export interface ReceiverOutbox {
  /** To send, oldest first. */
  readonly waiting: readonly QueuedNotice[];
  /** Dead letters, oldest first. */
  readonly parked: readonly DeadLetter[];
}

/** What one run's send did with one leased notice. */
export type SendOutcome =
  | { readonly kind: 'delivered' }
  /** `retryable`: a later run may succeed (network, time-out, 408, 429, 5xx); otherwise refused for good. */
  | {
      readonly kind: 'failed';
      readonly retryable: boolean;
      readonly reason: string;
      /**
       * Some attempt got no HTTP answer after the request may have been written (a time-out, a reset),
       * or a gateway's 502/504: the receiver may have taken the notice even so.
       */
      readonly mayHaveReached?: boolean;
    }
  /** Not sent this run (the receiver failed earlier in the run, or the lease would have run out). */
  | { readonly kind: 'not-tried' };

export interface OutboxContext {
  /** ISO: this run's time (lease checks, timestamps). */
  readonly now: string;
  readonly runId: string;
  /** Most notices kept waiting, and most dead letters kept, per receiver and document (notify.outboxLimit). */
  readonly limit: number;
}

/** An outbox after one step, with what the step took out of it (each list oldest first). */
export interface OutboxStep {
  readonly outbox: ReceiverOutbox;
  readonly delivered: readonly QueuedNotice[];
  /** Set aside by this step: refused for good, or the oldest past the bound. */
  readonly parked: readonly DeadLetter[];
  /** Dead letters past the bound, removed from the state by this step (the caller reports them). */
  readonly dropped: readonly DeadLetter[];
}

/** True when another run holds `queued` with a lease that has not ended at `now`. */
export function isLeasedElsewhere(queued: QueuedNotice, runId: string, now: string): boolean {
  return (
    queued.lease !== undefined &&
    queued.lease.runId !== runId &&
    Date.parse(queued.lease.until) > Date.parse(now)
  );
}

/**
 * A run claims the outbox: `fresh` notices (this run's decision) join the end, unless a notice with the
 * same id is waiting already; past `limit` the oldest waiting notices no other run holds are parked;
 * then every notice no other live run holds is leased to this run until `leaseUntil` (ISO). Without
 * `leaseUntil` nothing is leased (a group that is not due yet: core/notice/grouping.ts).
 */
export function claimOutbox(
  outbox: ReceiverOutbox,
  fresh: readonly QueuedNotice[],
  context: OutboxContext & { readonly leaseUntil?: string },
): OutboxStep {
  const known = new Set(outbox.waiting.map((q) => q.notice.id));
  const joined = [...outbox.waiting, ...fresh.filter((q) => !known.has(q.notice.id))];
  const bounded = bound({ waiting: joined, parked: outbox.parked }, context);
  if (context.leaseUntil === undefined) return bounded;
  const waiting = leaseWaiting(bounded.outbox.waiting, context.runId, context.now, context.leaseUntil);
  return { ...bounded, outbox: { ...bounded.outbox, waiting } };
}

/**
 * Every notice of `waiting` no other live run holds, leased to `runId` until `leaseUntil` (ISO), but
 * for one held back behind its server: a notice whose server has an older notice here that another
 * live run holds is not leased (heldBehind), so that run sends the older one first and a later run
 * this one. Two runs overlapping on one gateway (a scheduled run and an alert's, two fan-out
 * invocations) would otherwise send a server's notices at once, out of order: a `recovered` that
 * arrives before the `degraded` it closes leaves the receiver's alert open for good (soak seed
 * 2112407395). A notice taken over from a run whose lease ran out is marked `mayHaveReached`: that run
 * may have sent it before it died or failed to record the delivery, and a release by this run must not
 * forget that.
 */
export function leaseWaiting(
  waiting: readonly QueuedNotice[],
  runId: string,
  now: string,
  leaseUntil: string,
): QueuedNotice[] {
  const lease: Lease = { runId, until: leaseUntil };
  const behind = heldBehind(waiting, runId, now);
  return waiting.map((q) => {
    if (isLeasedElsewhere(q, runId, now)) return q;
    if (behind.has(q.notice.id)) {
      // Not this run's to send now; a lease of its own from an earlier claim is given back.
      if (q.lease?.runId !== runId) return q;
      const { lease: _given, ...waitingOne } = q;
      return waitingOne;
    }
    return { ...q, lease, ...(q.lease && q.lease.runId !== runId ? { mayHaveReached: true } : {}) };
  });
}

/**
 * The notices of `waiting` (one receiver's, oldest first) held back behind an older notice of the same
 * server (noticeServerKey) that another run holds at `now`: by notice id, that older notice's lease.
 * They wait for it, so a receiver gets each server's notices in the order they were decided.
 */
export function heldBehind(
  waiting: readonly QueuedNotice[],
  runId: string,
  now: string,
): ReadonlyMap<string, Lease> {
  const held = new Map<string, Lease>();
  const holding = new Map<string, Lease>();
  for (const q of waiting) {
    const server = noticeServerKey(q.notice);
    const older = holding.get(server);
    if (isLeasedElsewhere(q, runId, now)) {
      if (!older) holding.set(server, q.lease as Lease);
    } else if (older) held.set(q.notice.id, older);
  }
  return held;
}

/**
 * Applies this run's send outcomes (by notice id) to the outbox as it is now (an overlapping run may
 * have added to it since the claim). Only notices leased to this run change: delivered ones leave; a
 * retryable failure keeps its place and id and counts one more failed run; a permanent refusal becomes
 * a dead letter with its reason; the others are released as they were. Then the bound is applied.
 * An episode one of whose notices was delivered, or may have reached the receiver (no HTTP answer),
 * is told to this receiver: its notices left waiting or parked no longer open it (`opensEpisode`
 * cleared), so its `recovered` goes (grouping.ts, dropEndedEpisodes).
 */
export function settleOutbox(
  outbox: ReceiverOutbox,
  outcomes: ReadonlyMap<string, SendOutcome>,
  context: OutboxContext,
): OutboxStep {
  const waiting: QueuedNotice[] = [];
  const delivered: QueuedNotice[] = [];
  const refused: DeadLetter[] = [];
  for (const queued of outbox.waiting) {
    if (queued.lease?.runId !== context.runId) {
      waiting.push(queued);
      continue;
    }
    const { lease: _released, ...released } = queued;
    const outcome = outcomes.get(queued.notice.id);
    if (outcome?.kind === 'delivered') {
      delivered.push(released);
    } else if (outcome?.kind === 'failed' && outcome.retryable) {
      waiting.push({
        ...released,
        failedRuns: queued.failedRuns + 1,
        lastError: outcome.reason,
        lastTriedAt: context.now,
        ...(outcome.mayHaveReached ? { mayHaveReached: true } : {}),
      });
    } else if (outcome?.kind === 'failed') {
      refused.push(
        deadLetter(
          released,
          queued.failedRuns + 1,
          context.now,
          outcome.reason,
          outcome.mayHaveReached === true,
        ),
      );
    } else {
      waiting.push(released);
    }
  }
  const told = toldOf(toldEpisodes(outbox.waiting, outcomes, context.runId));
  const parkedNow = refused.map(told);
  const bounded = bound(
    { waiting: waiting.map(told), parked: [...outbox.parked.map(told), ...parkedNow] },
    context,
  );
  const dropped = new Set(bounded.dropped);
  return { ...bounded, delivered, parked: [...parkedNow, ...bounded.parked].filter((l) => !dropped.has(l)) };
}

/**
 * Moves the dead letters `select` picks back to the front of the outbox (same ids, oldest first), so
 * the next run sends them before anything else. A picked letter `isOver` says is old news (a
 * `degraded` or reminder of an episode that has ended: re-sent, it would reopen an alert that is over)
 * is not re-queued but taken out (`over`), so it is not reported for ever. The rest stay parked.
 */
export function requeueDeadLetters(
  outbox: ReceiverOutbox,
  select: (letter: DeadLetter) => boolean,
  isOver: (letter: DeadLetter) => boolean = () => false,
): {
  readonly outbox: ReceiverOutbox;
  readonly requeued: readonly DeadLetter[];
  readonly over: readonly DeadLetter[];
} {
  const picked = outbox.parked.filter(select);
  const over = picked.filter(isOver);
  const requeued = picked.filter((letter) => !over.includes(letter));
  if (picked.length === 0) return { outbox, requeued, over };
  const ids = new Set(outbox.waiting.map((q) => q.notice.id));
  const back = requeued
    .filter((letter) => !ids.has(letter.notice.id))
    .map((letter): QueuedNotice => ({
      notice: letter.notice,
      queuedAt: letter.queuedAt,
      failedRuns: letter.failedRuns,
      lastError: `re-sent by hand after: ${letter.reason}`,
      // Still the episode's first to the receiver (or not): an episode that ends before it is accepted
      // leaves the receiver untold, and gets no `recovered` (grouping.ts, dropEndedEpisodes).
      ...(letter.opensEpisode ? { opensEpisode: true } : {}),
      ...(letter.mayHaveReached ? { mayHaveReached: true } : {}),
    }));
  return {
    outbox: {
      waiting: [...back, ...outbox.waiting],
      parked: outbox.parked.filter((l) => !picked.includes(l)),
    },
    requeued,
    over,
  };
}

/**
 * Past the bound (outboxBound) of waiting notices, the oldest that no other live run holds are parked
 * (a notice another run is sending may be delivered by it); past the bound of dead letters, the oldest
 * are dropped.
 */
function bound(outbox: ReceiverOutbox, context: OutboxContext): OutboxStep {
  const limit = outboxBound(context.limit, outbox.waiting);
  let excess = outbox.waiting.length - limit;
  const waiting: QueuedNotice[] = [];
  const parked: DeadLetter[] = [];
  for (const queued of outbox.waiting) {
    if (excess > 0 && !isLeasedElsewhere(queued, context.runId, context.now)) {
      const { lease: _dropped, ...rest } = queued;
      parked.push(
        deadLetter(
          rest,
          queued.failedRuns,
          context.now,
          `set aside unsent: more than ${counted(limit, 'notice')} ${limit === 1 ? 'was' : 'were'} waiting for this receiver (notify.outboxLimit, or two a server when that is more)`,
          // A lease here is one a run let run out (a live one is never parked): it may have sent it.
          queued.lease !== undefined,
        ),
      );
      excess--;
    } else {
      waiting.push(queued);
    }
  }
  const letters = [...outbox.parked, ...parked];
  const over = Math.max(0, letters.length - outboxBound(context.limit, letters));
  const dropped = letters.slice(0, over);
  return {
    outbox: { waiting, parked: letters.slice(over) },
    delivered: [],
    parked: parked.filter((letter) => !dropped.includes(letter)),
    dropped,
  };
}

/**
 * Most notices kept of `kept` (one receiver's waiting notices, or its dead letters): `limit`
 * (notify.outboxLimit), and never fewer than two per server among them (a server's `degraded` and
 * its `recovered`). The bound is for a receiver down for long, whose notices pile up run after run
 * (reminders, a server going bad again); a whole gateway going bad at once (a scale set, an AKS
 * cluster's pods: hundreds of servers in one pool) is one run's burst. A break trial's 300 servers down
 * in one run: all but 100 of their first notices were set aside, then dropped, in the run that decided
 * them, and the receivers never heard of 200 servers. Bounded all the same: by the servers of one
 * gateway.
 */
export function outboxBound(limit: number, kept: readonly { readonly notice: Notice }[]): number {
  const servers = new Set(kept.map((q) => noticeServerKey(q.notice))).size;
  return Math.max(1, Math.floor(limit), 2 * servers);
}

/** `queued` set aside; `reached`: a send of it may have reached the receiver. */
function deadLetter(
  queued: QueuedNotice,
  failedRuns: number,
  now: string,
  reason: string,
  reached: boolean,
): DeadLetter {
  return {
    notice: queued.notice,
    queuedAt: queued.queuedAt,
    failedRuns,
    parkedAt: now,
    reason,
    ...(queued.opensEpisode ? { opensEpisode: true } : {}),
    ...(reached || queued.mayHaveReached ? { mayHaveReached: true } : {}),
  };
}

/**
 * Episodes (episode.ts ids) this run told the receiver: a notice of theirs, leased to `runId`, was
 * delivered, or got no HTTP answer or a gateway's 502/504 (the receiver may hold it). A refusal it
 * answered told it nothing.
 */
function toldEpisodes(
  leased: readonly QueuedNotice[],
  outcomes: ReadonlyMap<string, SendOutcome>,
  runId: string,
): ReadonlySet<string> {
  const told = new Set<string>();
  for (const queued of leased) {
    if (queued.lease?.runId !== runId) continue;
    const outcome = outcomes.get(queued.notice.id);
    if (outcome?.kind === 'delivered' || (outcome?.kind === 'failed' && outcome.mayHaveReached === true))
      told.add(episodeId(queued.notice));
  }
  return told;
}

/** An entry of a `told` episode no longer opens it (its first notice reached, or may have, another way). */
function toldOf(told: ReadonlySet<string>) {
  return <T extends QueuedNotice | DeadLetter>(entry: T): T => {
    if (!entry.opensEpisode || !told.has(episodeId(entry.notice))) return entry;
    const { opensEpisode: _told, ...rest } = entry;
    return rest as T;
  };
}
