import type { ScenarioInput } from '../../src/emulator';

export const SUB = '11111111-1111-1111-1111-111111111111';
export const OTHER_SUB = '22222222-2222-2222-2222-222222222222';

export function gatewayId(name: string, resourceGroup = 'rg-test', subscription = SUB): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/applicationGateways/${name}`;
}

export type ServerSpec = {
  address: string;
  health: string;
  healthProbeLog?: string;
  healthProbeErrorName?: string;
};

/** One gateway with one pool and one HTTP settings holding `servers`; fast LRO (no waiting) by default. */
export function gateway(
  name: string,
  servers: ServerSpec[],
  extra: Partial<ScenarioInput['gateways'][number]> = {},
  resourceGroup = 'rg-test',
  subscription = SUB,
): ScenarioInput['gateways'][number] {
  const id = gatewayId(name, resourceGroup, subscription);
  return {
    id,
    location: 'westeurope',
    backendHealth: {
      backendAddressPools: [
        {
          backendAddressPool: { id: `${id}/backendAddressPools/pool-a` },
          backendHttpSettingsCollection: [
            { backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-a` }, servers },
          ],
        },
      ],
    },
    lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
    ...extra,
  };
}
