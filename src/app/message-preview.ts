/**
 * The start of a queue message for a log line: its JSON, cut to `maxChars` characters (default 200).
 * A value JSON cannot write (nested deeper than the stack reaches) is said to be so, never thrown: a
 * break trial's message of 20 000 nested brackets made both queue handlers throw on every try while
 * logging it as malformed, then the poison handler too.
 */
export function messagePreview(message: unknown, maxChars = 200): string {
  try {
    return (JSON.stringify(message) ?? String(message)).slice(0, maxChars);
  } catch {
    return '(a value nested too deep to show)';
  }
}
