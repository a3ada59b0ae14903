/**
 * Values in Kusto Query Language text, written so that no value can change the query around it. Pure.
 *
 * KQL's single-quoted string literal: a backslash escapes the enclosing quote (`\'`), a double quote
 * (`\"`), itself (`\\`), a tab (`\t`), a line feed (`\n`) and a carriage return (`\r`); a line feed or
 * carriage return may not stand in it unescaped (learn.microsoft.com kusto/query/scalar-data-types/string,
 * "string literals"). No other escape is documented, so other control characters are refused rather
 * than guessed at (the config refuses them first: src/core/discovery/filter.ts).
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

// eslint-disable-next-line no-control-regex
const UNESCAPABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/;

/**
 * `value` as a KQL string literal, `'…'`. Throws a RangeError for a control character other than a
 * tab, line feed or carriage return (KQL documents no escape for it).
 */
export function kqlString(value: string): string {
  const bad = UNESCAPABLE.exec(value);
  if (bad)
    throw new RangeError(
      `U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} cannot be written in a KQL string literal`,
    );
  return `'${value.replace(/[\\'"\t\n\r]/g, (c) => ESCAPES[c] ?? c)}'`;
}

/**
 * A glob (`*` any run of characters, `?` exactly one) as an anchored, case-insensitive RE2 regular
 * expression for KQL's `matches regex` (RE2 syntax: learn.microsoft.com kusto/query/re2). Every other
 * character stands for itself: letters and digits as they are, ASCII punctuation escaped with a
 * backslash (which RE2, like JavaScript, reads as that character). Throws a RangeError for anything
 * else (a space, a control character): no gateway name holds one (src/core/discovery/filter.ts).
 */
export function globToRegex(glob: string): string {
  let regex = '';
  for (const c of glob) {
    if (c === '*') regex += '.*';
    else if (c === '?') regex += '.';
    else if (/^[\p{L}\p{N}_]$/u.test(c)) regex += c;
    else if (/^[!-/:-@[-`{-~]$/.test(c)) regex += `\\${c}`;
    else throw new RangeError(`${JSON.stringify(c)} cannot stand in a gateway name pattern`);
  }
  return `(?i)^${regex}$`;
}
