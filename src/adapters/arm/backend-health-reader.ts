import { describeBodyProblems, readBackendHealthBody } from '../../core/backend-health-body';
import type { BackendHealthBody, GatewayRef } from '../../core/model';
import { BackendHealthUnavailableError } from '../../errors';
import type {
  AnswerPlace,
  SteppedBackendHealthReader,
  BackendHealthStep,
  BackendHealthReadOptions,
  StepOptions,
  SubscriptionPacer,
} from '../../ports';
import { DEFAULT_THROTTLE_PAUSE_IN_MS } from '../../core/pacing/subscription-pacing';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../../core/place-kept';
import type { TurnBooking } from './subscription-pacer';
import { isThrottledAnswer, type ThrottledAnswer } from './throttle-hand-back';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import type { ArmClientFactory } from './client';
import { abortedWait, waitFor } from './abortable-wait';
import { admitToEstimate, armSender, gatewayActionPath, nextPoll, refuseElsewhere } from './arm-operation';
import { toArmError } from './errors';
import { answerJson } from './response-capture';
import { tellingFailedAttempts } from './failed-attempts';

const BACKEND_HEALTH_ACTION = 'Microsoft.Network/applicationGateways/backendhealth/action';

/** The api-version @azure/arm-network v39 sends with backendhealth (api/applicationGateways/operations.js). */
export const BACKEND_HEALTH_API_VERSION = '2026-01-01';

export interface BackendHealthReaderOptions {
  /** Wait before a poll when ARM sends no Retry-After (it usually does), in ms. */
  readonly pollIntervalInMs: number;
  /**
   * The direct run's pacer (run-services.ts): each poll of the in-process loop waits for a place in its
   * subscription's reads estimate, as each gateway's POST waits for a write (schedule-gateways.ts).
   * Found unpaced: 20 000 gateways in one subscription met 145 429s on polls (the list pages had spent
   * the reads bucket) and the SDK's retries ran out for 4. Absent: a poll goes when its wait is over.
   */
  readonly pacer?: SubscriptionPacer & TurnBooking;
}

/**
 * With StepOptions.deferWaits, the longest a step waits in the process for its place in the
 * subscription's estimate: about one answer's time, so a new instance's first requests wait for the
 * first answer (the estimate's probe) rather than all going back to the queue. A longer wait is
 * deferred.
 */
export const DEFER_BEYOND_IN_MS = 300;

/**
 * ARM's `backendHealth` long-running operation driven in steps, each request sent through the
 * subscription's NetworkManagementClient pipeline (`client.pipeline`: its bearer token, retries of 5xx,
 * 429 and lost connections, our 429 policy (retry.ts), TLS options, user agent), so only the waits are ours:
 *
 * - `startBackendHealth`: `POST …/backendhealth` → `200` with the body, or `202` with `Location` and
 *   `Retry-After`;
 * - `pollBackendHealth`: `GET` of that `Location` → `202` (still running: the next `Retry-After`) or
 *   `200` with the body; an operation that failed answers its error status (`500`, …) there.
 *
 * Why not the SDK's own poller (the client's `backendHealth` operation): core-lro polls the first time
 * right after the POST without waiting its `Retry-After` (`pollUntilDone` polls, then waits), turns
 * `Retry-After: 0` into its default interval (`if (intervalInMs) setDelay(…)` in
 * @azure/core-lro poller/operation.js), and with `Azure-AsyncOperation` polls that URL and then GETs
 * `Location` for the body: at one poll, 3 or 4 requests where 2 suffice. Its state can be restored
 * only through the package's restore helper, which loads every operation group of it (the Functions bundle
 * keeps applicationGateways only: scripts/bundle.js). ARM's RPC lets a client poll `Location` alone:
 * it answers `202` while the operation runs and then the POST's result (Azure Resource Manager RPC,
 * async-api-reference.md, "202 Accepted and Location Headers"; backendhealth's REST spec says
 * `final-state-via: location`), so this reader polls `Location` whichever headers ARM sent.
 *
 * The final body is read from ARM's own text by the one reader (src/core/backend-health-body.ts) as
 * ARM's answer (`source: 'arm'`): fields no SDK model has survive (`healthProbeErrorName`), and an
 * answer that is not a backend-health read (`{}`, `[]`, `{"backendAddressPools":null}`, a wrapper, a
 * pool without its settings, text that is not JSON) is a BackendHealthUnavailableError saying what ARM
 * sent, so no episode moves. Other failures are mapped by toArmError (errors.ts).
 */
export function createArmBackendHealthReader(
  clientFor: ArmClientFactory,
  options: BackendHealthReaderOptions,
): SteppedBackendHealthReader {
  const endpoint = clientFor.endpoint.replace(/\/+$/, '');

  const send = armSender(clientFor);

  /**
   * A 2xx answer of the POST or a poll → the next step. `atOnceBefore`: the polls in a row before this
   * answer that ARM asked for at once (0 after the POST), so a repeated `Retry-After: 0` backs off.
   */
  const step = (gateway: GatewayRef, response: PipelineResponse, atOnceBefore: number): BackendHealthStep => {
    if (response.status === 200) {
      const read = readArmAnswer(response.bodyAsText ?? undefined, gateway);
      if (!read.ok)
        throw new BackendHealthUnavailableError(gateway.id, read.detail, { unreadableAnswer: true });
      return { done: read.body };
    }
    if (response.status !== 201 && response.status !== 202) {
      throw new BackendHealthUnavailableError(
        gateway.id,
        `ARM answered ${response.status} where the operation's 202 or its 200 with the body was expected`,
        { unreadableAnswer: true },
      );
    }
    return {
      pending: nextPoll(gateway, response, atOnceBefore, {
        endpoint,
        pollIntervalInMs: options.pollIntervalInMs,
      }),
    };
  };

  const mapped = (gateway: GatewayRef, error: unknown): Error =>
    toArmError(
      error,
      { kind: 'backendHealth', resourceId: gateway.id, action: BACKEND_HEALTH_ACTION },
      clientFor,
    );

  /**
   * With `deferWaits`: the step's place in its subscription's `kind` estimate, taken (undefined) or
   * booked for later (the deferred step, nothing sent): admitToEstimate.
   */
  const placeOrDefer = async (
    gateway: GatewayRef,
    kind: 'reads' | 'writes',
    { deferWaits, abortSignal, putBackBefore }: StepOptions,
  ): Promise<BackendHealthStep | undefined> => {
    if (!deferWaits) return undefined;
    let turnInMs: number;
    try {
      turnInMs = await admitToEstimate(
        options.pacer,
        gateway,
        kind,
        abortSignal,
        `the wait for the ${kind === 'writes' ? 'POST' : 'poll'}'s place in the ${kind} estimate`,
        DEFER_BEYOND_IN_MS,
        putBackBefore === true,
      );
    } catch (error) {
      throw mapped(gateway, error);
    }
    return turnInMs > 0 ? { deferred: { retryAfterInMs: turnInMs, reason: 'paced' } } : undefined;
  };

  /**
   * A 429 handed back: deferred to its turn in the estimate (which the 429 paused until its
   * Retry-After, at most MAX_THROTTLE_PAUSE_IN_MS), never before its Retry-After nor 1 s; without a
   * pacer, that wait plus up to a quarter more at random, so steps throttled together do not come
   * back together. (The pipeline caps how long a step is hidden: src/pipeline/fan-out.ts.)
   */
  const throttled = (
    gateway: GatewayRef,
    kind: 'reads' | 'writes',
    answer: ThrottledAnswer,
  ): BackendHealthStep => {
    // At least 1 s: a 429 that says 0 (or nothing) must not bring the step straight back to ARM.
    const said = Math.max(answer.retryAfterInMs ?? 0, DEFAULT_THROTTLE_PAUSE_IN_MS);
    return { deferred: { retryAfterInMs: Math.ceil(turnAfter(gateway, kind, said)), reason: 'throttled' } };
  };

  /** Its turn in the estimate, not before `said`; without a pacer (or one that fails), `said` and jitter. */
  const turnAfter = (gateway: GatewayRef, kind: 'reads' | 'writes', said: number): number => {
    try {
      if (options.pacer) return Math.max(said, options.pacer.bookTurn(gateway.subscriptionId, kind));
    } catch {
      // a pacer that fails: the Retry-After and its jitter
    }
    return said + Math.random() * (said / 4);
  };

  const reader: SteppedBackendHealthReader = {
    async startBackendHealth(gateway, callOptions: StepOptions = {}) {
      const deferred = await placeOrDefer(gateway, 'writes', callOptions);
      if (deferred) return deferred;
      try {
        const url = `${endpoint}${gatewayActionPath(gateway, 'backendhealth')}?api-version=${BACKEND_HEALTH_API_VERSION}`;
        const response = await tellingFailedAttempts(callOptions, () =>
          send(gateway, 'POST', url, sendOptions(callOptions)),
        );
        return step(gateway, response, 0);
      } catch (error) {
        if (callOptions.deferWaits && isThrottledAnswer(error)) return throttled(gateway, 'writes', error);
        throw mapped(gateway, error);
      }
    },

    async pollBackendHealth(gateway, operation, callOptions: StepOptions = {}) {
      refuseElsewhere(gateway, operation, endpoint);
      const deferred = await placeOrDefer(gateway, 'reads', callOptions);
      if (deferred) return deferred;
      try {
        const response = await tellingFailedAttempts(callOptions, () =>
          send(gateway, 'GET', operation.location, sendOptions(callOptions)),
        );
        return step(gateway, response, operation.atOnceBefore ?? 0);
      } catch (error) {
        if (callOptions.deferWaits && isThrottledAnswer(error)) return throttled(gateway, 'reads', error);
        throw mapped(gateway, error);
      }
    },

    async getBackendHealth(gateway, callOptions: BackendHealthReadOptions = {}): Promise<BackendHealthBody> {
      // Without deferWaits no step is deferred: the SDK's retries wait out a 429, the loop the poll's turn.
      // Each step tells its failed tries (onFailedAttempt), as a queue invocation's do.
      const { answerPlace, onStarted, ...armOptions } = callOptions;
      const inProcess: StepOptions = { ...armOptions, deferWaits: false };
      let next: BackendHealthStep;
      try {
        next = await reader.startBackendHealth(gateway, inProcess);
      } finally {
        onStarted?.();
      }
      while (!('done' in next)) {
        if (!('pending' in next)) throw new Error('unreachable: a step deferred without deferWaits');
        const { operation, retryAfterInMs: wait } = next.pending;
        // The answer's place is taken before the reads estimate, so the poll goes as soon as it is
        // admitted (a wait between the two outlived the admission's reservation: the poll was charged
        // twice). It is held PLACE_KEPT_THROUGH_A_WAIT_IN_MS at most before the poll's answer: a poll that hangs,
        // or that ARM's quota or the SDK's retries hold, gives it back, and its body, if one comes, waits
        // for a place as a POST's does (check-gateway.ts).
        let hold: NodeJS.Timeout | undefined;
        try {
          await waitFor(wait, callOptions.abortSignal, 'the wait for the next poll');
          if (answerPlace) {
            await takePlace(answerPlace, callOptions.abortSignal);
            hold = setTimeout(() => answerPlace.giveBack(), PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
          }
          // The time-out tells this wait, its subscription's quota, from ARM's silence (timed-out.ts).
          callOptions.onQuotaWait?.('paced');
          try {
            await admitToEstimate(
              options.pacer,
              gateway,
              'reads',
              callOptions.abortSignal,
              "the wait for the poll's place in the reads estimate",
            );
          } finally {
            callOptions.onQuotaWait?.(undefined);
          }
        } catch (error) {
          clearTimeout(hold);
          answerPlace?.giveBack();
          throw mapped(gateway, error);
        }
        try {
          next = await reader.pollBackendHealth(gateway, operation, inProcess);
        } catch (error) {
          answerPlace?.giveBack();
          throw error;
        } finally {
          clearTimeout(hold);
        }
        // Still running: the place goes to a gateway whose body is at hand meanwhile.
        if (!('done' in next)) answerPlace?.giveBack();
      }
      return next.done;
    },
  };
  return reader;
}

/** The answer's place, or abortedWait when `signal` fires first (a time-out's, as a wait for a poll is). */
async function takePlace(place: AnswerPlace, signal: AbortSignal | undefined): Promise<void> {
  try {
    await place.take(signal ? { abortSignal: signal } : {});
  } catch (error) {
    if (signal?.aborted) throw abortedWait("the wait for a place to read the operation's answer");
    throw error;
  }
}

/** What the sender is given of a step's options: its signal, and a 429 handed back with deferWaits. */
function sendOptions({ abortSignal, deferWaits }: StepOptions) {
  return { abortSignal, handBackThrottling: deferWaits === true };
}

/** ARM's final answer as text → the body, or what ARM sent instead ("ARM answered 200 with …"). */
function readArmAnswer(
  text: string | undefined,
  gateway: GatewayRef,
): { readonly ok: true; readonly body: BackendHealthBody } | { readonly ok: false; readonly detail: string } {
  const answer = answerJson(text);
  if (!answer.ok) return answer;
  const read = readBackendHealthBody(answer.value, { source: 'arm', gatewayId: gateway.id });
  if (read.ok) return read;
  const problems = describeBodyProblems(read.problems);
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return {
    ok: false,
    detail: `ARM answered 200 with a body that is not a backend-health read: ${problems.slice(0, 3).join('; ')}${more}`,
  };
}
