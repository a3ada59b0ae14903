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
    else if (INVISIBLE.test(ch)) {
      const code = ch.codePointAt(0) ?? 0;
      out +=
        code > 0xffff
          ? `\\u{${code.toString(16).toUpperCase()}}`
          : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
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
