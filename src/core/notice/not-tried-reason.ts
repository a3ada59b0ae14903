/**
 * The reason a notice was not tried because its receiver failed earlier in the same run (the receiver's
 * breaker: receiver-breaker.ts), and the failure behind it. The CLI's summary says one failure once:
 * "HTTP 503 … (and 1 other reason: …HTTP 503…)" named one answer twice (a final break trial).
 */

const PREFIX = 'not tried: ';
const MIDDLE = ' failed earlier in this run (';

/** `not tried: <receiver> failed earlier in this run (<reason>)`, as the notify state records it. */
export function failedEarlierReason(receiver: string, reason: string): string {
  return `${PREFIX}${receiver}${MIDDLE}${reason})`;
}

/**
 * The receiver's own failure behind a failedEarlierReason (what the first notice's send met); any other
 * reason as it is.
 */
export function reasonBehind(reason: string): string {
  if (!reason.startsWith(PREFIX) || !reason.endsWith(')')) return reason;
  const at = reason.indexOf(MIDDLE, PREFIX.length);
  return at < 0 ? reason : reason.slice(at + MIDDLE.length, -1);
}
