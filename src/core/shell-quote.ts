/**
 * One word for a POSIX shell (bash, zsh, sh), whatever the value: values from ARM (host names, probe
 * paths, names) go into commands people paste, so none may end the word, start a command
 * (`$(…)`, backticks, `;`), expand (`$HOME`, globs, `~`) or break the line.
 *
 * - Only characters no shell treats specially: as is (`10.0.0.4`, `appgw-shop`, `/health`).
 * - No control or invisible formatting characters: in single quotes, a `'` written `'\''`.
 * - With them (a line break, ESC, a bidi override that would make the line read otherwise): bash's
 *   ANSI-C quoting `$'…'` with each such character as its UTF-8 bytes `\xHH`, so the command stays one
 *   visible line that means exactly the value (bash 4.2+, zsh; plain POSIX sh lacks `$'…'`).
 *
 * The result contains no line break and no control character in any case.
 */
export function shellWord(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  if (!INVISIBLE.test(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of value) {
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (INVISIBLE.test(ch)) for (const byte of UTF8.encode(ch)) out += `\\x${hex(byte)}`;
    else out += ch;
  }
  return `${out}'`;
}

// Bytes, not `\uHHHH`: bash turns `\u` escapes into characters only under a UTF-8 locale.
const UTF8 = new TextEncoder();
const hex = (byte: number): string => byte.toString(16).toUpperCase().padStart(2, '0');

/**
 * Characters a reader would not see as themselves: C0/C1 controls and DEL, line and paragraph
 * separators, and format characters (Unicode's Cf: zero-width spaces and joiners, bidi embeddings,
 * overrides and isolates, the BOM, the soft hyphen, the astral tag characters: a list of them lacked
 * the last). No `g` flag: `test` keeps no state.
 */
export const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u2028\u2029\p{Cf}]/u;
