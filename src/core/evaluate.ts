import { lastSegment } from './arm-id';
import { capOptional, capText, VALUE_CAPS } from './caps';
import type { Cause } from './causes';
import { classifyCause } from './classify';
import { CONFIG_VALUE_LIMITS } from './gateway-config';
import { isReported, readHealth, type ConfigurableState } from './health';
import type { BackendHealthBody, BackendHealthServerBody, Finding, GatewayRef, HealthState } from './model';
import { serverKey } from './notice/server-record';
import { serverSeverity } from './notice/severity';

export interface EvaluateOptions {
  readonly unhealthyStates: readonly ConfigurableState[];
}

interface ListedServer {
  readonly backendPool: string;
  readonly backendSettings: string;
  /** The settings entry's id, when the body gave one (capped: an id longer than that is not ARM's). */
  readonly backendSettingsId?: string;
  readonly address: string;
  readonly server: BackendHealthServerBody;
  /** Which pool-and-setting entry of the body it is listed under (0, 1, …): its pool for severity. */
  readonly group: number;
}

/**
 * Every server of the body with its pool and settings names (expanded names, else the id's last
 * segment). Missing names and addresses are kept as "(unnamed)" rather than dropping the server.
 */
function* eachServer(body: BackendHealthBody): Generator<ListedServer> {
  let group = 0;
  for (const pool of body.backendAddressPools ?? []) {
    const backendPool = capText(
      pool.backendAddressPool?.name ?? lastSegment(pool.backendAddressPool?.id) ?? '(unnamed)',
      VALUE_CAPS.name,
    );
    for (const settings of pool.backendHttpSettingsCollection ?? []) {
      const backendSettings = capText(
        settings.backendHttpSettings?.name ?? lastSegment(settings.backendHttpSettings?.id) ?? '(unnamed)',
        VALUE_CAPS.name,
      );
      const id = settings.backendHttpSettings?.id;
      const backendSettingsId = id !== undefined && id.length <= CONFIG_VALUE_LIMITS.id ? id : undefined;
      for (const server of settings.servers ?? []) {
        const address = capText(server.address ?? '(unknown address)', VALUE_CAPS.address);
        yield {
          backendPool,
          backendSettings,
          ...(backendSettingsId !== undefined ? { backendSettingsId } : {}),
          address,
          server,
          group,
        };
      }
      group++;
    }
  }
}

/**
 * One finding per backend server whose health is reported (see `isReported`), in the order the
 * gateway listed them. The same server under two HTTP settings is two findings: each probe differs.
 * Each finding's severity (notice/severity.ts) is read from every server of its pool under the same
 * setting, reported or not: the body is the whole gateway's, so a direct run and the Functions app's
 * fan-out (one gateway per invocation, the whole body at its last step) derive the same severity.
 */
export function evaluateBackendHealth(
  gateway: GatewayRef,
  body: BackendHealthBody,
  options: EvaluateOptions,
): Finding[] {
  const listed = [...eachServer(body)].map((entry) => ({ ...entry, state: readHealth(entry.server.health) }));
  const poolStates = new Map<number, HealthState[]>();
  for (const { group, state } of listed) {
    const states = poolStates.get(group) ?? [];
    states.push(state);
    poolStates.set(group, states);
  }
  const findings: Finding[] = [];
  for (const { backendPool, backendSettings, backendSettingsId, address, server, group, state } of listed) {
    if (!isReported(state, options.unhealthyStates)) continue;
    findings.push({
      gateway,
      backendPool,
      backendSettings,
      ...(backendSettingsId !== undefined ? { backendSettingsId } : {}),
      address,
      health: capText(server.health ?? '', VALUE_CAPS.health),
      state,
      ...serverProbe(server, state),
      severity: serverSeverity(state, poolStates.get(group) ?? []),
    });
  }
  return findings;
}

/**
 * What a server's probe said, as it enters the core: its log (capped; empty when the gateway gave
 * none) and the likely cause read from it, its error name and `state`. The one reading for a run's
 * findings and `recheck`'s on-demand probe (on-demand-probe.ts), so both cap and classify alike.
 */
export function serverProbe(
  server: BackendHealthServerBody,
  state: HealthState,
): { readonly probeLog: string; readonly cause: Cause } {
  const probeLog = capText(server.healthProbeLog ?? '', VALUE_CAPS.probeLog);
  const probeErrorName = capOptional(server.healthProbeErrorName, VALUE_CAPS.errorName);
  return { probeLog, cause: classifyCause({ state, probeLog, probeErrorName }) };
}

/** One server of a backend-health body, healthy or not, by its names (as the gateway wrote them). */
export interface ListedServerEntry {
  /** serverKey: gateway + pool + settings + address, lower case. */
  readonly key: string;
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  /** As reported (capped). */
  readonly health: string;
}

/** Every server the body lists, healthy or not, in the order the gateway listed them (the status page's reading). */
export function listServerEntries(gateway: GatewayRef, body: BackendHealthBody): ListedServerEntry[] {
  const entries: ListedServerEntry[] = [];
  for (const { backendPool, backendSettings, address, server } of eachServer(body)) {
    entries.push({
      key: serverKey({ gateway, backendPool, backendSettings, address }),
      backendPool,
      backendSettings,
      address,
      health: capText(server.health ?? '', VALUE_CAPS.health),
    });
  }
  return entries;
}

/** Every server the body lists, healthy or not (server key → health as reported): tells recovered from gone. */
export function listServers(gateway: GatewayRef, body: BackendHealthBody): Map<string, string> {
  return new Map(listServerEntries(gateway, body).map((entry) => [entry.key, entry.health]));
}
