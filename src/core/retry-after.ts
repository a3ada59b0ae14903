/**
 * How long an HTTP `Retry-After` asks to wait, in ms: either delay-seconds (a whole number, `0` meaning
 * "now") or an HTTP-date (RFC 9110 §10.2.3), counted from `nowInMs` (epoch ms; a date already past is
 * 0). undefined when the header is absent or neither form ("-1", "1.5", "soon"), so the caller's own
 * interval applies. The one strict reading: ARM's operation polls (backend-health-reader.ts) and the
 * webhook receivers' answers (src/adapters/webhooks/post-retry.ts). ARM's long-running operations send
 * delay-seconds on each `202` (Azure Resource Manager RPC, "Asynchronous operations": "the client
 * should wait for the Retry-After interval before polling").
 */
export function retryAfterInMs(value: string | null | undefined, nowInMs: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday and month in letters: a bare number or "1.5" is not one.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowInMs);
}

/** The first wait when ARM says `Retry-After: 0` again right after an "at once" poll. */
export const REPEATED_AT_ONCE_FIRST_WAIT_IN_MS = 250;

/**
 * The wait before the next poll of an operation, in ms. ARM's `Retry-After` is followed as said, and a
 * `0` polls at once; but an operation that keeps answering `0` would be polled in a tight loop (found:
 * 873 polls in 3 s, draining the subscription's read bucket into 429s), so each `0` that follows
 * another backs off: REPEATED_AT_ONCE_FIRST_WAIT_IN_MS, doubled per repeat, up to `pollIntervalInMs`.
 * `atOnceBefore`: how many polls in a row just before this one were asked for at once.
 */
export function pollWaitInMs(saidInMs: number, atOnceBefore: number, pollIntervalInMs: number): number {
  if (saidInMs > 0 || atOnceBefore <= 0) return saidInMs;
  return Math.min(pollIntervalInMs, REPEATED_AT_ONCE_FIRST_WAIT_IN_MS * 2 ** (atOnceBefore - 1));
}
