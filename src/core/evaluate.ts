import { lastSegment } from './arm-id';
import { classifyCause } from './classify';
import { isReported, readHealth, type ConfigurableState } from './health';
import type { BackendHealthBody, BackendHealthServerBody, Finding, GatewayRef } from './model';
import { serverKey } from './notice/server-record';

export interface EvaluateOptions {
  readonly unhealthyStates: readonly ConfigurableState[];
}

interface ListedServer {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  readonly server: BackendHealthServerBody;
}

/**
 * Every server of the body with its pool and settings names (expanded names, else the id's last
 * segment). Missing names and addresses are kept as "(unnamed)" rather than dropping the server.
 */
function* eachServer(body: BackendHealthBody): Generator<ListedServer> {
  for (const pool of body.backendAddressPools ?? []) {
    const backendPool =
      pool.backendAddressPool?.name ?? lastSegment(pool.backendAddressPool?.id) ?? '(unnamed)';
    for (const settings of pool.backendHttpSettingsCollection ?? []) {
      const backendSettings =
        settings.backendHttpSettings?.name ?? lastSegment(settings.backendHttpSettings?.id) ?? '(unnamed)';
      for (const server of settings.servers ?? []) {
        yield { backendPool, backendSettings, address: server.address ?? '(unknown address)', server };
      }
    }
  }
}

/**
 * One finding per backend server whose health is reported (see `isReported`), in the order the
 * gateway listed them. The same server under two HTTP settings is two findings: each probe differs.
 */
export function evaluateBackendHealth(
  gateway: GatewayRef,
  body: BackendHealthBody,
  options: EvaluateOptions,
): Finding[] {
  const findings: Finding[] = [];
  for (const { backendPool, backendSettings, address, server } of eachServer(body)) {
    const state = readHealth(server.health);
    if (!isReported(state, options.unhealthyStates)) continue;
    const probeLog = server.healthProbeLog ?? '';
    findings.push({
      gateway,
      backendPool,
      backendSettings,
      address,
      health: server.health ?? '',
      state,
      probeLog,
      cause: classifyCause({ state, probeLog, probeErrorName: server.healthProbeErrorName }),
    });
  }
  return findings;
}

/** Every server the body lists, healthy or not (server key → health as reported): tells recovered from gone. */
export function listServers(gateway: GatewayRef, body: BackendHealthBody): Map<string, string> {
  const listed = new Map<string, string>();
  for (const { backendPool, backendSettings, address, server } of eachServer(body)) {
    listed.set(serverKey({ gateway, backendPool, backendSettings, address }), server.health ?? '');
  }
  return listed;
}
