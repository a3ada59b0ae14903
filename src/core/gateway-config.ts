/**
 * A gateway's own configuration, as far as it explains a probe: SKU tier, HTTP settings, probes and
 * backend pools, read from ARM's `ApplicationGateway` resource (`GET …/applicationGateways/{name}`,
 * the wire format: each child's fields under `properties`). Field meanings: the REST spec's
 * `ApplicationGatewayBackendHttpSettingsPropertiesFormat`, `ApplicationGatewayBackendSettingsPropertiesFormat`
 * (the TCP/TLS proxy's `backendSettingsCollection`), `ApplicationGatewayProbePropertiesFormat` and
 * `ApplicationGatewaySku` (as @azure/arm-network v39 models them, api-version 2026-01-01; the collections
 * as Azure/azure-rest-api-specs `specification/network/resource-manager/Microsoft.Network/stable/
 * 2024-05-01/applicationGateway.json` `ApplicationGatewayPropertiesFormat` lists them).
 *
 * Read leniently where ARM leaves a field out (a default applies later), strictly where a value could
 * not have come from ARM: a value of the wrong type, or longer than ARM allows, makes the whole reading
 * fail (`{ ok: false, detail }`), and the insight falls back to the general steps. Values stay untrusted
 * text: the insight escapes them where they land (markdown, HTML, shell).
 */
import { readGatewayTags, type GatewayTags } from './gateway-tags';

/** The gateway generation the SKU tier says: `v2` (Standard_v2, WAF_v2, Basic) or `v1` (Standard, WAF). */
export type SkuGeneration = 'v1' | 'v2' | 'unknown';

export interface HttpSettingsConfig {
  readonly name: string;
  /**
   * The setting's ARM id as the GET wrote it (`…/backendHttpSettingsCollection/{name}` or
   * `…/backendSettingsCollection/{name}`), when it did: backend health names a setting by this id, so
   * the finding's setting is found by it first (probe-resolution.ts, findSettings).
   */
  readonly id?: string;
  /** `Http` or `Https` as ARM wrote it (compare case-insensitively). */
  readonly protocol?: string;
  readonly port?: number;
  /** "Override with specific domain name". */
  readonly hostName?: string;
  /** "Pick host name from backend target". Absent in ARM: false. */
  readonly pickHostNameFromBackendAddress: boolean;
  /** The custom probe's name (the last segment of `probe.id`); absent: the default probe. */
  readonly probeName?: string;
  /** v2: the trusted root certificates' names. */
  readonly trustedRootCertificateNames: readonly string[];
  /** v1: the authentication certificates' names (deprecated on v2). */
  readonly authenticationCertificateNames: readonly string[];
  /** Seconds the gateway waits for a backend's response to a request (not a probe). */
  readonly requestTimeoutInS?: number;
  /** v2 TLS validation: a specific SNI to send instead of the host name. */
  readonly sniName?: string;
  /**
   * True for a backend setting of the TCP/TLS proxy (`properties.backendSettingsCollection`, REST spec
   * `ApplicationGatewayBackendSettingsPropertiesFormat`: protocol Tcp or Tls, port, timeout, probe,
   * trustedRootCertificates, hostName and pickHostNameFromBackendAddress, which for Tls give the SNI);
   * absent for an HTTP setting (`backendHttpSettingsCollection`). The Azure CLI changes it with
   * `az network application-gateway settings`, not `http-settings`.
   */
  readonly layer4?: true;
  /** A TCP/TLS backend setting's `timeout`: "Connection timeout in seconds" (1–86 400). */
  readonly connectionTimeoutInS?: number;
}

export interface ProbeConfig {
  readonly name: string;
  readonly protocol?: string;
  readonly host?: string;
  readonly path?: string;
  readonly intervalInS?: number;
  readonly timeoutInS?: number;
  readonly unhealthyThreshold?: number;
  /** "Pick host name from backend settings". Absent in ARM: false. */
  readonly pickHostNameFromBackendHttpSettings: boolean;
  /** v2 only: a port of its own; absent: the settings' port. */
  readonly port?: number;
  /** `match.statusCodes` as written (`200-399`, `401`); absent or empty: 200-399. */
  readonly statusCodes?: readonly string[];
  /** `match.body`: a string the body must contain. */
  readonly body?: string;
  /**
   * `enableProbeProxyProtocolHeader`: "Whether to send Proxy Protocol header along with the Health Probe
   * over TCP or TLS protocol. Default value is false." (REST spec `ApplicationGatewayProbePropertiesFormat`,
   * @azure/arm-network v39 `ApplicationGatewayProbe`). Absent in ARM: false.
   */
  readonly proxyProtocolHeader?: boolean;
  /**
   * `pickHostNameFromBackendSettings`: "Whether the server name indication should be picked from the
   * backend settings for Tls protocol. Default value is false." (same sources). Absent in ARM: false.
   */
  readonly pickHostNameFromBackendSettings?: boolean;
}

/**
 * A backend pool and the HTTP settings a routing rule sends its traffic with: `requestRoutingRules[]`
 * (`backendAddressPool`, `backendHttpSettings`) and `urlPathMaps[]` (its defaults and each path rule's),
 * REST spec `ApplicationGatewayRequestRoutingRulePropertiesFormat` / `ApplicationGatewayUrlPathMap`;
 * and the TCP/TLS proxy's `routingRules[]` (`backendAddressPool`, `backendSettings`: REST spec
 * `ApplicationGatewayRoutingRulePropertiesFormat`).
 * Backend health and the on-demand probe know only these pairs (ARM answers InvalidResourceReference to
 * an on-demand probe of a setting no rule uses).
 */
export interface RoutedPair {
  readonly pool: string;
  readonly settings: string;
}

export interface PoolConfig {
  readonly name: string;
  /** Every `backendAddresses[]` entry's `fqdn` or `ipAddress`. */
  readonly addresses: readonly string[];
  /**
   * The pool also has members by NIC (`backendIPConfigurations`: VMs, scale-set instances), whose
   * addresses the configuration does not give. Absent: none.
   */
  readonly hasIpConfigurations?: boolean;
  /**
   * The configuration does not say all of the pool's members: its `backendAddresses` is not sent (ARM
   * sends `[]` for an empty pool, as the configuration dump in
   * Azure/application-gateway-kubernetes-ingress#758 shows), or an entry of it has neither `fqdn` nor
   * `ipAddress`. Such a pool may have members, as one of NICs does: a reading that lists none of its
   * servers did not read them, and a server absent from a reading was not removed. Absent: the
   * addresses (and NICs) are all its members.
   */
  readonly membersUnknown?: true;
}

/**
 * Whether `pool` may have members whose addresses the configuration does not give (NICs, members it
 * does not say: PoolConfig.membersUnknown).
 */
export function hasUnaddressedMembers(pool: PoolConfig): boolean {
  return pool.hasIpConfigurations === true || pool.membersUnknown === true;
}

export interface GatewayConfig {
  /** `sku.name` as ARM wrote it (`Standard_v2`, `WAF_Medium`, …), when it did. */
  readonly skuName?: string;
  /** `sku.tier` as ARM wrote it (`Standard_v2`, `WAF`, …), when it did. */
  readonly skuTier?: string;
  readonly generation: SkuGeneration;
  readonly settings: readonly HttpSettingsConfig[];
  readonly probes: readonly ProbeConfig[];
  readonly pools: readonly PoolConfig[];
  /**
   * Every pool/settings pair a rule routes to (RoutedPair), each once; empty when ARM sent no rules.
   * Absent: not read (a configuration built by hand).
   */
  readonly pairs?: readonly RoutedPair[];
  /**
   * How many routing rules ARM sent (`requestRoutingRules` and `routingRules`): a gateway always has
   * one, so 0 is an answer short of the resource (reading-coverage.ts). Absent: built by hand.
   */
  readonly routingRules?: number;
  /**
   * The gateway's ARM tags (gateway-tags.ts): `{}` when it has none; absent when the answer's `tags`
   * broke ARM's limits (unknown) or the configuration was built by hand.
   */
  readonly tags?: GatewayTags;
  /**
   * The names of the gateway's trusted root and authentication certificates (`trustedRootCertificates`,
   * `authenticationCertificates`): a new one the insight offers must not take one of them. Absent: a
   * configuration built by hand.
   */
  readonly certificateNames?: {
    readonly trustedRoot: readonly string[];
    readonly authentication: readonly string[];
  };
}

/**
 * Why the configuration GET failed (configuration-report.ts says each for the run report): 403, 404,
 * 429 or 5xx and lost connections after the retries, 401, an answer that is not a gateway resource, no
 * answer in time.
 */
export type GatewayConfigFailureKind =
  'forbidden' | 'not-found' | 'throttled' | 'unavailable' | 'unauthenticated' | 'invalid' | 'timeout';

/**
 * `notFound`: ARM answered 404 (no such gateway), so the caller can say so rather than "cannot be read";
 * `armCode`: the code of that 404 when ARM gave one (`ResourceNotFound`, `ResourceGroupNotFound`,
 * `SubscriptionNotFound`). `kind`: why, for the run report (absent: `unavailable`).
 */
export type GatewayConfigReading =
  | { readonly ok: true; readonly config: GatewayConfig }
  | {
      readonly ok: false;
      readonly detail: string;
      readonly notFound?: boolean;
      readonly armCode?: string;
      readonly kind?: GatewayConfigFailureKind;
    };

/**
 * Longest values ARM accepts, in characters (a longer one is not ARM's): names 80 (ARM's naming rules
 * for Microsoft.Network child resources), a host name 253 (RFC 1035), a probe path 2 048 (a URL path),
 * the probe's body match 4 090 ("The specified match must be 4090 characters or less", Application
 * Gateway health monitoring overview, learn.microsoft.com); a child resource's ARM id kept up to 2 048
 * (a real one is far shorter).
 */
export const CONFIG_VALUE_LIMITS = {
  name: 80,
  host: 253,
  path: 2_048,
  body: 4_090,
  list: 100,
  id: 2_048,
} as const;

/** v2 tiers (`ApplicationGatewayTier`): Standard_v2, WAF_v2, Basic; v1: Standard, WAF. */
export function skuGeneration(tier: string | undefined, name: string | undefined): SkuGeneration {
  const said = (tier ?? name ?? '').toLowerCase();
  if (said === '') return 'unknown';
  if (said.endsWith('_v2') || said === 'basic') return 'v2';
  if (said === 'standard' || said === 'waf' || /^(standard|waf)_(small|medium|large)$/.test(said))
    return 'v1';
  return 'unknown';
}

class Problem extends Error {}

/**
 * What readGatewayConfig reads of a gateway resource: `tags`, and of `properties` its `sku` and the
 * collections below, a backend pool's addresses and the first of its `backendIPConfigurations` (a NIC id
 * per scale-set instance: whether it has any) and the certificates' names and ids alone (not their data, Base64 kilobytes).
 * JSON; readGatewayConfig gives from it what it gives from the whole resource, a failure included.
 */
export type ConfigurationResource = Readonly<Record<string, unknown>>;

/** The `properties` readGatewayConfig reads whole (the pools and certificates are reduced). */
const CONFIGURATION_PROPERTIES = [
  'sku',
  'backendHttpSettingsCollection',
  'backendSettingsCollection',
  'probes',
  'requestRoutingRules',
  'routingRules',
  'urlPathMaps',
] as const;
/** Collections of which the reader reads each child's name, id and these of its `properties`. */
const REDUCED_COLLECTIONS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['backendAddressPools', ['backendAddresses', 'backendIPConfigurations']],
  ['trustedRootCertificates', []],
  ['authenticationCertificates', []],
];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The ConfigurationResource of a gateway resource as ARM gives it (a list page's entry, a GET's
 * answer): what a run keeps of a listed gateway until its findings need the configuration, and what a
 * queue message carries. Undefined when `resource` is not the whole resource: no `properties.sku`
 * (every resource ARM gives has one; a short form does not). Pure; never throws.
 */
export function configurationResource(resource: unknown): ConfigurationResource | undefined {
  if (!isRecord(resource)) return undefined;
  const properties = resource['properties'];
  if (!isRecord(properties) || !isRecord(properties['sku'])) return undefined;
  const kept: Record<string, unknown> = {};
  for (const key of CONFIGURATION_PROPERTIES) if (properties[key] !== undefined) kept[key] = properties[key];
  for (const [key, fields] of REDUCED_COLLECTIONS) {
    const value = properties[key];
    if (value !== undefined) kept[key] = Array.isArray(value) ? value.map((c) => reduced(c, fields)) : value;
  }
  return { ...(resource['tags'] !== undefined ? { tags: resource['tags'] } : {}), properties: kept };
}

/**
 * A child with its name, its id and `fields` of its `properties`; one the reader would refuse (not an
 * object, `properties` not an object) as it is, so reading it fails alike.
 */
function reduced(child: unknown, fields: readonly string[]): unknown {
  if (!isRecord(child)) return child;
  const properties = child['properties'];
  if (properties !== undefined && properties !== null && !isRecord(properties)) return child;
  const props = isRecord(properties)
    ? Object.fromEntries(fields.map((f) => [f, firstOnly(f, properties[f])]))
    : undefined;
  return { name: child['name'], id: child['id'], ...(props ? { properties: props } : {}) };
}

/**
 * A pool's `backendIPConfigurations` as its first entry alone: whether the pool has NIC members is all
 * the reader takes of it (PoolConfig.hasIpConfigurations), and a scale set lists one id per instance.
 */
function firstOnly(field: string, value: unknown): unknown {
  return field === 'backendIPConfigurations' && Array.isArray(value) ? value.slice(0, 1) : value;
}

const nonEmptyArray = (value: unknown): boolean => Array.isArray(value) && value.length > 0;

/** ARM's `ApplicationGateway` resource JSON → the configuration, or why it is not one. */
export function readGatewayConfig(json: unknown): GatewayConfigReading {
  try {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Problem('the answer is not a JSON object');
    const root = json as Record<string, unknown>;
    const properties = object(root['properties'], 'properties');
    if (properties === undefined) throw new Problem('the answer has no "properties" object');
    const sku = object(properties['sku'], 'properties.sku');
    const skuName = text(sku?.['name'], 'properties.sku.name', CONFIG_VALUE_LIMITS.name);
    const skuTier = text(sku?.['tier'], 'properties.sku.tier', CONFIG_VALUE_LIMITS.name);
    // Tags sit beside `properties`; tags out of ARM's limits are unknown, not a configuration we refuse.
    const tags = readGatewayTags(root['tags']);
    const settings = [
      ...children(properties, 'backendHttpSettingsCollection').map(({ name, id, props, at }) =>
        withId(readSettings(name, props, at), id),
      ),
      ...children(properties, 'backendSettingsCollection').map(({ name, id, props, at }) =>
        withId(readLayer4Settings(name, props, at), id),
      ),
    ];
    const probes = children(properties, 'probes').map(({ name, props, at }) => readProbe(name, props, at));
    const pools = children(properties, 'backendAddressPools').map(({ name, props, at }): PoolConfig => {
      const entries = list(props['backendAddresses'], `${at}.backendAddresses`);
      const addresses = entries.flatMap((entry, i) => {
        const address = object(entry, `${at}.backendAddresses[${i}]`);
        // An empty `fqdn` beside an `ipAddress` hid the address (a break trial: a false recovered).
        const value =
          nonBlank(text(address?.['fqdn'], `${at}.backendAddresses[${i}].fqdn`, CONFIG_VALUE_LIMITS.host)) ??
          nonBlank(
            text(address?.['ipAddress'], `${at}.backendAddresses[${i}].ipAddress`, CONFIG_VALUE_LIMITS.host),
          );
        return value === undefined ? [] : [value];
      });
      const notSent = props['backendAddresses'] === undefined || props['backendAddresses'] === null;
      return {
        name,
        addresses,
        ...(nonEmptyArray(props['backendIPConfigurations']) ? { hasIpConfigurations: true } : {}),
        ...(notSent || addresses.length < entries.length ? { membersUnknown: true } : {}),
      };
    });
    return {
      ok: true,
      config: {
        ...(skuName !== undefined ? { skuName } : {}),
        ...(skuTier !== undefined ? { skuTier } : {}),
        generation: skuGeneration(skuTier, skuName),
        settings,
        probes,
        pools,
        pairs: routedPairs(properties),
        routingRules:
          children(properties, 'requestRoutingRules').length + children(properties, 'routingRules').length,
        ...(tags !== undefined ? { tags } : {}),
        certificateNames: {
          trustedRoot: children(properties, 'trustedRootCertificates').map((c) => c.name),
          authentication: children(properties, 'authenticationCertificates').map((c) => c.name),
        },
      },
    };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, detail: error.message, kind: 'invalid' };
    throw error;
  }
}

/** The pool/settings pairs of the basic rules and the path maps (RoutedPair), each once (case-insensitive). */
function routedPairs(properties: Record<string, unknown>): RoutedPair[] {
  const found = new Map<string, RoutedPair>();
  const add = (pool: unknown, settings: unknown, at: string, field = 'backendHttpSettings') => {
    const poolName = refName(object(pool, `${at}.backendAddressPool`)?.['id'], `${at}.backendAddressPool.id`);
    const settingsName = refName(object(settings, `${at}.${field}`)?.['id'], `${at}.${field}.id`);
    if (poolName === undefined || settingsName === undefined) return; // a redirect: no backend
    const key = `${poolName}\u0000${settingsName}`.toLowerCase();
    if (!found.has(key)) found.set(key, { pool: poolName, settings: settingsName }); // the first spelling
  };
  for (const { props, at } of children(properties, 'requestRoutingRules'))
    add(props['backendAddressPool'], props['backendHttpSettings'], at);
  for (const { props, at } of children(properties, 'routingRules'))
    add(props['backendAddressPool'], props['backendSettings'], at, 'backendSettings');
  for (const { props, at } of children(properties, 'urlPathMaps')) {
    add(props['defaultBackendAddressPool'], props['defaultBackendHttpSettings'], at);
    list(props['pathRules'], `${at}.pathRules`).forEach((rule, i) => {
      const ruleProps = object(
        object(rule, `${at}.pathRules[${i}]`)?.['properties'],
        `${at}.pathRules[${i}].properties`,
      );
      if (ruleProps)
        add(
          ruleProps['backendAddressPool'],
          ruleProps['backendHttpSettings'],
          `${at}.pathRules[${i}].properties`,
        );
    });
  }
  return [...found.values()];
}

function readSettings(name: string, props: Record<string, unknown>, at: string): HttpSettingsConfig {
  const probe = object(props['probe'], `${at}.probe`);
  const probeName = refName(probe?.['id'], `${at}.probe.id`);
  const protocol = text(props['protocol'], `${at}.protocol`, CONFIG_VALUE_LIMITS.name);
  const port = whole(props['port'], `${at}.port`);
  const hostName = text(props['hostName'], `${at}.hostName`, CONFIG_VALUE_LIMITS.host);
  const requestTimeoutInS = whole(props['requestTimeout'], `${at}.requestTimeout`);
  const sniName = text(props['sniName'], `${at}.sniName`, CONFIG_VALUE_LIMITS.host);
  return {
    name,
    ...(protocol !== undefined ? { protocol } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(hostName ? { hostName } : {}),
    pickHostNameFromBackendAddress: flag(
      props['pickHostNameFromBackendAddress'],
      `${at}.pickHostNameFromBackendAddress`,
    ),
    ...(probeName !== undefined ? { probeName } : {}),
    trustedRootCertificateNames: refNames(props['trustedRootCertificates'], `${at}.trustedRootCertificates`),
    authenticationCertificateNames: refNames(
      props['authenticationCertificates'],
      `${at}.authenticationCertificates`,
    ),
    ...(requestTimeoutInS !== undefined ? { requestTimeoutInS } : {}),
    ...(sniName ? { sniName } : {}),
  };
}

/**
 * A TCP/TLS proxy backend setting (`backendSettingsCollection[]`), in the fields an HTTP setting has:
 * `hostName` and `pickHostNameFromBackendAddress` ("Server name indication to be sent to the backend
 * servers for Tls protocol", "Whether to pick server name indication from the host name of the backend
 * server for Tls protocol": REST spec `ApplicationGatewayBackendSettingsPropertiesFormat`), `timeout`
 * the connection timeout. No authentication certificates or SNI name: the TCP/TLS proxy is v2 only.
 */
function readLayer4Settings(name: string, props: Record<string, unknown>, at: string): HttpSettingsConfig {
  const probeName = refName(object(props['probe'], `${at}.probe`)?.['id'], `${at}.probe.id`);
  const protocol = text(props['protocol'], `${at}.protocol`, CONFIG_VALUE_LIMITS.name);
  const port = whole(props['port'], `${at}.port`);
  const hostName = text(props['hostName'], `${at}.hostName`, CONFIG_VALUE_LIMITS.host);
  const connectionTimeoutInS = whole(props['timeout'], `${at}.timeout`);
  return {
    name,
    layer4: true,
    ...(protocol !== undefined ? { protocol } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(hostName ? { hostName } : {}),
    pickHostNameFromBackendAddress: flag(
      props['pickHostNameFromBackendAddress'],
      `${at}.pickHostNameFromBackendAddress`,
    ),
    ...(probeName !== undefined ? { probeName } : {}),
    trustedRootCertificateNames: refNames(props['trustedRootCertificates'], `${at}.trustedRootCertificates`),
    authenticationCertificateNames: [],
    ...(connectionTimeoutInS !== undefined ? { connectionTimeoutInS } : {}),
  };
}

function readProbe(name: string, props: Record<string, unknown>, at: string): ProbeConfig {
  const match = object(props['match'], `${at}.match`);
  const statusCodes = list(match?.['statusCodes'], `${at}.match.statusCodes`).map((code, i) => {
    const value = text(code, `${at}.match.statusCodes[${i}]`, CONFIG_VALUE_LIMITS.name);
    if (value === undefined) throw new Problem(`${at}.match.statusCodes[${i}] is not a string`);
    return value;
  });
  const fields = {
    protocol: text(props['protocol'], `${at}.protocol`, CONFIG_VALUE_LIMITS.name),
    host: text(props['host'], `${at}.host`, CONFIG_VALUE_LIMITS.host),
    path: text(props['path'], `${at}.path`, CONFIG_VALUE_LIMITS.path),
    intervalInS: whole(props['interval'], `${at}.interval`),
    timeoutInS: whole(props['timeout'], `${at}.timeout`),
    unhealthyThreshold: whole(props['unhealthyThreshold'], `${at}.unhealthyThreshold`),
    port: whole(props['port'], `${at}.port`),
    body: text(match?.['body'], `${at}.match.body`, CONFIG_VALUE_LIMITS.body),
  };
  const defined = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''),
  ) as Partial<typeof fields>;
  return {
    name,
    ...defined,
    pickHostNameFromBackendHttpSettings: flag(
      props['pickHostNameFromBackendHttpSettings'],
      `${at}.pickHostNameFromBackendHttpSettings`,
    ),
    proxyProtocolHeader: flag(
      props['enableProbeProxyProtocolHeader'],
      `${at}.enableProbeProxyProtocolHeader`,
    ),
    pickHostNameFromBackendSettings: flag(
      props['pickHostNameFromBackendSettings'],
      `${at}.pickHostNameFromBackendSettings`,
    ),
    ...(statusCodes.length > 0 ? { statusCodes } : {}),
  } as ProbeConfig;
}

/** The setting with its ARM id, when the GET gave one. */
function withId(settings: HttpSettingsConfig, id: string | undefined): HttpSettingsConfig {
  return id === undefined ? settings : { ...settings, id };
}

/** The named children of `properties[key]`: each with its name, its id (when given) and its `properties` object. */
function children(
  properties: Record<string, unknown>,
  key: string,
): Array<{ name: string; id?: string; props: Record<string, unknown>; at: string }> {
  return list(properties[key], `properties.${key}`).map((entry, i) => {
    const at = `properties.${key}[${i}]`;
    const child = object(entry, at);
    if (child === undefined) throw new Problem(`${at} is not an object`);
    const name =
      text(child['name'], `${at}.name`, CONFIG_VALUE_LIMITS.name) ?? refName(child['id'], `${at}.id`);
    if (name === undefined) throw new Problem(`${at} has neither a name nor an id`);
    const id = text(child['id'], `${at}.id`, CONFIG_VALUE_LIMITS.id);
    return {
      name,
      ...(id ? { id } : {}),
      props: object(child['properties'], `${at}.properties`) ?? {},
      at: `${at}.properties`,
    };
  });
}

function object(value: unknown, at: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Problem(`${at} is not an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Problem(`${at} is not an array`);
  // Far above Azure's limits (a pool holds up to 1 200 back-end servers: "Application Gateway limits",
  // azure-subscription-service-limits); 1 000 refused a valid pool of 1 100 addresses (a break trial).
  if (value.length > CONFIG_VALUE_LIMITS.list * 100) throw new Problem(`${at} has ${value.length} entries`);
  return value;
}

/** `value`, or undefined when it is empty or white space only (no address). */
function nonBlank(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function text(value: unknown, at: string, limit: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Problem(`${at} is not a string`);
  if (value.length > limit)
    throw new Problem(`${at} is ${value.length} characters long (ARM allows ${limit})`);
  return value;
}

function whole(value: unknown, at: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400 * 10)
    throw new Problem(`${at} is not a whole number ARM would send`);
  return value;
}

function flag(value: unknown, at: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new Problem(`${at} is not true or false`);
  return value;
}

/** The last segment of a child resource id (`…/probes/{name}`). */
function refName(value: unknown, at: string): string | undefined {
  const id = text(value, at, CONFIG_VALUE_LIMITS.id);
  if (id === undefined) return undefined;
  const name = id
    .split('/')
    .filter((s) => s !== '')
    .pop();
  if (name === undefined || name.length > CONFIG_VALUE_LIMITS.name) throw new Problem(`${at} names no child`);
  return name;
}

function refNames(value: unknown, at: string): string[] {
  return list(value, at).flatMap((entry, i) => {
    const name = refName(object(entry, `${at}[${i}]`)?.['id'], `${at}[${i}].id`);
    return name === undefined ? [] : [name];
  });
}
