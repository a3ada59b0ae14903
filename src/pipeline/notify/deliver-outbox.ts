import type { Notifier, SendResult } from '../../ports';
import type { QueuedNotice } from './state-document';

export interface DeliveryRecord {
  readonly receiver: string;
  readonly noticeId: string;
  readonly type: string;
  readonly server: string;
  /** true: accepted; false: kept for the next run; undefined: not tried (the receiver failed earlier this run). */
  readonly delivered: boolean | undefined;
  readonly result?: SendResult;
}

/**
 * Sends one receiver's outbox in order (old dead letters first). After the first notice the receiver
 * refuses, the rest wait for the next run: a receiver that is down costs one retry budget, not one per
 * notice, and order is kept.
 */
export async function deliverOutbox(
  notifier: Notifier,
  queue: readonly QueuedNotice[],
  abortSignal?: AbortSignal,
): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = [];
  let refused = false;
  for (const { notice } of queue) {
    const base = {
      receiver: notifier.name,
      noticeId: notice.id,
      type: notice.type,
      server: `${notice.gateway.name}/${notice.backendPool}/${notice.backendSettings}/${notice.server.address}`,
    };
    if (refused) {
      records.push({ ...base, delivered: undefined });
      continue;
    }
    const result = await notifier.send(notice, abortSignal ? { abortSignal } : {});
    records.push({ ...base, delivered: result.ok, result });
    refused = !result.ok;
  }
  return records;
}
