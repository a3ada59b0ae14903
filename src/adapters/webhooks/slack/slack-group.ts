import { counted } from '../../../core/counted';
import { endedByDeletion, episodeEnding } from '../../../core/notice/notice-labels';
import { testMarked } from '../../../core/notice/test-notice';
import { poolRows, type NoticeGroup, type ServerRow } from '../../../core/notice/grouping';
import type { NoticeType } from '../../../core/notice/notice';
import { JSON_HEADERS, type WebhookPayload } from '../webhook-format';
import { countsText, GROUP_PROBE_CHARS, rowProbeText, rowSeverity, serverLineText } from '../group-text';
import { clip, groupHealthText } from '../text';
import { SLACK_LIMITS, mrkdwn, section as sectionBlock, slackPlainText, slackText } from './slack-payload';

/**
 * The grouped Slack message (core/notice/grouping.ts): a header with the counts, the gateway, then
 * one section per pool and settings listing its servers with severity (a raise says so), health (a
 * recovered's never reads as unhealthy) and cause, and under a server told bad its probe's message. Every value escaped
 * as in the per-notice message (slack-payload.ts: `&`, `<`, `>` and the formatting characters), cut
 * to Slack's limits; at most
 * GROUP_ROWS servers, then "… and N more".
 */

/** Most servers listed in one message. */
export const SLACK_GROUP_ROWS = 20;

const ICONS: Readonly<Record<NoticeType, string>> = {
  degraded: ':red_circle:',
  'still-degraded': ':large_orange_circle:',
  recovered: ':white_check_mark:',
};

/** A server whose episode ended because its gateway no longer exists (endedByDeletion). */
const DELETED_ICON = ':wastebasket:';
/** An episode ended with nothing known healthy (episodeEnding). */
const EMPTIED_ICON = ':heavy_minus_sign:';

/**
 * Most code units of a row's probe line once escaped. GROUP_PROBE_CHARS counts what a reader sees: each
 * `&`, `<`, `>` and formatting character takes 4–23 code units escaped, and counted so, a probe message
 * of a few `<html>` tags showed 55 characters of its 200 (a trial). A line of only formatting characters
 * is still cut, so a row stays within a section's 3 000 (SLACK_LIMITS.sectionText) beside the others.
 */
const PROBE_ESCAPED_CHARS = 1_000;

function row({ notice, earlier }: ServerRow): string {
  const what = serverLineText(notice, earlier);
  const severity = rowSeverity(notice);
  // Severity after the address (bold when critical and told now), so a raise is not a duplicate.
  const shown = severity.stressed ? `*${severity.text}*` : severity.text;
  const probe = rowProbeText(notice);
  return (
    `${endedByDeletion(notice) ? DELETED_ICON : episodeEnding(notice) !== undefined ? EMPTIED_ICON : ICONS[notice.type]} *${slackText(notice.server.address, 200)}* · ${shown} · ${slackText(groupHealthText(notice), 120)} · ${slackText(what, 400)}` +
    (probe ? `\n      probe: _${slackText(clip(probe, GROUP_PROBE_CHARS), PROBE_ESCAPED_CHARS)}_` : '')
  );
}

/** The Block Kit message for a group. Pure. */
export function buildSlackGroupMessage(group: NoticeGroup): Record<string, unknown> {
  const headline = testMarked(group, `Backend servers: ${countsText(group)}`);
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: slackPlainText(`${headline} on ${group.gateway.name}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          slackText(
            `${group.gateway.name} · ${group.gateway.resourceGroup} · ${group.gateway.subscriptionId}`,
            SLACK_LIMITS.sectionText,
          ),
        ),
      ],
    },
  ];
  let listed = 0;
  const sections = poolRows(group.notices);
  for (const section of sections) {
    if (listed >= SLACK_GROUP_ROWS) break;
    let text = `*Pool ${slackText(section.backendPool, 200)} · settings ${slackText(section.backendSettings, 200)}*`;
    for (const server of section.rows) {
      const line = `\n${row(server)}`;
      if (listed >= SLACK_GROUP_ROWS || text.length + line.length > SLACK_LIMITS.sectionText) break;
      text += line;
      listed++;
    }
    blocks.push(sectionBlock(text));
  }
  const more = sections.reduce((n, s) => n + s.rows.length, 0) - listed;
  if (more > 0)
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`… and ${more} more server${more === 1 ? '' : 's'}`)],
    });
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(
        `group ${slackText(group.id, 200)} · ${counted(group.notices.length, 'notice')} · ${slackText(group.occurredAt, 100)}`,
      ),
    ],
  });
  // Our headline as it is, the gateway's name escaped after it.
  const text = `${headline} on ${slackText(group.gateway.name, SLACK_LIMITS.fallbackText - headline.length - 4)}`;
  return { text, blocks };
}

/** `format: "slack"`, grouped. Pure. */
export function buildSlackGroupPayload(group: NoticeGroup): WebhookPayload {
  return {
    body: JSON.stringify(buildSlackGroupMessage(group)),
    headers: JSON_HEADERS,
  };
}
