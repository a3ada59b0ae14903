/**
 * A breaker per storage account (per StorageHttp: one per connection): once a request to it gets no
 * answer at all (its tries ran out of time: connectBlobService's unansweredStorageFailure), the requests
 * after it fail at once with StorageUnansweredError for STORAGE_LEFT_ALONE_FOR_IN_MS, instead of each
 * waiting out its own tries. Then one request is let through to find out (the others still fail at
 * once); an answer of any kind closes it again.
 *
 * Why: a storage account that accepted connections and never answered held a direct run about 2 s a
 * gateway (each gateway's notify state and history calls waited out their own 30 s try, 64 gateways at
 * a time): 300 gateways took 11 min 35 s, where one wait is enough to know (a break trial). Only "no
 * answer" opens it: an HTTP answer (403, 404, 409, 412, 5xx) is about that request or that document,
 * and one failing document never stops the others; a refused connection costs no wait. It sits outside the REST client (rest/), over its
 * one `send`.
 */
import { StorageUnansweredError } from '../../errors';
import type { StorageHttp } from './rest/storage-http';

/** How long the requests to an account that gave no answer fail at once, in ms, before one is tried. */
export const STORAGE_LEFT_ALONE_FOR_IN_MS = 30_000;

export interface UnansweredBreaker {
  /**
   * `call`, unless a call got no answer within the last `leftAloneForInMs` (or one is finding out since):
   * then throws StorageUnansweredError without calling it. `call`'s own errors are thrown as they are.
   */
  guard<T>(call: () => Promise<T>): Promise<T>;
}

export interface UnansweredBreakerOptions {
  /** The service's URL, as the error names it. */
  readonly service: string;
  /** Whether `error` is a request's failure without any answer, and what it met (undefined: answered). */
  readonly unanswered: (error: unknown) => string | undefined;
  readonly leftAloneForInMs?: number;
  /** The clock, in ms (tests); the process's monotonic one by default. */
  readonly nowInMs?: () => number;
}

export function unansweredBreaker(options: UnansweredBreakerOptions): UnansweredBreaker {
  const leftAloneForInMs = options.leftAloneForInMs ?? STORAGE_LEFT_ALONE_FOR_IN_MS;
  const now = options.nowInMs ?? (() => performance.now());
  let open: { readonly untilInMs: number; readonly what: string } | undefined;
  let probing = false;
  /** When the account last answered (any status), on `now`'s clock. */
  let answeredAtInMs = -Infinity;
  const answered = () => {
    open = undefined;
    answeredAtInMs = now();
  };
  return {
    async guard(call) {
      let probe = false;
      if (open) {
        if (now() < open.untilInMs || probing)
          throw new StorageUnansweredError(options.service, open.what, leftAloneForInMs);
        probing = probe = true;
      }
      const sentAtInMs = now();
      try {
        const result = await call();
        answered();
        return result;
      } catch (error) {
        const what = options.unanswered(error);
        if (what === undefined) answered();
        // Only a request sent after the account's last answer tells that it does not answer now: one
        // sent before, timing out late, would shut off an account a probe had just found back.
        else if (sentAtInMs >= answeredAtInMs) open = { untilInMs: now() + leftAloneForInMs, what };
        throw error;
      } finally {
        if (probe) probing = false;
      }
    },
  };
}

/** `http` with its requests through an UnansweredBreaker of its own. */
export function withUnansweredBreaker(
  http: StorageHttp,
  unanswered: UnansweredBreakerOptions['unanswered'],
): StorageHttp {
  const breaker = unansweredBreaker({ service: http.url, unanswered });
  return { url: http.url, send: (request) => breaker.guard(() => http.send(request)) };
}
