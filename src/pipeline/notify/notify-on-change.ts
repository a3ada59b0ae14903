import type { GatewayRef } from '../../core/model';
import { counted } from '../../core/counted';
import {
  recoverAfterOf,
  type NotifyPolicy,
  type Observation,
  type SilencedTransition,
} from '../../core/notice/decide';
import { decideWithInhibition, isGatewayScope } from '../../core/notice/inhibit';
import { mutedAtSend, mutedTransition, type MutedNotice } from '../../core/notice/mute';
import {
  DEFAULT_GROUP_TIMING,
  dropEndedEpisodes,
  dropOutlivedNotices,
  groupDue,
  groupDueAt,
  type GroupDue,
  openGroup,
  settleGroup,
  type GroupingMode,
  type GroupState,
} from '../../core/notice/grouping';
import {
  claimOutbox,
  heldBehind,
  isLeasedElsewhere,
  leaseWaiting,
  settleOutbox,
  type DeadLetter,
  type QueuedNotice,
  type SendOutcome,
} from '../../core/notice/outbox';
import { episodeId, episodeIsOver } from '../../core/notice/episode';
import { routeNotices } from '../../core/notice/receiver-rules';
import {
  heldByConfirmation,
  isEpisode,
  noticeServerKey,
  recordSeverity,
  serverKey,
  serverPath,
  type ServerRecord,
} from '../../core/notice/server-record';
import { keptOpenKeys, unexplainedAbsences } from '../../core/notice/absent-servers';
import { gatewayKey } from '../../core/arm-id';
import { isStateConflictError, StateConflictError, toError } from '../../errors';
import type { Clock, Notifier, StateStore } from '../../ports';
import type { Logger } from '../logger';
import type {
  AwaitingRecoveryReport,
  ConfirmationHeldReport,
  DroppedNoticeReport,
  EndedInGroupReport,
  GroupedNoticeReport,
  OpenEpisodesReport,
  ReportedError,
  UnconfirmedDeletionReport,
  OlderReadingReport,
  UnconfirmedRemovalReport,
  UndeliveredNoticeReport,
  UnreadGatewayReport,
  UnroutedReport,
} from '../../core/run-report';
import { reportedError } from '../../core/reported-error';
import {
  deliverGrouped,
  deliverOutbox,
  NOT_SENT_STOPPED,
  recordOutcome,
  type DeliveryRecord,
} from './deliver-outbox';
import { leaseHolder, leaseInMs } from './lease';
import type { RemovalCheck, UnconfirmedRemoval } from './confirm-removed';
import type { GoneAnswer, GoneCheck } from './confirm-gone';
import { withPastTimes } from './future-times';
import type { AdmitOptions, ReceiverBreaker } from './receiver-breaker';
import { deadLetterEntry, heldBehindReason, noticeEntryFields, waitingReason } from './notice-entries';
import { inReadingOrder } from './older-readings';
import { parseStateDocument, receiverOutbox, receiversOf, type NotifyStateDocument } from './state-document';
import { shownType } from '../../core/notice/notice-labels';

export interface NotifyDependencies {
  readonly store: StateStore<NotifyStateDocument>;
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  readonly clock: Clock;
  /** This run's receiver breaker (shared by the run's gateways). */
  readonly breaker: ReceiverBreaker;
  /** Most notices waiting, and most dead letters, per receiver and gateway (`notify.outboxLimit`). */
  readonly outboxLimit: number;
  /**
   * Asks the gateway's configuration about servers its reading lacks with their whole pool and settings
   * (confirm-removed.ts); absent: the reading's word stands.
   */
  readonly confirmRemoved?: RemovalCheck;
  /**
   * Given when this run's reading of the gateway answered 404 (GatewayNotFoundError: a gateway named by
   * id in the targets, deleted): ARM's word on whether it is gone (confirm-gone.ts; process-gateway.ts
   * asked it once, so this answers at once), taken only when its document holds an episode; gone, its
   * episodes end as its deletion (`recovered`, "no longer exists"), as a listing's deleted gateway's
   * do. Absent: a gateway not evaluated changes no episode.
   */
  readonly confirmGone?: GoneCheck;
  /** The gateway this document is of, when the caller knows it: what the report names (else the document's). */
  readonly gateway?: GatewayRef;
  /**
   * The run's stop (a signal, its deadline): the notices are still decided and recorded, but no send
   * starts once it fires and a send under way makes no further try (deliver-outbox.ts); they wait for
   * the next run. A receiver that hangs held a stopped run for its whole send budget, 51 s (a break
   * trial), past a container's 30 s grace, which then killed it before its report was written.
   */
  readonly stop?: AbortSignal;
  /** Passed to each receiver's breaker admission (receiver-breaker.ts AdmitOptions.whileProbed). */
  readonly whileProbed?: AdmitOptions['whileProbed'];
}

export interface NotifyOutcome {
  /** Notices decided by this run (before delivery). */
  readonly decided: number;
  /** Transitions silences held back this run (recorded, not sent). */
  readonly silenced: readonly SilencedTransition[];
  readonly deliveries: readonly DeliveryRecord[];
  /** Per configured receiver: notices still undelivered after this run. */
  readonly pending: Readonly<Record<string, number>>;
  /** Every notice not delivered after this run (waiting, held by another run's lease, dead letters). */
  readonly undelivered: readonly UndeliveredNoticeReport[];
  /** Removed from the state this run without being delivered (past the bound, or receiver removed). */
  readonly dropped: readonly DroppedNoticeReport[];
  /** Waiting for their group's timer (core/notice/grouping.ts): not in `undelivered`; absent: none. */
  readonly grouped?: readonly GroupedNoticeReport[];
  /**
   * Removed this run, never sent: their episode ended before their group was sent (grouping.ts,
   * dropEndedEpisodes); absent: none.
   */
  readonly endedInGroup?: readonly EndedInGroupReport[];
  /** Told episodes healthy again, waiting for more healthy runs before `recovered`; absent: none. */
  readonly awaitingRecovery?: readonly AwaitingRecoveryReport[];
  /** Servers found bad this run inside a confirmed fix's hold: no episode opened; absent: none. */
  readonly heldByConfirmation?: readonly ConfirmationHeldReport[];
  /** Servers a reading lacked that the configuration did not confirm removed (UnconfirmedRemovalReport); absent: none. */
  readonly unconfirmedRemovals?: readonly UnconfirmedRemovalReport[];
  /**
   * The backend pools of `unconfirmedRemovals` (as their records name them), each once: the reading did
   * not list them though the configuration may still have them, so the gateway's report says its reading
   * was incomplete (GatewayReport.poolsNotRead). Absent: none.
   */
  readonly unreadPools?: readonly string[];
  /** Gateways with open episodes this run did not read (UnreadGatewayReport); absent: none. */
  readonly unread?: readonly UnreadGatewayReport[];
  /** Readings not counted: a newer reading of their gateway was counted first (OlderReadingReport); absent: none. */
  readonly olderReadings?: readonly OlderReadingReport[];
  /**
   * Gateways this run did not read whose episodes ended because ARM confirmed them deleted
   * (notifyUnvisited), for their status-page history (a new-user trial: shown "stale", not deleted) and
   * the run report's `deletedUnlisted` (build-run-report.ts). Absent: none.
   */
  readonly deletedGateways?: readonly GatewayRef[];
  /** Gateways no listing showed, not confirmed deleted by ARM (UnconfirmedDeletionReport); absent: none. */
  readonly unconfirmedDeletions?: readonly UnconfirmedDeletionReport[];
  /** Open episodes whose `degraded` no receiver's match took (UnroutedReport); absent: none. */
  readonly unrouted?: readonly UnroutedReport[];
  /** Open episodes the state holds after this run, told or not (OpenEpisodesReport); absent: none. */
  readonly openEpisodes?: OpenEpisodesReport;
  /** The state document could not be read or written, or is not valid: named, never reset. */
  readonly stateErrors: readonly ReportedError[];
  /** False when this run decided and sent nothing: the state kept changing under it, or failed. */
  readonly claimed: boolean;
  /**
   * State documents this run could not claim because other runs wrote them first, every time it tried
   * (overlapping runs): their notices were left to those runs. Only that: a document that failed is in
   * `stateErrors`, not here.
   */
  readonly contended: readonly string[];
}

/** The outcome when nothing could be claimed (add `stateErrors` when the state is why). */
export const NOTHING_NOTIFIED: NotifyOutcome = {
  decided: 0,
  silenced: [],
  deliveries: [],
  pending: {},
  undelivered: [],
  dropped: [],
  stateErrors: [],
  claimed: false,
  contended: [],
};

const MAX_CONFLICT_RETRIES = 5;

/** The reason of a waiting notice another run queued after this run's claim (notifyOnChange). */
export const QUEUED_BY_ANOTHER_RUN =
  'queued by another run while this run was sending, not tried yet (often held behind this run’s older notice of the same server, so that the receiver gets them in order)';

/**
 * Decide → claim → send → settle, the order that keeps overlapping runs from deciding or sending the
 * same notice twice, and loses none when a receiver, a run or the state fails:
 * 1. claim: one ETag-conditional write records the decision, queues its notices in each receiver's
 *    outbox (bounded), and leases every notice no other live run holds to this run, for about two send
 *    budgets (lease.ts). A run that loses the race re-reads and decides again;
 * 2. send: the notices this run leased, per receiver, oldest first (deliver-outbox.ts);
 * 3. settle: the outbox rule (core/notice/outbox.ts) applied to the document as it is now.
 * Delivery is at least once, not exactly once: if this run dies before settling, or its settle write
 * fails, its leases expire and a later run sends the notices again with the same ids, so a receiver
 * that took one already gets it twice (by design: it de-duplicates on the id, README "Fault matrix").
 * Never throws: a state that cannot be read or written, or is not valid, is returned in `stateErrors`
 * naming the document, which is left as it is.
 */
export async function notifyOnChange(
  deps: NotifyDependencies,
  observation: Observation,
  policy: NotifyPolicy,
  runId: string,
): Promise<NotifyOutcome> {
  // This call's leases are its own, not the run's: see leaseHolder.
  const holder = leaseHolder(runId);
  let claim: Claim | undefined;
  try {
    claim = await claimNotices(deps, observation, policy, holder);
  } catch (error) {
    return { ...NOTHING_NOTIFIED, stateErrors: [stateError(deps, error)] };
  }
  if (!claim) return { ...NOTHING_NOTIFIED, contended: [deps.store.name] };
  const claimed = claim;
  // The notices this call leased: those it sends, each receiver's in its outbox's order.
  const leased = leasedBy(claimed.document, holder);
  const perReceiver = await Promise.all(
    deps.notifiers.map((notifier) =>
      (groupingOf(notifier, policy) === 'gateway' ? deliverGrouped : deliverOutbox)(
        notifier,
        leased.filter((l) => l.receiver === notifier.name).map((l) => l.queued.notice),
        {
          breaker: deps.breaker,
          clock: deps.clock,
          leaseUntilInMs: claimed.leaseUntilInMs.get(notifier.name) ?? 0,
          ...(deps.stop ? { stop: deps.stop } : {}),
          ...(deps.whileProbed ? { whileProbed: deps.whileProbed } : {}),
        },
      ),
    ),
  );
  const deliveries = markedMayHaveReachedBefore(perReceiver.flat(), leased);
  const claimedAt = observation.now.toISOString();
  // A call stopped before its claim leased nothing and sent nothing: it has nothing to settle, and
  // skips its read and write (a break trial's stop on a state account answering in 4.5 s waited for
  // each gateway's settle, in turn with its other requests: 44 s after the SIGINT).
  const stoppedUnleased = leased.length === 0 && deps.stop?.aborted === true;
  const settled: Settled = stoppedUnleased
    ? { document: claimed.document, dropped: [] }
    : await settle(deps, claimed.document, deliveries, holder, { policy, now: claimedAt });
  const notes = new Map(
    deliveries.flatMap((d) => (d.reason ? [[noteKey(d.receiver, d.noticeId), d.reason] as const] : [])),
  );
  // Why a notice held back at the claim was not sent, should its holder have settled since.
  for (const [receiver, waiting] of Object.entries(claimed.document.outbox)) {
    for (const [noticeId, older] of heldBehind(waiting, holder, claimedAt))
      if (!notes.has(noteKey(receiver, noticeId)))
        notes.set(noteKey(receiver, noticeId), heldBehindReason(older, 'was'));
  }
  // What a stopped call would have sent (not held behind another run's): why it waits, as deliver-outbox.ts says it of a send not started.
  if (stoppedUnleased)
    for (const [receiver, waiting] of Object.entries(claimed.document.outbox))
      for (const q of waiting)
        if (!q.lease && !notes.has(noteKey(receiver, q.notice.id)))
          notes.set(noteKey(receiver, q.notice.id), NOT_SENT_STOPPED);
  // Notices another run queued while this one was sending (often behind this run's own older notice
  // of the server): not this run's to send, and said so rather than "not sent yet".
  for (const [receiver, waiting] of Object.entries(settled.document.outbox)) {
    const claimedIds = new Set((claimed.document.outbox[receiver] ?? []).map((q) => q.notice.id));
    for (const q of waiting)
      if (
        !claimedIds.has(q.notice.id) &&
        q.lastError === undefined &&
        !notes.has(noteKey(receiver, q.notice.id))
      )
        notes.set(noteKey(receiver, q.notice.id), QUEUED_BY_ANOTHER_RUN);
  }
  return {
    decided: claimed.decided,
    silenced: claimed.silenced,
    deliveries,
    ...undeliveredIn(deps, settled.document, holder, notes, claimed.groupDueAt, claimed.muted),
    dropped: [...claimed.dropped, ...settled.dropped],
    ...(claimed.endedInGroup.length ? { endedInGroup: claimed.endedInGroup } : {}),
    ...(claimed.unconfirmedRemovals.length
      ? {
          unconfirmedRemovals: claimed.unconfirmedRemovals,
          unreadPools: claimed.unreadPools,
        }
      : {}),
    ...(claimed.unconfirmedDeletion ? { unconfirmedDeletions: [claimed.unconfirmedDeletion] } : {}),
    ...(claimed.older ? { olderReadings: [claimed.older] } : {}),
    ...episodesReported(
      claimed.document,
      observation.scope,
      policy,
      observation.now,
      new Set(deps.notifiers.map((n) => n.name)),
      // What is still waiting once this run's sends are settled: a degraded sent now was told.
      settled.document,
    ),
    stateErrors: settled.error ? [settled.error] : [],
    claimed: true,
    contended: [],
  };
}

/**
 * What a gateway's state holds undelivered, without claiming or sending anything (a gateway this run
 * neither evaluated nor has notices to send for: its dead letters are still reported, every run).
 */
export async function reviewOutbox(deps: NotifyDependencies, runId: string): Promise<NotifyOutcome> {
  try {
    const document = parseStateDocument((await deps.store.read())?.value, deps.store.name);
    return { ...NOTHING_NOTIFIED, claimed: true, ...undeliveredIn(deps, document, runId, new Map()) };
  } catch (error) {
    return { ...NOTHING_NOTIFIED, stateErrors: [stateError(deps, error)] };
  }
}

interface Claim {
  readonly document: NotifyStateDocument;
  readonly decided: number;
  readonly silenced: readonly SilencedTransition[];
  /** Per receiver: the waiting notices a silence held at their send (by notice id), not leased. */
  readonly muted: ReadonlyMap<string, ReadonlyMap<string, MutedNotice>>;
  readonly dropped: readonly DroppedNoticeReport[];
  /** Notices whose episode ended before their group was sent: removed, never sent. */
  readonly endedInGroup: readonly EndedInGroupReport[];
  /** Per receiver: when this run's lease ends (ms since the epoch). */
  readonly leaseUntilInMs: ReadonlyMap<string, number>;
  /** Receivers whose group is not due this run → when it will be (ISO) and which setting says so. */
  readonly groupDueAt: ReadonlyMap<
    string,
    GroupDue
  >; /** Servers kept open because the configuration did not confirm their absence (confirm-removed.ts). */
  readonly unconfirmedRemovals: readonly UnconfirmedRemovalReport[];
  /** Their backend pools, each once (NotifyOutcome.unreadPools). */
  readonly unreadPools: readonly string[];
  /** ARM's GET did not confirm the deletion its backend-health call's 404 said (deps.confirmGone); absent: not asked, or gone. */
  readonly unconfirmedDeletion?: UnconfirmedDeletionReport;
  /** The reading was older than the newest one counted for the gateway: it decided nothing (older-readings.ts). */
  readonly older?: OlderReadingReport;
}

async function claimNotices(
  deps: NotifyDependencies,
  observation: Observation,
  policy: NotifyPolicy,
  holder: string,
): Promise<Claim | undefined> {
  const now = observation.now.toISOString();
  // Asked once per distinct set of absences: a retry after a conflict usually finds the same ones.
  const removals = new Map<string, readonly UnconfirmedRemoval[]>();
  // Asked once per call (deps.confirmGone), whatever the retries after a conflict.
  let goneAnswer: GoneAnswer | undefined;
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await deps.store.read();
    const past = withPastTimes(
      parseStateDocument(stored?.value, deps.store.name),
      observation.now,
      observation.readAt,
    );
    const previous = past.document;
    if (past.taken > 0 && attempt === 0)
      deps.logger.warn(
        `${deps.store.name}: ${counted(past.taken, 'time')} later than this run's clock (up to ${past.latest ?? 'a lease far ahead'}) ${past.taken === 1 ? 'was' : 'were'} taken as now: a run whose clock was ahead wrote ${past.taken === 1 ? 'it' : 'them'}, and ${past.taken === 1 ? 'it' : 'they'} would hold its notices until then; check the clocks of the machines that run appgw-insights`,
      );
    // Older than a reading already counted (a continuation taken late): it decides nothing, asks nothing.
    const ordered = inReadingOrder(previous, observation, gatewayOf(deps, previous));
    const reading = ordered.observation;
    const unconfirmed = await unconfirmedRemovalsOf(deps, previous, reading, removals);
    if (deps.confirmGone && !goneAnswer && ordered.counts) {
      const told = Object.values(previous.servers).find(isEpisode);
      if (told) goneAnswer = await deps.confirmGone(told.gateway);
    }
    const seen: Observation =
      goneAnswer?.gone && ordered.counts ? { ...reading, isGone: () => true } : reading;
    const decision = decideWithInhibition(
      previous.servers,
      unconfirmed.length
        ? {
            ...seen,
            keptOpen: keptOpenKeys(
              previous.servers,
              unconfirmed.map((u) => u.record),
            ),
            // Short of a pool with a told server: "every pool bad" is not known either (inhibit.ts).
            incomplete: new Set([
              ...(seen.incomplete ?? []),
              ...unconfirmed.map((u) => gatewayKey(u.record.gateway.id)),
            ]),
          }
        : seen,
      policy,
    );
    // Each receiver's rules pick from the one decision (match, sendResolved), and each told episode
    // records its receivers, so its `recovered` goes to exactly them (receiver-rules.ts).
    const routing = routeNotices(decision, previous.servers, deps.notifiers);
    const outbox: Record<string, readonly QueuedNotice[]> = {};
    const deadLetters: Record<string, readonly DeadLetter[]> = {};
    const groups: Record<string, GroupState> = {};
    const dropped: DroppedNoticeReport[] = [];
    const endedInGroup: EndedInGroupReport[] = [];
    const leaseUntilInMs = new Map<string, number>();
    const groupDueAtOf = new Map<string, GroupDue>();
    /** Per receiver, the waiting notices a silence held at their send (mutedAtSend). */
    const muted = new Map<string, ReadonlyMap<string, MutedNotice>>();
    /** The held notices as the report says them: once per server and type, whatever the receivers. */
    const mutedNow = new Map<string, SilencedTransition>();
    for (const notifier of deps.notifiers) {
      const until = observation.now.getTime() + leaseInMs(notifier.sendBudgetInMs);
      leaseUntilInMs.set(notifier.name, until);
      // Queued notices were routed when they were decided: a changed `match` leaves them to be sent.
      const taken: QueuedNotice[] = (routing.notices.get(notifier.name) ?? []).map((notice) => ({
        notice,
        queuedAt: now,
        failedRuns: 0,
        ...(opensEpisodeFor(notifier.name, notice, previous.servers) ? { opensEpisode: true } : {}),
      }));
      const step = claimOutbox(receiverOutbox(previous, notifier.name), taken, {
        now,
        runId: holder,
        limit: deps.outboxLimit,
      });
      const mode = groupingOf(notifier, policy);
      // An episode that ended before this receiver was told of it gets nothing more, and one that
      // ended while its notices waited for the group is not news any more (grouping.ts).
      const ended = dropEndedEpisodes(step.outbox.waiting, holder, now, step.outbox.parked, mode);
      // A receiver that takes no `recovered` of an episode (sendResolved: false, its `match`) has no
      // notice that ends it waiting: what waits of an episode that is over is dropped too (grouping.ts).
      const outlived = dropOutlivedNotices(ended.waiting, holder, now, (notice) =>
        episodeIsOver(notice, routing.servers),
      );
      let waiting = outlived.waiting;
      endedInGroup.push(
        ...[...ended.endedLetters, ...ended.ended].map((entry) =>
          endedReport(notifier.name, entry, ended.untoldBy.get(episodeId(entry.notice))),
        ),
        ...outlived.ended.map((entry) => ({
          ...noticeEntryFields(notifier.name, entry),
          queuedAt: entry.queuedAt,
          reason: OUTLIVED_REASON,
        })),
      );
      // Grouping: the receiver's notices wait in its outbox until the group is due (grouping.ts).
      let due = true;
      if (mode === 'gateway') {
        const group = openGroup(previous.groups?.[notifier.name], waiting, now);
        if (group) groups[notifier.name] = group;
        const timing = policy.groupTiming ?? DEFAULT_GROUP_TIMING;
        due = groupDue(waiting, group, now, timing);
        if (!due && group) groupDueAtOf.set(notifier.name, groupDueAt(group, timing));
      }
      // Stopped already: nothing will be sent, so nothing is leased. A lease left on notices that were
      // never sent (its settle write cut short by the stop) read as "perhaps received": the next run
      // counted their episodes as told, and said the receiver had perhaps had them (a break trial).
      // A silence added since a notice was decided holds it at its send too (mute.ts): not leased, so
      // not sent; it waits, unleased, for the first run after the silence. Said as silenced whether or
      // not its group is due (a break trial: "held for the group's next message … the first run after
      // then sends it" of a notice the silence would hold 20 minutes more).
      const held = mutedAtSend(waiting, policy.silences ?? [], observation.now, routing.servers);
      if (held.size > 0) muted.set(notifier.name, held);
      for (const q of waiting) {
        const holding = held.get(q.notice.id);
        if (holding && !isLeasedElsewhere(q, holder, now))
          mutedNow.set(`${noticeServerKey(q.notice)}\n${q.notice.type}`, mutedTransition(q.notice, holding));
      }
      if (due && !deps.stop?.aborted) {
        const leased = leaseWaiting(
          waiting.filter((q) => !held.has(q.notice.id)),
          holder,
          now,
          new Date(until).toISOString(),
        );
        const byId = new Map(leased.map((q) => [q.notice.id, q]));
        waiting = waiting.map((q) => byId.get(q.notice.id) ?? withoutOwnLease(q, holder));
      }
      outbox[notifier.name] = waiting;
      deadLetters[notifier.name] = ended.parked;
      dropped.push(...step.dropped.map((letter) => droppedLetter(notifier.name, letter, deps.outboxLimit)));
    }
    // An episode told to a receiver this run does not have ends here all the same (kept open, a renamed
    // receiver's would never end): its `recovered` for that receiver is said to be dropped, never lost
    // in silence (a break trial: another deployment sharing the state ended it, and told no one).
    for (const { receiver, notice } of routing.unrouted)
      dropped.push(droppedReport(receiver, { notice }, notConfiguredReason(receiver)));
    const configured = new Set(deps.notifiers.map((n) => n.name));
    for (const gone of receiversOf(previous).filter((name) => !configured.has(name))) {
      const { waiting, parked } = receiverOutbox(previous, gone);
      const reason = notConfiguredReason(gone);
      dropped.push(...[...waiting, ...parked].map((entry) => droppedReport(gone, entry, reason)));
    }
    const document: NotifyStateDocument = {
      ...previous,
      servers: routing.servers,
      outbox,
      deadLetters,
      groups,
      ...(ordered.newestReadingAt !== undefined ? { newestReadingAt: ordered.newestReadingAt } : {}),
    };
    try {
      await deps.store.write(document, stored?.etag);
      logDropped(deps.logger, dropped);
      return {
        document,
        decided: decision.notices.length,
        // A server whose transition the decision held is said once, by the decision.
        silenced: [
          ...decision.silenced,
          ...[...mutedNow.values()].filter(
            (m) => !decision.silenced.some((d) => d.serverKey === m.serverKey && d.type === m.type),
          ),
        ],
        muted,
        dropped,
        endedInGroup,
        leaseUntilInMs,
        groupDueAt: groupDueAtOf,
        ...(ordered.older ? { older: ordered.older } : {}),
        ...(goneAnswer && !goneAnswer.gone && ordered.counts
          ? {
              unconfirmedDeletion: {
                gateway: Object.values(previous.servers).find(isEpisode)?.gateway.id ?? '',
                reason: goneAnswer.reason,
                document: deps.store.name,
                notFoundBy: 'backendHealth' as const,
              },
            }
          : {}),
        unconfirmedRemovals: unconfirmed.map(({ record, reason }) => ({
          gateway: record.gateway.id,
          server: serverPath(record),
          reason,
        })),
        unreadPools: [...new Set(unconfirmed.map(({ record }) => record.backendPool))],
      };
    } catch (error) {
      if (!isStateConflictError(error)) throw error;
      deps.logger.info(`${deps.store.name} changed under this run (an overlapping run); deciding again`);
    }
  }
  // Reported by the caller with the run's other notify problems (contended, undelivered-summary.ts).
  return undefined;
}

/** The gateway `previous` is of, as the report names it: the caller's, a record's, else the document's name. */
function gatewayOf(deps: NotifyDependencies, previous: NotifyStateDocument): string {
  return deps.gateway?.id ?? Object.values(previous.servers)[0]?.gateway.id ?? deps.store.name;
}

/**
 * The absences of this reading the configuration does not confirm (confirm-removed.ts), asked through
 * `deps.confirmRemoved` only when there are any; `asked` keeps the answers of this call's attempts.
 */
async function unconfirmedRemovalsOf(
  deps: NotifyDependencies,
  previous: NotifyStateDocument,
  observation: Observation,
  asked: Map<string, readonly UnconfirmedRemoval[]>,
): Promise<readonly UnconfirmedRemoval[]> {
  if (!deps.confirmRemoved) return [];
  const absent = unexplainedAbsences(previous.servers, observation.evaluated);
  const [first] = absent;
  if (!first) return [];
  const key = absent
    .map((r) => serverKey(r))
    .sort()
    .join('\n');
  let answer = asked.get(key);
  if (!answer) {
    answer = await deps.confirmRemoved(first.gateway, absent);
    asked.set(key, answer);
  }
  // Said with the run's other notify problems (undelivered-summary.ts), once, not per attempt.
  return answer;
}

interface Settled {
  /** The document as written, or (when it could not be) as this run meant to write it. */
  readonly document: NotifyStateDocument;
  readonly dropped: readonly DroppedNoticeReport[];
  readonly error?: ReportedError;
}

/**
 * Applies this run's outcomes with the outbox rule to whatever the document holds now (an overlapping
 * run may have added to it), retried on conflict. When the state cannot be written, the deliveries
 * stay unrecorded: the leases expire and the delivered notices are sent again (same ids).
 */
async function settle(
  deps: NotifyDependencies,
  claimed: NotifyStateDocument,
  deliveries: readonly DeliveryRecord[],
  holder: string,
  grouping: { readonly policy: NotifyPolicy; readonly now: string },
): Promise<Settled> {
  const deliveredTo = new Set(deliveries.filter((d) => d.outcome === 'delivered').map((d) => d.receiver));
  const outcomes = new Map<string, Map<string, SendOutcome>>();
  for (const record of deliveries) {
    const forReceiver = outcomes.get(record.receiver) ?? new Map<string, SendOutcome>();
    forReceiver.set(record.noticeId, recordOutcome(record));
    outcomes.set(record.receiver, forReceiver);
  }
  const apply = (current: NotifyStateDocument) => {
    const context = { now: deps.clock.now().toISOString(), runId: holder, limit: deps.outboxLimit };
    const outbox: Record<string, readonly QueuedNotice[]> = { ...current.outbox };
    const deadLetters: Record<string, readonly DeadLetter[]> = { ...current.deadLetters };
    const groups: Record<string, GroupState> = {};
    const dropped: DroppedNoticeReport[] = [];
    const openEpisodes = Object.values(current.servers).some((record) => record.notified !== undefined);
    for (const notifier of deps.notifiers) {
      const { name } = notifier;
      const step = settleOutbox(receiverOutbox(current, name), outcomes.get(name) ?? new Map(), context);
      outbox[name] = step.outbox.waiting;
      deadLetters[name] = step.outbox.parked;
      dropped.push(...step.dropped.map((letter) => droppedLetter(name, letter, deps.outboxLimit)));
      if (groupingOf(notifier, grouping.policy) !== 'gateway') continue;
      // The group's timers, in the runs' observed time (`flushedAt` = this run's time).
      const group = settleGroup(current.groups?.[name], {
        delivered: deliveredTo.has(name),
        waiting: step.outbox.waiting.length,
        openEpisodes,
        now: grouping.now,
      });
      if (group) groups[name] = group;
    }
    return { document: { ...current, outbox, deadLetters, groups }, dropped };
  };
  try {
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      const stored = await deps.store.read();
      const next = apply(parseStateDocument(stored?.value, deps.store.name));
      try {
        await deps.store.write(next.document, stored?.etag);
        logDropped(deps.logger, next.dropped);
        return next;
      } catch (error) {
        if (!isStateConflictError(error)) throw error;
      }
    }
    throw new StateConflictError(deps.store.name);
  } catch (error) {
    const reported = stateError(deps, error);
    return {
      ...apply(claimed),
      error: {
        ...reported,
        message: `${reported.message} This run's deliveries are not recorded: once its leases end, the delivered notices are sent again (same ids).`,
      },
    };
  }
}

/**
 * `queued` without a lease of this run's (`holder`): a notice held back now that an earlier claim of this
 * run had leased (a claim tried again after a conflict) is not this run's to send. Others' leases stay.
 */
function withoutOwnLease(queued: QueuedNotice, holder: string): QueuedNotice {
  if (queued.lease?.runId !== holder) return queued;
  const { lease: _given, ...rest } = queued;
  return rest;
}

/** Every notice `document` holds undelivered, with why and when it will be tried again. */
function undeliveredIn(
  deps: Pick<NotifyDependencies, 'notifiers' | 'clock'>,
  document: NotifyStateDocument,
  holder: string,
  notes: ReadonlyMap<string, string>,
  groupDueAt: ReadonlyMap<string, GroupDue> = new Map(),
  muted: ReadonlyMap<string, ReadonlyMap<string, MutedNotice>> = new Map(),
): Pick<NotifyOutcome, 'undelivered' | 'pending' | 'grouped'> {
  const now = deps.clock.now().toISOString();
  const undelivered: UndeliveredNoticeReport[] = [];
  const grouped: GroupedNoticeReport[] = [];
  for (const receiver of receiversOf(document)) {
    const { waiting, parked } = receiverOutbox(document, receiver);
    const due = groupDueAt.get(receiver);
    const behind = heldBehind(waiting, holder, now);
    for (const queued of waiting) {
      // Held by a silence at its send: said with the run's silenced transitions, not undelivered.
      if (!queued.lease && muted.get(receiver)?.has(queued.notice.id)) continue;
      if (due !== undefined && !queued.lease && queued.failedRuns === 0 && queued.lastError === undefined) {
        // Waiting for its group's timer: on time, not undelivered (core/notice/grouping.ts).
        grouped.push({
          ...noticeEntryFields(receiver, queued),
          queuedAt: queued.queuedAt,
          dueAt: due.at,
          dueBy: due.by,
        });
        continue;
      }
      const base = {
        ...noticeEntryFields(receiver, queued),
        queuedAt: queued.queuedAt,
        failedRuns: queued.failedRuns,
      };
      if (queued.lease && isLeasedElsewhere(queued, holder, now)) {
        undelivered.push({
          ...base,
          status: 'leased',
          reason: `held by run ${queued.lease.runId} (sending it) until ${queued.lease.until}`,
          retry: 'after-lease',
          leasedBy: queued.lease.runId,
          leasedUntil: queued.lease.until,
        });
      } else {
        const reason = waitingReason(
          queued,
          behind.get(queued.notice.id),
          notes.get(noteKey(receiver, queued.notice.id)),
        );
        undelivered.push({ ...base, status: 'waiting', reason, retry: 'next-run' });
      }
    }
    for (const letter of parked) {
      undelivered.push(deadLetterEntry(receiver, letter));
    }
  }
  const pending: Record<string, number> = Object.fromEntries(deps.notifiers.map((n) => [n.name, 0]));
  for (const { receiver } of undelivered) pending[receiver] = (pending[receiver] ?? 0) + 1;
  return { undelivered, pending, ...(grouped.length ? { grouped } : {}) };
}

/** The told episodes of `document` counting healthy runs toward `notify.recoverAfter` (decide.ts). */
function awaitingRecoveryIn(
  document: NotifyStateDocument,
  policy: NotifyPolicy,
): Pick<NotifyOutcome, 'awaitingRecovery'> {
  const recoverAfter = recoverAfterOf(policy);
  const awaiting = Object.values(document.servers)
    .filter((record) => record.notified !== undefined && (record.goodRuns ?? 0) > 0)
    .map((record): AwaitingRecoveryReport => ({
      gateway: record.gateway.id,
      server: serverPath(record),
      goodRuns: record.goodRuns ?? 0,
      recoverAfter,
      degradedSince: record.degradedSince,
    }));
  return awaiting.length ? { awaitingRecovery: awaiting } : {};
}

/**
 * What notify reports, without deciding or writing anything, of the episodes of `document`'s servers in
 * `scope` (every server without one): open (told, not yet told, told to no receiver, or only to
 * receivers no longer among `configured` …), awaiting
 * recovery, held by a confirmation. What a run reports after deciding, and what a recheck that confirmed
 * no server reports (issue 17's fourth trial: a recheck of a pool still all bad printed no notify line,
 * where a run says "1 open episode already told"). `settled`: the document once the run's sends are
 * settled (default `document`): an episode whose `degraded` still waits in every outbox it was routed
 * to (held for its group) is not yet told.
 */
export function episodesReported(
  document: NotifyStateDocument,
  scope: ReadonlySet<string> | undefined,
  policy: NotifyPolicy,
  now: Date,
  configured: ReadonlySet<string>,
  settled: NotifyStateDocument = document,
): Pick<NotifyOutcome, 'openEpisodes' | 'unrouted' | 'awaitingRecovery' | 'heldByConfirmation'> {
  const mine = inScope(document, scope);
  return {
    ...awaitingRecoveryIn(mine, policy),
    ...heldByConfirmationIn(mine, now),
    ...openEpisodesIn(mine, configured, settled),
  };
}

/** `document` with only the servers of `scope` (Observation.scope); all of them without one. */
function inScope(document: NotifyStateDocument, scope: ReadonlySet<string> | undefined): NotifyStateDocument {
  if (scope === undefined) return document;
  return {
    ...document,
    servers: Object.fromEntries(Object.entries(document.servers).filter(([key]) => scope.has(key))),
  };
}

/**
 * The open episodes of `document` still bad (none counting toward `notify.recoverAfter`: those are
 * awaitingRecovery): told (`degraded` decided; reminded per `notify.repeatInterval`), told to no
 * receiver (`unrouted`, counted as `noReceiver`), and not told yet (short of `notify.for`; one a silence
 * holds is in `silenced`). So a run that sends nothing can say why.
 */
function openEpisodesIn(
  document: NotifyStateDocument,
  configured: ReadonlySet<string>,
  settled: NotifyStateDocument,
): Pick<NotifyOutcome, 'openEpisodes' | 'unrouted'> {
  const records = Object.values(document.servers);
  // Gateways whose gateway-level episode is open (inhibit.ts): their servers' degraded is held by it,
  // not by notify.for, until it ends (after notify.recoverAfter runs not all bad).
  const inhibiting = new Set(
    records.filter((r) => isGatewayScope(r) && isEpisode(r)).map((r) => gatewayKey(r.gateway.id)),
  );
  const open = records.filter((r) => isEpisode(r) && (r.goodRuns ?? 0) === 0);
  // A `degraded` no receiver's match took leaves `receivers` empty: decided, told to nobody. One told
  // only to receivers since renamed or removed is told to nobody now either: its notice to them was
  // dropped undelivered, and "already told" hid it (a break trial).
  const unrouted = open
    .filter((r) => r.notified?.receivers?.every((name) => !configured.has(name)) === true)
    .map((r): UnroutedReport => {
      const toldTo = r.notified?.receivers ?? [];
      return {
        gateway: r.gateway.id,
        server: serverPath(r),
        severity: r.notified?.severity ?? recordSeverity(r),
        degradedSince: r.degradedSince,
        ...(toldTo.length ? { toldTo } : {}),
      };
    });
  const noReceiver = unrouted.length;
  // Decided but waiting in the outbox of every receiver it was routed to (held for its group's next
  // message, or not accepted yet): nobody was told, though `notified` is set (a break trial: "2 open
  // episodes already told" of one whose degraded only waited for `groupWait`).
  const waiting = waitingDegraded(settled);
  const unsent = (r: ServerRecord) => {
    const receivers = (r.notified?.receivers ?? []).filter((name) => configured.has(name));
    return receivers.length > 0 && receivers.every((name) => waiting.get(name)?.has(serverKey(r)));
  };
  const toldRecords = open.filter((r) => r.notified !== undefined);
  const waitingToBeSent = toldRecords.filter(unsent).length;
  const told = toldRecords.length - noReceiver - waitingToBeSent;
  const untold = open.filter((r) => r.notified === undefined && r.silenced === undefined);
  const held = (r: ServerRecord) => !isGatewayScope(r) && inhibiting.has(gatewayKey(r.gateway.id));
  const inhibited = untold.filter(held).length;
  // Not "not told yet (notify.for)": each is said by why it waits (a new-user trial read one notice held
  // for its group twice, once as held and once as short of notify.for).
  const notYetTold = untold.length - inhibited;
  return {
    ...openEpisodesReport({ told, notYetTold, inhibited, noReceiver, waiting: waitingToBeSent }),
    ...(unrouted.length ? { unrouted } : {}),
  };
}

/**
 * Per receiver, the server keys of the `degraded` notices waiting in its outbox in `document` that open
 * their episode to it (QueuedNotice.opensEpisode): a raise or changed cause of an episode it was told
 * was counted as not told (a break trial: "3 open episodes already told" of 4).
 */
function waitingDegraded(document: NotifyStateDocument): Map<string, Set<string>> {
  const waiting = new Map<string, Set<string>>();
  for (const [receiver, queued] of Object.entries(document.outbox)) {
    const keys = new Set(
      queued
        .filter((q) => q.notice.type === 'degraded' && q.opensEpisode === true)
        .map((q) =>
          serverKey({
            gateway: q.notice.gateway,
            backendPool: q.notice.backendPool,
            backendSettings: q.notice.backendSettings,
            address: q.notice.server.address,
          }),
        ),
    );
    waiting.set(receiver, keys);
  }
  return waiting;
}

/**
 * `openEpisodes` for these counts (one gateway's, or the gateways' summed: notify-gateways.ts), with
 * `inhibited`, `noReceiver` and `waiting` left out when zero; absent when every count is zero.
 */
export function openEpisodesReport(
  counts: Required<OpenEpisodesReport>,
): Pick<NotifyOutcome, 'openEpisodes'> {
  const { told, notYetTold, inhibited, noReceiver, waiting } = counts;
  return told || notYetTold || inhibited || noReceiver || waiting
    ? {
        openEpisodes: {
          told,
          notYetTold,
          ...(inhibited ? { inhibited } : {}),
          ...(noReceiver ? { noReceiver } : {}),
          ...(waiting ? { waiting } : {}),
        },
      }
    : {};
}

/**
 * The servers this run found bad inside the hold of a confirmed fix (ServerRecord.confirmed: the
 * reading was recorded at `now`, no episode opened), so a run that lists them bad and sends nothing
 * says why.
 */
function heldByConfirmationIn(
  document: NotifyStateDocument,
  now: Date,
): Pick<NotifyOutcome, 'heldByConfirmation'> {
  const at = now.toISOString();
  const held = Object.values(document.servers)
    .filter((r) => heldByConfirmation(r, now) && r.confirmed?.lastBadAt === at)
    .map((r): ConfirmationHeldReport => ({
      gateway: r.gateway.id,
      server: serverPath(r),
      confirmedAt: r.confirmed?.at ?? '',
      until: r.confirmed?.until ?? '',
    }));
  return held.length ? { heldByConfirmation: held } : {};
}

/**
 * Whether `notice` is its episode's first to `receiver`: a `degraded` for a server whose episode had
 * not been told to it (no record told, or one told to other receivers only). An episode told by a
 * release that did not record receivers went to every receiver.
 */
function opensEpisodeFor(
  receiver: string,
  notice: QueuedNotice['notice'],
  previous: Readonly<Record<string, ServerRecord>>,
): boolean {
  if (notice.type !== 'degraded') return false;
  const told = previous[noticeServerKey(notice)]?.notified;
  if (!told) return true;
  return told.receivers !== undefined && !told.receivers.includes(receiver);
}

/** Why a notice of an episode that is over was dropped for a receiver no `recovered` of it goes to. */
const OUTLIVED_REASON =
  'not sent: the episode is over and no recovered of it goes to this receiver (sendResolved: false, or its match); sent now, it would open an alert nothing closes';

/**
 * Why `entry` was removed unsent: its episode ended while it waited for the group (told, or never
 * tried: `untoldBy` a notice waiting for its group), or before the receiver accepted the episode's
 * first notice (`untoldBy`: that notice, refused as a dead letter or kept after failed sends).
 */
function endedReport(
  receiver: string,
  entry: QueuedNotice | DeadLetter,
  untoldBy: QueuedNotice | DeadLetter | undefined,
): EndedInGroupReport {
  const recovered = entry.notice.type === 'recovered';
  const base = { ...noticeEntryFields(receiver, entry), queuedAt: entry.queuedAt };
  if (!untoldBy || (!('parkedAt' in untoldBy) && untoldBy.lastError === undefined))
    return {
      ...base,
      reason: `ended before its group was sent: ${recovered ? 'the receiver was never told of the episode' : 'the episode is over'}`,
    };
  const first =
    'parkedAt' in untoldBy
      ? `dead letter: ${untoldBy.reason}`
      : `waiting: ${untoldBy.lastError ?? 'not sent yet'}`;
  const never = `the receiver never accepted the episode's first notice (${first})`;
  return {
    ...base,
    reason: recovered
      ? `not sent: ${never}, so there is nothing to resolve`
      : 'parkedAt' in entry
        ? `dropped, not to be re-sent: the episode is over and ${never}; re-sent, it would open an alert nothing closes`
        : `not sent: the episode is over and ${never}`,
  };
}

/**
 * Why a notice for `receiver` is dropped: this run has no receiver of that name (renamed or removed, or
 * another deployment's sharing the notify state: each deployment needs its own).
 */
function notConfiguredReason(receiver: string): string {
  return `${receiver} is no longer configured (renamed or removed; if another deployment has it and shares this notify state, give each deployment its own)`;
}

function droppedReport(
  receiver: string,
  entry: { readonly notice: QueuedNotice['notice'] },
  reason: string,
): DroppedNoticeReport {
  return { ...noticeEntryFields(receiver, entry), reason };
}

function droppedLetter(receiver: string, letter: DeadLetter, limit: number): DroppedNoticeReport {
  return droppedReport(
    receiver,
    letter,
    `more dead letters for this receiver than are kept (notify.outboxLimit ${limit}, or two a server when that is more); it had been set aside: ${letter.reason}`,
  );
}

/** Notices dropped undelivered logged one by one per receiver and document; the rest in one line. */
const DROPPED_LOGGED = 5;

/**
 * One warning per notice dropped, up to DROPPED_LOGGED a receiver, then one counting the rest (a
 * break trial's gateway of 10 000 servers logged 39 229 lines): report.json lists each.
 */
function logDropped(logger: Logger, dropped: readonly DroppedNoticeReport[]): void {
  const byReceiver = new Map<string, DroppedNoticeReport[]>();
  for (const d of dropped) byReceiver.set(d.receiver, [...(byReceiver.get(d.receiver) ?? []), d]);
  for (const [receiver, notices] of byReceiver) {
    for (const d of notices.slice(0, DROPPED_LOGGED))
      logger.warn(
        `${d.receiver}: notice ${d.noticeId} (${shownType(d)} ${d.server}) dropped undelivered: ${d.reason}`,
      );
    const rest = notices.length - DROPPED_LOGGED;
    if (rest > 0)
      logger.warn(
        `${receiver}: ${counted(rest, 'more notice')} of ${notices[0]?.server.split('/')[0] ?? 'this gateway'} dropped undelivered, as above (report.json: notifications.dropped lists each, with why)`,
      );
  }
}

/** A state failure as the report shows it, naming the document (adapters' errors already do). */
function stateError(deps: Pick<NotifyDependencies, 'store' | 'logger'>, error: unknown): ReportedError {
  const reported = reportedError(toError(error));
  const withDocument = { ...reported, document: reported.document ?? deps.store.name };
  deps.logger.error(withDocument.message);
  return withDocument;
}

/** A receiver's grouping: its own, else the policy's, else `server` (core/notice/grouping.ts). */
export function groupingOf(
  notifier: Pick<Notifier, 'grouping'>,
  policy: Pick<NotifyPolicy, 'grouping'>,
): GroupingMode {
  return notifier.grouping ?? policy.grouping ?? 'server';
}

function noteKey(receiver: string, noticeId: string): string {
  return `${receiver}\u0000${noticeId}`;
}

/**
 * `deliveries` with each one delivered of a notice an earlier send may have reached marked
 * (`mayHaveReachedBefore`): the notices this call leased (`leased`) that carry
 * QueuedNotice.mayHaveReached, and those whose own earlier try in this send may have. A trial: the run after one whose state write a stop cut short sent its
 * notices again (same ids, at least once) and said "2 delivered" with no word that the receiver had
 * likely had them.
 */
function markedMayHaveReachedBefore(
  deliveries: readonly DeliveryRecord[],
  leased: readonly LeasedNotice[],
): DeliveryRecord[] {
  const before = new Set(
    leased
      .filter(({ queued }) => queued.mayHaveReached === true)
      .map(({ receiver, queued }) => noteKey(receiver, queued.notice.id)),
  );
  // Or one of its own tries before the one accepted may have reached it (no answer, a gateway's 502 or
  // 504), and the receiver got it twice in one run (a break trial: 2.3 s apart, "1 delivered").
  const triedBefore = (d: DeliveryRecord) =>
    (d.result?.attempts ?? []).slice(0, -1).some((a) => a.mayHaveReached === true);
  return deliveries.map((d) =>
    d.outcome === 'delivered' && (before.has(noteKey(d.receiver, d.noticeId)) || triedBefore(d))
      ? { ...d, mayHaveReachedBefore: true as const }
      : d,
  );
}

/** A notice of one receiver's outbox, as claimed. */
interface LeasedNotice {
  readonly receiver: string;
  readonly queued: QueuedNotice;
}

/** The notices of `claimed` that `holder` (this call) leased: those it may send. */
function leasedBy(claimed: NotifyStateDocument, holder: string): LeasedNotice[] {
  return Object.entries(claimed.outbox).flatMap(([receiver, waiting]) =>
    waiting.filter((q) => q.lease?.runId === holder).map((queued) => ({ receiver, queued })),
  );
}
