/**
 * GET .../applicationGateways/{name}: the gateway resource, shaped like ARM's (only what we model),
 * with the configuration an insight reads: SKU, backend pools with their addresses, HTTP settings and
 * probes (the scenario's `configuration`, else defaults). ARM's list pages carry the same resource
 * (routes/list.ts).
 */
import { isIpAddress } from '../../core/probe-resolution';
import { key, lastSegment } from '../arm-id';
import type { GatewayEntry } from '../state';
import type { ScenarioGateway } from '../scenario';
import type { RouteContext } from './context';
import { faultReply, type Reply, gatewayNotFound } from './errors';

export interface GatewayParams {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

interface SubResource {
  id: string;
  name: string;
}

function uniqueById(ids: string[]): SubResource[] {
  const seen = new Map<string, SubResource>();
  for (const id of ids) if (!seen.has(key(id))) seen.set(key(id), { id, name: lastSegment(id) });
  return [...seen.values()];
}

const ids = (refs: ReadonlyArray<{ id?: string } | undefined>) =>
  refs.flatMap((ref) => (ref?.id ? [ref.id] : []));

/**
 * The resource's short form: its identity, and the ids and names of the pools and settings the health
 * body names; gatewayResourceInFull adds the rest.
 */
function gatewayResource(entry: GatewayEntry): Record<string, unknown> {
  const pools = entry.gateway.backendHealth.backendAddressPools ?? [];
  return {
    id: entry.gateway.id,
    name: entry.parts.name,
    type: 'Microsoft.Network/applicationGateways',
    location: entry.gateway.location,
    // ARM leaves `tags` out of a resource that has none.
    ...(entry.gateway.tags && Object.keys(entry.gateway.tags).length ? { tags: entry.gateway.tags } : {}),
    properties: {
      provisioningState: 'Succeeded',
      operationalState: 'Running',
      backendAddressPools: uniqueById(ids(pools.map((p) => p.backendAddressPool))),
      ...settingsByCollection(
        uniqueById(
          ids(
            pools.flatMap((p) => (p.backendHttpSettingsCollection ?? []).map((s) => s.backendHttpSettings)),
          ),
        ),
      ),
    },
  };
}

/** Whether a settings id names a TCP/TLS proxy setting (`…/backendSettingsCollection/{name}`). */
const isLayer4Id = (id: string): boolean => /\/backendSettingsCollection\//i.test(id);

/** Settings references split by the collection their id names: HTTP settings, TCP/TLS proxy settings. */
function settingsByCollection<T extends { id: string }>(
  settings: T[],
): { backendHttpSettingsCollection: T[]; backendSettingsCollection?: T[] } {
  const layer4 = settings.filter((s) => isLayer4Id(s.id));
  return {
    backendHttpSettingsCollection: settings.filter((s) => !isLayer4Id(s.id)),
    ...(layer4.length ? { backendSettingsCollection: layer4 } : {}),
  };
}

/** v1 SKU names' tier (`Standard_Medium` → `Standard`); v2 names are their own tier. */
function tierOf(name: string): string {
  return name.startsWith('WAF_') && name !== 'WAF_v2'
    ? 'WAF'
    : name.startsWith('Standard_') && name !== 'Standard_v2'
      ? 'Standard'
      : name;
}

/**
 * The resource as GET answers it: the short form plus `sku`, each pool's `backendAddresses` (the body's
 * server addresses: IPs as `ipAddress`, names as `fqdn`), every HTTP setting with its properties
 * (`configuration.backendHttpSettings`, else `Http` on port 80 with the default probe) and the probes.
 */
export function gatewayResourceInFull(entry: GatewayEntry): Record<string, unknown> {
  const gateway = entry.gateway;
  const config = gateway.configuration;
  const child = (kind: string, name: string) => `${gateway.id}/${kind}/${name}`;
  const pools = new Map<string, { id: string; name: string; addresses: Set<string> }>();
  // Keyed by collection and name: an HTTP setting and a TCP/TLS setting may share a name (they are
  // children of two collections), and backend health tells them apart by id only.
  const settingsIds = new Map<string, { id: string; name: string }>();
  const settingsKey = (layer4: boolean, name: string) => `${layer4 ? 'l4' : 'http'}|${key(name)}`;
  // One basic rule per pool/settings pair the body lists: ARM's backend health reports exactly those.
  const rules: Array<{ pool: string; settings: string }> = [];
  for (const pool of gateway.backendHealth.backendAddressPools ?? []) {
    const poolId = pool.backendAddressPool?.id;
    const entryOf = poolId
      ? (pools.get(key(poolId)) ?? { id: poolId, name: lastSegment(poolId), addresses: new Set<string>() })
      : undefined;
    if (entryOf && poolId) pools.set(key(poolId), entryOf);
    for (const settings of pool.backendHttpSettingsCollection ?? []) {
      const settingsId = settings.backendHttpSettings?.id;
      const sKey = settingsId ? settingsKey(isLayer4Id(settingsId), lastSegment(settingsId)) : undefined;
      if (settingsId && sKey && !settingsIds.has(sKey))
        settingsIds.set(sKey, { id: settingsId, name: lastSegment(settingsId) });
      if (poolId && settingsId) rules.push({ pool: poolId, settings: settingsId });
      for (const server of settings.servers ?? []) if (server.address) entryOf?.addresses.add(server.address);
    }
  }
  const given = new Map(config.backendHttpSettings.map((s) => [key(s.name), s]));
  const givenLayer4 = new Map(config.backendSettings.map((s) => [key(s.name), s]));
  const keys = [
    ...new Set([
      ...settingsIds.keys(),
      ...[...given.keys()].map((name) => settingsKey(false, name)),
      ...[...givenLayer4.keys()].map((name) => settingsKey(true, name)),
    ]),
  ];
  const settings = keys.map((sKey) => {
    const layer4 = sKey.startsWith('l4|');
    const name = sKey.slice(sKey.indexOf('|') + 1);
    const own = layer4 ? givenLayer4.get(name) : given.get(name);
    const id =
      settingsIds.get(sKey)?.id ??
      child(layer4 ? 'backendSettingsCollection' : 'backendHttpSettingsCollection', own?.name ?? name);
    const properties = layer4
      ? layer4SettingsProperties(gateway, givenLayer4.get(name))
      : settingsProperties(gateway, given.get(name));
    return { id, name: lastSegment(id), properties };
  });
  const layer4Rules = rules.filter((rule) => isLayer4Id(rule.settings));
  return {
    ...gatewayResource(entry),
    properties: {
      provisioningState: 'Succeeded',
      operationalState: 'Running',
      sku: { name: config.sku.name, tier: config.sku.tier ?? tierOf(config.sku.name), capacity: 2 },
      backendAddressPools: [...pools.values()].map((pool) => ({
        id: pool.id,
        name: pool.name,
        properties: {
          backendAddresses: [...pool.addresses].map((address) =>
            isIpAddress(address) ? { ipAddress: address } : { fqdn: address },
          ),
        },
      })),
      ...settingsByCollection(settings),
      // The TCP/TLS proxy routes with `routingRules` (`backendSettings`), HTTP with `requestRoutingRules`.
      ...(layer4Rules.length
        ? {
            routingRules: basicRules(gateway.id, 'layer4', layer4Rules),
          }
        : {}),
      requestRoutingRules: basicRules(
        gateway.id,
        'http',
        rules.filter((rule) => !isLayer4Id(rule.settings)),
      ),
      probes: config.probes.map((probe) => {
        const { name, match, ...properties } = probe;
        return {
          id: child('probes', name),
          name,
          properties: {
            ...properties,
            ...(match ? { match } : {}),
            provisioningState: 'Succeeded',
          },
        };
      }),
    },
  };
}

/**
 * ARM's Basic routing rules of `gatewayId`, one per pool/settings pair (ids in `rules`): HTTP ones in
 * `requestRoutingRules` (`rule-1`…, priorities from 100, settings under `backendHttpSettings`), TCP/TLS
 * proxy ones in `routingRules` (`l4-rule-1`…, from 200, under `backendSettings`).
 */
function basicRules(
  gatewayId: string,
  kind: 'http' | 'layer4',
  rules: ReadonlyArray<{ pool: string; settings: string }>,
): Array<Record<string, unknown>> {
  const [collection, prefix, firstPriority, settingsField] =
    kind === 'layer4'
      ? ['routingRules', 'l4-rule', 200, 'backendSettings']
      : ['requestRoutingRules', 'rule', 100, 'backendHttpSettings'];
  return rules.map((rule, i) => ({
    id: `${gatewayId}/${collection}/${prefix}-${i + 1}`,
    name: `${prefix}-${i + 1}`,
    properties: {
      ruleType: 'Basic',
      priority: firstPriority + i,
      backendAddressPool: { id: rule.pool },
      [settingsField]: { id: rule.settings },
      provisioningState: 'Succeeded',
    },
  }));
}

type SettingsInput = ScenarioGateway['configuration']['backendHttpSettings'][number];
type Layer4SettingsInput = ScenarioGateway['configuration']['backendSettings'][number];

/**
 * A TCP/TLS proxy setting's properties (REST spec `ApplicationGatewayBackendSettingsPropertiesFormat`):
 * the scenario's, else `Tcp` with a 20 s connection timeout and the default probe; no port of its own
 * is invented: 443 for Tls, 80 for Tcp.
 */
function layer4SettingsProperties(
  gateway: ScenarioGateway,
  own: Layer4SettingsInput | undefined,
): Record<string, unknown> {
  const ref = (kind: string) => (name: string) => ({ id: `${gateway.id}/${kind}/${name}` });
  const protocol = own?.protocol ?? 'Tcp';
  return {
    port: own?.port ?? (protocol === 'Tls' ? 443 : 80),
    protocol,
    timeout: own?.timeout ?? 20,
    pickHostNameFromBackendAddress: own?.pickHostNameFromBackendAddress ?? false,
    ...(own?.hostName !== undefined ? { hostName: own.hostName } : {}),
    ...(own?.probe !== undefined ? { probe: ref('probes')(own.probe) } : {}),
    ...(own && own.trustedRootCertificates.length > 0
      ? { trustedRootCertificates: own.trustedRootCertificates.map(ref('trustedRootCertificates')) }
      : {}),
    provisioningState: 'Succeeded',
  };
}

function settingsProperties(
  gateway: ScenarioGateway,
  own: SettingsInput | undefined,
): Record<string, unknown> {
  if (!own)
    return {
      port: 80,
      protocol: 'Http',
      cookieBasedAffinity: 'Disabled',
      requestTimeout: 20,
      pickHostNameFromBackendAddress: false,
      provisioningState: 'Succeeded',
    };
  const ref = (kind: string) => (name: string) => ({ id: `${gateway.id}/${kind}/${name}` });
  return {
    port: own.port ?? (own.protocol === 'Https' ? 443 : 80),
    protocol: own.protocol,
    cookieBasedAffinity: 'Disabled',
    requestTimeout: own.requestTimeout,
    pickHostNameFromBackendAddress: own.pickHostNameFromBackendAddress,
    ...(own.hostName !== undefined ? { hostName: own.hostName } : {}),
    ...(own.probe !== undefined ? { probe: ref('probes')(own.probe) } : {}),
    ...(own.trustedRootCertificates.length > 0
      ? { trustedRootCertificates: own.trustedRootCertificates.map(ref('trustedRootCertificates')) }
      : {}),
    ...(own.authenticationCertificates.length > 0
      ? { authenticationCertificates: own.authenticationCertificates.map(ref('authenticationCertificates')) }
      : {}),
    ...(own.sniName !== undefined ? { sniName: own.sniName } : {}),
    provisioningState: 'Succeeded',
  };
}

export async function getGateway(ctx: RouteContext, p: GatewayParams): Promise<Reply> {
  const entry = ctx.state.find(p.subscriptionId, p.resourceGroup, p.name);
  if (!entry) return gatewayNotFound(ctx.state, p);
  await ctx.state.delay(entry.gateway.delayMs);
  const fault = ctx.state.takeGetFault(entry);
  if (fault && 'text' in fault) return { status: 200, text: fault.text };
  if (fault) return faultReply(fault, 'Microsoft.Network/applicationGateways/read', entry.gateway.id);
  return { status: 200, body: gatewayResourceInFull(entry) };
}
