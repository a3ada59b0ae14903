import type { Finding } from '../core/model';
import { formatUtc } from './values';

export interface HtmlPageOptions {
  readonly title: string;
  readonly finding: Finding;
  readonly now: Date;
  /** The article rendered by markdown-it (its values were escaped when filled). */
  readonly articleHtml: string;
}

/**
 * A standalone page: inline CSS, no external assets (works offline and in mail clients), readable on
 * a phone, prints cleanly. Every value from the network is HTML-escaped here.
 */
export function renderHtmlPage(options: HtmlPageOptions): string {
  const { finding, now } = options;
  const rows: Array<[string, string]> = [
    ['Gateway', finding.gateway.name],
    ['Resource group', finding.gateway.resourceGroup],
    ['Backend pool', finding.backendPool],
    ['Backend settings', finding.backendSettings],
    ['Server', finding.address],
    ['Health', finding.health || '(not reported)'],
    ['Likely cause', finding.cause.title],
    ['Checked (UTC)', formatUtc(now)],
  ];
  const facts = rows.map(
    ([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}: ${escapeHtml(finding.address)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<header>
<p class="status status-${escapeHtml(finding.state)}">${escapeHtml(finding.health || 'Not healthy')}</p>
<table class="facts">${facts.join('')}</table>
</header>
<article>
${options.articleHtml}
</article>
<footer><p>Gateway id: <code>${escapeHtml(finding.gateway.id)}</code></p></footer>
</main>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#5c5c5c;--bg:#fff;--panel:#f4f6f8;--line:#d8dde3;--bad:#b42318;--warn:#b54708;--info:#175cd3}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--muted:#a8a8a8;--bg:#141414;--panel:#1f2328;--line:#30363d;--bad:#f97066;--warn:#fdb022;--info:#84adff}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.25rem}
header{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1.5rem}
.status{display:inline-block;margin:0 0 .75rem;padding:.15rem .6rem;border-radius:999px;font-weight:600;color:#fff;background:var(--bad)}
.status-unknown,.status-partial{background:var(--warn)}.status-draining{background:var(--info)}
.facts{border-collapse:collapse;width:100%}
.facts th{text-align:left;font-weight:600;color:var(--muted);padding:.2rem 1rem .2rem 0;white-space:nowrap;vertical-align:top;width:1%}
.facts td{padding:.2rem 0;overflow-wrap:anywhere}
h1{font-size:1.45rem;line-height:1.3}h2{font-size:1.15rem;margin-top:1.75rem}
code{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:0 .25em}
blockquote{margin:1rem 0;padding:.6rem .9rem;border-left:4px solid var(--bad);background:var(--panel);overflow-wrap:anywhere}
a{color:var(--info)}
li{margin:.2rem 0}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.75rem}
@media print{body{font-size:11pt}main{max-width:none;padding:0}header{break-inside:avoid}a::after{content:" (" attr(href) ")";font-size:.85em}}
`;
