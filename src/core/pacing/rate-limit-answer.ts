/**
 * What one ARM answer says about its subscription's request bucket: the remaining-quota headers, and
 * whether it is a throttle (`429`) with how long to wait. Pure: the headers come in as a lookup, the
 * time (for a `Retry-After` given as an HTTP date) as a number.
 *
 * Source: "Understand how Azure Resource Manager throttles requests" (learn.microsoft.com/azure/
 * azure-resource-manager/management/request-limits-and-throttling): "Remaining requests" (a read
 * answers `x-ms-ratelimit-remaining-subscription-reads`, a write `…-writes`; the token-bucket model adds
 * `…-subscription-global-reads` / `-writes`, the subscription's bucket across every principal, and a
 * request is throttled when either is empty) and "Error code" (`429` with `Retry-After` in seconds;
 * "the network resource provider returns 429 with the RetryableErrorDueToAnotherOperation error code
 * when the target resource is locked by another operation": a busy resource, not an empty bucket).
 * A 429 whose own remaining-quota headers still count tokens for its kind is not its subscription's
 * bucket either: a resource provider's limit on that resource (ARM's limits are "in addition to" each
 * provider's own, same page, "Resource provider limits"), which only that request waits out.
 */
import { throttleRetryAfterInMs } from '../retry-after';
import type { RequestKind } from './request-limits';

export interface RateLimitAnswer {
  /**
   * The fewest requests of the answer's kind left in either of its buckets (the principal's and the
   * subscription's global one), after this request; absent when the answer carries neither header.
   */
  readonly remaining?: number;
  /**
   * A 429 for an empty bucket: the subscription's requests of this kind must wait `retryAfterInMs`.
   * False for a 429 of one resource (RetryableErrorDueToAnotherOperation, or a provider's own limit: the
   * answer's remaining counts above 0), which the SDK's retry waits out for that request alone (issue
   * 14's trial: such 429s on one gateway in seven slowed a whole subscription ninefold).
   */
  readonly throttled: boolean;
  /** What the 429 asked for, as the SDK that retries it reads it (src/core/retry-after.ts throttleRetryAfterInMs). */
  readonly retryAfterInMs?: number;
}

/** The header ARM puts its remaining count of `kind` in, for the principal or the whole subscription. */
export const remainingHeaderOf = (kind: RequestKind, scope: 'principal' | 'global'): string =>
  `x-ms-ratelimit-remaining-subscription-${scope === 'global' ? 'global-' : ''}${kind}`;

/**
 * Reads one answer of a `kind` request. `header(name)` is the answer's header (any case), `bodyText`
 * its body when known (to tell a locked resource's 429 from a throttle), `nowEpochInMs` the time it
 * arrived (for a `Retry-After` date). Values that are not whole numbers >= 0 are ignored.
 */
export function readRateLimitAnswer(
  kind: RequestKind,
  status: number,
  header: (name: string) => string | undefined,
  bodyText: string | undefined,
  nowEpochInMs: number,
): RateLimitAnswer {
  const counts = (['principal', 'global'] as const)
    .map((scope) => wholeNumber(header(remainingHeaderOf(kind, scope))))
    .filter((n): n is number => n !== undefined);
  const remaining = counts.length ? Math.min(...counts) : undefined;
  const code = errorCodeOf(bodyText);
  const throttled =
    status === 429 &&
    (code === 'SubscriptionRequestsThrottled' ||
      (code !== 'RetryableErrorDueToAnotherOperation' && !(remaining !== undefined && remaining > 0)));
  const retryAfterInMs = throttled ? throttleRetryAfterInMs(header, nowEpochInMs) : undefined;
  return {
    ...(remaining === undefined ? {} : { remaining }),
    throttled,
    ...(retryAfterInMs === undefined ? {} : { retryAfterInMs }),
  };
}

function wholeNumber(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** `error.code` of an ARM error body, when the body is one. */
function errorCodeOf(bodyText: string | undefined): string | undefined {
  if (!bodyText) return undefined;
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: unknown } } | null;
    const code = body?.error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
