import type { GatewayRef } from '../core/model';
import { notReportedText, notReportedTotal, type NotReportedCounts } from '../core/not-reported';
import { escapeHtml } from './html-page';
import type { Insight } from './insight';
import { PAGE_STYLE } from './page-style';
import { formatUtc } from './values';

/** Pools named in the headline of an incomplete reading; the note names them all. */
const POOLS_IN_HEADLINE = 3;

/**
 * One gateway now (the on-demand HTTP function): a summary of every server that is not healthy, then
 * each one's insight. A single finding is its own standalone page (when there is nothing else to say); none is a short all-clear, unless
 * the reading lacked routed pools (`poolsNotRead`: GatewayReport.poolsNotRead), which the headline
 * and a note say, never "All … healthy" (a break trial: a pool with a member down was not listed).
 * Servers in a state not reported (`notReported`: GatewayReport.notReported, Draining by default) are
 * counted by state in the headline: "4 of 5 backend server(s) healthy, 1 draining", never "All 5 …".
 */
export function renderGatewayPage(
  gateway: GatewayRef,
  servers: number,
  insights: readonly Insight[],
  now: Date,
  poolsNotRead: readonly string[] = [],
  notReported?: NotReportedCounts,
): string {
  const incomplete = poolsNotRead.length > 0;
  const others = notReportedText(notReported);
  const othersCount = notReportedTotal(notReported);
  // The one insight alone would say nothing of the pools not read or the servers not reported.
  if (insights.length === 1 && insights[0] && !incomplete && !othersCount) return insights[0].html;
  const rows = insights.map(
    ({ finding: f }, i) =>
      `<tr><td><a href="#finding-${i + 1}">${escapeHtml(f.address)}</a></td><td>${escapeHtml(f.backendPool)}</td>` +
      `<td>${escapeHtml(f.backendSettings)}</td><td>${escapeHtml(f.health)}</td><td>${escapeHtml(f.cause.title)}</td></tr>`,
  );
  const sections = insights.map(
    (insight, i) => `<section class="finding" id="finding-${i + 1}">\n${insight.htmlFragment}</section>`,
  );
  const shownPools = poolsNotRead.slice(0, POOLS_IN_HEADLINE).join(', ');
  const morePools =
    poolsNotRead.length > POOLS_IN_HEADLINE ? ` and ${poolsNotRead.length - POOLS_IN_HEADLINE} more` : '';
  const headline =
    (incomplete
      ? `Reading incomplete: ${poolsNotRead.length} backend pool(s) not read (${shownPools}${morePools}); ` +
        `${insights.length} of the ${servers} backend server(s) read not healthy`
      : insights.length
        ? `${insights.length} of ${servers} backend server(s) not healthy`
        : othersCount
          ? `${servers - othersCount} of ${servers} backend server(s) healthy`
          : `All ${servers} backend server(s) healthy`) + (others ? `, ${others}` : '');
  const badge =
    insights.length || incomplete ? 'status-unhealthy' : othersCount ? 'status-unknown' : 'status-draining';
  const note = incomplete
    ? `<p class="note"><strong>⚠ Reading incomplete:</strong> ARM's backend health did not list these backend pools, which the gateway's configuration routes to, or listed no server of them: ${escapeHtml(poolsNotRead.join(', '))}. Their servers were not read; nothing is said of them here.</p>`
    : '';
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
<p class="status ${badge}">${escapeHtml(headline)}</p>${note}
<table class="facts"><tr><th scope="row">Gateway</th><td>${escapeHtml(gateway.name)}</td></tr><tr><th scope="row">Resource group</th><td>${escapeHtml(gateway.resourceGroup)}</td></tr><tr><th scope="row">Checked (UTC)</th><td>${escapeHtml(formatUtc(now))}</td></tr></table>
</header>
${insights.length ? `<table class="servers"><thead><tr><th>Server</th><th>Pool</th><th>Settings</th><th>Health</th><th>Likely cause</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}
${sections.join('\n')}
</main>
</body>
</html>
`;
}
