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

/** The headers a throttled answer may say its wait in, in the order the Azure SDK reads them. */
const THROTTLE_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms', 'retry-after'] as const;

/**
 * The wait a `429` (or `503`) asks for, in ms, read exactly as the Azure SDK's throttling strategy reads
 * it, so what we expect of the SDK's retry is what it does (`getRetryAfterInMs` in @typespec/ts-http-runtime
 * 0.3 retryStrategies/throttlingRetryStrategy.js, under @azure/core-rest-pipeline's `retryPolicy`): the
 * first of `retry-after-ms`, `x-ms-retry-after-ms` (ms) and `Retry-After` (seconds) that `Number()`
 * reads ("1.5" is 1.5 s), else `Retry-After` as a date counted from `nowInMs` (epoch ms). A negative
 * number is 0 (the SDK's timer fires at once). undefined when none says a finite wait: then the SDK's
 * throttling strategy does not retry the answer (retry.ts retries it instead). `header(name)` is the
 * answer's header, any case. Looser than retryAfterInMs on purpose: it predicts the SDK, not the RFC.
 */
export function throttleRetryAfterInMs(
  header: (name: string) => string | null | undefined,
  nowInMs: number,
): number | undefined {
  for (const name of THROTTLE_HEADERS) {
    const value = header(name);
    if (!value) continue;
    const number = Number(value);
    if (Number.isNaN(number)) continue;
    const ms = number * (name === 'retry-after' ? 1000 : 1);
    return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
  }
  const date = header('retry-after');
  if (!date) return undefined;
  const diff = Date.parse(date) - nowInMs;
  return Number.isFinite(diff) ? Math.max(0, diff) : undefined;
}
