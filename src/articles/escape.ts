/**
 * Escaping of one value for where it lands. A value never adds structure: text stays text, a URL stays
 * one URL, an attribute value stays inside its quotes, code stays inside its span or block.
 */

export const ZWSP = '\u200b';

/**
 * `value` with each format character (Unicode's Cf: bidi controls, zero-width ones, the BOM, the soft
 * hyphen, tag characters) written as its escape (`\u200B`, `\u{E0041}`), as src/core/visible-text.ts
 * formatCharactersShown writes it for the terminal and chat (the engine knows no core): shown, neither
 * reordering what follows nor hiding in a value (a break trial: `10.0.9.4` + U+200B read as `10.0.9.4`).
 */
function formatCharactersShown(value: string): string {
  return value.replace(/\p{Cf}/gu, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code > 0xffff
      ? `\\u{${code.toString(16).toUpperCase()}}`
      : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/**
 * C0 and C1 control characters (tab, LF and CR included; callers handle those first), and the format
 * characters (Unicode's Cf): the bidi controls (marks, embeddings, overrides, isolates), from the
 * network a right-to-left override in one name reverses what follows it on the page (`pool\u202eevil`
 * shown as "live…"), and the zero-width ones that hide in a name (a break trial: `10.0.0.4\u200b`), as
 * the terminal's escaping prevents (src/cli/terminal-text.ts). Applied to values before an escaper
 * adds its own zero-width space (breakMarkers).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\p{Cf}]/gu;
const mapControls = (text: string, to: string): string => text.replace(CONTROLS, to);

/**
 * One line: a run of white space holding a line break becomes one space; tabs and controls spaces; a
 * format character its escape (`\u200B`: formatCharactersShown), shown, neither acting nor hiding.
 */
export function oneLine(value: string): string {
  return mapControls(
    formatCharactersShown(value.replace(/[^\S\r\n\u2028\u2029]*[\r\n\u2028\u2029][\s\u2028\u2029]*/g, ' ')),
    ' ',
  );
}

/**
 * Breaks `<!--$` / `<!--/$` placeholder markers where no escaping can (code): `<!-` + ZWSP + `-`. A
 * `<!--` that ends the value is broken too: what follows it in the output (the template's text, or the
 * next value, e.g. `$…` after a blank line in an indented code block) could complete a marker across
 * the edge (a property test's counterexample: the value `$<!--` in two places).
 */
export function breakMarkers(value: string): { text: string; broken: boolean } {
  const text = value.replace(/<!--(?=\s*\/?\s*(?:\$|$))/g, `<!-${ZWSP}-`);
  return { text, broken: text !== value };
}

/**
 * Entities for what markdown-it scans in the raw source, where a backslash does not help: `&` (entities),
 * `<` `>` `"` `'` (raw HTML), and the backtick (a template's unmatched backtick would find a closing run
 * in the value, escaped or not).
 */
const ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
const entities = (text: string): string => text.replace(/[&<>"'`]/g, (c) => ENTITY[c] ?? c);

/**
 * A markdown link title, in full: one line; `& < > " ' \`` as entities, other ASCII punctuation
 * backslash-escaped (the minimal form is inline-escape.ts's escapeTitleMinimal).
 */
export function escapeLinkTitle(value: string): string {
  return entities(oneLine(value).replace(/[!#-%(-/:;=?@[-_{-~]/g, (c) => `\\${c}`));
}

/**
 * HTML text (between tags, in a comment): `&`, `<`, `>` and the backtick as entities, one line, trimmed;
 * in a table row also `|` (rows are split before HTML is seen). Quotes mean nothing there and stay as
 * they are (`backend's`, not `backend&#39;s`); the backtick could close a template's open code span
 * when the HTML is inline.
 */
export function escapeHtmlText(value: string, inTable = false): string {
  const escaped = oneLine(value)
    .trim()
    .replace(/[&<>`]/g, (c) => ENTITY[c] ?? c);
  return inTable ? escaped.replace(/\|/g, '&#124;') : escaped;
}

/**
 * An HTML attribute value: entities for `& < > " ' \``, one line, trimmed; unquoted attributes also get
 * spaces and `=` as entities; in a table row also `|`.
 */
export function escapeHtmlAttribute(value: string, quote: '"' | "'" | '', inTable = false): string {
  const escaped = entities(oneLine(value).trim());
  const cells = inTable ? escaped.replace(/\|/g, '&#124;') : escaped;
  return quote === '' ? cells.replace(/[ =]/g, (c) => `&#${c.charCodeAt(0)};`) : cells;
}

/** Characters kept as they are in a link destination. */
const URL_SAFE = /[A-Za-z0-9\-._~:/?#@!$*+,;=]/;

/**
 * A markdown link destination: percent-encoded UTF-8 but for URL-safe characters and valid `%XX`; `&` as
 * `\&` (destinations decode entities), or as is in an autolink (which decodes nothing).
 */
export function escapeLinkDestination(value: string, autolink = false): string {
  const text = value.trim();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (URL_SAFE.test(c)) out += c;
    else if (c === '&') out += autolink ? '&' : '\\&';
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) out += c;
    else {
      const code = text.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(code);
      if (ch.length === 2) i += 1;
      const bytes = code >= 0xd800 && code <= 0xdfff ? [0xef, 0xbf, 0xbd] : [...new TextEncoder().encode(ch)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    }
  }
  return out;
}

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Schemes refused in any URL a value helps to build. */
const DANGEROUS_SCHEME = /^(?:javascript|vbscript|data|file):/;

/**
 * Whether a URL would run script or embed data: entities and percent-escapes decoded, backslash escapes,
 * whitespace, controls and invisible characters removed, case folded.
 */
export function isDangerousUrl(url: string): boolean {
  let probe = url;
  for (let round = 0; round < 3; round++) {
    probe = probe
      .replace(/\\([!-/:-@[-`{-~])/g, '$1')
      .replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|colon|tab|newline|[a-zA-Z]+);?/g, (whole, body: string) => {
        const lower = body.toLowerCase();
        if (lower === 'colon') return ':';
        if (lower in NAMED) return NAMED[lower] ?? whole;
        if (lower === 'tab' || lower === 'newline') return '';
        if (lower.startsWith('#x')) return safeFromCode(parseInt(body.slice(2), 16), whole);
        if (lower.startsWith('#')) return safeFromCode(parseInt(body.slice(1), 10), whole);
        return whole;
      })
      .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  const squeezed = mapControls(probe, '')
    .replace(/[\s\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g, '')
    .toLowerCase();
  return DANGEROUS_SCHEME.test(squeezed);
}

function safeFromCode(code: number, fallback: string): string {
  return Number.isFinite(code) && code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
    ? String.fromCodePoint(code)
    : fallback;
}

/** Code (span or block): one line, trimmed, markers broken; in a table row `|` must be `\|` even in code. */
export function codeText(value: string, inTable: boolean): { text: string; broken: boolean } {
  const broken = breakMarkers(oneLine(value).trim());
  return { text: inTable ? broken.text.replace(/\|/g, '\\|') : broken.text, broken: broken.broken };
}
