/**
 * The SubscriptionPacer port over the pure estimate (src/core/pacing/subscription-pacing.ts): it holds
 * one estimate per subscription and kind for the whole process, is told of every request and answer
 * by the ARM client's pipeline (pacing-policy.ts), and makes `admit` wait, with a timer, as long as the
 * estimate says. One per run (the CLI) or per Function App instance: it is shared by the ARM clients
 * of every subscription and by the scheduler (src/pipeline/schedule-gateways.ts).
 */
import type { RateLimitAnswer } from '../../core/pacing/rate-limit-answer';
import { type RequestKind, type RequestLimits } from '../../core/pacing/request-limits';
import { SubscriptionPacing } from '../../core/pacing/subscription-pacing';
import type { CallOptions, SubscriptionPacer } from '../../ports';
import { waitFor } from './abortable-wait';

/** What the ARM client's pipeline tells the pacer: every request sent to a subscription, every answer. */
export interface ArmAnswerObserver {
  requestSent(subscriptionId: string, kind: RequestKind): void;
  /**
   * `answer` undefined: no HTTP answer (the connection failed or was cut). `retried: false`: a 429 the
   * SDK does not send again (handed back to the caller: throttle-hand-back.ts).
   */
  answerReceived(
    subscriptionId: string,
    kind: RequestKind,
    answer: RateLimitAnswer | undefined,
    options?: { readonly retried?: boolean },
  ): void;
}

/** The pacer the ARM adapters hold: the port, the pipeline's observer, and bookings for the queue. */
export type ArmSubscriptionPacer = SubscriptionPacer & ArmAnswerObserver & TurnBooking;

/** For a caller that hands long waits to a queue instead of waiting in its process. */
export interface TurnBooking {
  /**
   * Resolves 0 once one `kind` request to `subscriptionId` may go out within `withinInMs` (admitted as
   * `admit` admits, in turn with its waiters), else the ms until the turn it is booked instead (at least
   * 1; no token taken: ask again then. SubscriptionPacing.book): at once when the estimate already puts
   * the place past `withinInMs` (SubscriptionPacing.expectedWaitInMs, the waiters ahead counted; the
   * turn then after theirs, never a token taken past them), else after waiting that long in vain. Rejects only with the signal's reason when `options.abortSignal`
   * fires first.
   */
  admitOrBook(
    subscriptionId: string,
    kind: RequestKind,
    withinInMs: number,
    options?: CallOptions & {
      /**
       * A step put back before: in line ahead of fresh ones (after others put back), and its expected
       * wait counts only those. Booked like the fresh ones, steps put back lost every place to fresh
       * ones arriving with the timer's spread, until their deferrals ran out (a break trial).
       */
      readonly putBack?: boolean;
    },
  ): Promise<number>;
  /**
   * The ms until a turn booked for one `kind` request (0: a place is free now, not taken), for a
   * request that goes no sooner than a wait of its own (a 429's Retry-After): SubscriptionPacing.book
   * without taking a place.
   */
  bookTurn(subscriptionId: string, kind: RequestKind): number;
}

export interface SubscriptionPacerOptions {
  /**
   * The buckets the estimate starts from and refills by: ARM's (src/core/pacing/request-limits.ts)
   * unless given; tests and the demo pass the emulator scenario's.
   */
  readonly limits?: RequestLimits;
  /** Monotonic milliseconds; default `performance.now()` (a wall-clock change never refills a bucket). */
  readonly now?: () => number;
}

/** The longest delay setTimeout takes (2^31 − 1 ms); Node fires a longer one after 1 ms. */
const MAX_TIMER_IN_MS = 2 ** 31 - 1;

interface Waiter {
  readonly resolve: () => void;
  readonly detach: () => void;
  /** A step put back before (admitOrBook's `putBack`): in line ahead of every other waiter. */
  readonly putBack: boolean;
}

interface Lane {
  readonly subscriptionId: string;
  readonly kind: RequestKind;
  readonly waiters: Waiter[];
  timer?: NodeJS.Timeout;
}

export function createSubscriptionPacer(options: SubscriptionPacerOptions = {}): ArmSubscriptionPacer {
  const pacing = new SubscriptionPacing(options.limits);
  const now = options.now ?? (() => performance.now());
  const lanes = new Map<string, Lane>();
  const keyOf = (subscriptionId: string, kind: RequestKind) => `${subscriptionId.toLowerCase()}/${kind}`;

  /** Admits the lane's waiters in turn while the estimate allows; then waits its time, or the next answer. */
  const pump = (key: string): void => {
    const lane = lanes.get(key);
    if (!lane) return;
    clearTimeout(lane.timer);
    lane.timer = undefined;
    while (lane.waiters.length > 0) {
      const admission = pacing.tryAdmit(lane.subscriptionId, lane.kind, now());
      if (!admission.admitted) {
        // No time given: a probe is out, and its answer (answerReceived) pumps the lane again.
        // Capped at the largest delay a timer takes (a longer one fires at once, and the lane would spin).
        if (admission.retryInMs !== undefined)
          lane.timer = setTimeout(() => pump(key), Math.min(Math.ceil(admission.retryInMs), MAX_TIMER_IN_MS));
        return;
      }
      const waiter = lane.waiters.shift() as Waiter;
      waiter.detach();
      waiter.resolve();
    }
    lanes.delete(key);
  };

  const admit = (
    subscriptionId: string,
    kind: RequestKind,
    callOptions: CallOptions & { readonly putBack?: boolean } = {},
  ): Promise<void> => {
    const signal = callOptions.abortSignal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const key = keyOf(subscriptionId, kind);
    let lane = lanes.get(key);
    if (!lane) {
      lane = { subscriptionId, kind, waiters: [] };
      lanes.set(key, lane);
    }
    const waiters = lane.waiters;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = waiters.indexOf(waiter);
        if (at >= 0) waiters.splice(at, 1);
        reject(signal?.reason);
      };
      const putBack = callOptions.putBack === true;
      const waiter: Waiter = {
        resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
        putBack,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // A step put back before goes after the others put back, ahead of fresh ones (FIFO among each).
      const firstFresh = putBack ? waiters.findIndex((w) => !w.putBack) : -1;
      if (firstFresh >= 0) waiters.splice(firstFresh, 0, waiter);
      else waiters.push(waiter);
      if (waiters.length === 1) pump(key);
    });
  };

  return {
    admit,
    async admitOrBook(subscriptionId, kind, withinInMs, callOptions = {}) {
      const caller = callOptions.abortSignal;
      if (caller?.aborted) throw caller.reason;
      // A place the estimate puts past the wait is booked at once, after the waiters ahead: waiting for
      // it to fail would only cost the caller `withinInMs` (a queue invocation's billed time). A step
      // put back before counts only the others put back ahead of it: fresh ones come after it.
      const putBack = callOptions.putBack === true;
      const waiters = lanes.get(keyOf(subscriptionId, kind))?.waiters ?? [];
      const ahead = putBack ? waiters.filter((w) => w.putBack).length : waiters.length;
      const expected = pacing.expectedWaitInMs(subscriptionId, kind, now(), ahead);
      if (withinInMs > 0 && expected !== undefined && expected > withinInMs)
        return pacing.book(subscriptionId, kind, now(), true, expected);
      if (withinInMs > 0) {
        const enough = new AbortController();
        const timer = setTimeout(() => enough.abort(), withinInMs);
        try {
          await admit(subscriptionId, kind, {
            abortSignal: caller ? AbortSignal.any([caller, enough.signal]) : enough.signal,
            putBack,
          });
          return 0;
        } catch (error) {
          if (caller?.aborted) throw caller.reason;
          if (!enough.signal.aborted) throw error;
        } finally {
          clearTimeout(timer);
        }
      }
      return pacing.book(subscriptionId, kind, now());
    },
    bookTurn(subscriptionId, kind) {
      return pacing.book(subscriptionId, kind, now(), false);
    },
    requestSent(subscriptionId, kind) {
      pacing.sent(subscriptionId, kind, now());
    },
    async resumed(subscriptionId, kind, callOptions = {}) {
      const signal = callOptions.abortSignal;
      for (let left = pacing.pausedForInMs(subscriptionId, kind, now()); left > 0 && !signal?.aborted;) {
        // Resolves, never rejects: a stop ends the wait, and the scheduler sees the stop itself.
        await waitFor(
          Math.min(Math.ceil(left), MAX_TIMER_IN_MS),
          signal,
          'the wait for a pause to end',
        ).catch(() => undefined);
        left = pacing.pausedForInMs(subscriptionId, kind, now());
      }
    },
    recentThrottle(subscriptionId, withinLastInMs) {
      const note = pacing.latestThrottle(subscriptionId);
      // A pause held the subscription at some time in the window: answered in it, or before it and
      // still in force then (a CI run: gateways that started after the 429 were not counted).
      const paused = pacing.pausedWithin(subscriptionId, now(), withinLastInMs);
      if (!note || paused.pauses === 0) return undefined;
      return {
        kind: note.kind,
        agoInMs: Math.max(0, now() - note.atInMs),
        retryAfterInMs: note.pauseInMs,
        ...paused,
      };
    },
    answerReceived(subscriptionId, kind, answer, answerOptions = {}) {
      pacing.answered(subscriptionId, kind, now(), answer, answerOptions);
      const key = keyOf(subscriptionId, kind);
      if (lanes.has(key)) pump(key);
    },
  };
}
