import type { ApplicationGatewayBackendHealth } from '@azure/arm-network';
import type { BackendHealthBody, GatewayRef } from '../../core/model';
import type { BackendHealthReader, CallOptions } from '../../ports';
import type { ArmClientFactory } from './client';
import { toArmError } from './errors';

const BACKEND_HEALTH_ACTION = 'Microsoft.Network/applicationGateways/backendhealth/action';

export interface BackendHealthReaderOptions {
  /** Poll interval when ARM sends no Retry-After (it usually does). */
  readonly pollIntervalInMs: number;
}

/** The real `backendHealth` long-running operation (POST, 202 + Location, polls) via @azure/arm-network. */
export function createArmBackendHealthReader(
  clientFor: ArmClientFactory,
  options: BackendHealthReaderOptions,
): BackendHealthReader {
  return {
    async getBackendHealth(gateway: GatewayRef, callOptions: CallOptions = {}): Promise<BackendHealthBody> {
      try {
        const client = await clientFor(gateway.subscriptionId);
        const result = await client.applicationGateways.backendHealth(gateway.resourceGroup, gateway.name, {
          updateIntervalInMs: options.pollIntervalInMs,
          ...(callOptions.abortSignal ? { abortSignal: callOptions.abortSignal } : {}),
        });
        return toPlainBody(result);
      } catch (error) {
        throw toArmError(
          error,
          { kind: 'backendHealth', resourceId: gateway.id, action: BACKEND_HEALTH_ACTION },
          clientFor,
        );
      }
    },
  };
}

/** SDK model → our plain shape (drops SDK-only fields such as `etag` and `type`). */
function toPlainBody(result: ApplicationGatewayBackendHealth): BackendHealthBody {
  return {
    backendAddressPools: (result.backendAddressPools ?? []).map((pool) => ({
      backendAddressPool: { id: pool.backendAddressPool?.id, name: pool.backendAddressPool?.name },
      backendHttpSettingsCollection: (pool.backendHttpSettingsCollection ?? []).map((settings) => ({
        backendHttpSettings: {
          id: settings.backendHttpSettings?.id,
          name: settings.backendHttpSettings?.name,
        },
        servers: (settings.servers ?? []).map((server) => ({
          address: server.address,
          health: server.health,
          healthProbeLog: server.healthProbeLog,
        })),
      })),
    })),
  };
}
