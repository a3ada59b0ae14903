/**
 * When the Functions app's fan-out makes its status page, and what it judges staleness against. One
 * small document beside the histories (`history/status-page.json`), written with the store's etag, so
 * instances that share no memory agree on it:
 *
 * - the timer adds each discovery once its messages are queued (`withDiscovery`) and makes the page:
 *   the previous run, complete;
 * - between discoveries, a queue invocation that finds the page due (`pageDue`) claims it (one etag
 *   write: of several instances, one wins and the others go on) and makes it again, so the page follows
 *   the run. Each page reads every gateway's history, so the interval grows with what the last page
 *   cost (`PAGE_REFRESH`): at 20 000 gateways the refreshes stay a small share of one instance's time.
 *
 * A gateway is stale when its last successful reading is older than the previous discovery
 * (`staleBefore`), not this one: while this run has not reached a gateway, its reading of the previous
 * run still stands.
 */
export interface PageSchedule {
  readonly version: 1;
  /** ISO times of the last discoveries whose messages were all queued, newest first (at most two). */
  readonly discoveries: readonly string[];
  /** ISO: when the last page was begun (by the timer, or the queue invocation that claimed it). */
  readonly madeAt?: string;
  /** How long making it took (reading the histories and rendering), in ms: sets the next interval. */
  readonly tookInMs?: number;
}

/**
 * A page is made again at most once per `max(minIntervalInMs, costFactor × tookInMs)` between
 * discoveries: at least a minute apart, and never more than about a tenth of one instance's time.
 */
export const PAGE_REFRESH = { minIntervalInMs: 60_000, costFactor: 10 } as const;

const KEPT_DISCOVERIES = 2;

/** `schedule` with a discovery at `at` added (newest first, two kept; one already there is kept once). */
export function withDiscovery(schedule: PageSchedule | undefined, at: Date): PageSchedule {
  const iso = at.toISOString();
  const discoveries = [...new Set([iso, ...(schedule?.discoveries ?? [])])]
    .sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
    .slice(0, KEPT_DISCOVERIES);
  return { ...(schedule ?? { version: 1 }), version: 1, discoveries };
}

/** `schedule` saying a page was begun at `at` (and took `tookInMs`, when known). */
export function withPageMade(
  schedule: PageSchedule | undefined,
  at: Date,
  tookInMs: number | undefined,
): PageSchedule {
  const { tookInMs: _previous, ...rest } = schedule ?? { version: 1 as const, discoveries: [] };
  return {
    ...rest,
    madeAt: at.toISOString(),
    ...(tookInMs !== undefined ? { tookInMs: Math.max(0, Math.round(tookInMs)) } : {}),
  };
}

/** Whether a queue invocation at `now` should make the page again (none made yet: it should). */
export function pageDue(schedule: PageSchedule | undefined, now: Date): boolean {
  if (!schedule?.madeAt) return true;
  const interval = Math.max(PAGE_REFRESH.minIntervalInMs, PAGE_REFRESH.costFactor * (schedule.tookInMs ?? 0));
  return now.getTime() - Date.parse(schedule.madeAt) >= interval;
}

/**
 * The time a gateway's last successful reading must reach not to be stale: the discovery before the
 * newest (the run before the one going on, whose gateways have all had their turn). With fewer than two
 * discoveries known, none can be told from a gateway this run has not reached yet: the epoch (only a
 * failed read is shown stale).
 */
export function staleBefore(schedule: PageSchedule | undefined): Date {
  const previous = schedule?.discoveries[1];
  return new Date(previous ? Date.parse(previous) : 0);
}

/** A stored schedule read back (untrusted), or the problems that make it unreadable. */
export function parsePageSchedule(value: unknown): { schedule: PageSchedule } | { problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problems: ['not a JSON object'] };
  const fields = value as Record<string, unknown>;
  const problems: string[] = [];
  if (fields['version'] !== 1) problems.push(`"version" is ${JSON.stringify(fields['version'])}, not 1`);
  const discoveries = fields['discoveries'];
  if (!Array.isArray(discoveries) || discoveries.length > KEPT_DISCOVERIES || !discoveries.every(isIsoTime))
    problems.push(`"discoveries" is not a list of at most ${KEPT_DISCOVERIES} ISO times`);
  if (fields['madeAt'] !== undefined && !isIsoTime(fields['madeAt']))
    problems.push('"madeAt" is not an ISO time');
  const took = fields['tookInMs'];
  if (took !== undefined && !(Number.isSafeInteger(took) && (took as number) >= 0))
    problems.push('"tookInMs" is not a whole number of ms');
  if (problems.length > 0) return { problems };
  return {
    schedule: {
      version: 1,
      discoveries: [...(discoveries as string[])].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)),
      ...(fields['madeAt'] !== undefined ? { madeAt: fields['madeAt'] as string } : {}),
      ...(took !== undefined ? { tookInMs: took as number } : {}),
    },
  };
}

function isIsoTime(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}
