import { writeJsonText } from '../core/input/json-text';

/**
 * The start of a queue message for a log line: its JSON, cut to `maxChars` characters (default 200).
 * A value JSON cannot write (writeJsonText: nested deeper than the stack reaches) is said to be so,
 * never thrown: a break trial's message of 20 000 nested brackets made both queue handlers throw on
 * every try while logging it as malformed, then the poison handler too.
 */
export function messagePreview(message: unknown, maxChars = 200): string {
  const text = writeJsonText(message);
  if (text !== undefined) return text.slice(0, maxChars);
  // What JSON writes nothing for is shown as text; a value it cannot write is nested too deep.
  const unwritten = message === undefined || typeof message === 'function' || typeof message === 'symbol';
  return unwritten ? String(message).slice(0, maxChars) : '(a value nested too deep to show)';
}
