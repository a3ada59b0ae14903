/**
 * ARM's request limits, as the emulator applies them: token buckets per subscription, per principal and
 * per kind of request (reads, writes), plus each subscription's global bucket across all principals.
 *
 * Source: "Understand how Azure Resource Manager throttles requests" (learn.microsoft.com/azure/
 * azure-resource-manager/management/request-limits-and-throttling, "Regional throttling and token bucket
 * algorithm"): since 2024 a subscription gets, per region, a bucket of 250 reads refilled at 25 per
 * second and 200 writes (and 200 deletes) refilled at 10 per second, "per subscription, per service
 * principal, and per operation type", and global subscription limits of "15 times the individual
 * service principal limits for each operation type" across all principals; a request is throttled when
 * either is exceeded. The refill example of the announcement (azure.microsoft.com/updates/
 * azure-resource-manager-throttling, 13 Mar 2024): 200 writes in one second empty the bucket, which is
 * full again 20 s later at 10 per second.
 *
 * What the emulator models, and why:
 * - One region: the limits apply per region of the ARM instance that serves the request (the caller's,
 *   not the resource's), and the emulator is one instance, so every request it answers draws on the
 *   same buckets whatever the gateway's `location`.
 * - The principal is the bearer token (the emulator has no directory): two tokens are two principals,
 *   with their own buckets, sharing the subscription's global one.
 * - Continuous refill (`perSecond` tokens a second, accrued to the millisecond), so a fake clock moved by
 *   40 ms gives back one read at 25 per second; the docs describe the same rate in whole seconds.
 * - A throttled request takes no token ("If you send a request before the retry value has elapsed, your
 *   request isn't processed and a new retry value is returned", same page, "Error code").
 * - No deletes bucket (the emulator serves no DELETE) and no tenant buckets (it serves no tenant-level
 *   route).
 */
import { createHash } from 'node:crypto';
import { remainingHeaderOf } from '../core/pacing/rate-limit-answer';
import type { RequestBucket, RequestKind } from '../core/pacing/request-limits';

/**
 * The scenario's `limits`: `false` turns throttling off (no 429, no remaining-quota headers); per kind,
 * `false` turns that kind off. A bucket, and ARM's defaults (`ARM_REQUEST_LIMITS`), are the ones the
 * product's pacer assumes (src/core/pacing/request-limits.ts); test/emulator/limits.test.ts pins what
 * the emulator serves to the documented numbers and header names.
 */
export type ScenarioLimits =
  false | { readonly reads: RequestBucket | false; readonly writes: RequestBucket | false };

/** The global bucket of a subscription is this many times the per-principal one (the doc above). */
export const GLOBAL_FACTOR = 15;

/** Monotonic milliseconds; tests pass a clock they move themselves. */
export interface Clock {
  now(): number;
}

/** The default clock: monotonic, so a wall-clock change never refills or drains a bucket. */
export const monotonicClock: Clock = { now: () => performance.now() };

/** What a request's charge came to: served, with the headers to send, or throttled for `retryAfterSeconds`. */
export type Charge =
  | { readonly throttled: false; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly throttled: true;
      readonly headers: Readonly<Record<string, string>>;
      /** Whole seconds until the bucket that refused holds a token again (at least 1). */
      readonly retryAfterSeconds: number;
      /** Which bucket refused: the principal's own, or the subscription's global one. */
      readonly scope: 'principal' | 'global';
    };

export const NO_CHARGE: Charge = { throttled: false, headers: {} };

/** Tokens are counted in thousandths, so refill with a whole-millisecond clock and whole rates is exact. */
const MILLI = 1000;

interface Bucket {
  readonly kind: RequestKind;
  /** The subscription's global bucket (all principals), or one principal's. */
  readonly global: boolean;
  milliTokens: number;
  /** When `milliTokens` was last brought up to date (the clock's milliseconds). */
  at: number;
}

/**
 * An id for the principal behind a bearer token, for messages: a UUID-shaped hash, so the token itself
 * never appears in an answer or a log.
 */
export function actorIdOf(token: string): string {
  const h = createHash('sha256').update(token).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The emulator's buckets. One per running emulator: `serve()` hands it the next scenario's limits
 * (`configure`) and the buckets keep their level, as a subscription's quota does when its resources
 * change.
 */
export class SubscriptionLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private limits: ScenarioLimits,
    /** The emulator's clock: buckets refill by it, and the state's operations and quota windows run by it. */
    readonly clock: Clock,
  ) {}

  /**
   * Applies other limits from now on: each bucket is first refilled to now at the old rate, then kept at
   * its level (capped at the new burst); a kind turned off forgets its buckets, so it starts full when
   * turned on again.
   */
  configure(limits: ScenarioLimits): void {
    const now = this.clock.now();
    for (const bucket of this.buckets.values()) {
      const limit = this.limitOf(bucket.kind, bucket.global);
      if (limit) refill(bucket, limit, now);
    }
    this.limits = limits;
    for (const [key, bucket] of this.buckets) {
      if (!this.limitOf(bucket.kind, bucket.global)) this.buckets.delete(key);
    }
  }

  /**
   * Charges one `kind` request of principal `actor` in `subscriptionId` (compared case-insensitively, as
   * ARM ids are): takes a token from the principal's bucket and from the subscription's global one, or
   * from neither when either is empty (then `throttled`, with the longer wait of the two).
   */
  take(subscriptionId: string, actor: string, kind: RequestKind): Charge {
    if (!this.limitOf(kind, false)) return NO_CHARGE;
    const now = this.clock.now();
    const sub = subscriptionId.toLowerCase();
    const own = this.bucket(sub, kind, actor, now);
    const global = this.bucket(sub, kind, undefined, now);
    const ownWait = this.waitInMs(own);
    const globalWait = this.waitInMs(global);
    if (ownWait === 0 && globalWait === 0) {
      own.milliTokens -= MILLI;
      global.milliTokens -= MILLI;
      return { throttled: false, headers: headersOf(kind, own, global) };
    }
    return {
      throttled: true,
      headers: headersOf(kind, own, global),
      retryAfterSeconds: Math.max(1, Math.ceil(Math.max(ownWait, globalWait) / 1000)),
      scope: ownWait >= globalWait ? 'principal' : 'global',
    };
  }

  /** The limit of a principal's bucket of `kind`, or (`global`) of the subscription's; false when off. */
  private limitOf(kind: RequestKind, global: boolean): RequestBucket | false {
    const limit = this.limits === false ? false : this.limits[kind];
    if (!limit || !global) return limit;
    return { burst: limit.burst * GLOBAL_FACTOR, perSecond: limit.perSecond * GLOBAL_FACTOR };
  }

  /** The bucket of `actor` (undefined: the global one), brought up to `now`; a new one is full. */
  private bucket(sub: string, kind: RequestKind, actor: string | undefined, now: number): Bucket {
    const global = actor === undefined;
    const limit = this.limitOf(kind, global);
    if (!limit) throw new Error(`no ${kind} limit`); // take() checked it
    const key = JSON.stringify([sub, kind, actor ?? null]);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { kind, global, milliTokens: limit.burst * MILLI, at: now };
      this.buckets.set(key, bucket);
    }
    refill(bucket, limit, now);
    return bucket;
  }

  /** Milliseconds until `bucket` holds a whole token; 0 when it does. */
  private waitInMs(bucket: Bucket): number {
    const limit = this.limitOf(bucket.kind, bucket.global);
    const missing = MILLI - bucket.milliTokens;
    return !limit || missing <= 0 ? 0 : missing / limit.perSecond;
  }
}

/** Adds what `limit` refilled since the bucket's `at`, up to its burst. */
function refill(bucket: Bucket, limit: RequestBucket, now: number): void {
  // perSecond tokens a second = perSecond thousandths of a token a millisecond.
  const elapsed = Math.max(0, now - bucket.at);
  bucket.milliTokens = Math.min(limit.burst * MILLI, bucket.milliTokens + elapsed * limit.perSecond);
  bucket.at = Math.max(bucket.at, now);
}

/**
 * The remaining-quota headers of a charge, as live ARM answers carry them: what is left after this
 * request, in the principal's bucket and in the global one. A first GET answers 249 and 3749 (Azure
 * REST samples of 2024–2025: Key Vault managed HSM, Data Factory web activity), a first POST 199 and
 * 2999 (a Container Instances exec, an App Service plan create). The names of the old model's table
 * are in the same doc's "Remaining requests".
 */
function headersOf(kind: RequestKind, own: Bucket, global: Bucket): Record<string, string> {
  return {
    [remainingHeaderOf(kind, 'principal')]: String(Math.floor(own.milliTokens / MILLI)),
    [remainingHeaderOf(kind, 'global')]: String(Math.floor(global.milliTokens / MILLI)),
  };
}

/**
 * Resource Graph's per-user query quota: at most `quota` queries in a window of `windowSeconds` that
 * starts with its first query ("at most 15 queries within every 5-second window", learn.microsoft.com
 * azure/governance/resource-graph/concepts/guidance-for-throttled-requests). Not a token bucket like
 * ARM's: Resource Graph states it as queries left in the window and when the window resets
 * (`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`), so the emulator keeps that model.
 * One per served scenario, shared by every token.
 */
export class QueryQuota {
  private window: { startedAtMs: number; used: number } | undefined;

  constructor(
    private readonly limit: { readonly quota: number; readonly windowSeconds: number },
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one query unless the window's quota is spent (`over`: then it is not counted). `remaining`:
   * queries left in the window after this one; `resetsInMs`: until the window ends.
   */
  take(): { readonly over: boolean; readonly remaining: number; readonly resetsInMs: number } {
    const now = this.clock.now();
    const windowMs = this.limit.windowSeconds * 1000;
    if (!this.window || now >= this.window.startedAtMs + windowMs)
      this.window = { startedAtMs: now, used: 0 };
    const over = this.window.used >= this.limit.quota;
    if (!over) this.window.used += 1;
    return {
      over,
      remaining: this.limit.quota - this.window.used,
      resetsInMs: this.window.startedAtMs + windowMs - now,
    };
  }
}
