/**
 * How long an HTTP `Retry-After` asks to wait, in ms: either delay-seconds (a whole number, `0` meaning
 * "now") or an HTTP-date (RFC 9110 §10.2.3), counted from `nowInMs` (epoch ms; a date already past is
 * 0). undefined when the header is absent or neither form, so the caller's own interval applies.
 * ARM's long-running operations send delay-seconds on each `202` (Azure Resource Manager RPC,
 * "Asynchronous operations": "the client should wait for the Retry-After interval before polling").
 */
export function retryAfterInMs(value: string | undefined, nowInMs: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday and month in letters: a bare number or "1.5" is not one.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowInMs);
}
