/**
 * ARM's on-demand probe (`recheck`), pure: the request body from the resolved probe, and the answer read
 * into servers with their health and cause.
 *
 * Source: the REST spec, operation `ApplicationGateways_BackendHealthOnDemand`
 * (Azure/azure-rest-api-specs, specification/network/resource-manager/Microsoft.Network/stable/2021-05-01/
 * applicationGateway.json and later versions; example ApplicationGatewayBackendHealthTest.json):
 * `POST …/applicationGateways/{name}/getBackendHealthOnDemand` with an `ApplicationGatewayOnDemandProbe`
 * (`protocol`, `host`, `path`, `timeout` in seconds 1-86 400, `pickHostNameFromBackendHttpSettings`,
 * `match` {`statusCodes`, `body`}, `backendAddressPool` {id}, `backendHttpSettings` {id}); a long-running
 * operation (`final-state-via: location`) whose result is an `ApplicationGatewayBackendHealthOnDemand`:
 * `{backendAddressPool, backendHealthHttpSettings: {backendHttpSettings, servers[]}}` (each server
 * `address`, `health`, `healthProbeLog`, as in backendhealth). @azure/arm-network v39 models it as
 * `applicationGateways.beginBackendHealthOnDemand`.
 *
 * A TCP/TLS proxy setting is probed too, not refused: the on-demand probe's `protocol` takes "Http",
 * "Https", "Tcp" and "Tls", and `enableProbeProxyProtocolHeader` is "Whether to send Proxy Protocol
 * header along with the Health Probe over TCP or TLS protocol" (@azure/arm-network
 * `ApplicationGatewayOnDemandProbe`, learn.microsoft.com/javascript/api/@azure/arm-network/
 * applicationgatewayondemandprobe; azure-mgmt-network's model lists the same known values). Its
 * `backendHttpSettings` reference then names the setting under `backendSettingsCollection`.
 */
import { describeBodyProblems, readBackendHealthBody } from './backend-health-body';
import { capText, VALUE_CAPS } from './caps';
import type { Cause } from './causes';
import { serverProbe, type ListedServerEntry } from './evaluate';
import { readHealth } from './health';
import type { GatewayRef, HealthState } from './model';
import { serverKey } from './notice/server-record';
import { picksHostFromSettings, type ResolvedProbe } from './probe-resolution';

/** The REST spec's `ApplicationGatewayOnDemandProbe`, as sent. */
export interface OnDemandProbeRequest {
  readonly protocol: string;
  readonly host?: string;
  readonly path: string;
  /** Seconds. */
  readonly timeout: number;
  readonly pickHostNameFromBackendHttpSettings: boolean;
  readonly match: { readonly statusCodes: readonly string[]; readonly body?: string };
  /** Sent only when true: the gateway's probe sends a PROXY protocol header (TCP/TLS), so this one does too. */
  readonly enableProbeProxyProtocolHeader?: boolean;
  readonly backendAddressPool: { readonly id: string };
  readonly backendHttpSettings: { readonly id: string };
}

/** `Http`/`Https`/`Tcp`/`Tls` as ARM spells `ApplicationGatewayProtocol`. */
function armProtocol(protocol: string): string {
  const known: Record<string, string> = { http: 'Http', https: 'Https', tcp: 'Tcp', tls: 'Tls' };
  return known[protocol.toLowerCase()] ?? protocol;
}

/**
 * The on-demand probe that sends what the gateway's own probe sends (`probe`, from resolveProbe for the
 * pool's setting): its protocol, path, timeout and match; the host as the probe takes it (its own
 * `host`, else picked from the backend setting: the setting's host name or, with "pick host name from
 * backend target", each server's address; the default probe with neither sends 127.0.0.1).
 */
export function onDemandProbeRequest(
  gateway: GatewayRef,
  backendPool: string,
  probe: ResolvedProbe,
): OnDemandProbeRequest {
  const child = (collection: string, name: string) => `${gateway.id}/${collection}/${name}`;
  const picked = picksHostFromSettings(probe);
  return {
    protocol: armProtocol(probe.protocol),
    ...(!picked && probe.host !== undefined ? { host: probe.host } : {}),
    path: probe.path,
    timeout: probe.timeoutInS,
    pickHostNameFromBackendHttpSettings: picked,
    match: { statusCodes: [...probe.statusCodes], ...(probe.body !== undefined ? { body: probe.body } : {}) },
    ...(probe.proxyProtocolHeader ? { enableProbeProxyProtocolHeader: true } : {}),
    backendAddressPool: { id: child('backendAddressPools', backendPool) },
    // A TCP/TLS proxy setting is a child of backendSettingsCollection (gateway-config.ts `layer4`).
    backendHttpSettings: {
      id: child(
        probe.settings.layer4 ? 'backendSettingsCollection' : 'backendHttpSettingsCollection',
        probe.settings.name,
      ),
    },
  };
}

/**
 * One server as the on-demand probe found it: the entry a backend-health body lists (its `key` is the
 * notify state's serverKey), with its health read and its probe's message.
 */
export interface OnDemandServer extends ListedServerEntry {
  readonly state: HealthState;
  readonly probeLog: string;
  /** The likely cause, for a server that is not healthy. */
  readonly cause?: Cause;
}

export type OnDemandReading =
  | { readonly ok: true; readonly servers: readonly OnDemandServer[] }
  | { readonly ok: false; readonly detail: string };

/**
 * ARM's final answer (JSON) → the servers, named by the pool and settings that were asked for (the
 * answer's own ids are read by the backend-health reader, which checks they belong to the gateway).
 * Never throws: an answer that is not an on-demand result is `{ ok: false, detail }`.
 */
export function readOnDemandResult(
  json: unknown,
  gateway: GatewayRef,
  asked: { readonly backendPool: string; readonly backendSettings: string },
): OnDemandReading {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, detail: 'the answer is not a JSON object' };
  const answer = json as Record<string, unknown>;
  const settings = answer['backendHealthHttpSettings'];
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    return { ok: false, detail: 'the answer has no "backendHealthHttpSettings" object' };
  // The same entry a backendhealth body holds per pool: read by the one reader, as strictly.
  const read = readBackendHealthBody(
    {
      backendAddressPools: [
        {
          backendAddressPool: answer['backendAddressPool'] ?? { id: `${gateway.id}/backendAddressPools/x` },
          backendHttpSettingsCollection: [settings],
        },
      ],
    },
    { source: 'arm', gatewayId: gateway.id },
  );
  if (!read.ok) return { ok: false, detail: describeBodyProblems(read.problems).slice(0, 3).join('; ') };
  const servers = (read.body.backendAddressPools ?? []).flatMap((pool) =>
    (pool.backendHttpSettingsCollection ?? []).flatMap((s) => s.servers ?? []),
  );
  return {
    ok: true,
    servers: servers.map((server) => {
      const address = capText(server.address ?? '(unknown address)', VALUE_CAPS.address);
      const state = readHealth(server.health);
      const { probeLog, cause } = serverProbe(server, state);
      return {
        key: serverKey({ gateway, ...asked, address }),
        ...asked,
        address,
        health: capText(server.health ?? '', VALUE_CAPS.health),
        state,
        probeLog,
        ...(state === 'healthy' ? {} : { cause }),
      };
    }),
  };
}
