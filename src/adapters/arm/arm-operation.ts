import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { GatewayRef } from '../../core/model';
import { pollWaitInMs, retryAfterInMs } from '../../core/retry-after';
import { BackendHealthUnavailableError } from '../../errors';
import type { BackendHealthOperation, PendingBackendHealth, SubscriptionPacer } from '../../ports';
import { abortedWait } from './abortable-wait';
import type { ArmClientFactory } from './client';
import { handBackThrottling } from './throttle-hand-back';
import type { TurnBooking } from './subscription-pacer';

/**
 * The pieces of an ARM long-running POST on a gateway that backendhealth (backend-health-reader.ts)
 * and the on-demand probe (on-demand-prober.ts) share: each request through the subscription's client
 * pipeline, the wait for a place in the subscription's estimate, and the `202` → next poll step
 * (`Location`, `Retry-After`, the poll URL checked before a token goes there). ARM RPC: the operation's
 * `Location` answers `202` while it runs, then the POST's result (async-api-reference.md, "202 Accepted
 * and Location Headers"; both operations' REST specs say `final-state-via: location`).
 */

/**
 * Sends one request (`GET` of a poll URL, `POST` of the operation, with a JSON `body` when given)
 * through the subscription's NetworkManagementClient pipeline (token, retries, 429 policy, pacing
 * observer) on the factory's HTTP client: the connections the lists and every subscription's requests
 * share. An answer of 400 or more is thrown as restError makes it, for toArmError to map.
 */
export type ArmSend = (
  gateway: GatewayRef,
  method: 'GET' | 'POST',
  url: string,
  options: {
    readonly body?: string;
    readonly abortSignal?: AbortSignal | undefined;
    /** A 429 is thrown back at once as ThrottledAnswer, not retried (throttle-hand-back.ts). */
    readonly handBackThrottling?: boolean;
  },
) => Promise<PipelineResponse>;

/** ArmSend over `clientFor`'s clients (see ArmSend). */
export function armSender(clientFor: ArmClientFactory): ArmSend {
  return async (gateway, method, url, { body, abortSignal, handBackThrottling: handBack }) => {
    const client = await clientFor(gateway.subscriptionId);
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      }),
      ...(body !== undefined ? { body } : {}),
      ...(abortSignal ? { abortSignal } : {}),
    });
    if (handBack) handBackThrottling(request);
    const response = await client.pipeline.sendRequest(clientFor.httpClient, request);
    if (response.status >= 400) throw restError(response);
    return response;
  };
}

/** The ARM path of a gateway's action (`…/applicationGateways/{name}/{action}`), each segment encoded. */
export function gatewayActionPath(gateway: GatewayRef, action: string): string {
  return (
    `/subscriptions/${encodeURIComponent(gateway.subscriptionId)}` +
    `/resourceGroups/${encodeURIComponent(gateway.resourceGroup)}` +
    `/providers/Microsoft.Network/applicationGateways/${encodeURIComponent(gateway.name)}/${action}`
  );
}

/**
 * Waits for a request's place in its subscription's `kind` estimate. Only the call's abort ends it
 * (thrown as the AbortError the Retry-After wait throws, whatever reason the signal carries, naming
 * `what` was waited for); a pacer that fails otherwise lets the request go: pacing never costs a
 * gateway. Absent pacer: at once. Returns 0 when the request may go; with `bookBeyondInMs` (a caller
 * that hands longer waits to a queue) and a pacer that books turns, waits no longer than that and
 * returns the ms until the turn it booked instead (TurnBooking.admitOrBook; `putBack`: a step put
 * back before, in line ahead of fresh ones).
 */
export async function admitToEstimate(
  pacer: (SubscriptionPacer & Partial<TurnBooking>) | undefined,
  gateway: GatewayRef,
  kind: 'reads' | 'writes',
  signal: AbortSignal | undefined,
  what: string,
  bookBeyondInMs?: number,
  putBack = false,
): Promise<number> {
  if (!pacer) return 0;
  const callOptions = signal ? { abortSignal: signal } : {};
  try {
    if (bookBeyondInMs !== undefined && pacer.admitOrBook)
      return await pacer.admitOrBook(gateway.subscriptionId, kind, bookBeyondInMs, {
        ...callOptions,
        putBack,
      });
    await pacer.admit(gateway.subscriptionId, kind, callOptions);
  } catch {
    if (signal?.aborted) throw abortedWait(what);
  }
  return 0;
}

/**
 * A `201` or `202` answer of the POST or a poll → the operation to poll next and the wait before it,
 * in ms (ARM's `Retry-After`, else `pollIntervalInMs`; a `0` repeated backs off: pollWaitInMs).
 * `atOnceBefore`: the polls in a row before this answer that ARM asked for at once (0 after the POST).
 * `to`: what the answer was to, for the message (`" to the on-demand probe"`, or empty).
 *
 * @throws BackendHealthUnavailableError when the answer has no `Location`, or (refuseElsewhere) when
 *   its `Location` is not on the ARM endpoint under the gateway's subscription.
 */
export function nextPoll(
  gateway: GatewayRef,
  response: PipelineResponse,
  atOnceBefore: number,
  { endpoint, pollIntervalInMs, to = '' }: { endpoint: string; pollIntervalInMs: number; to?: string },
): PendingBackendHealth {
  const location = response.headers.get('location');
  if (!location) {
    throw new BackendHealthUnavailableError(
      gateway.id,
      `ARM answered ${response.status}${to} without a Location header to poll for the result`,
      { unreadableAnswer: true },
    );
  }
  const said = retryAfterInMs(response.headers.get('retry-after'), Date.now()) ?? pollIntervalInMs;
  const operation: BackendHealthOperation = {
    location: new URL(location, response.request.url).href,
    ...(said === 0 ? { atOnceBefore: atOnceBefore + 1 } : {}),
  };
  refuseElsewhere(gateway, operation, endpoint);
  return { operation, retryAfterInMs: pollWaitInMs(said, atOnceBefore, pollIntervalInMs) };
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
