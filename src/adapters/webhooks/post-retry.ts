import { RestError, type RetryStrategy } from '@azure/core-rest-pipeline';
import type { PostProgress } from './post-progress';

/** `RestError.code` of a 2xx the format read as a refusal for good (WebhookFormat.failureIn2xx): not retried. */
export const ANSWER_REFUSED = 'WebhookAnswerRefused';

/** Backoff settings, in ms. */
export interface BackoffOptions {
  /** The backoff cap before the first retry; it doubles per retry up to `maxBackoffInMs`. */
  readonly initialBackoffInMs: number;
  readonly maxBackoffInMs: number;
}

/** 408, 429 and 5xx may succeed later; other non-2xx statuses will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * An answer that does not say whether the receiver got the notice: a gateway or proxy in front of it
 * saying its upstream gave no (usable) answer. RFC 9110 §15.6.3: 502 Bad Gateway, "while acting as a
 * gateway or proxy, received an invalid response from an inbound server"; §15.6.5: 504 Gateway
 * Timeout, "did not receive a timely response from an upstream server": the upstream may have
 * processed the request either way, as after our own time-out. Cloudflare's 520 ("the origin server
 * returned an empty, unknown, or unexpected response") and 524 ("connected to the origin, but the
 * origin did not provide an HTTP response before the connection timed out"),
 * https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/,
 * are the same. Not 503 ("currently unable to handle the request", §15.6.4: the receiver's refusal,
 * nothing processed), nor Cloudflare's 521–523 and 525–526, which say the origin was never reached
 * (as ECONNREFUSED does), nor a 500, which the receiver itself answered.
 */
export function mayHaveReachedUpstream(status: number): boolean {
  return status === 502 || status === 504 || status === 520 || status === 524;
}

/** `Retry-After` as delta-seconds or an HTTP-date, in ms from `nowInMs`: the one reading, src/core/retry-after.ts. */
export { retryAfterInMs as parseRetryAfter } from '../../core/retry-after';

/** Full-jitter exponential backoff before retry number `retry` (1-based), in ms. */
export function backoffInMs(retry: number, options: BackoffOptions, random: () => number): number {
  const cap = Math.min(options.maxBackoffInMs, options.initialBackoffInMs * 2 ** (retry - 1));
  const factor = Math.min(Math.max(random(), 0), 1);
  return Math.floor(factor * cap);
}

/** `RestError.code` of the error the strategy ends a send with when the next wait would overrun the budget. */
export const SEND_BUDGET_OVERRUN = 'WebhookSendBudgetOverrun';

/**
 * When a webhook POST is tried again, and after how long: the one `RetryStrategy` of the webhook
 * pipeline's `retryPolicy` (`@azure/core-rest-pipeline`, the stack ARM and storage use).
 *
 * Why not the SDK's default strategies. `@azure/core-rest-pipeline` 1.24 delegates `retryPolicy` to
 * `@typespec/ts-http-runtime` 0.3 (core-rest-pipeline `dist/commonjs/policies/retryPolicy.js` only adds
 * its logger); read there:
 * - `constants.js`: `DEFAULT_RETRY_POLICY_COUNT = 3` (maxRetries 3: four tries in all).
 * - `retryStrategies/exponentialRetryStrategy.js`: `retryDelayInMs` 1000, `maxRetryDelayInMs` 64000;
 *   retries 408 and 5xx except 501 and 505, and only the "system errors" `ETIMEDOUT`,
 *   `ESOCKETTIMEDOUT`, `ECONNREFUSED`, `ECONNRESET`, `ENOENT`, `ENOTFOUND`; any other `RestError`
 *   (e.g. `EPIPE`, `EHOSTUNREACH`) is thrown at once. `util/delay.js` `calculateRetryDelay`: delay =
 *   min(max, retryDelay × 2^retryCount), then half of it fixed and half random (not full jitter).
 * - `retryStrategies/throttlingRetryStrategy.js`: 429 and 503 only, and only when they carry
 *   `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (parsed with `Number()`, so "-1" and
 *   "1.5" are taken, or as an HTTP-date against `Date.now()`); the delay is not capped. No other 4xx
 *   is retried: a 429 without `Retry-After` is not retried at all.
 * - `policies/retryPolicy.js`: an error that is not a `RestError` (an `AbortError` among them) is
 *   thrown without asking any strategy; after each try an aborted `request.abortSignal` ends the loop;
 *   the wait is `util/helpers.js` `delay` (a real timer, no clock to inject).
 *
 * Ours (the receiver contract in README.md, unchanged): network errors of any code, per-try time-outs,
 * 408, 429 (with or without `Retry-After`) and every 5xx are retried; every other status is final. The
 * wait before retry n is full jitter, random() × min(maxBackoff, initialBackoff × 2^(n-1)), or the
 * receiver's `Retry-After` (delta-seconds or HTTP-date, read with the injected clock) when longer; a
 * wait that would cross the send budget is not started. The library keeps the loop, the count
 * (`maxRetries` = maxAttempts - 1) and the abort checks; the wait itself runs in the attempt policy
 * (post-attempt-policy.ts) through the injectable `sleep`, so this strategy hands the library a 0 ms
 * delay.
 *
 * The strategy is made per send. It reads the last try from `progress` (the attempt policy records
 * each try there, with the receiver's `Retry-After`), and writes the planned wait back: onto that
 * try's record (`waitInMs`) and as `progress.nextWaitInMs` for the attempt policy to wait out. A wait
 * that would overrun the budget ends the send with a `RestError` coded `SEND_BUDGET_OVERRUN`.
 */
export function webhookRetryStrategy(
  progress: PostProgress,
  options: BackoffOptions & { readonly random: () => number },
): RetryStrategy {
  return {
    name: 'webhookRetryStrategy',
    retry({ retryCount, response, responseError }) {
      // A try that failed without an answer (network error, time-out) comes as a RestError from the
      // attempt policy; a try the receiver answered comes as its response, whatever the status.
      if (!responseError && response && !isRetryableStatus(response.status)) return { skipStrategy: true };
      // A 2xx the format read as a refusal for good (post-attempt-policy.ts): thrown as it is.
      if (responseError?.code === ANSWER_REFUSED) return { skipStrategy: true };
      const last = progress.attempts.at(-1);
      if (!last) return { skipStrategy: true };
      const retryAfter = last.retryAfterInMs;
      const wait = Math.max(backoffInMs(retryCount + 1, options, options.random), retryAfter ?? 0);
      if (performance.now() + wait >= progress.deadline) {
        return { errorToThrow: new RestError('send budget overrun', { code: SEND_BUDGET_OVERRUN }) };
      }
      progress.attempts[progress.attempts.length - 1] = { ...last, waitInMs: wait };
      progress.nextWaitInMs = wait;
      return { retryAfterInMs: 0 };
    },
  };
}
