import { groupCounts, serverRows, type NoticeGroup } from '../../core/notice/grouping';
import type { Notice, NoticeType } from '../../core/notice/notice';
import { endedByDeletion, endingWords, episodeEnding, severityLabel } from '../../core/notice/notice-labels';
import { causeChangedSuffix } from './text';

/**
 * The words the chat formats' grouped messages share (teams/teams-group.ts, slack/slack-group.ts):
 * one headline and one line per server, each medium escaping them its own way.
 */

const WORDS: Readonly<Record<NoticeType, string>> = {
  degraded: 'degraded',
  'still-degraded': 'still degraded',
  recovered: 'recovered',
};

/** A gateway-level notice (inhibition) stands for every server: said as what it is, not as "1". */
const GATEWAY_WORDS: Readonly<Record<NoticeType, string>> = {
  degraded: 'every backend pool down',
  'still-degraded': 'every backend pool still down',
  recovered: 'not every backend pool down any more',
};

/**
 * "3 degraded, 1 recovered": the group's headline counts of servers by the state each row shows
 * (serverRows: a server with several notices counts once, as its last), in the types' order; a
 * gateway-level notice is said first in words ("every backend pool down"). Unescaped.
 */
export function countsText(group: Pick<NoticeGroup, 'notices'>): string {
  const latest = serverRows(group.notices).map((row) => row.notice);
  const gatewayLevel = latest.filter((n) => n.scope === 'gateway').map((n) => gatewayWords(n));
  const servers = latest.filter((n) => n.scope !== 'gateway');
  const perServer = serverCountsText({ notices: servers });
  return [...gatewayLevel, ...(perServer ? [perServer] : [])].join(', ');
}

/** A gateway-level notice in words: ended (deleted, or no server healthy) is never "not every pool down". */
function gatewayWords(notice: Notice): string {
  if (endedByDeletion(notice)) return 'ended (gateway deleted)';
  const ending = episodeEnding(notice);
  return ending ? `ended: ${ending}` : GATEWAY_WORDS[notice.type];
}

function serverCountsText(group: Pick<NoticeGroup, 'notices'>): string {
  const counts = groupCounts(group);
  // A degraded sent again because its severity rose is counted apart: "2 degraded (1 severity raised)".
  const raised = group.notices.filter((n) => n.type === 'degraded' && n.raisedFrom !== undefined).length;
  // A deleted gateway's ended episodes are not recoveries: "1 ended (gateway deleted)" (a break trial);
  // nor is a server removed from its pool or now in a state not reported: "1 ended" (episodeEnding).
  const deleted = group.notices.filter(endedByDeletion).length;
  const ended = group.notices.filter((n) => episodeEnding(n) !== undefined).length;
  const shown: Record<NoticeType, number> = { ...counts, recovered: counts.recovered - deleted - ended };
  return [
    ...(Object.keys(WORDS) as NoticeType[])
      .filter((type) => shown[type] > 0)
      .map(
        (type) =>
          `${shown[type]} ${WORDS[type]}${type === 'degraded' && raised > 0 ? ` (${raised} severity raised)` : ''}`,
      ),
    ...(ended > 0 ? [`${ended} ended, not known healthy`] : []),
    ...(deleted > 0 ? [`${deleted} ended (gateway deleted)`] : []),
  ].join(', ');
}

/**
 * Whether every server a group's message shows ended its episode because the gateway no longer exists
 * (endedByDeletion): its head is then a deletion's (🗑, not a recovery's green).
 */
export function onlyDeletions(group: Pick<NoticeGroup, 'notices'>): boolean {
  const latest = serverRows(group.notices).map((row) => row.notice);
  return latest.length > 0 && latest.every(endedByDeletion);
}

/**
 * Whether some server a group's message shows ended its episode without recovering: its gateway
 * deleted (endedByDeletion), or with nothing known healthy (episodeEnding: the gateway-level episode
 * with no server healthy, a server removed from its pool or now in a state not reported). A message of
 * recoveries holding one is then not headed in a recovery's green (break trials: "✅ Backend servers:
 * …" of a gateway whose every pool was emptied, and of a one-server gateway whose pool was emptied).
 */
export function anyEnding(group: Pick<NoticeGroup, 'notices'>): boolean {
  const latest = serverRows(group.notices).map((row) => row.notice);
  return latest.some((n) => endingWords(n) !== undefined);
}

/**
 * A server row's severity, after its address: `text` the label (`critical, raised from warning` for a
 * raise; `the episode was critical` for a recovered: notice-labels.ts), `stressed` when it is critical
 * and told now (not a recovered), which the medium shows bold: a raise reads as one, not as a duplicate.
 */
export function rowSeverity(notice: Notice): { readonly text: string; readonly stressed: boolean } {
  return {
    text: severityLabel(notice),
    stressed: notice.type !== 'recovered' && notice.severity === 'critical',
  };
}

/** The most pressing type in a group: any `degraded`, else any reminder, else `recovered`. */
export function leadingType(group: Pick<NoticeGroup, 'notices'>): NoticeType {
  const counts = groupCounts(group);
  return counts.degraded > 0 ? 'degraded' : counts['still-degraded'] > 0 ? 'still-degraded' : 'recovered';
}

/**
 * What a server's line says after its address and health: why it recovered, else its cause; for a
 * gateway-level notice (core/notice/inhibit.ts) its probe log, which says how many servers and pools.
 * Unescaped (untrusted values: the caller escapes for its medium).
 */
export function serverLineText(notice: Notice, earlier: readonly Notice[] = []): string {
  const now =
    notice.type === 'recovered'
      ? (notice.reason ?? 'recovered')
      : // A changed cause says so on the row (causeChangedSuffix): the row is news, not a duplicate.
        `${notice.scope === 'gateway' ? notice.server.probeLog : notice.cause.title}${causeChangedSuffix(notice)}`;
  return earlier.length ? `${now}; earlier in this message: ${earlier.map(earlierText).join(', ')}` : now;
}

/**
 * A notice a row folds in (serverRows), in a few words: its type, why for a `recovered` (a server
 * confirmed fixed and bad again reads as both, in order), the cause a changed one came from.
 */
function earlierText(notice: Notice): string {
  if (notice.type === 'recovered') return `recovered (${notice.reason ?? 'healthy again'})`;
  return `${WORDS[notice.type]}${causeChangedSuffix(notice)}`;
}

/** Most characters of a probe message on a grouped row (the insight and a per-server message hold it whole). */
export const GROUP_PROBE_CHARS = 200;

/**
 * The probe's own message for a grouped row of a server told bad now (`degraded`, `still-degraded`),
 * on one line: what the on-call person reads first (a new-user trial: the default grouped Teams and
 * Slack messages gave a cause title alone, where the README promises the probe's own error). Undefined
 * for a `recovered`, a gateway-level notice (its row already says its probe log), or an empty log.
 * Unescaped and unclipped: the caller escapes and cuts it for its medium (GROUP_PROBE_CHARS).
 */
export function rowProbeText(notice: Notice): string | undefined {
  if (notice.type === 'recovered' || notice.scope === 'gateway') return undefined;
  const log = notice.server.probeLog.replace(/\s+/g, ' ').trim();
  return log ? log : undefined;
}
