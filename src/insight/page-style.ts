/**
 * The insight pages' stylesheet (the standalone insight page and the gateway page), and the colours it
 * draws with. Every colour is a token of `PALETTE`, in a light and a dark scheme (the reader's
 * `prefers-color-scheme`), and every pair of a text colour and the background it is drawn on is listed
 * in `TEXT_ON_BACKGROUND`, which the tests hold to WCAG 2.2's 4.5:1 contrast for text (success
 * criterion 1.4.3, https://www.w3.org/TR/WCAG22/#contrast-minimum), in both schemes.
 */

/** Colour tokens: CSS custom properties `--<name>` (camelCase becomes kebab-case), as `#rrggbb`. */
export interface Palette {
  readonly fg: string;
  readonly muted: string;
  readonly bg: string;
  readonly panel: string;
  /** Borders and rules: decoration, never the only sign of anything, so not held to a contrast. */
  readonly line: string;
  readonly bad: string;
  readonly warn: string;
  readonly info: string;
  /** Text on a status badge (`bad`, `warn`, `info` backgrounds). */
  readonly onStatus: string;
}

export type ColourToken = keyof Palette;

export const PALETTE: { readonly light: Palette; readonly dark: Palette } = {
  light: {
    fg: '#1b1b1b',
    muted: '#5c5c5c',
    bg: '#ffffff',
    panel: '#f4f6f8',
    line: '#d8dde3',
    bad: '#b42318',
    warn: '#b54708',
    info: '#175cd3',
    onStatus: '#ffffff',
  },
  // Dark badges are light colours, so their text is dark: white on them read at 1.84:1 to 2.79:1.
  dark: {
    fg: '#e8e8e8',
    muted: '#a8a8a8',
    bg: '#141414',
    panel: '#1f2328',
    line: '#30363d',
    bad: '#f97066',
    warn: '#fdb022',
    info: '#84adff',
    onStatus: '#141414',
  },
};

/**
 * Every text colour of `PAGE_STYLE` on every background it can be drawn on: what, text token,
 * background token. A rule that sets a `color` or a `background` must be listed here (the tests check
 * the stylesheet against this table).
 */
export const TEXT_ON_BACKGROUND: ReadonlyArray<readonly [string, ColourToken, ColourToken]> = [
  ['body text', 'fg', 'bg'],
  ['text in a panel (fix, code, probe message, pre)', 'fg', 'panel'],
  ['facts labels, eyebrow (in a panel)', 'muted', 'panel'],
  ['footer', 'muted', 'bg'],
  ['links', 'info', 'bg'],
  ['links in a panel (the reference under the steps)', 'info', 'panel'],
  ['badge: unhealthy, down, unrecognised', 'onStatus', 'bad'],
  ['badge: unknown, partial', 'onStatus', 'warn'],
  ['badge: draining, all healthy', 'onStatus', 'info'],
];

const cssName = (token: string): string => `--${token.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const declarations = (palette: Palette): string =>
  Object.entries(palette)
    .map(([token, colour]) => `${cssName(token)}:${colour}`)
    .join(';');

/**
 * Long unbroken values (resource ids, FQDNs, probe messages with URLs, code) wrap inside their box
 * (`overflow-wrap:anywhere`, `pre` wrapping) rather than widening the page: no sideways scrolling from
 * 320 px wide, and no scrolling box that a keyboard could not reach.
 */
export const PAGE_STYLE = `
:root{color-scheme:light dark;${declarations(PALETTE.light)}}
@media (prefers-color-scheme:dark){:root{${declarations(PALETTE.dark)}}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
main{max-width:46rem;margin:0 auto;padding:1.25rem}
.fix{background:var(--panel);color:var(--fg);border:1px solid var(--line);border-left:6px solid var(--bad);border-radius:8px;padding:1rem 1.25rem;margin-bottom:1.5rem}
.fix h1{margin:.25rem 0 .5rem}.fix h2{margin-top:1rem}.fix ol{padding-left:1.5rem}
.where{margin:0 0 .75rem;font-weight:600}
.eyebrow{margin:0;color:var(--muted);font-size:.85rem;font-weight:600;letter-spacing:.02em}
.status{display:inline-block;margin:0 0 .5rem;padding:.15rem .6rem;border-radius:999px;font-weight:600;color:var(--on-status);background:var(--bad)}
.status-unknown,.status-partial{background:var(--warn)}.status-draining{background:var(--info)}
.probe-message p{white-space:pre-wrap}
.facts{border-collapse:collapse;width:100%}
.facts th{text-align:left;font-weight:600;color:var(--muted);padding:.2rem 1rem .2rem 0;white-space:nowrap;vertical-align:top;width:1%}
.facts td{padding:.2rem 0}
.details{background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin-bottom:1.5rem}
.details h2{margin-top:0}
h1{font-size:1.45rem;line-height:1.3}h2{font-size:1.15rem;margin-top:1.75rem}
code{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:.88em;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:0 .25em}
pre{white-space:pre-wrap;background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px;padding:.5rem .75rem}
pre code{border:0;padding:0}
blockquote{margin:1rem 0;padding:.6rem .9rem;border-left:4px solid var(--bad);background:var(--panel);color:var(--fg)}
table{max-width:100%}th,td{overflow-wrap:anywhere}
img,svg,video{max-width:100%;height:auto}
a{color:var(--info)}
li{margin:.2rem 0}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);padding-top:.75rem}
@media print{body{font-size:11pt}main{max-width:none;padding:0}.fix,.details{break-inside:avoid}a::after{content:" (" attr(href) ")";font-size:.85em}}
`;
