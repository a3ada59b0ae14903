import { lastSegment } from './arm-id';
import { classifyCause } from './classify';
import { isReported, readHealth, type ConfigurableState } from './health';
import type { BackendHealthBody, Finding, GatewayRef } from './model';

export interface EvaluateOptions {
  readonly unhealthyStates: readonly ConfigurableState[];
}

/**
 * One finding per backend server whose health is reported (see `isReported`), in the order the
 * gateway listed them. The same server under two HTTP settings is two findings: each probe differs.
 * Missing names and addresses are kept as "(unnamed)" rather than dropping the server.
 */
export function evaluateBackendHealth(
  gateway: GatewayRef,
  body: BackendHealthBody,
  options: EvaluateOptions,
): Finding[] {
  const findings: Finding[] = [];
  for (const pool of body.backendAddressPools ?? []) {
    const backendPool =
      pool.backendAddressPool?.name ?? lastSegment(pool.backendAddressPool?.id) ?? '(unnamed)';
    for (const settings of pool.backendHttpSettingsCollection ?? []) {
      const backendSettings =
        settings.backendHttpSettings?.name ?? lastSegment(settings.backendHttpSettings?.id) ?? '(unnamed)';
      for (const server of settings.servers ?? []) {
        const state = readHealth(server.health);
        if (!isReported(state, options.unhealthyStates)) continue;
        const probeLog = server.healthProbeLog ?? '';
        findings.push({
          gateway,
          backendPool,
          backendSettings,
          address: server.address ?? '(unknown address)',
          health: server.health ?? '',
          state,
          probeLog,
          cause: classifyCause({ state, probeLog }),
        });
      }
    }
  }
  return findings;
}

/** How many servers the body lists, healthy or not: the run report's denominator. */
export function countServers(body: BackendHealthBody): number {
  let count = 0;
  for (const pool of body.backendAddressPools ?? [])
    for (const settings of pool.backendHttpSettingsCollection ?? []) count += settings.servers?.length ?? 0;
  return count;
}
