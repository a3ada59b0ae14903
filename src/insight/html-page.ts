import type { Finding } from '../core/model';
import { PAGE_STYLE } from './page-style';
import { formatUtc } from './values';

export interface HtmlPageOptions {
  readonly title: string;
  readonly finding: Finding;
  readonly now: Date;
  /**
   * The article rendered by markdown-it (its values were escaped when filled), its "Error Message"
   * pointing at the probe message shown at the top (`PROBE_MESSAGE_ABOVE`).
   */
  readonly articleHtml: string;
  /** The cause's steps as an ordered list, rendered by markdown-it (cause-section.ts `stepsHtml`). */
  readonly stepsHtml: string;
  /**
   * What the gateway's configuration says (configuration-section.ts: the probe's real values, what
   * explains the failure, the exact commands), rendered by markdown-it; shown right under the steps.
   */
  readonly configurationHtml?: string;
}

/** The heading the probe message stands under at the top of the page; the article refers to it. */
export const PROBE_MESSAGE_HEADING = 'What the probe reported';

/** What the article's "Error Message" says on the page, where the message itself is at the top. */
export const PROBE_MESSAGE_ABOVE = `shown above, under “${PROBE_MESSAGE_HEADING}”`;

/**
 * A standalone page: inline CSS, no external assets (works offline and in mail clients), readable on
 * a phone from 320 px wide without sideways scrolling, light and dark, prints cleanly. Every value from
 * the network is HTML-escaped here.
 */
export function renderHtmlPage(options: HtmlPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}: ${escapeHtml(options.finding.address)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
${renderInsightFragment(options)}</main>
</body>
</html>
`;
}

/**
 * One insight's content without the document around it (the gateway page puts several on one page),
 * in the order the person on call needs it: the likely cause and what to do first; then what the probe
 * reported (the one place its message appears); the facts; the article as written, whole; the
 * gateway's id. No `id` attributes, so fragments can share a page.
 */
export function renderInsightFragment(options: HtmlPageOptions): string {
  const { finding, now } = options;
  const rows: Array<[string, string]> = [
    ['Gateway', finding.gateway.name],
    ['Resource group', finding.gateway.resourceGroup],
    ['Backend pool', finding.backendPool],
    ['Backend settings', finding.backendSettings],
    ['Server', finding.address],
    ['Health', finding.health || '(not reported)'],
    ['Checked (UTC)', formatUtc(now)],
  ];
  const facts = rows.map(
    ([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
  );
  const { cause, probeLog } = finding;
  const reported: string[] = [];
  // No message: the article's "Error Message" says so (values.ts), once.
  if (probeLog.trim() !== '')
    reported.push(`<blockquote class="probe-message"><p>${escapeHtml(probeLog.trim())}</p></blockquote>`);
  if (cause.receivedStatus !== undefined)
    reported.push(`<p>Received HTTP status: <strong>${Number(cause.receivedStatus)}</strong></p>`);
  return `<header class="fix">
<p class="status status-${escapeHtml(finding.state)}">${escapeHtml(finding.health || 'Not healthy')}</p>
<p class="where">${[finding.address, finding.backendPool, finding.gateway.name].map(escapeHtml).join(' · ')}</p>
<p class="eyebrow">Likely cause</p>
<h1>${escapeHtml(cause.title)}</h1>
<h2>What to do</h2>
${options.stepsHtml.trim()}
${options.configurationHtml ? `<section class="configuration">\n${options.configurationHtml.trim()}\n</section>\n` : ''}<p class="reference">Reference: <a href="${escapeHtml(cause.docUrl)}">Troubleshoot backend health issues in Application Gateway</a></p>
</header>
${reported.length ? `<section class="reported">\n<h2>${PROBE_MESSAGE_HEADING}</h2>\n${reported.join('\n')}\n</section>\n` : ''}<section class="details">
<h2>Details</h2>
<table class="facts">${facts.join('')}</table>
</section>
<article>
${options.articleHtml.trim()}
</article>
<footer><p>Gateway id: <code>${escapeHtml(finding.gateway.id)}</code></p></footer>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(CONTROL_CHARACTERS, '\uFFFD');
}

/**
 * C0 controls but tab and line feed, DEL and C1: not text in HTML (a parse error), and raw in the file
 * they run in a terminal that shows it (`cat index.html`). And the format characters (Unicode's Cf):
 * the bidi controls (marks, embeddings, overrides, isolates), a right-to-left override in a pool's name
 * reversed the rest of its row ("pool\u202eevil" read "live…"), and the zero-width ones that hide in a
 * name (a break trial). Shown as U+FFFD, the replacement character.
 */
const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\p{Cf}]/gu;
