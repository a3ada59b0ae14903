import type { GatewayConfigReader } from '../../../src/ports';

/**
 * A GatewayConfigReader whose gateway routes one pool, `pool-z` (one member, `10.9.0.4`), to
 * `settings-z`: a reading that lists neither is short of a routed pool (poolsNotRead `['pool-z']`).
 */
export function routesPoolZ(): GatewayConfigReader {
  return {
    getGatewayConfig: async () => ({
      ok: true,
      config: {
        generation: 'v2',
        settings: [{ name: 'settings-z' } as never],
        probes: [],
        pools: [{ name: 'pool-z', addresses: ['10.9.0.4'] }],
        pairs: [{ pool: 'pool-z', settings: 'settings-z' }],
        routingRules: 1,
      },
    }),
  };
}

/** A GatewayConfigReader for which every gateway is deleted: ARM's 404 ResourceNotFound to its GET. */
export function deletedGateways(): GatewayConfigReader {
  return {
    getGatewayConfig: () =>
      Promise.resolve({
        ok: false,
        notFound: true,
        armCode: 'ResourceNotFound',
        detail: 'ARM answered 404 ResourceNotFound',
      }),
  };
}
