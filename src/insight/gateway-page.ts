import type { GatewayRef } from '../core/model';
import { escapeHtml } from './html-page';
import type { Insight } from './insight';
import { PAGE_STYLE } from './page-style';
import { formatUtc } from './values';

/**
 * One gateway now (the on-demand HTTP function): a summary of every server that is not healthy, then
 * each one's insight. A single finding is its own standalone page; none is a short all-clear.
 */
export function renderGatewayPage(
  gateway: GatewayRef,
  servers: number,
  insights: readonly Insight[],
  now: Date,
): string {
  if (insights.length === 1 && insights[0]) return insights[0].html;
  const rows = insights.map(
    ({ finding: f }, i) =>
      `<tr><td><a href="#finding-${i + 1}">${escapeHtml(f.address)}</a></td><td>${escapeHtml(f.backendPool)}</td>` +
      `<td>${escapeHtml(f.backendSettings)}</td><td>${escapeHtml(f.health)}</td><td>${escapeHtml(f.cause.title)}</td></tr>`,
  );
  const sections = insights.map(
    (insight, i) => `<section class="finding" id="finding-${i + 1}">\n${insight.htmlFragment}</section>`,
  );
  const headline = insights.length
    ? `${insights.length} of ${servers} backend server(s) not healthy`
    : `All ${servers} backend server(s) healthy`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(gateway.name)}: ${escapeHtml(headline)}</title>
<style>${PAGE_STYLE}
.servers{border-collapse:collapse;width:100%;font-size:.9rem}.servers th,.servers td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.finding{border-top:2px solid var(--line);margin-top:2rem;padding-top:1.5rem}</style>
</head>
<body>
<main>
<header class="details">
<p class="status ${insights.length ? 'status-unhealthy' : 'status-draining'}">${escapeHtml(headline)}</p>
<table class="facts"><tr><th scope="row">Gateway</th><td>${escapeHtml(gateway.name)}</td></tr><tr><th scope="row">Resource group</th><td>${escapeHtml(gateway.resourceGroup)}</td></tr><tr><th scope="row">Checked (UTC)</th><td>${escapeHtml(formatUtc(now))}</td></tr></table>
</header>
${insights.length ? `<table class="servers"><thead><tr><th>Server</th><th>Pool</th><th>Settings</th><th>Health</th><th>Likely cause</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}
${sections.join('\n')}
</main>
</body>
</html>
`;
}
