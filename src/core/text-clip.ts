/**
 * Clipping text for people: a probe message, a receiver's answer or an ARM error cut to fit a line of
 * the terminal or a log. A cut inside a word makes a different word ("Unhealthy" → "Unheal…", an
 * address `10.0.1.45` → `10.0.1.4…`), and a cut by UTF-16 index can split a character in two
 * (a lone surrogate prints as U+FFFD), an accent from its letter, or an escape (`\u001b` → `\u00`,
 * which then reads as other text). So: cut between words, counting and cutting whole characters
 * (grapheme clusters, Intl.Segmenter), escape sequences as one.
 */

export const ELLIPSIS = '…';

/**
 * An escape sequence our escaping writes (`\u001b`, JSON's `\n`, `\"`, `\\`): never cut inside. Text
 * that is escaped after clipping (the better order) has none; text escaped before may.
 */
const ESCAPE = /\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[^\r\n])/y;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The first `max` of `text`'s characters as a reader counts them: grapheme clusters (`é` as e + U+0301
 * is one, a flag or a family emoji is one), each escape sequence as one unit. Stops there, so a 100 kB
 * probe log costs no more than its first line.
 */
function leadingUnits(text: string, max: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (out.length >= max) break;
    if (index < at) continue; // inside an escape sequence taken whole
    ESCAPE.lastIndex = index;
    const escape = segment === '\\' ? ESCAPE.exec(text) : null;
    const unit = escape ? escape[0] : segment;
    out.push(unit);
    at = index + unit.length;
  }
  return out;
}

/**
 * At most `limit` characters (grapheme clusters; an escape sequence counts as one), `text` unchanged
 * when it fits. A longer text ends with "…" (counted in the limit) after the last whole word that fits
 * (words: runs of anything but white space). Only a first word longer than the limit is cut inside,
 * between two whole characters. White space before the "…" is dropped. `limit` below 1 is taken as 1
 * ("…" alone).
 */
export function clipText(text: string, limit: number): string {
  const max = Math.max(1, Math.floor(limit));
  const lead = leadingUnits(text, max + 1);
  if (lead.length <= max) return text;
  const room = max - 1;
  const head = lead.slice(0, room);
  let cut = head.length;
  if (!/^\s/.test(lead[room] as string)) {
    // The cut falls inside a word: back to the white space before it. A word cut short reads as
    // another word (`10.0.1.45` as `10.0.1.4`), so it goes whole; the whole text is in the report.
    let space = head.length - 1;
    while (space >= 0 && !/^\s/.test(head[space] as string)) space -= 1;
    if (head.slice(0, Math.max(space, 0)).some((unit) => !/^\s/.test(unit))) cut = space;
  }
  return `${head.slice(0, cut).join('').trimEnd()}${ELLIPSIS}`;
}

/** The first line of `text` (an error's message), clipped to `limit` characters with clipText. */
export function firstLineClipped(text: string, limit: number): string {
  return clipText((text.split(/\r\n|\r|\n/)[0] ?? '').trim(), limit);
}
