import { StateConflictError } from '../../errors';
import type { Notifier, StateStore } from '../../ports';
import { decideNotices, type NotifyPolicy, type Observation } from '../../core/notice/decide';
import type { Logger } from '../logger';
import { deliverOutbox, type DeliveryRecord } from './deliver-outbox';
import { readStateDocument, type NotifyStateDocument, type QueuedNotice } from './state-document';

export interface NotifyDependencies {
  readonly store: StateStore<NotifyStateDocument>;
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
}

export interface NotifyOutcome {
  /** Notices decided by this run (before delivery). */
  readonly decided: number;
  readonly deliveries: readonly DeliveryRecord[];
  /** Per receiver: notices still waiting after this run (dead letters, or leased by another run). */
  readonly pending: Readonly<Record<string, number>>;
  /** False when the state kept changing under this run: it decided and sent nothing. */
  readonly claimed: boolean;
}

const MAX_CONFLICT_RETRIES = 5;
/** Longer than any run spends sending: each receiver's retry budget is bounded. */
export const LEASE_IN_MS = 15 * 60_000;

/**
 * Decide → claim → send → settle, the order that keeps notices exactly-once across overlapping runs
 * and loses none when a receiver or a run fails:
 * 1. claim: one ETag-conditional write records the decision, queues its notices in each receiver's
 *    outbox, and leases every unleased notice to this run. A run that loses the race re-reads and
 *    decides again (finding the winner's episodes already notified and its notices leased);
 * 2. send: the notices this run leased, per receiver, oldest (dead letters) first;
 * 3. settle: accepted notices leave the outbox; refused ones stay, unleased, for the next run. If this
 *    run dies first, its leases expire and a later run sends them again with the same ids.
 */
export async function notifyOnChange(
  deps: NotifyDependencies,
  observation: Observation,
  policy: NotifyPolicy,
  runId: string,
): Promise<NotifyOutcome> {
  const claim = await claimNotices(deps, observation, policy, runId);
  if (!claim) return { decided: 0, deliveries: [], pending: {}, claimed: false };
  const perReceiver = await Promise.all(
    deps.notifiers.map((notifier) =>
      deliverOutbox(
        notifier,
        (claim.document.outbox[notifier.name] ?? []).filter((q) => q.lease?.runId === runId),
      ),
    ),
  );
  const deliveries = perReceiver.flat();
  const pending = await settle(deps, deliveries, runId);
  return { decided: claim.decided, deliveries, pending, claimed: true };
}

async function claimNotices(
  deps: NotifyDependencies,
  observation: Observation,
  policy: NotifyPolicy,
  runId: string,
): Promise<{ document: NotifyStateDocument; decided: number } | undefined> {
  const now = observation.now.getTime();
  const lease = { runId, until: new Date(now + LEASE_IN_MS).toISOString() };
  const leased = (q: QueuedNotice): QueuedNotice =>
    !q.lease || Date.parse(q.lease.until) <= now ? { ...q, lease } : q;
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await deps.store.read();
    const previous = readStateDocument(stored?.value);
    const decision = decideNotices(previous.servers, observation, policy);
    const queuedAt = observation.now.toISOString();
    const fresh: QueuedNotice[] = decision.notices.map((notice) => ({ notice, queuedAt, failedRuns: 0 }));
    const outbox: Record<string, readonly QueuedNotice[]> = {};
    for (const { name } of deps.notifiers)
      outbox[name] = [...(previous.outbox[name] ?? []), ...fresh].map(leased);
    for (const gone of Object.keys(previous.outbox).filter((name) => !(name in outbox))) {
      deps.logger.warn(
        `${gone} is no longer configured: its ${previous.outbox[gone]?.length ?? 0} waiting notice(s) are dropped`,
      );
    }
    const document: NotifyStateDocument = { version: 1, servers: decision.servers, outbox };
    try {
      await deps.store.write(document, stored?.etag);
      return { document, decided: decision.notices.length };
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      deps.logger.info('notify state changed under this run (an overlapping run); deciding again');
    }
  }
  deps.logger.warn('notify state kept changing under this run; its notices are left to the other runs');
  return undefined;
}

/**
 * Applied to whatever the document holds now (an overlapping run may have added to it), and retried on
 * conflict: accepted notices leave the outbox; this run's other leases are released, and a refused
 * notice counts one more failed run.
 */
async function settle(
  deps: NotifyDependencies,
  deliveries: readonly DeliveryRecord[],
  runId: string,
): Promise<Record<string, number>> {
  const key = (receiver: string, id: string) => `${receiver}\u0000${id}`;
  const delivered = new Set(deliveries.filter((d) => d.delivered).map((d) => key(d.receiver, d.noticeId)));
  const refused = new Map(
    deliveries
      .filter((d) => d.delivered === false)
      .map((d) => [key(d.receiver, d.noticeId), d.result?.error?.message ?? 'refused']),
  );
  const release = (receiver: string, q: QueuedNotice): QueuedNotice => {
    if (q.lease?.runId !== runId) return q;
    const { lease: _released, ...rest } = q;
    const error = refused.get(key(receiver, q.notice.id));
    return error === undefined ? rest : { ...rest, failedRuns: q.failedRuns + 1, lastError: error };
  };
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await deps.store.read();
    const current = readStateDocument(stored?.value);
    const outbox: Record<string, readonly QueuedNotice[]> = {};
    for (const [receiver, queue] of Object.entries(current.outbox)) {
      outbox[receiver] = queue
        .filter((q) => !delivered.has(key(receiver, q.notice.id)))
        .map((q) => release(receiver, q));
    }
    try {
      await deps.store.write({ ...current, outbox }, stored?.etag);
      return Object.fromEntries(Object.entries(outbox).map(([receiver, queue]) => [receiver, queue.length]));
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
    }
  }
  deps.logger.warn(
    'could not record this run’s deliveries: once its leases expire they are re-sent (same ids)',
  );
  return {};
}
