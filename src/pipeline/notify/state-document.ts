import type { Notice } from '../../core/notice/notice';
import type { ServerRecord } from '../../core/notice/server-record';

/**
 * The one document the notifier keeps between runs (a file locally, a blob in Azure), written with
 * ETag conditions so two overlapping runs cannot both claim the same notices.
 * - `servers`: the episodes in progress (see core/notice/decide.ts);
 * - `outbox`: per receiver, notices decided but not yet accepted, oldest first. A notice a receiver
 *   would not take after its retries stays here (the dead letters) and is re-sent, same id, before
 *   anything new on the next run.
 */
export interface NotifyStateDocument {
  readonly version: 1;
  readonly servers: Readonly<Record<string, ServerRecord>>;
  readonly outbox: Readonly<Record<string, readonly QueuedNotice[]>>;
}

export interface QueuedNotice {
  readonly notice: Notice;
  /** ISO: when the notice was decided. */
  readonly queuedAt: string;
  /** Runs that tried to deliver it and failed. */
  readonly failedRuns: number;
  readonly lastError?: string;
  /**
   * The run sending it now. Overlapping runs skip leased notices, so none is sent twice; a run that
   * dies mid-send leaves a lease that expires, and the next run sends the notice again (same id).
   */
  readonly lease?: { readonly runId: string; readonly until: string };
}

export const EMPTY_STATE: NotifyStateDocument = { version: 1, servers: {}, outbox: {} };

/** A stored document from an older or foreign writer is read defensively: unknown shapes start empty. */
export function readStateDocument(value: unknown): NotifyStateDocument {
  if (typeof value !== 'object' || value === null) return EMPTY_STATE;
  const doc = value as Partial<NotifyStateDocument>;
  if (doc.version !== 1) return EMPTY_STATE;
  return {
    version: 1,
    servers: typeof doc.servers === 'object' && doc.servers ? doc.servers : {},
    outbox: typeof doc.outbox === 'object' && doc.outbox ? doc.outbox : {},
  };
}
