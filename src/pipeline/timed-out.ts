import { ARM_UNANSWERED_AFTER_IN_MS } from '../core/arm-answer-time';
import type { Target } from '../core/arm-id';
import type { GatewayRef } from '../core/model';
import { BackendHealthUnavailableError, TargetListUnavailableError, ThrottledError } from '../errors';
import type { FailedAttempt, QuotaWait, RecentThrottle, SubscriptionPacer } from '../ports';
import { noAnswerWithin } from './timeout';

/** What these errors ask of the pacer: the subscription's latest 429, if any came during the wait. */
export type ThrottleMemory = Pick<SubscriptionPacer, 'recentThrottle'>;

/** A call's last failed try (ArmCallOptions.onFailedAttempt), and how long before the time-out it was answered. */
export interface FailedBeforeTimeOut {
  readonly attempt: FailedAttempt;
  readonly agoInMs: number;
}

/**
 * Keeps a call's last failed try: `tell` is its ArmCallOptions.onFailedAttempt, `last()` what the
 * time-out's error says of it (undefined: none came). Times on the process's monotonic clock.
 */
export function lastFailedAttempt(): {
  readonly tell: (attempt: FailedAttempt) => void;
  readonly last: () => FailedBeforeTimeOut | undefined;
} {
  let kept: { attempt: FailedAttempt; atInMs: number } | undefined;
  return {
    tell: (attempt) => (kept = { attempt, atInMs: performance.now() }),
    last: () => (kept ? { attempt: kept.attempt, agoInMs: performance.now() - kept.atInMs } : undefined),
  };
}

/** How long a call waited on its own subscription's quota (ArmCallOptions.onQuotaWait), as its time-out asks. */
export interface OwnQuotaWait {
  /** Its waits on the quota, in ms, the one under way included. */
  readonly waitedInMs: number;
  /** What it waits for at the question; undefined when a try of it is out (or none started). */
  readonly waitingFor?: QuotaWait;
  /**
   * When no wait is under way: how long since its last wait ended (its try went out), in ms; absent
   * when it never waited. The time ARM had it since, answering or not.
   */
  readonly outForInMs?: number;
  /**
   * How long the try out with ARM at the question has had no answer, in ms (ArmCallOptions.onTryOut);
   * absent when none is out.
   */
  readonly unansweredForInMs?: number;
}

/**
 * Keeps a call's waits on its subscription's quota: `tell` is its ArmCallOptions.onQuotaWait, `waited()`
 * what its time-out weighs. Times on the process's monotonic clock (performance.now).
 */
export function ownQuotaWaits(): {
  readonly tell: (wait: QuotaWait | undefined) => void;
  /** The call's ArmCallOptions.onTryOut. */
  readonly tryOut: (out: boolean) => void;
  readonly waited: () => OwnQuotaWait;
} {
  let doneInMs = 0;
  let current: { readonly wait: QuotaWait; readonly sinceInMs: number } | undefined;
  let endedAtInMs: number | undefined;
  let tryOutSinceInMs: number | undefined;
  const unanswered = (now: number) =>
    tryOutSinceInMs === undefined ? {} : { unansweredForInMs: now - tryOutSinceInMs };
  return {
    tryOut: (out) => {
      tryOutSinceInMs = out ? performance.now() : undefined;
    },
    tell: (wait) => {
      const now = performance.now();
      if (current) {
        doneInMs += now - current.sinceInMs;
        endedAtInMs = now;
      }
      current = wait === undefined ? undefined : { wait, sinceInMs: now };
    },
    waited: () => {
      const now = performance.now();
      if (current) return { waitedInMs: doneInMs + now - current.sinceInMs, waitingFor: current.wait };
      return {
        waitedInMs: doneInMs,
        ...(endedAtInMs !== undefined ? { outForInMs: now - endedAtInMs } : {}),
        ...unanswered(now),
      };
    },
  };
}

/**
 * The error of a gateway's backend-health read that had no answer within `timeoutInMs`
 * (`gatewayTimeoutInMs`):
 * - ThrottledError (`Throttled`, retryable) when the quota held the call itself (heldByQuota: its own
 *   waits on it, `own`) and a 429 for the gateway's subscription paused it during the wait (answered
 *   then, or before and still in force), naming the pauses (a trial: one 429 with Retry-After 20 s,
 *   and every other gateway of the subscription was told "no answer … raise gatewayTimeoutInMs");
 * - ThrottledError when the quota held it and its own last failed try was a 429 that paused nothing
 *   (a resource provider's limit, the quota left; RetryableErrorDueToAnotherOperation), saying that
 *   answer (a break trial: such a gateway was "no answer");
 * - BackendHealthUnavailableError saying ARM's last failed answer (`failed`: a 5xx the client kept
 *   retrying) with the advice of a failure;
 * - BackendHealthUnavailableError (`timedOut`) otherwise.
 */
export function backendHealthTimedOut(
  gateway: GatewayRef,
  timeoutInMs: number,
  pacer: ThrottleMemory | undefined,
  own: OwnQuotaWait,
  failed?: FailedBeforeTimeOut,
): Error {
  const held = quotaHold(own, timeoutInMs, pacer, gateway.subscriptionId, failed);
  if (held?.subscription)
    return new ThrottledError(gateway.id, throttledWait(timeoutInMs, held.subscription, own), {
      headline: `ARM throttled the subscription of ${gateway.id}`,
      advice: quotaAdvice('gateway', gateway.subscriptionId),
    });
  if (held?.own)
    return new ThrottledError(gateway.id, failedThenNoAnswer(timeoutInMs, held.own), {
      headline: `ARM throttled the requests of ${gateway.id}`,
      advice: ownThrottleAdvice('gateway'),
    });
  // ARM kept failing it (the client retrying) until the time-out: ARM's failure, not a slow answer.
  return failedLast(own, failed)
    ? new BackendHealthUnavailableError(gateway.id, failedThenNoAnswer(timeoutInMs, failed))
    : new BackendHealthUnavailableError(gateway.id, noAnswer(timeoutInMs, own, failed, SUBSCRIPTION_QUOTA), {
        timedOut: true,
      });
}

/**
 * The error of a target's listing that had no answer within `timeoutInMs`: ThrottledError as
 * backendHealthTimedOut says (the quota held the listing itself, and its subscription met a 429, or
 * its own last failed try was a 429), else TargetListUnavailableError saying the last failed answer
 * (`failed`), as backendHealthTimedOut; else TargetListUnavailableError (`timedOut`). A management
 * group's listing (Resource Graph, whose quota is the tenant's, not a subscription's) is Throttled by
 * its own 429s only.
 */
export function targetListTimedOut(
  target: Target,
  timeoutInMs: number,
  pacer: ThrottleMemory | undefined,
  own: OwnQuotaWait,
  failed?: FailedBeforeTimeOut,
): Error {
  const subscriptionId = subscriptionOf(target);
  const held = quotaHold(own, timeoutInMs, pacer, subscriptionId, failed);
  if (held?.subscription && subscriptionId)
    return new ThrottledError(target.id, throttledWait(timeoutInMs, held.subscription, own), {
      headline: `The gateways of ${target.id} could not be listed: ARM throttled its subscription`,
      advice: quotaAdvice('listing', subscriptionId),
    });
  if (held?.own)
    return new ThrottledError(target.id, failedThenNoAnswer(timeoutInMs, held.own), {
      headline: `The gateways of ${target.id} could not be listed: ${held.own.attempt.from} throttled the listing's requests`,
      advice: subscriptionId ? ownThrottleAdvice('listing') : RESOURCE_GRAPH_THROTTLE_ADVICE,
    });
  return failedLast(own, failed)
    ? new TargetListUnavailableError(target.id, failedThenNoAnswer(timeoutInMs, failed))
    : new TargetListUnavailableError(
        target.id,
        noAnswer(timeoutInMs, own, failed, subscriptionId ? SUBSCRIPTION_QUOTA : "Resource Graph's quota"),
        { timedOut: true },
      );
}

/**
 * `ARM answered 500 InternalServerError to its last try, 2.0 s before the time-out, and its retries had
 * no answer within 30000 ms (gatewayTimeoutInMs)`: what ARM said first (a summary keeps a message's
 * start). With the advice of a failure ARM answered, not "raise the time-out": a call retried on 5xx
 * until the time-out was "no answer" before, and a longer time-out only waits for more of them (a
 * new-user trial). When ARM's `Retry-After` outlasted what was left of the time-out (no try was sent
 * after that answer): `ARM answered 503 ServiceUnavailable to its last try, 2.0 s before the time-out,
 * and asked for 10.0 s before the next (Retry-After): the time-out of 3000 ms (gatewayTimeoutInMs) came
 * first, so no other try was sent; a gatewayTimeoutInMs of more than 11000 ms lets it go out` (the time
 * spent when ARM answered, plus its Retry-After)
 * (it said "its retries had no answer", of retries never sent: a new-user trial). `settingName`: what
 * bounds the wait, said after it (empty: a bound of the product's own, and no advice to raise it).
 */
export function failedThenNoAnswer(
  timeoutInMs: number,
  failed: FailedBeforeTimeOut,
  settingName = 'gatewayTimeoutInMs',
): string {
  const setting = settingName ? ` (${settingName})` : '';
  const { attempt } = failed;
  const answered = `${answerOf(attempt)} to its last try, ${seconds(failed.agoInMs)} before the time-out`;
  if (attempt.retryAfterInMs !== undefined && attempt.retryAfterInMs > failed.agoInMs) {
    // Its wait counts from that answer, which came `agoInMs` before the time-out: the bound that lets the
    // try go out is the time spent by then plus the wait (a new-user trial followed "longer than ARM's
    // Retry-After", 12.5 s for a 12 s wait answered 1 s in, and it failed again).
    const needed = Math.ceil(timeoutInMs - failed.agoInMs + attempt.retryAfterInMs);
    const raise = settingName ? `; a ${settingName} of more than ${needed} ms lets it go out` : '';
    return (
      `${answered}, and asked for ${seconds(attempt.retryAfterInMs)} before the next (Retry-After): ` +
      `the time-out of ${timeoutInMs} ms${setting} came first, so no other try was sent${raise}`
    );
  }
  const retryAfter =
    attempt.retryAfterInMs !== undefined ? ` (Retry-After ${seconds(attempt.retryAfterInMs)})` : '';
  return `${answered}${retryAfter}, and its retries had no answer within ${timeoutInMs} ms${setting}`;
}

/**
 * Whether ARM's failed answer (`failed`) is what the call met last: not when a try sent after it was
 * out unanswered at the time-out (unansweredAtTheEnd). A break trial: a POST answered 429, whose retry
 * then hung 25 s, was "ARM answered 429 … to its last try, and its retries had no answer", with a
 * failure's advice.
 */
function failedLast(
  own: OwnQuotaWait,
  failed: FailedBeforeTimeOut | undefined,
): failed is FailedBeforeTimeOut {
  return failed !== undefined && !retriedAfter(own, failed);
}

/**
 * Whether a try sent after ARM's failed answer was out at the time-out, unanswered for longer than
 * ARM answers (ANSWERED_WITHIN_IN_MS): that try, not the failure, is what the call met last (a new-user
 * trial: a poll answered 429, whose retry then hung 5 s to the time-out, was still "ARM answered 429 …
 * to its last try").
 */
function retriedAfter(own: OwnQuotaWait, failed: FailedBeforeTimeOut): boolean {
  const out = own.unansweredForInMs ?? 0;
  return out >= ANSWERED_WITHIN_IN_MS && out < failed.agoInMs;
}

/**
 * ARM answers a request in well under this, in ms: a try out longer had no answer yet, where one just
 * sent may be on its way (a shorter one would flip a message on the millisecond a retry goes out).
 */
const ANSWERED_WITHIN_IN_MS = 1_000;

/**
 * `no answer within 100000 ms (gatewayTimeoutInMs)`, and what the call met, first what held its end:
 * - its last try out unanswered (unansweredAtTheEnd): `…: its last try had no answer for 39.0 s`, then,
 *   when it waited on the quota before, `, after its requests waited 60.0 s for the quota`, and when ARM
 *   failed a try before it, `; ARM answered 429 SubscriptionRequestsThrottled to a try before it, 40.0 s
 *   before the time-out`;
 * - else, held by the quota without a 429 in the wait (the pacer's estimate alone: the subscription's
 *   quota used up by the run's own requests and other clients of the identity, whose remaining-quota
 *   headers the estimate follows, or ARM's silence to its first requests): `…: its requests waited
 *   17.0 s of it for their places in the estimate of the subscription's quota, with no 429 in that time`
 *   (a break trial: two runs of 600 gateways, one identity, and a block of gateways that waited 17 of
 *   20 s on the quota said only "no answer … raise gatewayTimeoutInMs").
 */
function noAnswer(
  timeoutInMs: number,
  own: OwnQuotaWait,
  failed: FailedBeforeTimeOut | undefined,
  quota: string,
): string {
  const plain = noAnswerWithin(timeoutInMs);
  const waited = Math.min(own.waitedInMs, timeoutInMs);
  if (unansweredAtTheEnd(own) || (failed !== undefined && retriedAfter(own, failed))) {
    const held = own.waitedInMs >= 1_000 ? `, after its requests waited ${seconds(waited)} for ${quota}` : '';
    const before = failed
      ? `; ${answerOf(failed.attempt)} to a try before it, ${seconds(failed.agoInMs)} before the time-out`
      : '';
    return `${plain}: its last try had no answer for ${seconds(own.unansweredForInMs ?? 0)}${held}${before}`;
  }
  if (own.waitedInMs >= THROTTLED_SHARE_OF_WAIT * timeoutInMs)
    return `${plain}: its requests waited ${seconds(waited)} of it for their places in the estimate of ${quota}, with no 429 in that time`;
  return plain;
}

const SUBSCRIPTION_QUOTA = "the subscription's quota";

/** `ARM answered 429 SubscriptionRequestsThrottled`: who answered a failed try, and what. */
function answerOf(attempt: FailedAttempt): string {
  return `${attempt.from} answered ${attempt.status}${attempt.code ? ` ${attempt.code}` : ''}`;
}

/** Of a wait, the share a 429's pause must cover to be why it ran out: a 1 s pause in 300 s is not. */
export const THROTTLED_SHARE_OF_WAIT = 0.25;

/**
 * Whether its subscription's quota, not ARM, held the call whose wait just ran out (the last
 * `waitInMs`): it was waiting out a 429 answered to it at the end; or its own waits on the quota (its
 * polls' places in the pacer's estimate, which 429s pause, and the Retry-After of 429s answered to it)
 * came to at least THROTTLED_SHARE_OF_WAIT of the wait, and its last try had not been out with ARM
 * longer than they lasted. Break trials: any 429 in the last 5 minutes, with a Retry-After of 1 s, made
 * a gateway that hung for 300 s `Throttled`, advising to raise the time-out; five 10 s pauses in a 60 s
 * wait, the last alone under a quarter of it, and every gateway was "no answer"; then, weighed by the
 * subscription's pauses alone, gateways whose polls ARM never answered (sent before the pauses, or
 * after 6–9 s of them, then out 11–14 s) were `Throttled` because other gateways' 429s paused the
 * subscription meanwhile.
 */
function heldByQuota(own: OwnQuotaWait, waitInMs: number): boolean {
  if (own.waitingFor === 'throttled') return true;
  if (unansweredAtTheEnd(own)) return false;
  if (own.waitedInMs < THROTTLED_SHARE_OF_WAIT * waitInMs) return false;
  return own.waitingFor !== undefined || (own.outForInMs ?? 0) < own.waitedInMs;
}

/**
 * Whether a try of the call was out with ARM at the time-out, unanswered for longer than ARM takes to
 * answer (ARM_UNANSWERED_AFTER_IN_MS): ARM's silence held the end of the wait, whatever the quota held
 * before it (a break trial: a poll that hung 39 s after 60 s waiting on a 429's pause was `Throttled`,
 * told to wait out a Retry-After it had waited out already).
 */
function unansweredAtTheEnd(own: OwnQuotaWait): boolean {
  return (own.unansweredForInMs ?? 0) > ARM_UNANSWERED_AFTER_IN_MS;
}

/**
 * The 429s that held a call which ran out of time, when the quota held it (heldByQuota): its
 * subscription's (`subscription`: the pacer's recentThrottle; none for a call outside a subscription),
 * else its own last failed try's, a 429 that paused nothing (`own`); undefined when neither. One rule
 * for both time-outs, a read's and a listing's.
 */
function quotaHold(
  own: OwnQuotaWait,
  timeoutInMs: number,
  pacer: ThrottleMemory | undefined,
  subscriptionId: string | undefined,
  failed: FailedBeforeTimeOut | undefined,
): { readonly subscription?: RecentThrottle; readonly own?: FailedBeforeTimeOut } | undefined {
  if (!heldByQuota(own, timeoutInMs)) return undefined;
  const subscription = subscriptionId ? pacer?.recentThrottle(subscriptionId, timeoutInMs) : undefined;
  if (subscription) return { subscription };
  return failed?.attempt.status === 429 ? { own: failed } : undefined;
}

function subscriptionOf(target: Target): string | undefined {
  switch (target.kind) {
    case 'gateway':
      return target.gateway.subscriptionId;
    case 'resourceGroup':
    case 'subscription':
      return target.subscriptionId;
    case 'managementGroup':
      return undefined;
  }
}

/**
 * `429 for its reads 8.0 s before the time-out, Retry-After 20.0 s; its own requests waited 6.1 s of
 * it for the quota; no answer within 8000 ms (gatewayTimeoutInMs)`: the facts first (a summary keeps a
 * message's start). After several pauses: `429s paused it 5 times, 52.0 s of the 60.0 s; the last for
 * its reads 8.0 s before the time-out, …` (pauses, merged where they met: 429s answered together count
 * once).
 */
function throttledWait(timeoutInMs: number, throttle: RecentThrottle, own: OwnQuotaWait): string {
  const last = `for its ${throttle.kind} ${seconds(throttle.agoInMs)} before the time-out, Retry-After ${seconds(throttle.retryAfterInMs)}`;
  const what =
    throttle.pauses > 1
      ? `429s paused it ${throttle.pauses} times, ${seconds(throttle.pausedInMs)} of the ${seconds(timeoutInMs)}; the last ${last}`
      : `429 ${last}`;
  const waited = Math.min(own.waitedInMs, timeoutInMs);
  return `${what}; its own requests waited ${seconds(waited)} of it for the quota; ${noAnswerWithin(timeoutInMs)}`;
}

/** The advice when 429s answered to the call itself, not its subscription's quota, held it. */
function ownThrottleAdvice(what: 'gateway' | 'listing'): string {
  return (
    `ARM asked the ${what}'s requests to wait (429) without pausing the subscription: a resource provider's limit, or another operation on the resource; it is tried again on the next run. ` +
    `If it keeps happening, check the resource's Activity log for operations that run meanwhile, check less often, or raise "gatewayTimeoutInMs" (APPGW_GATEWAY_TIMEOUT_MS) past ARM's Retry-After.`
  );
}

/**
 * The advice when Resource Graph's 429s held a management group's listing (a break trial: it was told
 * of a resource provider's limit and the resource's Activity log). Resource Graph's quota is the
 * identity's: "at most 15 queries within every 5-second window" (learn.microsoft.com, azure/governance/
 * resource-graph/concepts/guidance-for-throttled-requests), shared by everything that queries it with
 * that identity.
 */
const RESOURCE_GRAPH_THROTTLE_ADVICE =
  "Resource Graph limits each identity's queries (15 in every 5 seconds by default), whatever queries them with it: it is tried again on the next run. " +
  'If it keeps happening, run fewer things with this identity at once, list fewer management groups per run, or raise "gatewayTimeoutInMs" (APPGW_GATEWAY_TIMEOUT_MS) past the quota\'s reset.';

function quotaAdvice(what: 'gateway' | 'listing', subscriptionId: string): string {
  return (
    `The ${what}'s requests waited for subscription ${subscriptionId}'s quota; it is tried again on the next run. ` +
    `If it keeps happening, other clients share that quota (ARM's limits are per subscription and region): ` +
    `check less often, or raise "gatewayTimeoutInMs" (APPGW_GATEWAY_TIMEOUT_MS) past ARM's Retry-After.`
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
