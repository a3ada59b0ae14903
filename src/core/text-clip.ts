/**
 * Clipping text for people: a probe message, a receiver's answer or an ARM error cut to fit a line of
 * the terminal or a log. A cut inside a word makes a different word ("Unhealthy" → "Unheal…", an
 * address `10.0.1.45` → `10.0.1.4…`), and a cut by UTF-16 index can split a character in two
 * (a lone surrogate prints as U+FFFD), an accent from its letter, or an escape (`\u001b` → `\u00`,
 * which then reads as other text). So: cut after a whole word, between whole characters (grapheme
 * clusters, Intl.Segmenter), never inside an escape sequence; and count code points, so a limit caps
 * the size of whatever the network sent.
 */

import { cutMarker } from './caps';

export const ELLIPSIS = '…';

/**
 * An escape sequence our escaping writes (`\u001b`, JSON's `\n`, `\"`, `\\`): never cut inside. Clip
 * before escaping where we can; but messages that quote values escaped (core/json-describe.ts
 * `quote`, terminalSafe) are clipped again where they are shown (a line of the CLI's summary).
 */
const ESCAPE = /\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[^\r\n])/y;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` as the pieces it may be cut between: grapheme clusters (`é` as e + U+0301, a flag, a family
 * emoji), each escape sequence whole.
 */
function* pieces(text: string): Generator<string> {
  let at = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (index < at) continue; // inside an escape sequence taken whole
    ESCAPE.lastIndex = index;
    const escape = segment === '\\' ? ESCAPE.exec(text) : null;
    const piece = escape ? escape[0] : segment;
    at = index + piece.length;
    yield piece;
  }
}

/** Code points in a piece (or any text): what a limit counts, so a cluster of a thousand accents is no "one character". */
function weight(piece: string): number {
  let n = 0;
  for (const _ of piece) n += 1;
  return n;
}

const isSpace = (piece: string) => /^\s/.test(piece);

/**
 * At most `limit` code points (the "…" included), cut only between whole characters (grapheme
 * clusters) and never inside an escape sequence; `text` unchanged when it fits. A longer text ends
 * with "…" after the last whole word that fits (words: runs of anything but white space). Only a
 * first word longer than the limit is cut inside. White space before the "…" is dropped. `limit`
 * below 1 is taken as 1 ("…" alone). Reads no more of `text` than the limit needs.
 */
export function clipText(text: string, limit: number): string {
  const head = clipHead(text, limit);
  return head.cut ? `${head.kept}${ELLIPSIS}` : text;
}

/**
 * clipText without its "…": `kept` is at most `limit` − 1 code points of `text` (cut as clipText
 * cuts), `cut` whether anything was left off (`kept` is then `text` itself).
 */
function clipHead(text: string, limit: number): { kept: string; cut: boolean } {
  const max = Math.max(1, Math.floor(limit));
  const room = max - 1;
  const head: string[] = [];
  let used = 0;
  let total = 0;
  let next: string | undefined;
  for (const piece of pieces(text)) {
    const w = weight(piece);
    total += w;
    if (next === undefined) {
      if (used + w <= room) {
        head.push(piece);
        used += w;
      } else next = piece;
    }
    if (total > max) break;
  }
  if (total <= max || next === undefined) return { kept: text, cut: false };
  let cut = head.length;
  if (!isSpace(next)) {
    // The cut falls inside a word: back to the white space before it. A word cut short reads as
    // another word (`10.0.1.45` as `10.0.1.4`), so it goes whole; the whole text is in the report.
    let space = head.length - 1;
    while (space >= 0 && !isSpace(head[space] as string)) space -= 1;
    if (head.slice(0, Math.max(space, 0)).some((piece) => !isSpace(piece))) cut = space;
  }
  return { kept: head.slice(0, cut).join('').trimEnd(), cut: true };
}

/**
 * At most `limit` code points of `text`, keeping its start and its end: `head… tail`. For a message
 * whose advice comes last ("… Point state.dir (APPGW_STATE_DIR) at a folder."), which clipText would
 * cut off. The tail is the last whole words that fit in half the limit, from the start of
 * a sentence when one starts there; the head is clipText of the rest. `text` unchanged when it fits;
 * clipText alone when no whole word fits the tail (one long last word). Cuts only between whole
 * characters, never inside an escape sequence, as clipText. Reads all of `text`: cap its size first.
 */
export function clipMiddle(text: string, limit: number): string {
  const max = Math.max(1, Math.floor(limit));
  const parts = middleParts(text, max);
  if (!parts) return text;
  if (!parts.tail) return clipText(text, max);
  return `${clipText(text, max - weight(parts.tail) - 1)} ${parts.tail}`;
}

/**
 * The tail clipMiddle keeps of `text` within `max` code points (`''` when no whole word fits it), or
 * undefined when `text` fits whole.
 */
function middleParts(text: string, max: number): { tail: string } | undefined {
  const all = [...pieces(text)];
  if (all.reduce((n, piece) => n + weight(piece), 0) <= max) return undefined;
  // Half for the tail: the head says what failed, the tail what to do.
  const tailRoom = Math.floor((max - 2) / 2); // "…" and a space between them
  let start = all.length;
  let used = 0;
  while (start > 0 && used + weight(all[start - 1] as string) <= tailRoom) {
    start -= 1;
    used += weight(all[start] as string);
  }
  // Whole words only: forward to the next white space when the tail starts inside a word.
  if (start > 0 && !isSpace(all[start - 1] as string))
    while (start < all.length && !isSpace(all[start] as string)) start += 1;
  let tail = all.slice(start).join('').trim();
  // From a sentence's start when one starts inside the tail: "…, r… To recover: …" reads as a cut.
  const sentence = /[.!?]\s+(?=[A-Z`"'(])/.exec(tail);
  if (sentence && sentence.index + sentence[0].length < tail.length)
    tail = tail.slice(sentence.index + sentence[0].length);
  else {
    // Else not from the end of a parenthesis (or one whole) on words the cut took: a 403's tail began
    // "(the operation's polls): see …" or "polls): see …", a remark on words no longer there (a trial).
    const aside = /^\(?[^()]*\)[:;,]?\s+/.exec(tail);
    if (aside && aside[0].length < tail.length) tail = tail.slice(aside[0].length);
  }
  return { tail };
}

/**
 * The first line of `text` (an error's message, whose later lines may be a dump): what comes before
 * its first line break, whole; read no further.
 */
export function firstLineOf(text: string): string {
  const end = text.search(/[\r\n]/);
  return end < 0 ? text : text.slice(0, end);
}

/**
 * How much of a long message clipMessage looks at from each end, per code point of its limit: the
 * head and the tail each need at most the limit (and a word's worth past it to cut between words),
 * so a 1 MB error body is never segmented whole.
 */
const WINDOW_PER_LIMIT = 2;
const WINDOW_SLACK = 64;

/** Fewest code points beside the marker worth showing: less, and clipMiddle's `head… tail` says more. */
const MIN_ROOM = 40;

/**
 * A message from the network or one of our errors (which end with what to do), at most `limit` code
 * points: `text` unchanged when it fits, else its start, the cut marker of core/caps.ts and its end,
 * `head … [cut: N characters in all] tail` (N: `text.length`, UTF-16 code units as capText counts),
 * cut between whole words and whole characters as clipMiddle, so both what failed and the advice at
 * the end survive, and nobody takes the rest for the whole. `oneLine` folds every run of white space
 * (line breaks included) into one space first, for a message quoted inside one line of ours. Looks at
 * no more than a window at each end of a long `text`. A limit too small for the marker gets
 * clipMiddle's `head… tail`.
 */
export function clipMessage(text: string, limit: number, options: { oneLine?: boolean } = {}): string {
  const max = Math.max(1, Math.floor(limit));
  const fold = (part: string) => (options.oneLine ? part.replace(/\s+/g, ' ') : part);
  const window = max * WINDOW_PER_LIMIT + WINDOW_SLACK;
  // Both ends of a long text, with a space between so no word runs across the gap.
  const seen =
    text.length <= 2 * window
      ? fold(text)
      : `${fold(text.slice(0, endBefore(text, window)))} ${fold(text.slice(endBefore(text, text.length - window)))}`;
  const shown = options.oneLine ? seen.trim() : seen;
  if (text.length <= 2 * window && weight(shown) <= max) return shown;
  const marker = cutMarker(text.length); // " … [cut: N characters in all]"
  const room = max - weight(marker) - 1; // and a space before the tail
  if (room < MIN_ROOM) return clipMiddle(shown, max);
  const parts = middleParts(shown, room);
  const tail = parts?.tail ?? '';
  const head = clipHead(shown, room - weight(tail) + 1).kept.trimEnd(); // clipHead keeps limit − 1
  return tail ? `${head}${marker} ${tail}` : `${head}${marker}`;
}

/** `at`, or one less when a surrogate pair would be split there. */
function endBefore(text: string, at: number): number {
  const c = text.charCodeAt(at);
  return c >= 0xdc00 && c <= 0xdfff ? at - 1 : at;
}
