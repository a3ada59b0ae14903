import type { ApplicationGateway } from '@azure/arm-network';
import { parseGatewayId, type Target } from '../../core/arm-id';
import type { GatewayRef } from '../../core/model';
import type { CallOptions, GatewayDirectory } from '../../ports';
import type { ArmClientFactory } from './client';
import { toArmError } from './errors';

const READ_ACTION = 'Microsoft.Network/applicationGateways/read';

/**
 * Expands targets with ARM's list calls (paged; the SDK follows nextLink). A gateway target is taken
 * as is: its backend-health call reports a missing gateway, so no extra read is spent on it.
 */
export function createArmGatewayDirectory(clientFor: ArmClientFactory): GatewayDirectory {
  return {
    async listGateways(target: Target, callOptions: CallOptions = {}): Promise<GatewayRef[]> {
      if (target.kind === 'gateway') return [target.gateway];
      const call = { kind: 'list', target, action: READ_ACTION } as const;
      try {
        const client = await clientFor(target.subscriptionId);
        const options = callOptions.abortSignal ? { abortSignal: callOptions.abortSignal } : {};
        const pages =
          target.kind === 'resourceGroup'
            ? client.applicationGateways.list(target.resourceGroup, options)
            : client.applicationGateways.listAll(options);
        const gateways: GatewayRef[] = [];
        for await (const gateway of pages as AsyncIterable<ApplicationGateway>) {
          const ref = gateway.id ? parseGatewayId(gateway.id) : undefined;
          if (ref) gateways.push(ref);
        }
        return gateways;
      } catch (error) {
        throw toArmError(error, call, clientFor);
      }
    },
  };
}
