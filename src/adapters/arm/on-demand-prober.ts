import type { GatewayRef } from '../../core/model';
import {
  readOnDemandResult,
  type OnDemandProbeRequest,
  type OnDemandServer,
} from '../../core/on-demand-probe';
import {
  BackendHealthUnavailableError,
  ON_DEMAND_PROBE_ACTION,
  OnDemandProbeRefusedError,
} from '../../errors';
import { clipMessage } from '../../core/text-clip';
import type { CallOptions, OnDemandProber, SubscriptionPacer } from '../../ports';
import { waitFor } from './abortable-wait';
import { admitToEstimate, armSender, gatewayActionPath, nextPoll } from './arm-operation';
import { BACKEND_HEALTH_API_VERSION } from './backend-health-reader';
import type { ArmClientFactory } from './client';
import { armErrorBody, armErrorCode, isRestError, toArmError } from './errors';
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
 * src/core/on-demand-probe.ts), driven with the pieces it shares with backend-health-reader.ts
 * (arm-operation.ts) and for the same reasons: through the subscription's client pipeline (token, retries, 429 policy, pacing observer),
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
  const send = armSender(clientFor);
  const admit = (gateway: GatewayRef, kind: 'reads' | 'writes', signal: AbortSignal | undefined) =>
    admitToEstimate(
      options.pacer,
      gateway,
      kind,
      signal,
      `the wait for the on-demand probe's place in the ${kind} estimate`,
    );

  return {
    async probeOnDemand(
      gateway: GatewayRef,
      probe: OnDemandProbeRequest,
      asked: { readonly backendPool: string; readonly backendSettings: string },
      callOptions: CallOptions = {},
    ): Promise<readonly OnDemandServer[]> {
      const signal = callOptions.abortSignal;
      const path = gatewayActionPath(gateway, 'getBackendHealthOnDemand');
      try {
        await admit(gateway, 'writes', signal);
        const url = `${endpoint}${path}?api-version=${BACKEND_HEALTH_API_VERSION}`;
        let response = await send(gateway, 'POST', url, { body: JSON.stringify(probe), abortSignal: signal });
        let atOnceBefore = 0;
        while (response.status === 201 || response.status === 202) {
          const { operation, retryAfterInMs: wait } = nextPoll(gateway, response, atOnceBefore, {
            endpoint,
            pollIntervalInMs: options.pollIntervalInMs,
            to: ' to the on-demand probe',
          });
          await waitFor(wait, signal, 'the wait for the next poll');
          atOnceBefore = operation.atOnceBefore ?? 0;
          await admit(gateway, 'reads', signal);
          response = await send(gateway, 'GET', operation.location, { abortSignal: signal });
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
        // 400: ARM refused the request itself (a pool or setting it does not probe): not retried, not ARM's fault.
        if (isRestError(error) && error.statusCode === 400) {
          throw new OnDemandProbeRefusedError(
            gateway.id,
            armErrorCode(error),
            clipMessage(armErrorBody(error).message ?? error.message, 600, { oneLine: true }),
          );
        }
        throw toArmError(
          error,
          { kind: 'backendHealth', resourceId: gateway.id, action: ON_DEMAND_PROBE_ACTION },
          clientFor,
        );
      }
    },
  };
}
