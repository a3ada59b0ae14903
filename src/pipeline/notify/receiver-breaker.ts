/**
 * A per-run circuit breaker per receiver, with a gate while the receiver's state is unknown.
 *
 * Once a send to a receiver fails retryably (down, time-out, 408/429/5xx after its retries), the
 * receiver has used up its retry budget for this run, and no other notice of the run is sent to it:
 * they keep their place for the next run. Without it, a receiver that hangs costs one full send budget
 * (about a minute) per gateway.
 *
 * The run's gateways are notified concurrently (`concurrency`, and the queue invocations of one
 * instance), so "failed earlier" alone is not enough: gateways that reach a receiver at the same time
 * would each spend a budget before any of them has failed. Hence the gate: until one send to the
 * receiver has finished in this run, only one is in flight, and the others wait for its outcome.
 * - accepted, or refused for good (a 4xx for that notice: the receiver answered): the receiver is up,
 *   and the waiting sends go on, at most MAX_SENDS_PER_RECEIVER at a time; each 429 on the way (rate
 *   limited, and taken on a retry) halves that and holds them until the receiver's `Retry-After`,
 *   each answer without one adds one back (Up);
 * - failed retryably: the breaker is open, and the waiting sends are not made;
 * - not made after all (the lease would end first): the next waiting send takes its place.
 * A permanent refusal does not open the breaker: the receiver answered, and the other notices may well
 * be taken.
 */
export interface ReceiverBreaker {
  /**
   * Waits until a send to `receiver` may start (at most one send budget, while another send finds out
   * whether the receiver answers), then says whether to make it. When it says `send`, call `settle`
   * exactly once with what became of the send (`not-sent` if it was not made after all).
   */
  admit(receiver: string, options?: AdmitOptions): Promise<Admission>;
  /** Why `receiver` is not tried again in this run, or undefined while it may be. */
  openReason(receiver: string): string | undefined;
}

export interface AdmitOptions {
  /**
   * Wraps each wait for another send's finding out whether the receiver answers (its state unknown:
   * up to that send's whole budget when the receiver hangs): the direct run gives the gateway's render
   * place back meanwhile (src/pipeline/held-place.ts givenBackWhileWaiting). Not the waits of a
   * receiver known to be up (its 429's pause, its sends at their limit), whose line moves: given back
   * there too, 192 gateways took their notices' leases at once behind a receiver taking one message a
   * second, and 60 of 150 leases ended before their turn (a break trial). Absent: waited as it is.
   */
  readonly whileProbed?: (probe: Promise<void>) => Promise<void>;
}

export type Admission =
  | { readonly send: true; settle(outcome: SendVerdict): void }
  | { readonly send: false; readonly reason: string };

/**
 * What a send told about its receiver: `answered` (accepted, or refused for good), `failed`
 * (retryably, after its retries: `reason` is why), or `not-sent` (nothing learnt).
 */
export type SendVerdict =
  | {
      readonly kind: 'answered';
      /**
       * The receiver answered 429 (rate-limited) on some attempt: how long it asked to be left alone
       * (its last `Retry-After`, or DEFAULT_THROTTLE_PAUSE_IN_MS). Absent: never throttled.
       */
      readonly throttledForInMs?: number;
      /**
       * The send gave up after 429 on every try (its notice waits for the next run): why. The breaker
       * opens after THROTTLED_OUT_IN_A_ROW such sends with no send taken between them.
       */
      readonly refusedByRateLimit?: string;
    }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'not-sent' };

/**
 * Most sends in flight at once to a receiver known to be up. Without a bound, a run with 150 gateways
 * going bad at once sent about 58 messages to one receiver together (a new-user trial); with 4, a
 * receiver taking 2 s an answer left a fifth of them for the next run (a break trial): the bound is the
 * ceiling, and a receiver's 429s lower its own (receiver-breaker.ts, additive increase, halving).
 */
export const MAX_SENDS_PER_RECEIVER = 32;

/**
 * How many sends go at once to a receiver that just answered, before its answers raise it: a send's
 * retries after a 429 are its own (post-retry.ts), so every send in flight when a rate-limited receiver
 * starts refusing retries together; started at the ceiling, 31 of 32 sends to a Slack webhook (one a
 * second) used up their attempts and opened the breaker: 8 delivered a run (a break trial); from 4,
 * 140 of 150.
 */
export const START_SENDS_PER_RECEIVER = 4;

/**
 * Sends given up on 429 alone, in a row, after which the receiver is not tried again in the run: a
 * receiver that refuses everything is found out in a few sends, not after the whole lease.
 */
export const THROTTLED_OUT_IN_A_ROW = 3;

/** The pause after a 429 that names no `Retry-After`: Slack's published rate, one message a second. */
export const DEFAULT_THROTTLE_PAUSE_IN_MS = 1_000;

/** The longest one receiver's 429 holds its other sends (a `Retry-After` of hours is the next run's). */
export const MAX_THROTTLE_PAUSE_IN_MS = 60_000;

/** The breakers of the runs one process takes part in, by run id. */
export interface ReceiverBreakers {
  forRun(runId: string): ReceiverBreaker;
}

type ReceiverState =
  /** No send has finished yet; `probe` settles when the one in flight has. */
  | { readonly kind: 'unknown'; readonly probe?: Promise<void> }
  | Up
  | { readonly kind: 'open'; readonly reason: string };

/**
 * A receiver that answers: up to `limit` sends at once, none before `pausedUntil` (performance.now()
 * ms: its last 429's `Retry-After`). The limit starts at START_SENDS_PER_RECEIVER, is halved by each 429
 * that pauses it further (down to 1), and grows by one with each answer without a 429 (up to
 * MAX_SENDS_PER_RECEIVER), as TCP's congestion window does: Slack's one message a second is met at
 * about one send in flight, and one early 429 does not keep a fast receiver at one for the whole run
 * (a break trial: 100 messages took 104 s where they had taken 14). `waiting` wakes the sends held
 * for a place.
 */
interface Up {
  readonly kind: 'up';
  limit: number;
  inFlight: number;
  pausedUntil: number;
  /** Sends given up on 429 alone since the last one taken (THROTTLED_OUT_IN_A_ROW). */
  throttledOut: number;
  readonly waiting: Array<() => void>;
}

/**
 * One breaker per run id, shared by every gateway of that run this process evaluates: the whole run in
 * the CLI's direct run; in the Functions app, the queue invocations of one run on one instance (they
 * share the instance's services, src/app/function-services.ts). Instances do not share it: each
 * instance finds out on its own that a receiver is down, at the cost of one send budget each. The
 * `keepRuns` most recent runs are kept.
 */
export function createReceiverBreakers(keepRuns = 16): ReceiverBreakers {
  const runs = new Map<string, Map<string, ReceiverState>>();
  return {
    forRun(runId) {
      let states = runs.get(runId);
      if (!states) {
        states = new Map();
        runs.set(runId, states);
        for (const oldest of runs.keys()) {
          if (runs.size <= keepRuns) break;
          runs.delete(oldest);
        }
      }
      return breakerOver(states);
    },
  };
}

function breakerOver(states: Map<string, ReceiverState>): ReceiverBreaker {
  /** Opens `receiver`'s breaker; the sends waiting for a place find it open. */
  const open = (receiver: string, reason: string, up: Up | undefined) => {
    states.set(receiver, { kind: 'open', reason });
    for (const wake of up?.waiting.splice(0) ?? []) wake();
  };
  const settleWith = (receiver: string, verdict: SendVerdict) => {
    const state = states.get(receiver);
    if (state?.kind === 'open') return; // the first failure's reason stands
    if (verdict.kind === 'failed')
      return open(receiver, verdict.reason, state?.kind === 'up' ? state : undefined);
    if (verdict.kind === 'not-sent') {
      if (state?.kind !== 'up') states.set(receiver, { kind: 'unknown' });
      return;
    }
    const up: Up =
      state?.kind === 'up'
        ? state
        : {
            kind: 'up',
            limit: START_SENDS_PER_RECEIVER,
            inFlight: 0,
            pausedUntil: 0,
            throttledOut: 0,
            waiting: [],
          };
    if (verdict.throttledForInMs !== undefined) {
      // Rate-limited: half as many at once, after the pause it asked for (one halving per pause: the
      // sends already out when it came answer 429 too).
      const pause = Math.min(Math.max(verdict.throttledForInMs, 0), MAX_THROTTLE_PAUSE_IN_MS);
      const until = performance.now() + pause;
      if (until > up.pausedUntil) {
        up.limit = Math.max(1, Math.floor(up.limit / 2));
        up.pausedUntil = until;
      }
    } else if (up === state) {
      up.limit = Math.min(MAX_SENDS_PER_RECEIVER, up.limit + 1);
    }
    if (verdict.refusedByRateLimit === undefined) up.throttledOut = 0;
    else if (++up.throttledOut >= THROTTLED_OUT_IN_A_ROW)
      return open(receiver, verdict.refusedByRateLimit, up);
    states.set(receiver, up);
  };
  return {
    async admit(receiver, admitOptions = {}) {
      for (;;) {
        const state = states.get(receiver) ?? { kind: 'unknown' };
        if (state.kind === 'open') return { send: false, reason: state.reason };
        if (state.kind === 'up') {
          const pauseInMs = state.pausedUntil - performance.now();
          if (pauseInMs > 0) {
            await new Promise((resolve) => setTimeout(resolve, pauseInMs));
            continue;
          }
          if (state.inFlight >= state.limit) {
            await new Promise<void>((resolve) => state.waiting.push(resolve));
            continue;
          }
          state.inFlight += 1;
          return {
            send: true,
            settle: once((verdict) => {
              state.inFlight -= 1;
              settleWith(receiver, verdict);
              // As many as there are places now (an answer may have raised the limit by one).
              for (let free = Math.max(1, state.limit - state.inFlight); free > 0; free--)
                state.waiting.shift()?.();
            }),
          };
        }
        if (state.probe) {
          // Waiters resume in the order they came; the first finds the state known, or probes next.
          await (admitOptions.whileProbed ? admitOptions.whileProbed(state.probe) : state.probe);
          continue;
        }
        let release = () => {};
        const probe = new Promise<void>((resolve) => (release = resolve));
        states.set(receiver, { kind: 'unknown', probe });
        return {
          send: true,
          settle: once((verdict) => {
            settleWith(receiver, verdict);
            release();
          }),
        };
      }
    },
    openReason(receiver) {
      const state = states.get(receiver);
      return state?.kind === 'open' ? state.reason : undefined;
    },
  };
}

function once(settle: (verdict: SendVerdict) => void): (verdict: SendVerdict) => void {
  let settled = false;
  return (verdict) => {
    if (settled) return;
    settled = true;
    settle(verdict);
  };
}
