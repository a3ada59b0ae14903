import { CONFIGURABLE_STATES, isReported, readHealth, type ConfigurableState } from './health';
import type { HealthState } from './model';

/** The states a server may be in that are neither healthy nor ever reported whatever the configuration. */
export type NotReportedState = Exclude<HealthState, 'healthy' | 'unrecognised'>;

/**
 * Servers a reading listed in a state that is not healthy and not reported (left out of
 * `unhealthyStates`: Draining by default), by state (`{ draining: 1 }`). They get no insight and no
 * notice, but a line that counts only healthy and reported servers read as "all healthy" of a gateway
 * with a server draining (a break trial: the HTTP insight said "All 5 backend server(s) healthy").
 */
export type NotReportedCounts = Readonly<Partial<Record<NotReportedState, number>>>;

/**
 * Counts the servers of `healths` (each as the gateway reported it: "Draining", "Unknown") that are
 * neither healthy nor reported under `unhealthyStates`. Undefined when there are none, so a report
 * carries the field only when it has something to say.
 */
export function countNotReported(
  healths: Iterable<string>,
  unhealthyStates: readonly ConfigurableState[],
): NotReportedCounts | undefined {
  const counts: Partial<Record<NotReportedState, number>> = {};
  let any = false;
  for (const health of healths) {
    const state = readHealth(health);
    if (state === 'healthy' || state === 'unrecognised' || isReported(state, unhealthyStates)) continue;
    counts[state] = (counts[state] ?? 0) + 1;
    any = true;
  }
  return any ? counts : undefined;
}

/** The sum of several gateways' counts (a run's summary); undefined when none has any. */
export function addNotReported(all: Iterable<NotReportedCounts | undefined>): NotReportedCounts | undefined {
  const sum: Partial<Record<NotReportedState, number>> = {};
  let any = false;
  for (const counts of all) {
    for (const [state, n] of notReportedEntries(counts)) {
      sum[state] = (sum[state] ?? 0) + n;
      any = true;
    }
  }
  return any ? sum : undefined;
}

/** The counts' states with more than 0 servers, sorted by name. */
export function notReportedEntries(counts: NotReportedCounts | undefined): Array<[NotReportedState, number]> {
  return (Object.entries(counts ?? {}) as Array<[NotReportedState, number]>)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
}

/** How many servers `counts` holds, over its states (0 for none). */
export function notReportedTotal(counts: NotReportedCounts | undefined): number {
  return notReportedEntries(counts).reduce((n, [, count]) => n + count, 0);
}

/**
 * `1 draining, 2 unknown (not counted: unhealthyStates leaves Unknown out)`: each state by name. Draining
 * is left out of `unhealthyStates` by default (a planned drain is not a fault) and needs no word; any
 * other state here was left out by the user, and the text says so and where: beside "0 not healthy",
 * "1 unknown (not reported)" read as a contradiction (a trial). The status page, the CLI summary and the
 * HTTP insight say it alike. '' for none.
 */
export function notReportedText(counts: NotReportedCounts | undefined): string {
  const entries = notReportedEntries(counts);
  const drained = entries.filter(([state]) => state === 'draining').map(([, n]) => `${n} draining`);
  const others = entries.filter(([state]) => state !== 'draining');
  if (others.length === 0) return drained.join(', ');
  const names = others.map(([state]) => specSpelling(state));
  const leftOut = `${names.slice(0, -1).join(', ')}${names.length > 1 ? ' and ' : ''}${names[names.length - 1]}`;
  const listed = others.map(([state, n]) => `${n} ${state}`).join(', ');
  return [...drained, `${listed} (not counted: unhealthyStates leaves ${leftOut} out)`].join(', ');
}

/** `unknown` → `Unknown`, `unhealthy` → `Down`: as `unhealthyStates` names it. */
function specSpelling(state: NotReportedState): string {
  return CONFIGURABLE_STATES.find((name) => readHealth(name) === state) ?? state;
}
