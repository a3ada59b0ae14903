import { endedByDeletion, episodeEnding } from '../../../core/notice/notice-labels';
import { testMarked } from '../../../core/notice/test-notice';
import { stepsBesideProbeLog } from '../../../core/causes';
import { fitStep } from '../../../core/notice/step-fit';
import type { Notice, NoticeType } from '../../../core/notice/notice';
import { escapeMarkdownText, markdownToText } from '../../../articles';
import {
  ELLIPSIS,
  escapeClip,
  failureProbeLog,
  noticeFacts,
  plainText,
  probeLogParts,
  raisedSuffix,
  serverIdentity,
  singleLine,
} from '../text';
import { JSON_HEADERS, type WebhookPayload } from '../webhook-format';

/**
 * Microsoft Teams, Workflows "Post to a channel when a webhook request is received": a message with one
 * Adaptive Card attachment (`contentUrl: null`). The card is version 1.4 (TextRun, RichTextBlock and
 * Container styles are 1.2). Untrusted values go into TextRuns, which Teams never reads as markdown;
 * FactSet values are markdown in Teams, so there they are one line, minimally escaped
 * (teamsMarkdownText). Teams refuses messages over 28 KB: the card is rebuilt with smaller excerpts
 * until it fits `TEAMS_MAX_BODY_BYTES`.
 */

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const ADAPTIVE_CARD_VERSION = '1.4';
/** Teams' message limit is 28 KB; 1 KB is left for what the Workflow adds around the card. */
export const TEAMS_MAX_BODY_BYTES = 27 * 1024;

const BASE_BUDGET = { fact: 256, title: 300, log: 3_000, step: 600, steps: 12, text: 1_500 } as const;
const SCALES = [1, 0.5, 0.25, 0.1, 0.04] as const;

const HEADINGS: Readonly<Record<NoticeType, { readonly text: string; readonly style: string }>> = {
  degraded: { text: '🔴 Backend server degraded', style: 'attention' },
  'still-degraded': { text: '🟠 Backend server still degraded', style: 'warning' },
  recovered: { text: '✅ Backend server recovered', style: 'good' },
};

/** A `recovered` whose gateway no longer exists (endedByDeletion): not a recovery's green. */
const DELETED_HEADING = {
  text: '🗑 Episode ended: the application gateway no longer exists',
  style: 'warning',
};

/** A `recovered` with nothing known healthy (episodeEnding): not a recovery. */
const endedHeading = (ending: string) => ({ text: `➖ Episode ended: ${ending}`, style: 'warning' });

/** Headings of a gateway-level notice (`scope: "gateway"`, core/notice/inhibit.ts). */
export const GATEWAY_HEADINGS: Readonly<Record<NoticeType, string>> = {
  degraded: '🔴 Every backend pool of the gateway is down',
  'still-degraded': '🟠 Every backend pool of the gateway is still down',
  recovered: '✅ Not every backend pool of the gateway is down any more',
};

/**
 * One line of untrusted text for a markdown field (FactSet value), at most `max` code units: escaped
 * minimally for CommonMark, the article engine's rules for a value alone in its field. Teams' markdown
 * is a subset (bold, italic, lists, links; no headers, tables, images, preformatted text or
 * blockquotes: https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format);
 * the Adaptive Cards SDK renders with markdown-it (`AdaptiveCard.applyMarkdown`). Escaping only what
 * CommonMark would read keeps names such as `pool_a` or `rg-web (prod)` as they are: Teams' mobile
 * clients have shown escape backslashes literally (microsoft/AdaptiveCards#5590). A cut text is
 * escaped after the cut, so no escape is split.
 */
export function teamsMarkdownText(value: string, max: number): string {
  const line = singleLine(value);
  if (line === '') return '—';
  const whole = escapeMarkdownText(line);
  if (whole.length <= max) return whole;
  const chars = [...line];
  let keep = Math.min(chars.length, max);
  for (;;) {
    const out = escapeMarkdownText(`${chars.slice(0, keep).join('')}${ELLIPSIS}`);
    if (out.length <= max || keep === 0) return out;
    keep = Math.max(0, keep - Math.max(1, out.length - max));
  }
}

/** Untrusted text for a TextRun (never markdown): well-formed, no hidden controls, at most `max` code units. */
function runText(value: string, max: number): string {
  return escapeClip(plainText(value).trim(), max) || '—';
}

/** A RichTextBlock of one TextRun: `text` is shown as it is (never markdown); `extra` styles the run. */
export function run(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text, ...extra }] };
}

/** A bold section heading: a TextBlock, whose `text` Teams reads as markdown (the caller escapes it). */
export function heading(text: string): Record<string, unknown> {
  return { type: 'TextBlock', text, weight: 'Bolder', wrap: true, spacing: 'Medium' };
}

/**
 * The card's coloured head: a full-width Container in `style` (`attention`, `warning`, `good`) with the
 * large `title` (our own text, a TextBlock) and the subtle `subtitle` (a TextRun, already run text).
 */
export function headContainer(style: string, title: string, subtitle: string): Record<string, unknown> {
  return {
    type: 'Container',
    style,
    bleed: true,
    items: [
      { type: 'TextBlock', text: title, size: 'Large', weight: 'Bolder', wrap: true },
      run(subtitle, { isSubtle: true }),
    ],
  };
}

/**
 * The Adaptive Card around `body` (and `actions`, when there are any), full width in Teams
 * (`msteams.width`): the one card shape of the per-notice and the grouped message (teams-group.ts).
 */
export function adaptiveCard(
  body: readonly Record<string, unknown>[],
  actions: readonly Record<string, unknown>[] = [],
): Record<string, unknown> {
  return {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    msteams: { width: 'Full' },
    body: body.map((element) => withoutTextFunctions(element) as Record<string, unknown>),
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/**
 * `node` with every `{{` of its texts broken by U+200B, which shows nothing. Adaptive Cards turn
 * `{{DATE(2020-01-01T00:00:00Z)}}` and `{{TIME(…)}}` in any TextBlock, TextRun or FactSet text into
 * a date or time in the reader's locale (adaptivecards.io "Text features", Date/Time formatting;
 * adaptivecards `lib/text-formatters.js`), so a probe message or a name written so showed another text
 * than the gateway's (a break trial). Every string but a URL: our own texts never hold `{{`.
 */
function withoutTextFunctions(node: unknown, key = ''): unknown {
  if (typeof node === 'string') return key === 'url' ? node : node.replace(/\{(?=\{)/g, '{\u200B');
  if (Array.isArray(node)) return node.map((item) => withoutTextFunctions(item));
  if (node !== null && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withoutTextFunctions(v, k)]));
  return node;
}

/** The Adaptive Card for a notice, with excerpts scaled by `scale`. Pure. */
export function buildTeamsCard(notice: Notice, scale = 1): Record<string, unknown> {
  const b = (n: number): number => Math.max(8, Math.floor(n * scale));
  const fact = (title: string, value: string) => ({
    title,
    value: teamsMarkdownText(value, b(BASE_BUDGET.fact)),
  });
  const ending = episodeEnding(notice);
  const base = endedByDeletion(notice)
    ? DELETED_HEADING
    : ending !== undefined
      ? endedHeading(ending)
      : notice.scope === 'gateway'
        ? { ...HEADINGS[notice.type], text: GATEWAY_HEADINGS[notice.type] }
        : HEADINGS[notice.type];
  // A degraded sent again because its severity rose says so first: it is news, not a duplicate.
  const head = { ...base, text: testMarked(notice, `${base.text}${raisedSuffix(notice)}`) };
  const facts = noticeFacts(notice).map(([label, value]) => fact(label, value));
  const body: Record<string, unknown>[] = [
    headContainer(head.style, head.text, runText(serverIdentity(notice), b(BASE_BUDGET.title))),
    { type: 'FactSet', facts },
  ];
  if (notice.reason !== undefined)
    body.push(heading('Why it ended'), run(runText(notice.reason, b(BASE_BUDGET.text))));
  for (const part of probeLogParts(notice))
    body.push(
      heading(teamsMarkdownText(part.label, b(BASE_BUDGET.title))),
      run(runText(part.text, b(BASE_BUDGET.log)), { fontType: 'Monospace' }),
    );
  body.push(heading(notice.type === 'recovered' ? 'Cause (of the episode that ended)' : 'Cause'));
  body.push(run(runText(notice.cause.title, b(BASE_BUDGET.title)), { weight: 'Bolder' }));
  // The card shows the probe log above: a step that only quotes it would be its second appearance.
  const allSteps = stepsBesideProbeLog(notice.cause, failureProbeLog(notice));
  const steps = allSteps.slice(0, BASE_BUDGET.steps);
  // Never a command cut partway (step-fit.ts): a step too long points to the insight for its commands.
  const stepRoom = b(BASE_BUDGET.step);
  const fits = (text: string) => runText(text, Number.MAX_SAFE_INTEGER).length <= stepRoom;
  steps.forEach((step, i) => body.push(run(`${i + 1}. ${runText(fitStep(step, fits), stepRoom)}`)));
  if (allSteps.length > steps.length)
    body.push(run(`… ${allSteps.length - steps.length} more steps in the guide`));
  if (notice.insight?.summary) {
    // The summary is markdown; a TextRun shows text as it is, so the reader gets the rendered text.
    body.push(heading('Summary'), run(runText(markdownToText(notice.insight.summary), b(BASE_BUDGET.text))));
  }
  body.push(
    run(runText(`Notice ${notice.id} · ${notice.occurredAt}`, b(BASE_BUDGET.title)), {
      isSubtle: true,
      size: 'Small',
    }),
  );
  const docUrl = notice.cause.docUrl;
  const actions =
    /^https:\/\/[^\s"<>]+$/.test(docUrl) && docUrl.length <= 2048
      ? [{ type: 'Action.OpenUrl', title: 'Open the troubleshooting guide', url: docUrl }]
      : [];
  return adaptiveCard(body, actions);
}

/** The Workflows envelope around a card. */
export function teamsMessage(card: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}

/** `format: "teams"`. Pure: the largest card that fits TEAMS_MAX_BODY_BYTES. */
export function buildTeamsPayload(notice: Notice): WebhookPayload {
  return fittingTeamsPayload(SCALES, (scale) => buildTeamsCard(notice, scale));
}

/**
 * The first of `budgets` (largest first) whose card, in its envelope, fits TEAMS_MAX_BODY_BYTES; the
 * last one's when none does. For the per-notice card (scales) and the grouped one (rows). Pure.
 */
export function fittingTeamsPayload<B>(
  budgets: readonly B[],
  card: (budget: B) => Record<string, unknown>,
): WebhookPayload {
  let body = '';
  for (const budget of budgets) {
    body = JSON.stringify(teamsMessage(card(budget)));
    if (Buffer.byteLength(body, 'utf8') <= TEAMS_MAX_BODY_BYTES) break;
  }
  return { body, headers: JSON_HEADERS };
}
