import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { GatewayRef } from '../../core/model';
import {
  readOnDemandResult,
  type OnDemandProbeRequest,
  type OnDemandServer,
} from '../../core/on-demand-probe';
import { pollWaitInMs, retryAfterInMs } from '../../core/retry-after';
import { BackendHealthUnavailableError, ON_DEMAND_PROBE_ACTION } from '../../errors';
import type { CallOptions, OnDemandProber, SubscriptionPacer } from '../../ports';
import { abortedWait, waitFor } from './abortable-wait';
import { BACKEND_HEALTH_API_VERSION, refuseElsewhere, restError } from './backend-health-reader';
import type { ArmClientFactory } from './client';
import { toArmError } from './errors';
import { answerJson } from './response-capture';

export interface OnDemandProberOptions {
  /** Wait before a poll when ARM sends no Retry-After, in ms (`arm.pollIntervalInMs`). */
  readonly pollIntervalInMs: number;
  /** Paces the POST (a write) and each poll (a read) as a run's backend-health calls are. Absent: at once. */
  readonly pacer?: SubscriptionPacer;
}

/**
 * ARM's on-demand probe (`POST …/getBackendHealthOnDemand?api-version=2026-01-01`, the operation
 * `applicationGateways.beginBackendHealthOnDemand` of @azure/arm-network v39 sends; REST spec and body:
 * src/core/on-demand-probe.ts), driven as backend-health-reader.ts drives backendhealth and for the same
 * reasons: through the subscription's client pipeline (token, retries, 429 policy, pacing observer),
 * then `GET` of its `Location` after each `Retry-After` until `200` with the result (ARM RPC: the
 * operation's Location answers 202 while it runs, then the POST's result; the spec says
 * `final-state-via: location`). The POST is a write, each poll a read, in the subscription's estimates.
 *
 * Throws what a user can act on: MissingPermissionError naming ON_DEMAND_PROBE_ACTION (or the poll's
 * action), GatewayNotFoundError, ThrottledError, AuthenticationError, ArmUnreachableError, and
 * BackendHealthUnavailableError for any other failure or an answer that is not an on-demand result.
 */
export function createArmOnDemandProber(
  clientFor: ArmClientFactory,
  options: OnDemandProberOptions,
): OnDemandProber {
  const endpoint = clientFor.endpoint.replace(/\/+$/, '');
  const send = async (
    gateway: GatewayRef,
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    abortSignal: AbortSignal | undefined,
  ): Promise<PipelineResponse> => {
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
    const response = await client.pipeline.sendRequest(clientFor.httpClient, request);
    if (response.status >= 400) throw restError(response);
    return response;
  };
  const admit = async (gateway: GatewayRef, kind: 'reads' | 'writes', signal: AbortSignal | undefined) => {
    if (!options.pacer) return;
    try {
      await options.pacer.admit(gateway.subscriptionId, kind, signal ? { abortSignal: signal } : {});
    } catch {
      if (signal?.aborted)
        throw abortedWait(`the wait for the on-demand probe's place in the ${kind} estimate`);
    }
  };

  return {
    async probeOnDemand(
      gateway: GatewayRef,
      probe: OnDemandProbeRequest,
      asked: { readonly backendPool: string; readonly backendSettings: string },
      callOptions: CallOptions = {},
    ): Promise<readonly OnDemandServer[]> {
      const signal = callOptions.abortSignal;
      const path =
        `/subscriptions/${encodeURIComponent(gateway.subscriptionId)}` +
        `/resourceGroups/${encodeURIComponent(gateway.resourceGroup)}` +
        `/providers/Microsoft.Network/applicationGateways/${encodeURIComponent(gateway.name)}` +
        '/getBackendHealthOnDemand';
      try {
        await admit(gateway, 'writes', signal);
        let response = await send(
          gateway,
          'POST',
          `${endpoint}${path}?api-version=${BACKEND_HEALTH_API_VERSION}`,
          JSON.stringify(probe),
          signal,
        );
        let atOnceBefore = 0;
        while (response.status === 201 || response.status === 202) {
          const location = response.headers.get('location');
          if (!location) {
            throw new BackendHealthUnavailableError(
              gateway.id,
              `ARM answered ${response.status} to the on-demand probe without a Location header to poll`,
              { unreadableAnswer: true },
            );
          }
          const operation = { location: new URL(location, response.request.url).href };
          refuseElsewhere(gateway, operation, endpoint);
          const said =
            retryAfterInMs(response.headers.get('retry-after'), Date.now()) ?? options.pollIntervalInMs;
          await waitFor(
            pollWaitInMs(said, atOnceBefore, options.pollIntervalInMs),
            signal,
            'the wait for the next poll',
          );
          atOnceBefore = said === 0 ? atOnceBefore + 1 : 0;
          await admit(gateway, 'reads', signal);
          response = await send(gateway, 'GET', operation.location, undefined, signal);
        }
        if (response.status !== 200) {
          throw new BackendHealthUnavailableError(
            gateway.id,
            `ARM answered ${response.status} to the on-demand probe where its 202 or its 200 with the result was expected`,
            { unreadableAnswer: true },
          );
        }
        const answer = answerJson(response.bodyAsText ?? undefined);
        const read = answer.ok
          ? readOnDemandResult(answer.value, gateway, asked)
          : { ok: false as const, detail: answer.detail };
        if (!read.ok) {
          throw new BackendHealthUnavailableError(
            gateway.id,
            `the on-demand probe's answer is not an on-demand result: ${read.detail}`,
            { unreadableAnswer: true },
          );
        }
        return read.servers;
      } catch (error) {
        throw toArmError(
          error,
          { kind: 'backendHealth', resourceId: gateway.id, action: ON_DEMAND_PROBE_ACTION },
          clientFor,
        );
      }
    },
  };
}
