/**
 * Text for a terminal: shown as it is, but a value from the network (a probe log, a name) must not
 * move the cursor, recolour, retitle the window or hide text. Control characters (C0, DEL, C1 — ESC and
 * CSI start every terminal sequence) and the bidi controls that reorder what a reader sees become a
 * space; nothing else is touched (no escaping: a terminal reads no markup).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line: hidden characters and runs of white space as one space, trimmed, at most `max` characters. */
export function terminalLine(text: string, max = 160): string {
  const flat = text.replace(HIDDEN, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** Several lines (a log message): hidden characters as a space, line breaks and tabs kept. */
export function terminalText(text: string): string {
  return text.replace(HIDDEN, (c) => (c === '\n' || c === '\t' ? c : ' '));
}
