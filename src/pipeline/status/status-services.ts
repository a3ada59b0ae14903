import type { HistoryDocument } from '../../core/status/history';
import type { PageSchedule } from '../../core/status/page-schedule';
import {
  isStateConflictError,
  isStateInvalidError,
  isStateUnavailableError,
  StatusHistoryInvalidError,
  StatusHistoryUnavailableError,
  toError,
} from '../../errors';
import type { StateStore, StateStores } from '../../ports';
import type { Logger } from '../logger';

/** The status page's services: where each gateway's history is kept, and for how long. */
export interface StatusServices {
  /**
   * One history document per gateway (key: gatewayKey), beside the notify state: the same store
   * family (`<state.dir>/history/…` or `history/…` in the state container).
   */
  readonly history: StateStores<HistoryDocument>;
  /**
   * The Functions app's page schedule (src/core/status/page-schedule.ts), beside the histories
   * (`history/status-page.json`): absent, the fan-out makes no status page (the direct run needs none).
   */
  readonly schedule?: StateStore<PageSchedule>;
  /** `statusPage.retention`: readings older than this are dropped, in ms. */
  readonly retentionInMs: number;
  readonly logger: Logger;
}

/**
 * Where a status-page document failed, which decides what the page lacks: this run's gateway's history
 * could not be `read` or `written` (the page shows the gateway from this run's reading alone), the
 * history of a gateway this run did not read could not be read (`other`: that gateway is not shown),
 * the histories could not be `listed`, or the Functions app's page schedule could not be read or
 * written (`schedule-read`, `schedule-write`, `schedule-claim`: a queue invocation's claim).
 */
export type HistorySituation =
  'read' | 'written' | 'other' | 'listed' | 'schedule-read' | 'schedule-write' | 'schedule-claim';

/** What the page lacks in each situation, for the errors' messages (one sentence each, true to what the page shows). */
export const HISTORY_LOSS: Readonly<Record<HistorySituation, { unavailable: string; invalid: string }>> = {
  read: {
    unavailable:
      "This run's reading of the gateway was not added to it (a history that cannot be read is never written over): the status page shows the gateway from this reading alone, its timeline without the earlier readings, and later pages lack this reading.",
    invalid:
      "Until it is fixed, the status page shows the gateway from each run's reading alone, its timeline without the earlier readings, and no reading is kept.",
  },
  written: {
    unavailable:
      "This run's reading of the gateway could not be added to it: the status page shows the gateway from this reading alone, its timeline without the earlier readings, and later pages lack this reading.",
    invalid: "This run's reading of the gateway was not added to it.",
  },
  other: {
    unavailable:
      'The status page does not show this gateway (this run did not read it) until its history can be read.',
    invalid: 'The status page does not show this gateway (this run did not read it) until it is fixed.',
  },
  listed: {
    unavailable:
      'The status page shows only the gateways this run read: those known only from their history are missing from it.',
    invalid: 'The status page shows only the gateways this run read.',
  },
  'schedule-read': {
    unavailable:
      'The status page was made without it: no gateway is marked stale for not being read, and when the page was made is not recorded.',
    invalid:
      'Until it is fixed, the status page is made at each discovery only, and no gateway is marked stale for not being read.',
  },
  'schedule-write': {
    unavailable:
      'The status page was made, but the schedule does not record it: it may be made again sooner than due, and staleness is judged against an older discovery.',
    invalid: 'The status page was made, but the schedule does not record it.',
  },
  'schedule-claim': {
    unavailable:
      'This invocation did not make the status page; the next discovery, or a later invocation, makes it.',
    invalid:
      'Until it is fixed, queue invocations do not make the status page; each discovery still makes it.',
  },
};

const SCHEDULE_SITUATIONS: ReadonlySet<HistorySituation> = new Set([
  'schedule-read',
  'schedule-write',
  'schedule-claim',
]);

/**
 * A state store's failure on a status-page document in `situation`, as the history's own error: the
 * stores word theirs for the notify state (and advise its recovery), which a history failure does not
 * touch; the message says what the page lacks (HISTORY_LOSS).
 */
export function historyError(error: unknown, situation: HistorySituation): Error {
  const loss = HISTORY_LOSS[situation];
  const what = SCHEDULE_SITUATIONS.has(situation) ? 'schedule' : 'history';
  if (isStateInvalidError(error))
    return new StatusHistoryInvalidError(error.document, error.issues, loss.invalid, {
      cause: error,
      what,
      notJson: error.notJson,
    });
  if (isStateUnavailableError(error))
    return new StatusHistoryUnavailableError(error.document, error.detail, error.action, loss.unavailable, {
      retryable: error.retryable,
      cause: error,
      what,
    });
  if (isStateConflictError(error))
    return new StatusHistoryUnavailableError(
      error.store,
      'overlapping runs kept writing it first each time this run tried',
      'It is tried again on the next run.',
      loss.unavailable,
      { retryable: true, cause: error, what },
    );
  return toError(error);
}
