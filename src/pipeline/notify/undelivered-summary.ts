import { counted, namedList } from '../../core/counted';
import { deliveryFailedDetail } from '../../errors';
import { followUpCommand, type ConfigSource } from '../../core/follow-up-command';
import { reasonBehind } from '../../core/notice/not-tried-reason';
import { receiverConfigName } from '../../core/notice/receiver-name';
import { clipMiddle, clipText } from '../../core/text-clip';
import type { Logger } from '../logger';
import { olderReadingText } from './older-readings';
import type { NotificationsReport, UndeliveredNoticeReport } from '../../core/run-report';
import { shownType } from '../../core/notice/notice-labels';

type Problems = Pick<
  NotificationsReport,
  | 'undelivered'
  | 'dropped'
  | 'stateErrors'
  | 'contended'
  | 'unconfirmedDeletions'
  | 'unconfirmedRemovals'
  | 'olderReadings'
>;

/** Unconfirmed deletions and removals named one per line; the rest counted (report.json lists each). */
const UNCONFIRMED_SHOWN = 5;

/** When the notices of one status go again, said of `n` of them (singular or plural). */
function whenText(status: UndeliveredNoticeReport['status'], n: number): string {
  const one = n === 1;
  switch (status) {
    case 'waiting':
      return 'waiting, sent on the next run';
    case 'leased':
      // The lease says a run took them, not that it is still at work: a run whose state stopped
      // answering between a send and its record ended with its lease still on (a break trial).
      return `held by another run's lease (that run is sending ${one ? 'it' : 'them'}, or stopped before it recorded what it sent), sent again once the lease ends if still undelivered`;
    case 'dead-letter':
      return `parked as ${one ? 'a dead letter' : 'dead letters'}, not sent again until re-sent by hand`;
  }
}

/**
 * What notify on change left undone, one line each, for people: per receiver and status, how many
 * notices, why (the latest reason) and when they will be tried again; then dropped notices, state
 * errors, the documents overlapping runs kept writing first (`contended`), and the gateways no listing
 * showed that ARM did not confirm deleted, and the readings not counted because a newer one was
 * (`olderReadings`). Empty when everything was delivered and every reading counted.
 * The CLI summary and the log (stderr, Application Insights) print the same lines. `config`: where the
 * verb's configuration came from, which the re-send command then names (follow-up-command.ts); absent: `FILE`.
 */
export function describeNotifyProblems(problems: Problems, config?: ConfigSource): string[] {
  const lines: string[] = [];
  const groups = new Map<string, UndeliveredNoticeReport[]>();
  for (const notice of problems.undelivered) {
    const key = `${notice.receiver}\u0000${notice.status}`;
    // Pushed, not copied: a receiver that is down holds a notice per bad server of every gateway.
    const group = groups.get(key);
    if (group) group.push(notice);
    else groups.set(key, [notice]);
  }
  for (const notices of groups.values()) {
    const [first] = notices;
    if (!first) continue;
    const reasons = distinctFailures(
      notices.map((n) => n.reason),
      first.receiver,
    );
    const latest = reasons[reasons.length - 1] ?? '';
    const more = otherReasons(reasons.slice(0, -1).reverse());
    const until =
      first.status === 'leased'
        ? ` (until ${notices
            .map((n) => n.leasedUntil ?? '')
            .sort()
            .at(-1)}, by ${[...new Set(notices.map((n) => n.leasedBy))].join(', ')})`
        : '';
    const hint = first.status === 'dead-letter' ? ` (${resendHint(first.receiver, config)})` : '';
    // A lease says it all (who holds it, until when); the other statuses give the receiver's answer.
    const why = first.status === 'leased' ? '' : `: ${short(latest)}${more}`;
    lines.push(
      `${first.receiver}: ${counted(notices.length, 'notice')} ${whenText(first.status, notices.length)}${until}${hint}${why}`,
    );
  }
  for (const dropped of problems.dropped) {
    lines.push(
      `${dropped.receiver}: notice ${dropped.noticeId} (${shownType(dropped)} ${dropped.server}) dropped undelivered: ${short(dropped.reason)}`,
    );
  }
  // State errors name the notify state themselves (errors.ts); anything else (a bug) gets the prefix.
  for (const { message } of problems.stateErrors)
    lines.push(/notify state/i.test(message) ? message : `notify state: ${message}`);
  // Only documents whose claim lost the ETag race every time: a state that failed is not an overlap.
  for (const document of problems.contended) {
    lines.push(
      `The notify state in ${document} kept changing under this run: overlapping runs wrote it first each time this run tried, so its notices were left to them`,
    );
  }
  const unconfirmed = problems.unconfirmedDeletions ?? [];
  for (const { gateway, reason, notFoundBy } of unconfirmed.slice(0, UNCONFIRMED_SHOWN)) {
    const seen =
      notFoundBy === 'backendHealth'
        ? 'its backend-health call answered 404'
        : 'not in the listing of its scope';
    lines.push(
      `${gateway}: ${seen}, but not known to be deleted: ${short(reason)}; its open episodes stay open, none is sent as recovered`,
    );
  }
  if (unconfirmed.length > UNCONFIRMED_SHOWN)
    lines.push(
      `and ${counted(unconfirmed.length - UNCONFIRMED_SHOWN, 'more gateway')} not in a listing, not known to be deleted (report.json: notifications.unconfirmedDeletions)`,
    );
  const removals = problems.unconfirmedRemovals ?? [];
  for (const { server, reason } of removals.slice(0, UNCONFIRMED_SHOWN)) {
    lines.push(
      `${server}: not in its gateway's backend-health reading, but not known to be removed: ${short(reason)}; its open episode stays open, no recovered is sent`,
    );
  }
  if (removals.length > UNCONFIRMED_SHOWN)
    lines.push(
      `and ${counted(removals.length - UNCONFIRMED_SHOWN, 'more server')} not in a reading, not known to be removed (report.json: notifications.unconfirmedRemovals)`,
    );
  for (const older of problems.olderReadings ?? []) lines.push(olderReadingText(older));
  return lines;
}

/**
 * The same lines as warnings, so they reach stderr (CLI) and Application Insights (Functions); all but
 * the state errors and the dropped notices, which were logged where they happened (notify-on-change.ts:
 * a state error as an error, each dropped notice as a warning), so none is told twice.
 */
export function logNotifyProblems(problems: Problems, logger: Logger, config?: ConfigSource): void {
  for (const line of describeNotifyProblems({ ...problems, stateErrors: [], dropped: [] }, config))
    logger.warn(line);
}

/**
 * `re-send: appgw-insights notify resend --config FILE --receiver NAME` for a receiver named
 * `webhook[NAME]`, with `config` as the verb that prints it read it (follow-up-command.ts).
 */
export function resendHint(receiver: string, config?: ConfigSource): string {
  return `re-send: ${followUpCommand('notify resend', config, '--receiver', receiverConfigName(receiver))}`;
}

/**
 * The receiver's failures behind `reasons`, each kind once, in the order first met, each said by its
 * latest text: a notice not tried after another's send failed says that failure (reasonBehind), a
 * send's own error loses its `Delivery to <receiver> failed: ` (the line names the receiver), and texts
 * that differ only in ids (a UUID, hex, a long token of letters and digits, a number of 4 digits or
 * more, a time) are one kind; a status or a version of up to 3 digits tells kinds apart. Break trials: "HTTP 503 … (and 1 other reason: …HTTP 503…)"; then a receiver whose 503 named a
 * request id: "(and 7 other reasons: "Delivery to webhook[ops] failed: HTTP 503 Service…", …)".
 */
function distinctFailures(reasons: readonly string[], receiver: string): string[] {
  const byKind = new Map<string, string>();
  for (const reason of reasons) {
    const text = deliveryFailedDetail(reasonBehind(reason), receiver);
    byKind.set(failureKind(text), text); // a kind already met keeps its place, with the latest text
  }
  return [...byKind.values()];
}

/** A failure's text without what differs between sends of one failure (distinctFailures). */
function failureKind(text: string): string {
  return (
    text
      .replace(/\s+/g, ' ')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?/g, '#')
      // Ids: a UUID, a run of hex, a long token of letters and digits (base64, a trace id).
      .replace(/\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b/gi, '#')
      .replace(/\b[0-9a-f]{8,}\b/gi, '#')
      .replace(/(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{12,}={0,2}/g, '#')
      // Numbers of 4 digits or more (a request id, a time in ms); shorter ones stay: a status (a Teams
      // connector's "HTTP error 413" against "404": a third break trial), a version (TLS 1.2, v1).
      .replace(/\d{4,}/g, '#')
  );
}

/** Most other reasons named after the latest; the rest are counted. */
const OTHER_REASONS_SHOWN = 3;

/** Characters shown of each other reason: enough to tell them apart, the latest is shown longer. */
const OTHER_REASON_CHARS = 90;

/**
 * ` (and 1 other reason: "HTTP 503")`, ` (and 5 other reasons: "a", "b", "c" and 2 more)`: the reasons
 * before the latest (most recent first), each clipped; empty when there is none. A bare count would
 * hide what it counts.
 */
function otherReasons(reasons: readonly string[]): string {
  if (reasons.length === 0) return '';
  // Both ends: reasons of one receiver often share their start ("HTTP 200 OK, but the receiver did not
  // take the notice: …") and differ at their end (a third break trial: two read alike).
  const named = reasons.map((r) =>
    JSON.stringify(clipMiddle(r.replace(/\s+/g, ' ').trim(), OTHER_REASON_CHARS)),
  );
  return ` (and ${counted(reasons.length, 'other reason')}: ${namedList(named, OTHER_REASONS_SHOWN)})`;
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return clipText(flat, 240);
}
