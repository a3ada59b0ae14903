import { parseGatewayId } from '../core/arm-id';

/**
 * A ready run config (the JSON file format) that points at a running emulator: every subscription in
 * the scenario as a target, so discovery (listAll) is exercised too.
 */
export function emulatorRunConfig(options: {
  url: string;
  caCertFile: string;
  gatewayIds: readonly string[];
  outDir: string;
}): Record<string, unknown> {
  const subscriptions = new Set<string>();
  for (const id of options.gatewayIds) {
    const gateway = parseGatewayId(id);
    if (gateway) subscriptions.add(gateway.subscriptionId);
  }
  return {
    targets: [...subscriptions].map((s) => `/subscriptions/${s}`),
    arm: {
      endpoint: options.url,
      caCertFile: options.caCertFile,
      credential: 'development',
      pollIntervalInMs: 500,
    },
    sinks: { dir: options.outDir },
  };
}
