/**
 * Message templates → regular expressions. A template is a probe message as Microsoft writes it, in the canonical
 * wording of ./probe-text.ts, with holes where the gateway or the user fills in a value.
 *
 * Syntax:
 * - `{status}`: a three-digit HTTP status, captured; any other `{name}`: any text (as little as needed).
 * - `[…]`: optional; `<a|b>`: one of the alternatives. Both nest.
 * - A space matches any whitespace or none; `.`, `:`, `,`, `'` and `"` are optional and `-` may also be a space,
 *   because versions and gateway generations differ in final periods, "Expected:200" vs "Expected: 200",
 *   "backend's" vs "backends", quoted or bare words and "well-known" vs "well known".
 * - Everything else is literal. The compiled expression starts and ends on a word boundary.
 */

const OPTIONAL_PUNCTUATION = new Set(['.', ':', ',', "'", '"']);

interface Parsed {
  readonly source: string;
  readonly next: number;
}

function escapeLiteral(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** Compiles template[from…] until one of the stop characters (not consumed) or the end. */
function parse(template: string, from: number, stops: string): Parsed {
  let source = '';
  let i = from;
  while (i < template.length && !stops.includes(template[i] ?? '')) {
    const char = template[i] ?? '';
    if (char === '[') {
      const inner = parse(template, i + 1, ']');
      source += `(?:${inner.source})?`;
      i = inner.next + 1;
    } else if (char === '<') {
      const alternatives: string[] = [];
      let at = i + 1;
      for (;;) {
        const alternative = parse(template, at, '|>');
        alternatives.push(alternative.source);
        at = alternative.next + 1;
        if (template[alternative.next] !== '|') break;
      }
      source += `(?:${alternatives.join('|')})`;
      i = at;
    } else if (char === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) throw new Error(`unclosed hole in template: ${template}`);
      source += template.slice(i + 1, close) === 'status' ? '(?<status>\\d{3})' : '.*?';
      i = close + 1;
    } else if (char === ' ') {
      source += '\\s*';
      i += 1;
    } else if (char === '-') {
      source += '[-\\s]?';
      i += 1;
    } else if (OPTIONAL_PUNCTUATION.has(char)) {
      source += `${escapeLiteral(char)}?`;
      i += 1;
    } else {
      source += escapeLiteral(char);
      i += 1;
    }
  }
  return { source, next: i };
}

/**
 * The expression for a template: found anywhere in a normalised message, starting and ending on a word boundary;
 * with `whole`, it must be the entire message (a final period allowed). Throws on an unclosed `{`.
 */
export function compileTemplate(template: string, options: { readonly whole?: boolean } = {}): RegExp {
  const body = parse(template, 0, '').source;
  return options.whole
    ? new RegExp(`^\\s*${body}\\s*[.!]*\\s*$`)
    : new RegExp(`(?<![a-z0-9])${body}(?![a-z0-9])`);
}
