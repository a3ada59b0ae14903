import { readHealth } from '../health';
import { RECOVERED_HEALTH, RECOVERED_REASONS, type Notice, type NoticeType } from './notice';
import type { Severity } from './severity';

/**
 * The words every place that shows a notice uses for its severity and its health (the chat cards and
 * their grouped rows, PagerDuty's summary, the run summary, `notify list`), so a `degraded` sent
 * again because its severity rose never reads as a duplicate, and a `recovered` never reads as
 * unhealthy. Unescaped: each medium escapes them (they hold untrusted health values). Pure.
 */

/**
 * `critical`; `critical, raised from warning` for a `degraded` sent again because its severity rose
 * (Notice.raisedFrom); `the episode was critical` for a `recovered` (the severity its receiver knew, not a
 * current one: said so, so that beside a health it never reads as a past health).
 */
export function severityLabel(notice: {
  readonly type: NoticeType | string;
  readonly severity?: Severity;
  readonly raisedFrom?: Severity;
}): string {
  const severity = notice.severity ?? 'warning';
  if (notice.type === 'recovered') return `the episode was ${severity}`;
  return notice.raisedFrom ? `${severity}, raised from ${notice.raisedFrom}` : severity;
}

const PLACEHOLDERS: ReadonlySet<string> = new Set(Object.values(RECOVERED_HEALTH));

/**
 * The health a notice shows. `degraded`/`still-degraded`: as the gateway reported it. `recovered`:
 * the current value when it is healthy, a RECOVERED_HEALTH placeholder as it is, a state that is not
 * reported (`Draining`, `Unknown`, `Partial`) as `<value>, not reported`; anything else (a bad value
 * a notice queued by an earlier release still carries, or a state the config's `unhealthyStates`
 * leaves out) as `Recovered`: a recovered row never reads as unhealthy.
 */
export function shownHealth(notice: Pick<Notice, 'type' | 'server'>): string {
  const health = notice.server.health;
  if (notice.type !== 'recovered' || PLACEHOLDERS.has(health)) return health;
  const state = readHealth(health);
  if (state === 'healthy') return health;
  if (state === 'draining' || state === 'unknown' || state === 'partial') return `${health}, not reported`;
  return 'Recovered';
}

/**
 * A notice's health and severity in one parenthesis-sized text, as the one-line texts show them
 * (Slack's notification text): `Unhealthy, critical`; `Healthy; the episode was critical` for a
 * `recovered`, whose severity is its ended episode's, not the server's now. Unescaped. Pure.
 */
export function healthAndSeverity(
  notice: Pick<Notice, 'type' | 'server' | 'severity' | 'raisedFrom'>,
): string {
  return `${shownHealth(notice)}${notice.type === 'recovered' ? ';' : ','} ${severityLabel(notice)}`;
}

/**
 * Whether `notice` is a `recovered` that ended its episode because its gateway no longer exists
 * (RECOVERED_REASONS.gatewayGone): the chat cards head it as a deletion, not in a recovery's green (a
 * break trial: "✅ Backend servers: 1 recovered" of a deleted gateway read as resolved).
 */
export function endedByDeletion(notice: Pick<Notice, 'type' | 'reason'>): boolean {
  return notice.type === 'recovered' && notice.reason === RECOVERED_REASONS.gatewayGone;
}

/**
 * Why a `recovered` ended its episode with nothing known to be healthy, in words (lower case, no full
 * stop); undefined for a recovery (healthy again, confirmed by an on-demand probe, not every pool bad
 * any more), a deletion (endedByDeletion) and any other notice. The chat cards head it as an episode
 * ended, not in a recovery's green:
 * - gateway-level: the gateway lists no server any more (RECOVERED_REASONS.noServerListed), or those
 *   it lists are bad or in states not reported (`notReported`: Unknown left out of unhealthyStates)
 *   (break trials: every pool emptied, and every server Down then Unknown, read "✅ Not every backend
 *   pool down any more");
 * - one server: removed from its backend pool (`notListed`: its pool may now be empty, the gateway
 *   serving nothing), or now in a state not reported (`notReported`) (a break trial: "✅ 1 recovered"
 *   of a one-server gateway whose pool was emptied, and of a server now Unknown).
 */
export function episodeEnding(notice: Pick<Notice, 'type' | 'reason' | 'scope'>): string | undefined {
  if (notice.type !== 'recovered') return undefined;
  if (notice.scope === 'gateway') {
    if (notice.reason === RECOVERED_REASONS.noServerListed)
      return 'the gateway lists no backend server any more';
    if (notice.reason === RECOVERED_REASONS.notReported)
      return 'no server of the gateway is healthy; those not bad are in states not reported (unhealthyStates)';
    return undefined;
  }
  if (notice.reason === RECOVERED_REASONS.notListed)
    return 'the server is no longer listed by the gateway (removed from its backend pool or settings)';
  if (notice.reason === RECOVERED_REASONS.notReported)
    return 'the server is now in a state that is not reported (unhealthyStates), not known healthy';
  return undefined;
}

/**
 * Why a `recovered` ended its episode without a recovery, in words: `gateway deleted`
 * (endedByDeletion), or episodeEnding's; undefined for a recovery and any other notice. What a run's
 * report (`deliveries[].ended`) and summary say of such a delivery, where the chat cards head it ➖/🗑.
 */
export function endingWords(notice: Pick<Notice, 'type' | 'reason' | 'scope'>): string | undefined {
  return endedByDeletion(notice) ? 'gateway deleted' : episodeEnding(notice);
}

/**
 * A report entry's notice type as people read it: `ended` for a `recovered` that ended its episode
 * without a recovery (the entry's `ended`, endingWords), else its type. The summary's receiver line,
 * its held notices and `notify list` said `recovered` of a waiting deletion's notice (a trial).
 */
export function shownType(entry: { readonly type: string; readonly ended?: string }): string {
  return entry.ended !== undefined ? 'ended' : entry.type;
}

/**
 * shownType with why beside it: `ended (gateway deleted)`, else the entry's type. Where a line names
 * the notice once (the summary's receiver line, `notify resend`).
 */
export function shownTypeWithWhy(entry: { readonly type: string; readonly ended?: string }): string {
  return entry.ended !== undefined ? `ended (${entry.ended})` : entry.type;
}
