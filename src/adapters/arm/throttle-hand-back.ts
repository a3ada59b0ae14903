/**
 * Hands a `429` back to the caller at once instead of letting the SDK's retry policies wait out its
 * `Retry-After` in the process: for the requests marked with `handBackThrottling` only (the Functions
 * app's queue function, whose wait goes to the queue: src/pipeline/fan-out.ts). Every other request
 * keeps the SDK's retries (retry.ts).
 *
 * How: added `perRetry`, after the pacing observer (client.ts), so the observer still sees the 429
 * and pauses its estimate. It throws ThrottledAnswer, which is not a RestError: the SDK's retry
 * policies rethrow any other error at once (@typespec/ts-http-runtime policies/retryPolicy.js: `if
 * (!isRestError(e)) throw e`), so the throttled request is sent once, not again.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { throttleRetryAfterInMs } from '../../core/retry-after';

const handedBack = new WeakSet<PipelineRequest>();

/** Marks `request`: a 429 answer to it is thrown as ThrottledAnswer, not retried. */
export function handBackThrottling(request: PipelineRequest): void {
  handedBack.add(request);
}

/** A marked request's `429`, as ARM answered it. */
export class ThrottledAnswer extends Error {
  override readonly name = 'ThrottledAnswer';
  constructor(
    /** The answer (the pacing observer reads its headers from here). */
    readonly response: PipelineResponse,
    /** ARM's `Retry-After` (or `retry-after-ms`, `x-ms-retry-after-ms`) in ms; undefined when it gave none. */
    readonly retryAfterInMs: number | undefined,
  ) {
    super(`ARM answered 429${retryAfterInMs !== undefined ? ` (Retry-After ${retryAfterInMs} ms)` : ''}`);
  }
}

export function isThrottledAnswer(error: unknown): error is ThrottledAnswer {
  return error instanceof ThrottledAnswer;
}

export const THROTTLE_HAND_BACK_POLICY = 'appgwThrottleHandBack';

export const throttleHandBackPolicy: PipelinePolicy = {
  name: THROTTLE_HAND_BACK_POLICY,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status !== 429 || !handedBack.has(request)) return response;
    throw new ThrottledAnswer(
      response,
      throttleRetryAfterInMs((name) => response.headers.get(name), Date.now()),
    );
  },
};
