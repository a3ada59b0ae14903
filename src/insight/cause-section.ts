import { escapeLinkDestination, escapeMarkdownText } from '../articles/escape';
import type { Cause } from '../core/causes';

/**
 * The section appended after the article's own text: what this server's probe actually reported and
 * the steps for that cause. Steps are plain text in which `backticks` mark commands (our catalogue's
 * convention); everything else is escaped, and so is the probe log, which comes from the network.
 */
export function causeSectionMarkdown(cause: Cause, probeLog: string): string {
  const lines = ['## What the probe reported', '', `**${escapeMarkdownText(cause.title)}**`, ''];
  lines.push(
    probeLog.trim()
      ? `> Probe message: ${escapeMarkdownText(probeLog)}`
      : '> The gateway gave no probe message for this server.',
  );
  if (cause.receivedStatus !== undefined) lines.push('', `Received HTTP status: **${cause.receivedStatus}**`);
  lines.push('', '### What to do', '');
  cause.steps.forEach((step, i) => lines.push(`${i + 1}. ${stepMarkdown(step)}`));
  lines.push(
    '',
    `Reference: [Troubleshoot backend health issues in Application Gateway](${escapeLinkDestination(cause.docUrl)})`,
    '',
  );
  return lines.join('\n');
}

/** Text outside backtick pairs is escaped; text inside becomes a code span that no value can break out of. */
export function stepMarkdown(step: string): string {
  const parts = step.split('`');
  // An odd number of backticks leaves the last one unpaired: treat it as text.
  const paired =
    parts.length % 2 === 1
      ? parts
      : [...parts.slice(0, -2), `${parts[parts.length - 2]}\`${parts[parts.length - 1]}`];
  return paired.map((part, i) => (i % 2 === 0 ? escapeKeepingSpaces(part) : codeSpan(part))).join('');
}

/** escapeMarkdownText trims; around a code span the spaces matter. */
function escapeKeepingSpaces(text: string): string {
  const lead = /^\s/.test(text) ? ' ' : '';
  const trail = /\s$/.test(text) && text.trim() ? ' ' : '';
  return `${lead}${escapeMarkdownText(text)}${trail}`;
}

function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
