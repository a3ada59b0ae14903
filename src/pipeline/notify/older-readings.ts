import type { Observation } from '../../core/notice/decide';
import { orderReading } from '../../core/notice/reading-order';
import type { OlderReadingReport } from '../../core/run-report';
import type { NotifyStateDocument } from './state-document';

/** What a claim decides on once its reading is put in time order (inReadingOrder). */
export interface OrderedReading {
  /** The observation as given when it counts; otherwise one that decides nothing (nothing read). */
  readonly observation: Observation;
  /** Whether the reading counts: false when a newer reading of the gateway was counted before it. */
  readonly counts: boolean;
  /** ISO: the document's `newestReadingAt` once this reading is decided on (undefined: not known). */
  readonly newestReadingAt?: string;
  /** The reading not counted, for the run report and the log; absent when it counts. */
  readonly older?: OlderReadingReport;
}

/**
 * `observation` against the newest reading `previous` counted (core/notice/reading-order.ts): one that
 * began before it (a queue continuation taken late) is replaced by an observation of nothing, so no
 * episode opens, moves or ends on it and nothing is asked of ARM for it; its waiting notices are still
 * sent. Its gateway's result is reported as read all the same (the caller's). `gateway`: the ARM id the
 * report names. Pure.
 */
export function inReadingOrder(
  previous: NotifyStateDocument,
  observation: Observation,
  gateway: string,
): OrderedReading {
  const readAt = observation.readAt?.toISOString();
  const order = orderReading(previous.newestReadingAt, readAt);
  if (order.counts)
    return {
      observation,
      counts: true,
      ...(order.newestAt !== undefined ? { newestReadingAt: order.newestAt } : {}),
    };
  return {
    observation: {
      now: observation.now,
      evaluated: new Map(),
      bad: [],
      isGone: () => false,
      ...(observation.scope ? { scope: observation.scope } : {}),
    },
    counts: false,
    newestReadingAt: order.newerAt,
    older: { gateway, readAt: readAt ?? '', countedAt: order.newerAt },
  };
}

/**
 * `reading of <gateway> from <time> is older than the one counted at <time>: …`: why a gateway read
 * without error sent nothing, and kept its episodes as they were (the run summary and the log).
 */
export function olderReadingText(older: OlderReadingReport): string {
  return (
    `reading of ${older.gateway} from ${older.readAt} is older than the one counted at ${older.countedAt}: ` +
    'not counted for notifications (a late result of an earlier run; its result is still reported)'
  );
}
