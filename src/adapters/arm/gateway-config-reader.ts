import { CONFIGURATION_GRANT } from '../../core/configuration-report';
import {
  readGatewayConfig,
  type GatewayConfigFailureKind,
  type GatewayConfigReading,
} from '../../core/gateway-config';
import type { GatewayRef } from '../../core/model';
import { VALUE_CAPS } from '../../core/caps';
import { clipMessage } from '../../core/text-clip';
import { isAppGwInsightsError, isCancellation } from '../../errors';
import type { ArmCallOptions, GatewayConfigReader, SubscriptionPacer } from '../../ports';
import type { ArmClientFactory } from './client';
import { armAnswered, armErrorCode, armMessageLine, isRestError, toArmError } from './errors';
import { tellingFailedAttempts } from './failed-attempts';
import { answerJson, capturingResponses, type CapturedAnswer } from './response-capture';

/** The RBAC action of `GET …/applicationGateways/{name}` (the custom role has it: infra/app/backend-health-reader-role.bicep). */
const GATEWAY_READ_ACTION = CONFIGURATION_GRANT.action;

export interface GatewayConfigReaderOptions {
  /**
   * The direct run's pacer: the GET waits for a place in its subscription's reads estimate, as each
   * backend-health poll does (backend-health-reader.ts). Absent: it goes at once.
   */
  readonly pacer?: SubscriptionPacer;
}

/**
 * One `GET` of the gateway resource per call (`applicationGateways.get` of @azure/arm-network, through
 * the subscription's client: the factory's pipeline, retries, pacing observer and connections; a read,
 * in the reads bucket). The answer is read from ARM's own text (response-capture.ts) by the pure
 * reader (src/core/gateway-config.ts), not from the SDK's model, as the backend-health body and list
 * pages are: the same strict reading in the tests' emulator and in Azure.
 *
 * Never throws but for nothing: a failure is `{ ok: false, detail }` saying what happened (ARM's status,
 * code and message; a missing permission by name; no answer within the call's time), because a
 * configuration that cannot be read only costs the insight its exact commands, never the finding.
 */
export function createArmGatewayConfigReader(
  clientFor: ArmClientFactory,
  options: GatewayConfigReaderOptions = {},
): GatewayConfigReader {
  return {
    async getGatewayConfig(
      gateway: GatewayRef,
      callOptions: ArmCallOptions = {},
    ): Promise<GatewayConfigReading> {
      const signal = callOptions.abortSignal;
      const capture: CapturedAnswer = {};
      try {
        if (options.pacer) await admitRead(options.pacer, gateway, signal);
        const client = await clientFor(gateway.subscriptionId);
        await tellingFailedAttempts(callOptions, () =>
          capturingResponses(capture, () =>
            client.applicationGateways.get(
              gateway.resourceGroup,
              gateway.name,
              signal ? { abortSignal: signal } : {},
            ),
          ),
        );
      } catch (error) {
        // A 200 the SDK's model could not take still has ARM's text: read it, as any other answer.
        if (!capture.last) {
          // 404: no such gateway. Said as ARM's status and code only: what to check depends on who named it.
          if (isRestError(error) && error.statusCode === 404) {
            const armCode = armErrorCode(error);
            return {
              ok: false,
              detail: armAnswered(404, armCode),
              notFound: true,
              ...(armCode ? { armCode } : {}),
              kind: 'not-found',
            };
          }
          return { ok: false, ...describeFailure(error, gateway, clientFor) };
        }
      }
      const answer = answerJson(capture.last?.text);
      if (!answer.ok) return { ok: false, detail: answer.detail, kind: 'invalid' };
      const read = readGatewayConfig(answer.value);
      return read.ok
        ? read
        : {
            ok: false,
            detail: `ARM answered 200 with a gateway resource that cannot be read: ${read.detail}`,
            kind: 'invalid',
          };
    },
  };
}

/** Waits for the read's place; only the call's abort ends it (a pacer failing otherwise lets it go). */
async function admitRead(pacer: SubscriptionPacer, gateway: GatewayRef, signal: AbortSignal | undefined) {
  try {
    await pacer.admit(gateway.subscriptionId, 'reads', signal ? { abortSignal: signal } : {});
  } catch (error) {
    if (signal?.aborted) throw error;
  }
}

/** The mapped error's code → why the configuration was not read (the run report's `reason`). */
const KIND_OF_CODE: Readonly<Record<string, GatewayConfigFailureKind>> = {
  AuthorizationFailed: 'forbidden',
  ResourceNotFound: 'not-found',
  Throttled: 'throttled',
  AuthenticationFailed: 'unauthenticated',
};

/**
 * What went wrong, in one line (ARM's own words where it answered, the mapped error's otherwise), and
 * its kind.
 */
function describeFailure(
  error: unknown,
  gateway: GatewayRef,
  clientFor: ArmClientFactory,
): { detail: string; kind: GatewayConfigFailureKind } {
  if (isCancellation(error)) return { detail: "no answer within the gateway's time-out", kind: 'timeout' };
  const mapped = toArmError(
    error,
    { kind: 'backendHealth', resourceId: gateway.id, action: GATEWAY_READ_ACTION },
    clientFor,
  );
  const rest = error as { statusCode?: unknown; code?: unknown };
  // Missing permission, not found, throttled, unreachable, sign-in: the mapped error says what to do.
  if (isAppGwInsightsError(mapped) && mapped.code !== 'BackendHealthUnavailable')
    return {
      // Our own message (ARM's words in it already clipped): whole up to the report's cap on messages.
      detail: clipMessage(mapped.message, VALUE_CAPS.errorMessage, { oneLine: true }),
      kind: KIND_OF_CODE[mapped.code] ?? 'unavailable',
    };
  if (typeof rest.statusCode === 'number') {
    const message = error instanceof Error ? `: ${armMessageLine(error.message)}` : '';
    return { detail: `${armAnswered(rest.statusCode, rest.code)}${message}`, kind: 'unavailable' };
  }
  return {
    detail: armMessageLine(error instanceof Error ? error.message : String(error)),
    kind: 'unavailable',
  };
}
