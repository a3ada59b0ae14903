/**
 * ARM's request limits per subscription, as the pacer (subscription-pacing.ts) assumes them until an
 * answer's headers say otherwise.
 *
 * Source: "Understand how Azure Resource Manager throttles requests" (learn.microsoft.com/azure/
 * azure-resource-manager/management/request-limits-and-throttling, "Regional throttling and token bucket
 * algorithm"): since 2024 a subscription gets, per region, a bucket of 250 reads refilled at 25 per
 * second and 200 writes refilled at 10 per second, "per subscription, per service principal, and per
 * operation type". The emulator serves these numbers (src/emulator/limits.ts reads them from here: the
 * core never imports the emulator). The page's "Remaining requests" section: read requests answer
 * `x-ms-ratelimit-remaining-subscription-reads`, write requests `…-writes` (the token-bucket model adds
 * `…-subscription-global-reads` / `-writes`, the subscription's bucket across all principals); its
 * "Error code" section: a `429` carries `Retry-After` in seconds, and a request sent before it has
 * elapsed "isn't processed and a new retry value is returned".
 */

/** The two kinds of request ARM counts apart: every GET is a read, a POST action (backendhealth) a write. */
export type RequestKind = 'reads' | 'writes';

/** One bucket: `burst` tokens when full, refilled at `perSecond` tokens a second. */
export interface RequestBucket {
  readonly burst: number;
  readonly perSecond: number;
}

export type RequestLimits = { readonly [kind in RequestKind]: RequestBucket };

/** ARM's defaults per subscription and principal (the page above): reads 250 / 25 per s, writes 200 / 10 per s. */
export const ARM_REQUEST_LIMITS: RequestLimits = {
  reads: { burst: 250, perSecond: 25 },
  writes: { burst: 200, perSecond: 10 },
};

/** The kind ARM counts a request with this HTTP method as: GET and HEAD read, anything else writes. */
export function requestKindOf(method: string): RequestKind {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' ? 'reads' : 'writes';
}
