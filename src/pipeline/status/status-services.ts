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

/** The name of the status page in reports: its failures are the run's delivery errors under it. */
export const STATUS_PAGE_SINK = 'status page';

/**
 * A state store's failure on a history document, as the history's own error: the stores word theirs
 * for the notify state (and advise its recovery), which a history failure does not touch.
 */
export function historyError(error: unknown): Error {
  if (isStateInvalidError(error))
    return new StatusHistoryInvalidError(error.document, error.issues, { cause: error });
  if (isStateUnavailableError(error))
    return new StatusHistoryUnavailableError(error.document, error.detail, error.action, {
      retryable: error.retryable,
      cause: error,
    });
  if (isStateConflictError(error))
    return new StatusHistoryUnavailableError(
      error.store,
      'overlapping runs kept writing it first each time this run tried',
      'It is tried again on the next run.',
      { retryable: true, cause: error },
    );
  return toError(error);
}
