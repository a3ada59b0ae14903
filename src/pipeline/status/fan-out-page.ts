import { reportedError } from '../../core/reported-error';
import type { ReportedError, RunReport } from '../../core/run-report';
import type { HistoryDocument } from '../../core/status/history';
import {
  pageDue,
  parsePageSchedule,
  staleBefore,
  withDiscovery,
  withPageMade,
  type PageSchedule,
} from '../../core/status/page-schedule';
import { isStateConflictError, StateConflictError, StateInvalidError } from '../../errors';
import type { Clock, InsightSink, StateStore, StoredDocument } from '../../ports';
import { deliverToSinks } from '../deliver-to-sinks';
import type { Logger } from '../logger';
import { buildStatusPageText, type StatusPageText } from './build-status-page';
import { STATUS_PAGE_SINK } from '../../core/run-report';
import { historyError, type HistorySituation, type StatusServices } from './status-services';

/** A discovery that keeps losing the schedule's etag race gives up after this many tries. */
const MAX_CONFLICT_RETRIES = 5;

type ScheduleStore = StateStore<PageSchedule>;

/**
 * The fan-out timer's status page (src/core/status/page-schedule.ts): records the discovery at
 * `discoveredAt` (its messages are queued) in the page schedule and makes the page from every stored
 * history at `now`, staleness judged against the previous discovery, so the page shows the previous
 * run whole. Never throws: a schedule or history that cannot be read or written is in `errors` (sink
 * "status page"); the page is still made (with no schedule, no gateway is shown stale for not being
 * read). Undefined when the services have no page schedule.
 */
export async function makeDiscoveryPage(
  services: StatusServices,
  clock: Clock,
  discoveredAt: Date,
): Promise<StatusPageText | undefined> {
  const store = services.schedule;
  if (!store) return undefined;
  const errors: ReportedError[] = [];
  const fail = (error: unknown, situation: HistorySituation) =>
    errors.push(scheduleError(services.logger, store, error, situation));
  let stored: StoredDocument<PageSchedule> | undefined;
  let known = true;
  try {
    stored = await readSchedule(store);
  } catch (error) {
    fail(error, 'schedule-read');
    known = false;
  }
  const begun = clock.now();
  const page = await buildStatusPageText(services, {
    now: begun,
    runStartedAt: staleBefore(withDiscovery(stored?.value, discoveredAt)),
    written: new Map(),
  });
  const tookInMs = clock.now().getTime() - begun.getTime();
  // A schedule that could not be read is not written over (it may be one we cannot read yet).
  if (known) {
    try {
      for (let attempt = 0; ; attempt++) {
        const next = withPageMade(withDiscovery(stored?.value, discoveredAt), begun, tookInMs);
        try {
          await store.write(next, stored?.etag);
          break;
        } catch (error) {
          if (!isStateConflictError(error)) throw error;
          if (attempt + 1 >= MAX_CONFLICT_RETRIES) throw new StateConflictError(store.name);
          stored = await readSchedule(store); // a queue invocation claimed a page meanwhile
        }
      }
    } catch (error) {
      fail(error, 'schedule-write');
    }
  }
  return { ...page, errors: [...errors, ...page.errors] };
}

/** What a queue invocation made of the status page: nothing (not due, or another claimed it), or a page. */
export interface RefreshedPage {
  /** The page was made and offered to the sinks. */
  readonly made: boolean;
  /** The schedule's, the histories' and the sinks' failures (never retried through the queue). */
  readonly errors: readonly ReportedError[];
}

/**
 * Between discoveries: when the page is due (pageDue), this invocation claims it (one etag write on the
 * schedule: of several instances, one makes it, the others go on), makes it from every stored history
 * (`written`: this invocation's, not read again), staleness judged against the previous discovery, and
 * delivers it alone to the sinks (scope `page`). Never throws; failures are returned (and logged).
 */
export async function refreshStatusPage(
  deps: {
    readonly status: StatusServices;
    readonly sinks: readonly InsightSink[];
    readonly clock: Clock;
    readonly logger: Logger;
  },
  report: RunReport,
  written: ReadonlyMap<string, HistoryDocument>,
  /** Gateways of `written` whose history failed (their document is this reading alone). */
  withoutHistory: readonly string[] = [],
): Promise<RefreshedPage> {
  const services = deps.status;
  const store = services.schedule;
  if (!store) return { made: false, errors: [] };
  const now = deps.clock.now();
  let claimed: { schedule: PageSchedule; etag: string };
  try {
    const stored = await readSchedule(store);
    if (!pageDue(stored?.value, now)) return { made: false, errors: [] };
    const schedule = withPageMade(stored?.value, now, stored?.value.tookInMs);
    try {
      claimed = { schedule, etag: await store.write(schedule, stored?.etag) };
    } catch (error) {
      if (isStateConflictError(error)) return { made: false, errors: [] }; // another instance claimed it
      throw error;
    }
  } catch (error) {
    return { made: false, errors: [scheduleError(deps.logger, store, error, 'schedule-claim')] };
  }
  const page = await buildStatusPageText(services, {
    now,
    runStartedAt: staleBefore(claimed.schedule),
    written,
    withoutHistory,
  });
  const tookInMs = deps.clock.now().getTime() - now.getTime();
  const errors: ReportedError[] = [...page.errors];
  try {
    await store.write(withPageMade(claimed.schedule, now, tookInMs), claimed.etag);
  } catch (error) {
    // Written since (a discovery, most likely): it is theirs to keep; the next page measures again.
    if (!isStateConflictError(error)) errors.push(scheduleError(deps.logger, store, error, 'schedule-write'));
  }
  const sinks = await deliverToSinks(
    deps.sinks,
    {
      scope: 'page',
      report,
      insights: [],
      statusPage: page.html,
      ...(page.keepPublished === true ? { keepPublishedPage: true } : {}),
    },
    deps.logger,
  );
  const named = sinks.errors.map((error) => ({ ...error, document: error.document ?? 'index.html' }));
  return { made: true, errors: [...errors, ...named] };
}

async function readSchedule(store: ScheduleStore): Promise<StoredDocument<PageSchedule> | undefined> {
  const stored = await store.read();
  if (!stored) return undefined;
  const parsed = parsePageSchedule(stored.value);
  if ('problems' in parsed) throw new StateInvalidError(store.name, parsed.problems);
  return { value: parsed.schedule, etag: stored.etag };
}

function scheduleError(
  logger: Logger,
  store: ScheduleStore,
  error: unknown,
  situation: HistorySituation,
): ReportedError {
  const reported = reportedError(historyError(error, situation), STATUS_PAGE_SINK);
  logger.warn(`status page: ${reported.message}`);
  return { ...reported, document: reported.document ?? store.name };
}
