/**
 * A queue invocation's backend-health step that its subscription's ARM quota has no place for (the
 * instance's estimate, or a 429: DeferredStep) is put back on the queue instead of waited for in the
 * instance (issue 14.5): the same message, its deferral counted, hidden until its turn. For at most
 * `gatewayTimeoutInMs` from the first deferral of a streak (a poll no longer than its operation's
 * time-out); past that the gateway fails as Throttled (src/pipeline/fan-out.ts processQueuedGateway).
 */
import { counted } from '../core/counted';
import { ThrottledError } from '../errors';
import type { Clock, DeferredStep, GatewayMessage, QueuedDeferrals, WorkQueue } from '../ports';
import type { Logger } from './logger';
import { withinQueueMessage } from './carried-configuration';

/** An invocation that put its step back on the queue. */
export interface DeferredGateway {
  readonly kind: 'deferred';
  /** The same step enqueued again: the message, its deferral counted (and `deferredSince` set). */
  readonly message: GatewayMessage;
  /** How long it stays hidden: the step's turn in the subscription's quota (DeferredStep.retryAfterInMs). */
  readonly visibleAfterInMs: number;
  readonly reason: DeferredStep['reason'];
}

/** A step that could not be put back: `failed` is why; `ranOut` when the bound had passed (not retried). */
export interface NotPutBack {
  readonly failed: unknown;
  readonly ranOut: boolean;
}

/** Where the invocation stands: its start, its step's start (a poll's operation), the time-out left, its try. */
export interface InvocationTimes {
  readonly invokedAt: Date;
  readonly startedAt: Date;
  readonly leftInMs: number;
  /** The message's `dequeueCount` (QueueTry.attempt). */
  readonly attempt: number;
}

/**
 * Enqueues `message` again for `deferred`'s turn, hidden no longer than the bound allows, and logs it;
 * or, past the bound, the Throttled error the gateway finishes with; or the queue's failure (the host
 * tries the message again).
 */
export async function putBack(
  deps: { readonly queue: WorkQueue; readonly clock: Clock; readonly logger: Logger },
  options: { readonly gatewayTimeoutInMs: number },
  message: GatewayMessage,
  deferred: DeferredStep,
  { invokedAt, startedAt, leftInMs, attempt }: InvocationTimes,
): Promise<DeferredGateway | NotPutBack> {
  const continued = message.version === 2 ? message : undefined;
  const deferrals: QueuedDeferrals = message.deferrals ?? { count: 0, handlerActiveInMs: 0 };
  // A host's retry (attempt 2 on) follows a try that was sent and failed, or failed before it was
  // put back: a new streak of deferrals, not the old one's (its bound would fail a 5xx at once).
  const deferredSince =
    message.deferredSince && attempt <= 1 ? notAfter(new Date(message.deferredSince), invokedAt) : invokedAt;
  const waitedInMs = invokedAt.getTime() - deferredSince.getTime();
  const what = continued ? `poll ${continued.polls + 1}` : 'start';
  if (waitedInMs >= options.gatewayTimeoutInMs)
    return {
      failed: quotaRanOut(
        message.gatewayId,
        deferred,
        what,
        waitedInMs,
        deferrals.count,
        options.gatewayTimeoutInMs,
      ),
      ranOut: true,
    };
  // Never hidden past the bound: it then fails as throttled, or, a poll, as timed out.
  const visibleAfterInMs = Math.min(
    deferred.retryAfterInMs,
    options.gatewayTimeoutInMs - waitedInMs,
    continued ? Math.max(0, leftInMs) : Infinity,
  );
  const again: GatewayMessage = withinQueueMessage({
    ...message,
    ...(continued ? { startedAt: startedAt.toISOString() } : {}),
    deferrals: {
      count: Math.min(deferrals.count + 1, Number.MAX_SAFE_INTEGER), // still a valid message
      handlerActiveInMs: deferrals.handlerActiveInMs + deps.clock.now().getTime() - invokedAt.getTime(),
      // This message's failed tries go with the step: the new message's dequeueCount starts again.
      ...(failedTries(deferrals, attempt) > 0 ? { failedTries: failedTries(deferrals, attempt) } : {}),
    },
    deferredSince: deferredSince.toISOString(),
  });
  try {
    await deps.queue.enqueue([again], { visibleAfterInMs });
  } catch (error) {
    // The step cannot be put back: the gateway fails this try, and the host tries it again.
    return { failed: error, ranOut: false };
  }
  deps.logger.info(
    `${message.gatewayId}: ${deferred.reason === 'throttled' ? 'ARM answered 429 to its' : "its subscription's ARM quota has no place yet for its"} ${what}; queued again on ${deps.queue.name} in ${visibleAfterInMs} ms (deferral ${deferrals.count + 1})`,
  );
  return { kind: 'deferred', message: again, visibleAfterInMs, reason: deferred.reason };
}

/**
 * The error of a poll found past its operation's time-out (`expired`: the operation's time-out,
 * BackendHealthUnavailable, given an extra clause). When the message was a put-back one (its
 * `deferredSince` set, first try), the poll was held back for the subscription's quota at the end: for
 * at least half of `gatewayTimeoutInMs`, the time ran out on this side more than ARM's, and it is
 * Throttled; for less, ARM had the operation most of the time, and it is the operation's time-out,
 * saying how long the last poll was held back (the trial's: 18 of 20 s with ARM, then 2 s put back, is
 * not "throttled"). The hold counts from `deferredSince` (never before the operation's start: a
 * tampered or skewed date) to the time-out (`startedAt` + `gatewayTimeoutInMs`, or now if sooner). A
 * host's retry (attempt 2 on) follows a try that was sent, or that could not be put back: its time-out
 * is the operation's. Returns the error; never throws. Times are Dates; `gatewayTimeoutInMs` in ms.
 */
export function pollPastTimeOut(
  message: GatewayMessage,
  times: { readonly invokedAt: Date; readonly startedAt: Date; readonly attempt: number },
  gatewayTimeoutInMs: number,
  expired: (extra?: string) => Error,
): Error {
  const { invokedAt, startedAt, attempt } = times;
  if (message.version !== 2 || message.deferredSince === undefined || attempt > 1) return expired();
  // Up to the time-out, not to this invocation: time on the queue after it is nobody's wait for quota
  // (a review's: picked up 10 minutes late, "waited 602 s of gatewayTimeoutInMs (20 s)").
  const deadline = notAfter(new Date(startedAt.getTime() + gatewayTimeoutInMs), invokedAt);
  const since = notAfter(notBefore(new Date(message.deferredSince), startedAt), deadline);
  const heldInMs = deadline.getTime() - since.getTime();
  const count = Math.max(1, message.deferrals?.count ?? 0);
  const poll = `its poll ${message.polls + 1}`;
  if (2 * heldInMs < gatewayTimeoutInMs)
    return expired(
      `; ${poll} was then held back ${duration(heldInMs)} for a place in its subscription's ARM quota (its steps put back on the queue ${counted(count, 'time')} in all)`,
    );
  return new ThrottledError(
    message.gatewayId,
    `${poll} waited ${duration(heldInMs)} of gatewayTimeoutInMs (${duration(gatewayTimeoutInMs)}) for a place in its subscription's ARM quota (its steps put back on the queue ${counted(count, 'time')} in all), until the time-out had passed; ARM did not say whether the operation had finished`,
    {
      headline: quotaHeadline(message.gatewayId),
      advice: QUOTA_ADVICE,
    },
  );
}

/**
 * A hold or time-out as a message says it: whole seconds from 10 s, milliseconds below, so a figure
 * never reads on the wrong side of the half that decides (a trial's "waited 1 s of gatewayTimeoutInMs
 * (2 s)" was 750 of 1 500 ms; rounded to tenths, 499 ms read "0.5 s" of 1 s and was not Throttled).
 */
function duration(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms)} ms`;
}

/** `date`, or `limit` when `date` is earlier. */
function notBefore(date: Date, limit: Date): Date {
  return date.getTime() < limit.getTime() ? limit : date;
}

/** `date`, or `limit` when `date` is later. */
export function notAfter(date: Date, limit: Date): Date {
  return date.getTime() > limit.getTime() ? limit : date;
}

/**
 * A step deferred for `gatewayTimeoutInMs` (from its first deferral): throttled, not retried by the
 * host (a retry would find the bound passed); the next scheduled run starts afresh.
 */
function quotaRanOut(
  gatewayId: string,
  last: DeferredStep,
  what: string,
  waitedInMs: number,
  count: number,
  gatewayTimeoutInMs: number,
): ThrottledError {
  return new ThrottledError(
    gatewayId,
    `its ${what} waited ${duration(waitedInMs)} for a place in its subscription's ARM quota, past gatewayTimeoutInMs (${duration(gatewayTimeoutInMs)}), ` +
      `put back on the queue ${counted(count, 'time')}; the last try was ${last.reason === 'throttled' ? 'answered 429' : "not sent: this instance's estimate of the quota had no place for it"}`,
    {
      headline: last.reason === 'throttled' ? undefined : quotaHeadline(gatewayId),
      advice: QUOTA_ADVICE,
    },
  );
}

/** A Throttled's first words when the wait was for the quota, not ARM's 429 (ThrottledError headline). */
function quotaHeadline(gatewayId: string): string {
  return `The subscription's Azure Resource Manager quota had no place for ${gatewayId}`;
}

/** What to do when a queued step's quota never had a place for it. */
const QUOTA_ADVICE =
  "Other gateways of the subscription (or other tools with the app's identity) use its quota, or " +
  'a resource provider limits the call: check less often (APPGW_SCHEDULE), split the gateways over ' +
  'deployments with identities of their own (each identity has its own buckets), or raise gatewayTimeoutInMs.';

/**
 * How many tries of a gateway's messages may fail in all, put-backs between them or not: host.json's
 * `maxDequeueCount` (5), which counts each message alone. A step failing (500) and put back (429) in
 * turn was a new message each time, tried without end (a break trial).
 */
export const MAX_FAILED_TRIES = 5;

/**
 * The failed tries of a gateway's messages before this try (`attempt`, its dequeueCount): those carried
 * in `deferrals` and this message's own before it, at most MAX_SAFE_INTEGER.
 */
export function failedTries(deferrals: QueuedDeferrals | undefined, attempt: number): number {
  return Math.min((deferrals?.failedTries ?? 0) + Math.max(0, attempt - 1), Number.MAX_SAFE_INTEGER);
}
