/**
 * Tells the subscription pacer (subscription-pacer.ts) about every request the ARM client sends to a
 * subscription and every answer it gets: the remaining-quota headers, a 429 and its `Retry-After`. It
 * only observes: it never holds a request back (the scheduler admits gateways before their calls
 * start, src/pipeline/schedule-gateways.ts) and never retries (the SDK's retry policies wait out a
 * 429's `Retry-After`, retry.ts). Added `perRetry`, so every attempt is seen, retries and polls
 * included. Requests outside a subscription (Resource Graph's, which keeps its own quota) are not paced.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { readRateLimitAnswer, type RateLimitAnswer } from '../../core/pacing/rate-limit-answer';
import { requestKindOf, type RequestKind } from '../../core/pacing/request-limits';
import type { ArmAnswerObserver } from './subscription-pacer';
import { isThrottledAnswer } from './throttle-hand-back';

export const SUBSCRIPTION_PACING_POLICY = 'appgwSubscriptionPacing';

export function subscriptionPacingPolicy(observer: ArmAnswerObserver): PipelinePolicy {
  return {
    name: SUBSCRIPTION_PACING_POLICY,
    async sendRequest(request, next) {
      const subscriptionId = subscriptionOf(request);
      if (!subscriptionId) return next(request);
      const kind = requestKindOf(request.method);
      observer.requestSent(subscriptionId, kind);
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (error) {
        const answered = (error as { response?: PipelineResponse } | undefined)?.response;
        observer.answerReceived(
          subscriptionId,
          kind,
          answered ? rateLimitOf(answered, kind) : undefined,
          // A 429 handed back is not sent again by the SDK: no token is kept for its retry.
          isThrottledAnswer(error) ? { retried: false } : {},
        );
        throw error;
      }
      observer.answerReceived(subscriptionId, kind, rateLimitOf(response, kind));
      return response;
    },
  };
}

function rateLimitOf(response: PipelineResponse, kind: RequestKind): RateLimitAnswer {
  return readRateLimitAnswer(
    kind,
    response.status,
    (name) => response.headers.get(name),
    response.bodyAsText ?? undefined,
    Date.now(),
  );
}

/** The subscription a request's URL is under (`…/subscriptions/{id}/…`), as ARM's buckets are keyed. */
export function subscriptionOf(request: Pick<PipelineRequest, 'url'>): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(request.url).pathname;
  } catch {
    return undefined;
  }
  const match = /^\/subscriptions\/([^/]+)/i.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]).toLowerCase();
  } catch {
    return undefined;
  }
}
