/**
 * Tells the subscription pacer (subscription-pacer.ts) about every request the ARM client sends to a
 * subscription and every answer it gets: the remaining-quota headers, a 429 and its `Retry-After`.
 * Added `perRetry`, so every attempt is seen, retries and polls included. Requests outside a
 * subscription (Resource Graph's, which keeps its own quota) are not paced.
 *
 * It holds back one kind of request only: the retry of a request ARM answered 429, when the observer
 * can admit (`admit`, the run's pacer). The SDK's retry policy sends it again once the 429's
 * `Retry-After` has passed (retry.ts); here it then waits for its place in the subscription's estimate
 * as a new request does. Before, every request throttled together went again together, past the
 * bucket's level, and met 429s again until `arm.maxRetries` ran out: a second run with the same
 * identity made 23 of 1 000 gateways `Throttled` 3.2 s into a 300 s time-out (a break trial). The
 * scheduler admits gateways before their calls start (src/pipeline/schedule-gateways.ts), and the
 * reader each poll (backend-health-reader.ts): those are not held here.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { readRateLimitAnswer, type RateLimitAnswer } from '../../core/pacing/rate-limit-answer';
import { requestKindOf, type RequestKind } from '../../core/pacing/request-limits';
import type { SubscriptionPacer } from '../../ports';
import { abortedWait } from './abortable-wait';
import type { ArmAnswerObserver } from './subscription-pacer';
import { isThrottledAnswer } from './throttle-hand-back';

export const SUBSCRIPTION_PACING_POLICY = 'appgwSubscriptionPacing';

/**
 * What the policy tells, and, when it has `admit`, asks before a throttled request's retry goes out:
 * the run's ArmSubscriptionPacer.
 */
export type PacingObserver = ArmAnswerObserver & Partial<Pick<SubscriptionPacer, 'admit'>>;

export function subscriptionPacingPolicy(observer: PacingObserver): PipelinePolicy {
  /** Requests ARM answered 429 that the SDK may send again: their retries wait for admission. */
  const throttled = new WeakSet<PipelineRequest>();
  const admit = observer.admit?.bind(observer);
  return {
    name: SUBSCRIPTION_PACING_POLICY,
    async sendRequest(request, next) {
      const subscriptionId = subscriptionOf(request);
      if (!subscriptionId) return next(request);
      const kind = requestKindOf(request.method);
      if (admit && throttled.has(request)) {
        const abortSignal = request.abortSignal as AbortSignal | undefined;
        try {
          await admit(subscriptionId, kind, abortSignal ? { abortSignal } : {});
        } catch {
          throw abortedWait("the retry's wait for its place in the subscription's estimate");
        }
      }
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
      // A 429 whose retry asks for its place (above) keeps no token: it takes one when admitted.
      const admitted = admit !== undefined && response.status === 429;
      if (admitted) throttled.add(request);
      observer.answerReceived(
        subscriptionId,
        kind,
        rateLimitOf(response, kind),
        admitted ? { retried: false } : {},
      );
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
