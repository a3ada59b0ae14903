import { describeBodyProblems, readBackendHealthBody } from '../../core/backend-health-body';
import type { BackendHealthBody, GatewayRef } from '../../core/model';
import { BackendHealthUnavailableError } from '../../errors';
import type { BackendHealthReader, CallOptions } from '../../ports';
import type { ArmClientFactory } from './client';
import { toArmError } from './errors';
import { answerJson, capturingResponses, type CapturedAnswer } from './response-capture';

const BACKEND_HEALTH_ACTION = 'Microsoft.Network/applicationGateways/backendhealth/action';

export interface BackendHealthReaderOptions {
  /** Poll interval when ARM sends no Retry-After (it usually does). */
  readonly pollIntervalInMs: number;
}

/**
 * The real `backendHealth` long-running operation (POST, 202 + Location, polls) via @azure/arm-network,
 * whose final body is read from ARM's own text by the one reader (src/core/backend-health-body.ts), not
 * from the SDK's model: fields the model lacks survive (`healthProbeErrorName`), and an answer that is
 * not a backend-health read (`{}`, `[]`, `{"backendAddressPools":null}`, a pool without its settings,
 * text that is not JSON) is a BackendHealthUnavailableError saying what ARM sent, so no episode moves.
 * The reader takes it as ARM's answer (`source: 'arm'`): ARM's shape at the top level (none of the
 * wrappers a saved file may have), and every field a server is known by (pool and settings ids of this
 * gateway, address, health) present, so no server can look gone from an answer read too kindly.
 */
export function createArmBackendHealthReader(
  clientFor: ArmClientFactory,
  options: BackendHealthReaderOptions,
): BackendHealthReader {
  return {
    async getBackendHealth(gateway: GatewayRef, callOptions: CallOptions = {}): Promise<BackendHealthBody> {
      const capture: CapturedAnswer = {};
      try {
        const client = await clientFor(gateway.subscriptionId);
        await capturingResponses(capture, () =>
          client.applicationGateways.backendHealth(gateway.resourceGroup, gateway.name, {
            updateIntervalInMs: options.pollIntervalInMs,
            ...(callOptions.abortSignal ? { abortSignal: callOptions.abortSignal } : {}),
          }),
        );
      } catch (error) {
        // The SDK fails on a 200 it cannot parse (RestError PARSE_ERROR, status 200) or deserialize
        // (`null`): say what ARM sent rather than the SDK's message (which quotes the whole body).
        if (capture.last && failedOnTheBody(error)) {
          const read = readArmAnswer(capture.last.text, gateway);
          throw new BackendHealthUnavailableError(
            gateway.id,
            read.ok ? 'ARM answered 200 with a body the SDK could not read' : read.detail,
            { cause: error, unreadableAnswer: true },
          );
        }
        throw toArmError(
          error,
          { kind: 'backendHealth', resourceId: gateway.id, action: BACKEND_HEALTH_ACTION },
          clientFor,
        );
      }
      const read = readArmAnswer(capture.last?.text, gateway);
      if (!read.ok)
        throw new BackendHealthUnavailableError(gateway.id, read.detail, { unreadableAnswer: true });
      return read.body;
    },
  };
}

function failedOnTheBody(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return error instanceof Error && error.name === 'RestError' && status === 200;
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
