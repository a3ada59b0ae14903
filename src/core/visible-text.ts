/**
 * Values from ARM (probe body matches, paths, host names, names) shown as text in an insight, a "what
 * we see" statement or a message: faithfully and visibly. A line break in a body match is part of what
 * the probe looks for, so it is shown as `\n`, not folded into a space (markdown's code spans and
 * paragraphs would fold it) nor left raw (it would break the line it is on). Escapes, as JSON writes
 * them: `\\` for a backslash, `\n`, `\r`, `\t`, and `\uHHHH` for every other character a reader would
 * not see as itself (controls, line separators, zero-width and bidi formatting: shell-quote.ts's
 * INVISIBLE). Everything else, non-ASCII letters included, is kept as it is. Markdown, HTML and
 * terminal escaping still apply after this, where the text lands.
 */
import { INVISIBLE } from './shell-quote';

const NAMED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `value` with every character a reader would not see (and the backslash) written as its escape. */
export function visible(value: string): string {
  let out = '';
  for (const ch of value) {
    const named = NAMED[ch];
    if (named !== undefined) out += named;
    else if (INVISIBLE.test(ch)) out += escapeOf(ch);
    else out += ch;
  }
  return out;
}

/** `\u200B`, or `\u{E0041}` past the BMP: how `visible` writes one character. */
function escapeOf(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code > 0xffff
    ? `\\u{${code.toString(16).toUpperCase()}}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * `value` with each format character (Unicode's Cf: the bidi controls, zero-width spaces and joiners,
 * the BOM, the soft hyphen, the tag characters) written as its escape (`\u200B`), as `visible` writes
 * it, where one line of text shows a value from the network (the terminal, chat, markdown): neither
 * acting (a right-to-left override reorders what follows it) nor hiding. A break trial: a server
 * `10.0.9.4` + U+200B, made a space and trimmed, read as the healthy `10.0.9.4` in the summary, Teams,
 * Slack, PagerDuty and the insight: on call went to the wrong server. Other characters as they are.
 */
export function formatCharactersShown(value: string): string {
  return value.replace(FORMAT_CHARACTERS, escapeOf);
}

/**
 * `value` in double quotes, as `visible` writes it, a `"` inside kept as itself: the outer pair
 * delimits it, and a `\"` would show the reader a backslash the value does not have (each medium
 * then escapes the text once, for itself: markdown, HTML, JSON).
 */
export function quoted(value: string): string {
  return `"${visible(value)}"`;
}

/**
 * Whether `value` begins or ends with white space, which a code span would not show (it drops the
 * span's outer spaces) and a reader would not see: such a value is shown quoted.
 */
export function hasEdgeSpace(value: string | undefined): boolean {
  return value !== undefined && value !== value.trim();
}

/**
 * `quoted(value)` for the text of a step, where a backtick opens a command's code span (cause-section.ts
 * stepTemplate): a backtick in the value is written as `\u0060`, as `visible` writes what a reader could
 * not see, so the value reads whole (issue 17's third trial: a body match's backticks turned its middle
 * into code and were lost).
 */
export function stepQuoted(value: string): string {
  return quoted(value).replace(/`/g, '\\u0060');
}
