import { testMarked } from '../../../core/notice/test-notice';
import { stepsBesideProbeLog } from '../../../core/causes';
import { fitStep } from '../../../core/notice/step-fit';
import type { Notice, NoticeType } from '../../../core/notice/notice';
import { markdownToText } from '../../../articles';
import {
  endedByDeletion,
  episodeEnding,
  healthAndSeverity,
  severityLabel,
} from '../../../core/notice/notice-labels';
import {
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
 * Slack incoming webhook with Block Kit: `text` (the notification fallback) and `blocks`. Every value
 * from the notice is escaped for mrkdwn (`&`, `<`, `>` → entities, so no `<!channel>`, `<@U…>` or link
 * can be injected: api.slack.com/reference/surfaces/formatting#escaping), and its formatting
 * characters are neutralised (escapeSlackMrkdwnChar), so a name or a probe message cannot bold,
 * italicise, strike or code-format the card or end our own bold labels. Values are cut to Slack's
 * limits, measured after escaping. mrkdwn objects carry `verbatim: true` so Slack does not auto-link
 * names. The probe log sits in a code block (no formatting inside) whose fence it cannot close (runs
 * of three backticks are broken with a zero-width space).
 */

/** Slack's documented Block Kit limits, and our cap for the fallback text. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  contextElements: 10,
  blocks: 50,
  fallbackText: 1_000,
} as const;

/** Display budgets below the limits: a Slack message is read on a phone. */
const BUDGET = { fact: 300, step: 600, steps: 12 } as const;

const LABELS: Readonly<Record<NoticeType, string>> = {
  degraded: ':red_circle: Backend server degraded',
  'still-degraded': ':large_orange_circle: Backend server still degraded',
  recovered: ':white_check_mark: Backend server recovered',
};

/** A `recovered` whose gateway no longer exists (endedByDeletion): its episode ended, nothing recovered. */
const DELETED_LABEL = ':wastebasket: Episode ended: the application gateway no longer exists';

/** A `recovered` with nothing known healthy (episodeEnding): not a recovery. */
const endedLabel = (ending: string) => `:heavy_minus_sign: Episode ended: ${ending}`;

/** Labels of a gateway-level notice (`scope: "gateway"`, core/notice/inhibit.ts). */
const GATEWAY_LABELS: Readonly<Record<NoticeType, string>> = {
  degraded: ':red_circle: Every backend pool down',
  'still-degraded': ':large_orange_circle: Every backend pool still down',
  recovered: ':white_check_mark: Not every backend pool down any more',
};

/** `&`, `<`, `>` as Slack wants them in any text it parses. */
export function escapeSlackChar(ch: string): string {
  return ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch;
}

/**
 * A mrkdwn formatting character (`*` bold, `_` italic, `~` strike, `` ` `` code) shown as itself and
 * read as no markup: Slack has no escape for them (its docs escape only `&`, `<`, `>`; a backslash
 * shows as itself), and wrapping a value in backticks is no help (a backtick in it ends the code).
 * So each goes into the fallback of a date token with an invalid format, `<!date^00000000^{_}|*>`:
 * Slack documents that a date it cannot format shows its fallback text
 * (api.slack.com/reference/surfaces/formatting#date-formatting), and clients show a fallback as plain
 * text, unformatted; jsx-slack's `<Escape>` neutralises these four the same way
 * (github.com/yhatt/jsx-slack docs/about-escape-and-exact-mode.md). Unlike a look-alike character
 * (`∗`), what a reader sees and copies (a pool name into an az command) is the character itself;
 * unlike a zero-width space, it does not depend on how Slack pairs markers around one.
 */
function escapeSlackMrkdwnChar(ch: string): string {
  return MRKDWN_FORMATTING.has(ch) ? `<!date^00000000^{_}|${ch}>` : escapeSlackChar(ch);
}

const MRKDWN_FORMATTING = new Set(['*', '_', '~', '`']);

/**
 * A `>` that starts a line makes the line a quote, entity or not, and a date token does not help there
 * (jsx-slack replaces it too): U+02C3 MODIFIER LETTER RIGHT ARROWHEAD, which looks the same.
 */
function noQuote(escaped: string): string {
  return escaped.replace(/(^|\n)&gt;/g, '$1\u02c3');
}

/**
 * One line of untrusted text for mrkdwn, escaped (entities and formatting characters), at most `max`
 * code units.
 */
export function slackText(value: string, max: number): string {
  return noQuote(escapeClip(singleLine(value), max, escapeSlackMrkdwnChar)) || '—';
}

/**
 * One line of untrusted text for a plain_text object (the header): Slack formats none of it, so only
 * `&`, `<`, `>` are escaped, at most `max` code units.
 */
export function slackPlainText(value: string, max: number): string {
  return escapeClip(singleLine(value), max, escapeSlackChar) || '—';
}

/** Multi-line untrusted text for mrkdwn, escaped as slackText, at most `max` code units. */
function slackBlockText(value: string, max: number): string {
  return noQuote(escapeClip(plainText(value).trim(), max, escapeSlackMrkdwnChar)) || '—';
}

/** Multi-line untrusted text inside a code block (no formatting there): `&`, `<`, `>` only. */
function slackCodeText(value: string, max: number): string {
  return escapeClip(plainText(value).trim(), max, escapeSlackChar) || '—';
}

/** A mrkdwn text object of `text` (already escaped), `verbatim` so Slack does not auto-link names. */
export function mrkdwn(text: string): Record<string, unknown> {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** A section block of mrkdwn `text` (already escaped). */
export function section(text: string): Record<string, unknown> {
  return { type: 'section', text: mrkdwn(text) };
}

/** A field: bold label, then the value; the whole object fits SLACK_LIMITS.fieldText. */
function field(label: string, value: string): Record<string, unknown> {
  const prefix = `*${label}*\n`;
  return mrkdwn(prefix + slackText(value, Math.min(BUDGET.fact, SLACK_LIMITS.fieldText - prefix.length)));
}

/** A https URL Slack can put in `<url|label>`: no characters that end or split the link. */
function slackLink(url: string, label: string): string | undefined {
  return /^https:\/\/[^\s<>|&"]+$/.test(url) && url.length <= 2_000 ? `<${url}|${label}>` : undefined;
}

function causeSection(notice: Notice): string {
  const title = notice.type === 'recovered' ? '*Cause (of the episode that ended):* ' : '*Cause:* ';
  let text = title + slackText(notice.cause.title, 500);
  // The message shows the probe log in its own section: a step that only quotes it would repeat it.
  const allSteps = stepsBesideProbeLog(notice.cause, failureProbeLog(notice));
  const steps = allSteps.slice(0, BUDGET.steps);
  for (const [i, step] of steps.entries()) {
    // Never a command cut partway (step-fit.ts): a step too long points to the insight for its commands.
    const fits = (text: string) => slackText(text, Number.MAX_SAFE_INTEGER).length <= BUDGET.step;
    const line = `\n${i + 1}. ${slackText(fitStep(step, fits), BUDGET.step)}`;
    if (text.length + line.length > SLACK_LIMITS.sectionText - 2) {
      text += '\n…';
      return text;
    }
    text += line;
  }
  return allSteps.length > steps.length ? `${text}\n…` : text;
}

function probeLogSection(label: string, probeLog: string): string {
  const open = `*${slackText(label, 200)}*\n\`\`\`\n`;
  const close = '\n```';
  const fenceSafe = plainText(probeLog).replace(/`(?=``)/g, '`\u200b');
  return open + slackCodeText(fenceSafe, SLACK_LIMITS.sectionText - open.length - close.length) + close;
}

/** The Block Kit message for a notice. Pure. */
export function buildSlackMessage(notice: Notice): Record<string, unknown> {
  const ending = episodeEnding(notice);
  // A raise says so in the header and the notification (Notice.raisedFrom): not a duplicate.
  const label = testMarked(
    notice,
    `${endedByDeletion(notice) ? DELETED_LABEL : ending !== undefined ? endedLabel(ending) : notice.scope === 'gateway' ? GATEWAY_LABELS[notice.type] : LABELS[notice.type]}${raisedSuffix(notice)}`,
  );
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: slackPlainText(`${label}: ${serverIdentity(notice)}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    {
      type: 'section',
      fields: noticeFacts(notice).map(([label, value]) => field(label, value)),
    },
  ];
  if (notice.reason !== undefined) {
    blocks.push(section(`*Why it ended*\n${slackBlockText(notice.reason, SLACK_LIMITS.sectionText - 20)}`));
  }
  for (const part of probeLogParts(notice)) blocks.push(section(probeLogSection(part.label, part.text)));
  blocks.push(section(causeSection(notice)));
  if (notice.insight?.summary) {
    // The summary is CommonMark, which mrkdwn does not read (`**x**`, `\-`): the reader gets its text.
    blocks.push(
      section(
        `*Summary*\n${slackBlockText(markdownToText(notice.insight.summary), SLACK_LIMITS.sectionText - 20)}`,
      ),
    );
  }
  const link = slackLink(notice.cause.docUrl, 'Troubleshooting guide');
  const footer = `${link ? `${link} · ` : ''}notice ${slackText(notice.id, 200)} · ${slackText(notice.occurredAt, 100)}`;
  blocks.push({ type: 'context', elements: [mrkdwn(footer)] });
  // The notification's text: the severity, and a recovered's health never read as unhealthy.
  // Our label as it is (its emoji code), the values escaped after it.
  const values =
    notice.scope === 'gateway'
      ? `${notice.gateway.name} (${severityLabel(notice)}) — ${notice.type === 'recovered' ? (notice.reason ?? 'recovered') : notice.cause.title}`
      : `${serverIdentity(notice)} (${healthAndSeverity(notice)}) — ${notice.type === 'recovered' ? (notice.reason ?? 'recovered') : notice.cause.title}`;
  const text = `${label}: ${slackText(values, SLACK_LIMITS.fallbackText - label.length - 2)}`;
  return { text, blocks };
}

/** `format: "slack"`. Pure. */
export function buildSlackPayload(notice: Notice): WebhookPayload {
  return {
    body: JSON.stringify(buildSlackMessage(notice)),
    headers: JSON_HEADERS,
  };
}
