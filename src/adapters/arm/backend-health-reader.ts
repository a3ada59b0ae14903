import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { describeBodyProblems, readBackendHealthBody } from '../../core/backend-health-body';
import type { BackendHealthBody, GatewayRef } from '../../core/model';
import { pollWaitInMs, retryAfterInMs } from '../../core/retry-after';
import { BackendHealthUnavailableError } from '../../errors';
import type {
  BackendHealthOperation,
  SteppedBackendHealthReader,
  BackendHealthStep,
  CallOptions,
  SubscriptionPacer,
} from '../../ports';
import type { ArmClientFactory } from './client';
import { abortedWait, waitFor } from './abortable-wait';
import { toArmError } from './errors';
import { answerJson } from './response-capture';

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
  readonly pacer?: SubscriptionPacer;
}

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

  const send = async (
    gateway: GatewayRef,
    method: 'GET' | 'POST',
    url: string,
    abortSignal: AbortSignal | undefined,
  ): Promise<PipelineResponse> => {
    const client = await clientFor(gateway.subscriptionId);
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({ accept: 'application/json' }),
      ...(abortSignal ? { abortSignal } : {}),
    });
    // The factory's HTTP client: the connections the lists and every subscription's requests share.
    const response = await client.pipeline.sendRequest(clientFor.httpClient, request);
    if (response.status >= 400) throw restError(response);
    return response;
  };

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
    const location = response.headers.get('location');
    if (!location) {
      throw new BackendHealthUnavailableError(
        gateway.id,
        `ARM answered ${response.status} without a Location header to poll for the result`,
        { unreadableAnswer: true },
      );
    }
    const said = retryAfterInMs(response.headers.get('retry-after'), Date.now()) ?? options.pollIntervalInMs;
    const operation: BackendHealthOperation = {
      location: new URL(location, response.request.url).href,
      ...(said === 0 ? { atOnceBefore: atOnceBefore + 1 } : {}),
    };
    refuseElsewhere(gateway, operation, endpoint);
    const wait = pollWaitInMs(said, atOnceBefore, options.pollIntervalInMs);
    return { pending: { operation, retryAfterInMs: wait } };
  };

  const mapped = (gateway: GatewayRef, error: unknown): Error =>
    toArmError(
      error,
      { kind: 'backendHealth', resourceId: gateway.id, action: BACKEND_HEALTH_ACTION },
      clientFor,
    );

  const reader: SteppedBackendHealthReader = {
    async startBackendHealth(gateway, callOptions: CallOptions = {}) {
      const path =
        `/subscriptions/${encodeURIComponent(gateway.subscriptionId)}` +
        `/resourceGroups/${encodeURIComponent(gateway.resourceGroup)}` +
        `/providers/Microsoft.Network/applicationGateways/${encodeURIComponent(gateway.name)}/backendhealth`;
      try {
        const url = `${endpoint}${path}?api-version=${BACKEND_HEALTH_API_VERSION}`;
        return step(gateway, await send(gateway, 'POST', url, callOptions.abortSignal), 0);
      } catch (error) {
        throw mapped(gateway, error);
      }
    },

    async pollBackendHealth(gateway, operation, callOptions: CallOptions = {}) {
      refuseElsewhere(gateway, operation, endpoint);
      try {
        const response = await send(gateway, 'GET', operation.location, callOptions.abortSignal);
        return step(gateway, response, operation.atOnceBefore ?? 0);
      } catch (error) {
        throw mapped(gateway, error);
      }
    },

    async getBackendHealth(gateway, callOptions: CallOptions = {}): Promise<BackendHealthBody> {
      let next = await reader.startBackendHealth(gateway, callOptions);
      while ('pending' in next) {
        const { operation, retryAfterInMs: wait } = next.pending;
        try {
          await waitFor(wait, callOptions.abortSignal, 'the wait for the next poll');
          if (options.pacer) await admitPoll(options.pacer, gateway, callOptions.abortSignal);
        } catch (error) {
          throw mapped(gateway, error);
        }
        next = await reader.pollBackendHealth(gateway, operation, callOptions);
      }
      return next.done;
    },
  };
  return reader;
}

/**
 * Waits for the poll's place in its subscription's reads estimate. Only the call's abort ends it
 * (thrown, as a time-out); a pacer that fails otherwise lets the poll go: pacing never costs a gateway.
 */
async function admitPoll(
  pacer: SubscriptionPacer,
  gateway: GatewayRef,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await pacer.admit(gateway.subscriptionId, 'reads', signal ? { abortSignal: signal } : {});
  } catch {
    // The same AbortError the Retry-After wait throws, whatever reason the signal carries.
    if (signal?.aborted) throw abortedWait("the wait for the poll's place in the reads estimate");
  }
}

/**
 * Refuses an operation URL that is not https on the configured ARM endpoint's origin, under the
 * gateway's subscription: the pipeline would send it the bearer token. ARM hands out poll URLs on its
 * own host (`https://management.azure.com/subscriptions/{s}/providers/Microsoft.Network/locations/…`),
 * so only a tampered queue message (or a proxy rewriting ARM's answers) can name another.
 */
export function refuseElsewhere(
  gateway: GatewayRef,
  operation: BackendHealthOperation,
  endpoint: string,
): void {
  const refuse = (why: string) =>
    new BackendHealthUnavailableError(
      gateway.id,
      `refused to poll its operation: ${why}, so no request (and no token) went there`,
      { retryable: false },
    );
  let url: URL;
  try {
    url = new URL(operation.location);
  } catch {
    throw refuse('its URL is not a URL');
  }
  const expected = new URL(endpoint);
  if (url.protocol !== 'https:' || url.origin !== expected.origin || url.username || url.password) {
    throw refuse(
      `its URL is on ${JSON.stringify(url.origin.slice(0, 100))}, not on the ARM endpoint ${expected.origin} (arm.endpoint)`,
    );
  }
  const prefix = `/subscriptions/${gateway.subscriptionId}/`.toLowerCase();
  if (!url.pathname.toLowerCase().startsWith(prefix)) {
    throw refuse(`its URL is not under the gateway's subscription ${gateway.subscriptionId}`);
  }
}

/**
 * An error answer as the SDK would throw it (`RestError` with status, ARM's code and the request and
 * response), so toArmError reads it as it reads the SDK's: ARM's `{"error":{"code","message"}}` body.
 */
export function restError(response: PipelineResponse): RestError {
  let body: { error?: { code?: unknown; message?: unknown } } | undefined;
  try {
    body = JSON.parse(response.bodyAsText ?? '') as typeof body;
  } catch {
    body = undefined;
  }
  const code =
    typeof body?.error?.code === 'string' ? body.error.code : response.headers.get('x-ms-error-code');
  const message =
    typeof body?.error?.message === 'string'
      ? body.error.message
      : `Unexpected status code: ${response.status}`;
  return new RestError(message, {
    statusCode: response.status,
    request: response.request,
    response,
    ...(code ? { code } : {}),
  });
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
