import { counted } from '../../../core/counted';
import { testMarked } from '../../../core/notice/test-notice';
import { poolRows, type NoticeGroup, type ServerRow } from '../../../core/notice/grouping';
import type { NoticeType } from '../../../core/notice/notice';
import { endedByDeletion, episodeEnding } from '../../../core/notice/notice-labels';
import {
  countsText,
  GROUP_PROBE_CHARS,
  leadingType,
  onlyDeletions,
  anyEnding,
  rowProbeText,
  rowSeverity,
  serverLineText,
} from '../group-text';
import { escapeClip, groupHealthText, plainText } from '../text';
import type { WebhookPayload } from '../webhook-format';
import {
  adaptiveCard,
  fittingTeamsPayload,
  headContainer,
  heading,
  run,
  teamsMarkdownText,
} from './teams-payload';

/**
 * The grouped Teams card (core/notice/grouping.ts): one Adaptive Card per gateway flush, its servers
 * by pool and settings, each with its severity (and a raise: `critical, raised from warning`), its
 * health (a recovered's never reads as unhealthy) and its cause. Untrusted values are TextRuns (never read as
 * markdown) or minimally escaped FactSet values, as in the per-notice card (teams-payload.ts). At
 * most GROUP_ROWS servers are listed, then "… and N more"; the card is rebuilt with fewer rows until
 * it fits TEAMS_MAX_BODY_BYTES.
 */

/** Most servers listed on one card. */
export const GROUP_ROWS = 20;

const ROW_BUDGETS = [GROUP_ROWS, 10, 5, 2, 0] as const;

const ICONS: Readonly<Record<NoticeType, string>> = {
  degraded: '🔴',
  'still-degraded': '🟠',
  recovered: '✅',
};

/** A server whose episode ended because its gateway no longer exists (endedByDeletion). */
const DELETED_ICON = '🗑';
/** An episode ended with nothing known healthy (episodeEnding). */
const EMPTIED_ICON = '➖';

/** A row's icon: its type's, unless its episode ended without recovering. */
function rowIcon(notice: ServerRow['notice']): string {
  return endedByDeletion(notice)
    ? DELETED_ICON
    : episodeEnding(notice) !== undefined
      ? EMPTIED_ICON
      : ICONS[notice.type];
}

function runText(value: string, max: number): string {
  return escapeClip(plainText(value).replace(/\s+/g, ' ').trim(), max) || '—';
}

/** The header's style, by the group's most pressing type: any `degraded`, else any reminder, else good. */
const HEAD_STYLES: Readonly<Record<NoticeType, string>> = {
  degraded: 'attention',
  'still-degraded': 'warning',
  recovered: 'good',
};

function serverRow({ notice, earlier }: ServerRow): Record<string, unknown>[] {
  const severity = rowSeverity(notice);
  const probe = rowProbeText(notice);
  const line = {
    type: 'RichTextBlock',
    inlines: [
      { type: 'TextRun', text: `${rowIcon(notice)} ` },
      { type: 'TextRun', text: runText(notice.server.address, 200), weight: 'Bolder' },
      // Severity first, bold when critical and told now: a raise reads as one, not as a duplicate.
      {
        type: 'TextRun',
        text: ` · ${severity.text}`,
        ...(severity.stressed ? { weight: 'Bolder', color: 'Attention' } : {}),
      },
      { type: 'TextRun', text: ` · ${runText(groupHealthText(notice), 120)} · `, isSubtle: true },
      { type: 'TextRun', text: runText(serverLineText(notice, earlier), 400) },
    ],
  };
  return probe
    ? [
        line,
        // A TextRun, as the row's: Teams renders no markdown in it (a TextBlock would: the log is untrusted).
        {
          type: 'RichTextBlock',
          spacing: 'None',
          inlines: [
            {
              type: 'TextRun',
              text: `probe: ${runText(probe, GROUP_PROBE_CHARS)}`,
              isSubtle: true,
              size: 'Small',
            },
          ],
        },
      ]
    : [line];
}

/** The grouped card listing at most `rows` servers. Pure. */
export function buildTeamsGroupCard(group: NoticeGroup, rows: number = GROUP_ROWS): Record<string, unknown> {
  const lead = leadingType(group);
  const deletions = onlyDeletions(group);
  // Recoveries with an episode ended unserved among them: not all clear.
  const endings = lead === 'recovered' && anyEnding(group);
  const icon = deletions ? DELETED_ICON : endings ? EMPTIED_ICON : ICONS[lead];
  const body: Record<string, unknown>[] = [
    headContainer(
      endings ? 'warning' : HEAD_STYLES[lead],
      testMarked(group, `${icon} Backend servers: ${countsText(group)}`),
      runText(group.gateway.name, 300),
    ),
    {
      type: 'FactSet',
      facts: [
        { title: 'Gateway', value: teamsMarkdownText(group.gateway.name, 256) },
        { title: 'Resource group', value: teamsMarkdownText(group.gateway.resourceGroup, 256) },
        { title: 'Subscription', value: teamsMarkdownText(group.gateway.subscriptionId, 256) },
      ],
    },
  ];
  let listed = 0;
  const sections = poolRows(group.notices);
  for (const section of sections) {
    if (listed >= rows) break;
    body.push(
      heading(
        `Pool ${teamsMarkdownText(section.backendPool, 200)} · settings ${teamsMarkdownText(section.backendSettings, 200)}`,
      ),
    );
    for (const row of section.rows) {
      if (listed >= rows) break;
      body.push(...serverRow(row));
      listed++;
    }
  }
  const more = sections.reduce((n, s) => n + s.rows.length, 0) - listed;
  if (more > 0)
    body.push({
      type: 'TextBlock',
      text: `… and ${more} more server${more === 1 ? '' : 's'} (the run's report lists every one)`,
      wrap: true,
      isSubtle: true,
    });
  body.push(
    run(
      runText(`Group ${group.id} · ${counted(group.notices.length, 'notice')} · ${group.occurredAt}`, 300),
      {
        isSubtle: true,
        size: 'Small',
      },
    ),
  );
  return adaptiveCard(body);
}

/** `format: "teams"`, grouped. Pure: the card with the most rows that fits TEAMS_MAX_BODY_BYTES. */
export function buildTeamsGroupPayload(group: NoticeGroup): WebhookPayload {
  return fittingTeamsPayload(ROW_BUDGETS, (rows) => buildTeamsGroupCard(group, rows));
}
