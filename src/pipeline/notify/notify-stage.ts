import type { StateStore } from '../../adapters/storage/state-store';
import { StateConflictError } from '../../adapters/storage/state-conflict-error';
import type { Notifier } from '../../adapters/webhooks/notifier';
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
  /** Per receiver: notices still waiting after this run (dead letters). */
  readonly pending: Readonly<Record<string, number>>;
  /** False when another run held the state throughout: this run decided and sent nothing. */
  readonly claimed: boolean;
}

const MAX_CONFLICT_RETRIES = 5;

/**
 * Decide → claim → send → settle, the order that keeps notices exactly-once across overlapping runs
 * and loses none when a receiver or a run fails:
 * 1. claim: the decision and its notices (queued in each receiver's outbox) are written in one
 *    ETag-conditional write; a run that loses the race re-reads and decides again (finding the
 *    winner's episodes already notified, so it adds nothing);
 * 2. send: each receiver's outbox, oldest first;
 * 3. settle: accepted notices leave the outbox, refused ones stay for the next run. If this run dies
 *    before settling, the next one re-sends them with the same ids (at least once, never lost).
 */
export async function notifyOnChange(
  deps: NotifyDependencies,
  observation: Observation,
  policy: NotifyPolicy,
): Promise<NotifyOutcome> {
  const claim = await claimNotices(deps, observation, policy);
  if (!claim) return { decided: 0, deliveries: [], pending: {}, claimed: false };

  const perReceiver = await Promise.all(
    deps.notifiers.map((notifier) => deliverOutbox(notifier, claim.document.outbox[notifier.name] ?? [])),
  );
  const deliveries = perReceiver.flat();
  const pending = await settle(deps, deliveries, observation.now);
  return { decided: claim.decided, deliveries, pending, claimed: true };
}

async function claimNotices(
  deps: NotifyDependencies,
  observation: Observation,
  policy: NotifyPolicy,
): Promise<{ document: NotifyStateDocument; decided: number } | undefined> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await deps.store.read();
    const previous = readStateDocument(stored?.value);
    const decision = decideNotices(previous.servers, observation, policy);
    const queuedAt = observation.now.toISOString();
    const fresh: QueuedNotice[] = decision.notices.map((notice) => ({ notice, queuedAt, failedRuns: 0 }));
    const outbox: Record<string, readonly QueuedNotice[]> = {};
    for (const notifier of deps.notifiers)
      outbox[notifier.name] = [...(previous.outbox[notifier.name] ?? []), ...fresh];
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
      deps.logger.info('notify state changed under us (an overlapping run); deciding again');
    }
  }
  deps.logger.warn('notify state kept changing under this run; notices are left to the other run');
  return undefined;
}

/**
 * Removes accepted notices from the outbox and counts a failed run on refused ones, applied to whatever
 * the document holds now (an overlapping run may have added to it); retried on conflict.
 */
async function settle(
  deps: NotifyDependencies,
  deliveries: readonly DeliveryRecord[],
  now: Date,
): Promise<Record<string, number>> {
  const delivered = new Set(
    deliveries.filter((d) => d.delivered).map((d) => `${d.receiver}\u0000${d.noticeId}`),
  );
  const failed = new Map(
    deliveries
      .filter((d) => d.delivered === false)
      .map((d) => [`${d.receiver}\u0000${d.noticeId}`, d.result?.error?.message]),
  );
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await deps.store.read();
    const current = readStateDocument(stored?.value);
    const outbox: Record<string, readonly QueuedNotice[]> = {};
    for (const [receiver, queue] of Object.entries(current.outbox)) {
      outbox[receiver] = queue
        .filter((q) => !delivered.has(`${receiver}\u0000${q.notice.id}`))
        .map((q) => {
          const key = `${receiver}\u0000${q.notice.id}`;
          return failed.has(key)
            ? { ...q, failedRuns: q.failedRuns + 1, lastError: failed.get(key) ?? 'refused' }
            : q;
        });
    }
    try {
      await deps.store.write({ ...current, outbox }, stored?.etag);
      return Object.fromEntries(Object.entries(outbox).map(([r, q]) => [r, q.length]));
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
    }
  }
  deps.logger.warn(
    `could not record deliveries at ${now.toISOString()}: they may be re-sent (same ids) next run`,
  );
  return {};
}
