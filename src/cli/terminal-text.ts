import { jsonChunks } from '../core/json-chunks';
import { jsonEscape } from '../core/json-describe';
import { formatCharactersShown } from '../core/visible-text';
import { clipMiddle, clipText } from '../core/text-clip';

/**
 * What the CLI prints comes partly from the network (gateway, pool and server names, probe messages,
 * ARM and receiver error texts). A terminal acts on control characters (ESC sequences can clear the
 * screen, retitle the window, or hide text) and renders bidi overrides, so these never reach it raw.
 */

/** C0 and C1 controls and DEL (tab, LF and CR included: callers choose what a line break becomes). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g; // eslint-disable-line no-control-regex -- what it removes

/** Default length of one printed field (a probe message, an error), in characters. */
export const FIELD_LIMIT = 160;

/**
 * One value for one line of the terminal: controls and bidi characters become spaces, white space runs
 * (line breaks included) one space, and a long value is clipped at a word boundary with "…".
 */
export function terminalField(value: string, limit = FIELD_LIMIT): string {
  return clipAtWord(oneLine(value), limit);
}

/** `value` on one line: a hidden character becomes a space, so the words around it stay apart. */
function oneLine(value: string): string {
  return formatCharactersShown(value.replace(CONTROLS, ' ')).replace(/\s+/g, ' ').trim();
}

/**
 * An error message for one line of the terminal, made safe as terminalField; a long one keeps its
 * start and its end (`head… tail`, core/text-clip.ts clipMiddle), where our messages say what to do.
 * The whole message is in the report and the log.
 */
export function terminalMessage(value: string, limit = FIELD_LIMIT): string {
  // Capped first: clipMiddle reads all of it, and a receiver's answer may be long.
  return clipMiddle(clipText(oneLine(value), MESSAGE_READ_LIMIT), limit);
}

/** What terminalMessage reads of a message, in code points: far past any line, so only a flood is cut. */
const MESSAGE_READ_LIMIT = 64 * 1024;

/** Default length of one line of a multi-line message. */
export const LINE_LIMIT = 1_000;

/**
 * A message that may span lines (a config error listing its problems): each line made safe and
 * clipped, line breaks kept.
 */
export function terminalLines(text: string, lineLimit = LINE_LIMIT): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) =>
      clipAtWord(formatCharactersShown(line.replace(/\t/g, '  ').replace(CONTROLS, ' ')), lineLimit),
    )
    .join('\n');
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls; C1 controls, DEL and bidi characters
 * are escaped too (`\u009b`), which keeps it the same JSON value.
 */
export function terminalJson(value: unknown): string {
  return terminalSafeJson(JSON.stringify(value, null, 2));
}

/**
 * `terminalJson(value)`, the same text, in pieces of about `chunk` characters (core/json-chunks.ts):
 * for a value too large to hold as one string. Made safe piece by piece: the escaping is per character.
 */
export function* terminalJsonPieces(value: unknown, chunk = 64 * 1024): Generator<string> {
  let batch = '';
  for (const piece of jsonChunks(value)) {
    batch += piece;
    if (batch.length >= chunk) {
      yield terminalSafeJson(batch);
      batch = '';
    }
  }
  if (batch !== '') yield terminalSafeJson(batch);
}

/** JSON text made safe for a terminal as `terminalJson` does: the same JSON value. */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\p{Cf}]/gu, jsonEscape);
}

/**
 * At most `limit` characters (grapheme clusters), cut after a whole word with "…": core/text-clip.ts.
 * Every clip of the CLI goes through it.
 */
export function clipAtWord(text: string, limit: number): string {
  return clipText(text, limit);
}
