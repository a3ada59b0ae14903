/**
 * Resource Graph's per-user quota, as each answer states it. Pure. "In every query response, Azure
 * Resource Graph adds two throttling headers: x-ms-user-quota-remaining (int) … x-ms-user-quota-resets-after
 * (hh:mm:ss)"; with 0 remaining, the next query is throttled until the window resets
 * (learn.microsoft.com azure/governance/resource-graph/concepts/guidance-for-throttled-requests).
 */

/** The longest wait a header may ask for: a value past it is not believed (the listing has its own time-out). */
export const MAX_QUOTA_WAIT_IN_MS = 60_000;

/** `hh:mm:ss` (a .NET TimeSpan, maybe with a fraction: `00:00:04.9990000`) in ms; undefined when not one. */
export function readResetsAfter(text: string | undefined): number | undefined {
  const m = /^\s*(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)\s*$/.exec(text ?? '');
  if (!m) return undefined;
  return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000);
}

/**
 * How long to wait before the next query, in ms, from an answer's two headers: the reset time when no
 * query is left in the window, else 0. A header that is missing or not a number asks for no wait; a
 * wait is capped at MAX_QUOTA_WAIT_IN_MS.
 */
export function quotaWaitInMs(remaining: string | undefined, resetsAfter: string | undefined): number {
  const left = remaining === undefined || remaining.trim() === '' ? NaN : Number(remaining);
  if (!Number.isFinite(left) || left > 0) return 0;
  const reset = readResetsAfter(resetsAfter);
  return reset === undefined ? 0 : Math.min(reset, MAX_QUOTA_WAIT_IN_MS);
}
