import { mapBounded } from '../../core/bounded';
import { reportedError } from '../../core/reported-error';
import type { ReportedError } from '../../core/run-report';
import type { HistoryDocument } from '../../core/status/history';
import { renderStatusPage } from '../../insight/status/status-page';
import { statusView, type StatusRunContext } from '../../insight/status/status-view';
import { typedStateStores } from '../notify/typed-stores';
import { readStored } from './record-history';
import {
  historyError,
  STATUS_PAGE_SINK,
  type HistorySituation,
  type StatusServices,
} from './status-services';

/** Histories read at once while the page is built. */
const READ_CONCURRENCY = 8;

export interface StatusPage {
  /** index.html, for the sinks (Delivery.statusPage). */
  readonly html: string;
  /**
   * Histories that could not be listed or read (sink "status page"): gateways this run did not read are
   * then not on the page (it names their documents at the top).
   */
  readonly errors: readonly ReportedError[];
}

/**
 * The status page at the end of a run: every gateway with a history document (this run's, from
 * `written`, the rest read from the store: gateways this run did not read are shown stale with their
 * last known state), rendered at `now` (src/insight/status/). Every gateway of `written` is shown, even
 * one whose history failed (`withoutHistory`: its reading alone). A stored history that cannot be listed
 * or read leaves its gateway (not read by this run) off the page, is reported, and is named at the
 * page's top, as are the gateways without history; the page is still made. Never throws.
 */
export async function buildStatusPage(
  services: StatusServices,
  options: {
    readonly now: Date;
    readonly runStartedAt: Date;
    /** This run's documents, by gateway key, as it wrote them (not read again). */
    readonly written: ReadonlyMap<string, HistoryDocument>;
    /**
     * Names of gateways of `written` whose history could not be read or written: their document is
     * this run's reading alone (the page says their timelines lack history).
     */
    readonly withoutHistory?: readonly string[];
    /** Why gateways with a history were not read: the run's interruption, its failed targets. */
    readonly run?: StatusRunContext;
  },
): Promise<StatusPage> {
  const stores = typedStateStores(services.history);
  const errors: ReportedError[] = [];
  // Documents of gateways this run did not read that could not be read (named on the page), and
  // whether the list of histories itself failed (then no gateway this run did not read is shown).
  const unreadable: string[] = [];
  let unlisted: string | undefined;
  const fail = (error: unknown, document: string, situation: HistorySituation) => {
    const reported = reportedError(historyError(error, situation), STATUS_PAGE_SINK);
    services.logger.warn(`status page: ${reported.message}`);
    errors.push({ ...reported, document: reported.document ?? document });
  };
  let others: string[] = [];
  try {
    others = (await stores.listKeys()).filter((key) => !options.written.has(key));
  } catch (error) {
    fail(error, stores.name, 'listed');
    unlisted = stores.name;
  }
  const read = await mapBounded(others, READ_CONCURRENCY, async (key) => {
    const store = stores.forKey(key);
    try {
      const stored = await store.read();
      return stored ? [readStored(store, stored.value)] : [];
    } catch (error) {
      fail(error, store.name, 'other');
      unreadable.push(store.name);
      return [];
    }
  });
  const view = statusView({
    now: options.now,
    runStartedAt: options.runStartedAt,
    retentionInMs: services.retentionInMs,
    histories: [...options.written.values(), ...read.flat()],
    ...(options.run ? { run: options.run } : {}),
    historyProblems: {
      withoutHistory: options.withoutHistory ?? [],
      unreadable,
      ...(unlisted !== undefined ? { unlisted } : {}),
    },
  });
  return { html: renderStatusPage(view), errors };
}
