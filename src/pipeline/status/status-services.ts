import type { HistoryDocument } from '../../core/status/history';
import type { StateStores } from '../../ports';
import type { Logger } from '../logger';

/** The status page's services: where each gateway's history is kept, and for how long. */
export interface StatusServices {
  /**
   * One history document per gateway (key: gatewayKey), beside the notify state: the same store
   * family (`<state.dir>/history/…` or `history/…` in the state container).
   */
  readonly history: StateStores<HistoryDocument>;
  /** `statusPage.retention`: readings older than this are dropped, in ms. */
  readonly retentionInMs: number;
  readonly logger: Logger;
}

/** The name of the status page in reports: its failures are the run's delivery errors under it. */
export const STATUS_PAGE_SINK = 'status page';
