import {
  retryPolicy,
  type PipelinePolicy,
  type PipelineResponse,
  type RetryStrategy,
} from '@azure/core-rest-pipeline';
import { throttleRetryAfterInMs } from '../../core/retry-after';

/**
 * The Azure SDK's default retry policy retries a 429 only when it says when (`Retry-After`,
 * `retry-after-ms`, `x-ms-retry-after-ms`): its throttling strategy needs the header, and its
 * exponential strategy takes 5xx and 408 only (@typespec/ts-http-runtime,
 * retryStrategies/throttlingRetryStrategy.ts and exponentialRetryStrategy.ts). ARM and the gateways'
 * front doors do answer 429 without one, so this strategy retries those with exponential back-off and
 * jitter, as the SDK's exponential strategy does for 5xx; a 429 with a Retry-After is left to the SDK.
 *
 * It is added to the client's pipeline (next to the SDK's own policy, in its "Retry" phase) with the
 * same `maxRetries` (`arm.maxRetries`), so each kind of transient failure gets that many retries.
 */
export function tooManyRequestsRetryPolicy(options: {
  readonly maxRetries: number;
  /** First delay; doubled per retry. Default 1 s, as the SDK's exponential strategy. */
  readonly retryDelayInMs?: number;
  /** Largest delay. Default 64 s, as the SDK's. */
  readonly maxRetryDelayInMs?: number;
}): PipelinePolicy {
  return {
    ...retryPolicy([tooManyRequestsStrategy(options)], { maxRetries: options.maxRetries }),
    name: TOO_MANY_REQUESTS_RETRY_POLICY,
  };
}

export const TOO_MANY_REQUESTS_RETRY_POLICY = 'appgwTooManyRequestsRetryPolicy';

function tooManyRequestsStrategy(options: {
  readonly retryDelayInMs?: number;
  readonly maxRetryDelayInMs?: number;
}): RetryStrategy {
  const first = options.retryDelayInMs ?? 1_000;
  const largest = options.maxRetryDelayInMs ?? 64_000;
  return {
    name: 'tooManyRequestsWithoutRetryAfter',
    retry({ retryCount, response }) {
      if (response?.status !== 429 || saysWhen(response)) return { skipStrategy: true };
      const exponential = Math.min(largest, first * 2 ** retryCount);
      // Half fixed, half random: clients throttled together do not come back together.
      return { retryAfterInMs: exponential / 2 + Math.random() * (exponential / 2) };
    },
  };
}

/** Whether the SDK's throttling strategy reads a delay from the answer (then it retries it itself). */
function saysWhen(response: PipelineResponse): boolean {
  return throttleRetryAfterInMs((name) => response.headers.get(name), Date.now()) !== undefined;
}
