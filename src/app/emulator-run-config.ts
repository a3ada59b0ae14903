import path from 'node:path';
import { parseGatewayId } from '../core/arm-id';

/** The folder in `outDir` that keeps the runs' notify state and the status page's history. */
export const STATE_FOLDER = '.appgw-state';

/**
 * A ready run config (the JSON file format) that points at a running emulator: every subscription in
 * the scenario as a target, so discovery (listAll) is exercised too. Its state (notify's episodes, the
 * status page's history) is `<outDir>/.appgw-state`, beside what it writes: kept in the emulator's
 * temporary folder, it went with each emulator stop, so the next emulator's first run notified every
 * open episode again as new and its page had one reading (a new-user trial).
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
    state: { dir: path.join(options.outDir, STATE_FOLDER) },
  };
}
