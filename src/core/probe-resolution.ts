/**
 * What the gateway's probe of one server actually sends, resolved from its configuration (pure).
 *
 * Sources (learn.microsoft.com, Azure Application Gateway docs):
 * - "Application Gateway health monitoring overview" (application-gateway-probe-overview.md), "Default
 *   health probe settings": URL `<protocol>://127.0.0.1:<port>/`, protocol and port from the backend
 *   HTTP settings, interval 30 s, time-out 30 s, unhealthy threshold 3, healthy = status 200-399; a
 *   custom probe's port, when set, replaces the settings' (v2 only), and its protocol must be the
 *   settings'. The REST spec's `ApplicationGatewayProbe` (`port`: "valid for Standard_v2 and WAF_v2
 *   only") and `az network application-gateway probe create --port` say the same: a v1 gateway probes
 *   the backend setting's port whatever the probe sets.
 * - The same overview, TCP and TLS probes (v2, the TLS/TCP proxy): a TCP probe only opens a connection,
 *   a TLS probe completes a TLS handshake (with SNI); neither sends an HTTP request, so no Host header,
 *   path, status or body match applies.
 * - "Overview of TLS termination and end to end TLS" (ssl-overview.md), "For probe traffic": on v2 the
 *   host name (Host header and SNI) comes from the custom probe, else the HTTP settings, else the backend
 *   pool's FQDN (custom probe > HTTP settings > backend pool); on v1 SNI is the backend pool's FQDN; an
 *   IP address is never sent as SNI (RFC 6066); the default probe's 127.0.0.1 is a Host header only.
 * - The troubleshooting guide (see causes.ts): the default probe takes the backend setting's "Override
 *   with specific domain name" or "Pick host name from backend target" when set.
 */
import { lastSegment } from './arm-id';
import type { GatewayConfig, HttpSettingsConfig, ProbeConfig, SkuGeneration } from './gateway-config';

/** The default probe's values (health monitoring overview, "Default health probe settings"). */
export const DEFAULT_PROBE = {
  host: '127.0.0.1',
  path: '/',
  intervalInS: 30,
  timeoutInS: 30,
  unhealthyThreshold: 3,
  statusCodes: ['200-399'],
} as const;

/** Where the probe's host name comes from (each source names a setting or probe in the insight). */
export type HostSource =
  | 'probe' // the custom probe's own `host`
  | 'settings' // the HTTP settings' `hostName`
  | 'address' // the server's address ("pick host name from backend target")
  | 'localhost' // the default probe's 127.0.0.1
  | 'none'; // a custom probe that picks from settings that name none

export interface ResolvedProbe {
  readonly gateway: { readonly name: string; readonly resourceGroup: string };
  readonly generation: SkuGeneration;
  readonly skuTier?: string;
  readonly settings: HttpSettingsConfig;
  /** The custom probe; undefined: the default probe. */
  readonly probe?: ProbeConfig;
  /** The server's address as the backend-health body gave it (IP or FQDN). */
  readonly address: string;
  /** Lower case: `http`, `https`, or what ARM said (`tcp`, `tls`: no HTTP request to reproduce). */
  readonly protocol: string;
  readonly port: number;
  /** The Host header; undefined only for `hostSource: 'none'` (the request then names the address). */
  readonly host?: string;
  readonly hostSource: HostSource;
  /** The TLS server name sent (https, tls); undefined: none (an IP address, or no name at all). */
  readonly sni?: string;
  readonly path: string;
  readonly intervalInS: number;
  readonly timeoutInS: number;
  readonly unhealthyThreshold: number;
  /** The healthy statuses, as configured (`200-399`, `401`); HTTP(S) only: a TCP/TLS probe matches none. */
  readonly statusCodes: readonly string[];
  /** A text the body must contain. */
  readonly body?: string;
  /**
   * A TCP or TLS probe that sends a PROXY protocol header before anything else (the probe's
   * `enableProbeProxyProtocolHeader`: "Whether to send Proxy Protocol header along with the Health Probe
   * over TCP or TLS protocol", REST spec `ApplicationGatewayProbePropertiesFormat`, @azure/arm-network v39).
   * False for HTTP(S) probes and when the probe does not set it.
   */
  readonly proxyProtocolHeader: boolean;
  /**
   * The names the gateway's probes and certificates already have (as its configuration gave them), so
   * a probe or certificate the insight offers to create takes none of them (probe-commands.ts).
   */
  readonly takenNames: {
    readonly probes: readonly string[];
    readonly trustedRootCertificates: readonly string[];
    readonly authenticationCertificates: readonly string[];
  };
}

export type ProbeResolution =
  { readonly ok: true; readonly probe: ResolvedProbe } | { readonly ok: false; readonly reason: string };

const same = (a: string | undefined, b: string): boolean => a?.toLowerCase() === b.toLowerCase();

/** True for an IPv4 or IPv6 literal (with or without brackets): never sent as SNI. */
export function isIpAddress(value: string): boolean {
  const v = value.replace(/^\[|\]$/g, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v.split('.').every((part) => Number(part) <= 255);
  return v.includes(':') && /^[0-9a-f:.]+$/i.test(v);
}

/**
 * How a finding names its backend setting: as backend health gave it, the name and, when the body had
 * one, the id (`…/backendHttpSettingsCollection/{name}` or `…/backendSettingsCollection/{name}`).
 */
export interface SettingsRef {
  readonly name: string;
  readonly id?: string;
}

/** Which collection an id names: HTTP settings, the TCP/TLS proxy's settings, or neither. */
function collectionOf(id: string): 'http' | 'layer4' | undefined {
  if (/\/backendHttpSettingsCollection\/[^/]+\/?$/i.test(id)) return 'http';
  if (/\/backendSettingsCollection\/[^/]+\/?$/i.test(id)) return 'layer4';
  return undefined;
}

const kindWords = (s: HttpSettingsConfig): string => (s.layer4 ? 'a TCP/TLS setting' : 'an HTTP setting');

/**
 * The one entry of `candidates` (already matched case-insensitively, as ARM compares names) that `name`
 * means: the only one, else the one spelled exactly so; undefined when none or when the spelling does
 * not decide (the caller says it is ambiguous rather than guessing).
 */
export function pickByName<T extends { readonly name: string }>(
  candidates: readonly T[],
  name: string,
): T | undefined {
  if (candidates.length === 1) return candidates[0];
  const exact = candidates.filter((c) => c.name === name);
  return exact.length === 1 ? exact[0] : undefined;
}

/**
 * The backend setting a finding names. By id first (ARM ids compare case-insensitively): the setting
 * whose id it is, else the one of that name in the collection the id names (an HTTP setting and a
 * TCP/TLS setting may share a name: the id's collection tells them apart). By name only when backend
 * health gave no id; a name two settings share (an HTTP and a TCP/TLS one, or two spellings) is said to
 * be ambiguous, never guessed.
 */
export function findSettings(
  config: GatewayConfig,
  ref: SettingsRef,
):
  | { readonly ok: true; readonly settings: HttpSettingsConfig }
  | { readonly ok: false; readonly reason: string } {
  if (ref.id !== undefined) {
    const byId = config.settings.filter((s) => s.id !== undefined && same(s.id, ref.id ?? ''));
    if (byId.length === 1 && byId[0]) return { ok: true, settings: byId[0] };
    const collection = collectionOf(ref.id);
    const name = lastSegment(ref.id) ?? ref.name;
    const inCollection = config.settings.filter(
      (s) =>
        same(s.name, name) && (collection === undefined || (collection === 'layer4') === (s.layer4 === true)),
    );
    const picked = pickByName(inCollection, name);
    if (picked) return { ok: true, settings: picked };
    if (inCollection.length > 1) return { ok: false, reason: ambiguous(name, inCollection) };
    return {
      ok: false,
      reason: `the backend setting "${name}"${collection === 'layer4' ? ' (a TCP/TLS setting, backendSettingsCollection)' : collection === 'http' ? ' (an HTTP setting, backendHttpSettingsCollection)' : ''} is not in the gateway's configuration`,
    };
  }
  const byName = config.settings.filter((s) => same(s.name, ref.name));
  const picked = pickByName(byName, ref.name);
  if (picked) return { ok: true, settings: picked };
  if (byName.length > 1) return { ok: false, reason: ambiguous(ref.name, byName) };
  return { ok: false, reason: `the backend setting "${ref.name}" is not in the gateway's configuration` };
}

function ambiguous(name: string, candidates: readonly HttpSettingsConfig[]): string {
  const kinds = candidates.map((s) => `${kindWords(s)} "${s.name}"`).join(' and ');
  return (
    `backend health names the setting "${name}" without an id that tells which it is, and the gateway has ` +
    `${kinds}: which one this server's probe uses is not known, so no probe values are shown rather than another setting's`
  );
}

/**
 * The probe of `address` under the backend setting `backendSettings` (as the backend-health body gave
 * it: a name, or the name and id; see findSettings), or why it cannot be resolved (the setting, or the
 * probe it names, is not in the configuration, or the name is ambiguous).
 */
export function resolveProbe(
  config: GatewayConfig,
  gateway: { readonly name: string; readonly resourceGroup: string },
  backendSettings: string | SettingsRef,
  address: string,
): ProbeResolution {
  const found = findSettings(
    config,
    typeof backendSettings === 'string' ? { name: backendSettings } : backendSettings,
  );
  if (!found.ok) return found;
  const settings = found.settings;
  let probe: ProbeConfig | undefined;
  if (settings.probeName !== undefined) {
    const probeName = settings.probeName;
    const candidates = config.probes.filter((p) => same(p.name, probeName));
    probe = pickByName(candidates, probeName);
    if (!probe)
      return {
        ok: false,
        reason:
          candidates.length > 1
            ? `the probe "${probeName}" of backend setting "${settings.name}" matches ${candidates.length} probes that differ only in case: which one is meant is not known`
            : `the probe "${probeName}" of backend setting "${settings.name}" is not in the gateway's configuration`,
      };
  }
  const protocol = (probe?.protocol ?? settings.protocol ?? 'Http').toLowerCase();
  // v1 ignores a probe's own port: "valid for Standard_v2 and WAF_v2 only" (ApplicationGatewayProbe
  // `port`, REST spec; `az network application-gateway probe create --port`).
  const ownPort = config.generation === 'v1' ? undefined : probe?.port;
  const port = ownPort ?? settings.port ?? (protocol === 'https' || protocol === 'tls' ? 443 : 80);
  const { host, hostSource } = probeHost(settings, probe, address, protocol);
  const sni = sendsServerName(protocol) ? serverName(config.generation, settings, host, address) : undefined;
  return {
    ok: true,
    probe: {
      gateway,
      generation: config.generation,
      ...(config.skuTier !== undefined ? { skuTier: config.skuTier } : {}),
      settings,
      ...(probe ? { probe } : {}),
      address,
      protocol,
      port,
      ...(host !== undefined ? { host } : {}),
      hostSource,
      ...(sni !== undefined ? { sni } : {}),
      path: probe?.path ?? DEFAULT_PROBE.path,
      intervalInS: probe?.intervalInS ?? DEFAULT_PROBE.intervalInS,
      timeoutInS: probe?.timeoutInS ?? DEFAULT_PROBE.timeoutInS,
      unhealthyThreshold: probe?.unhealthyThreshold ?? DEFAULT_PROBE.unhealthyThreshold,
      statusCodes: probe?.statusCodes ?? DEFAULT_PROBE.statusCodes,
      ...(probe?.body !== undefined ? { body: probe.body } : {}),
      proxyProtocolHeader: (protocol === 'tcp' || protocol === 'tls') && probe?.proxyProtocolHeader === true,
      takenNames: {
        probes: config.probes.map((p) => p.name),
        trustedRootCertificates: config.certificateNames?.trustedRoot ?? [],
        authenticationCertificates: config.certificateNames?.authentication ?? [],
      },
    },
  };
}

/**
 * The probe's host name and where it comes from. An HTTP(S) probe picks it from the backend setting with
 * `pickHostNameFromBackendHttpSettings`; a TLS probe (its host is only the SNI) with
 * `pickHostNameFromBackendSettings` ("Whether the server name indication should be picked from the
 * backend settings for Tls protocol", REST spec `ApplicationGatewayProbePropertiesFormat`).
 */
function probeHost(
  settings: HttpSettingsConfig,
  probe: ProbeConfig | undefined,
  address: string,
  protocol: string,
): { host?: string; hostSource: HostSource } {
  const fromSettings = (): { host?: string; hostSource: HostSource } | undefined => {
    if (settings.hostName) return { host: settings.hostName, hostSource: 'settings' };
    if (settings.pickHostNameFromBackendAddress) return { host: address, hostSource: 'address' };
    return undefined;
  };
  if (probe) {
    const picks =
      protocol === 'tls'
        ? probe.pickHostNameFromBackendSettings === true
        : probe.pickHostNameFromBackendHttpSettings;
    if (picks) return fromSettings() ?? { hostSource: 'none' };
    return probe.host
      ? { host: probe.host, hostSource: 'probe' }
      : (fromSettings() ?? { hostSource: 'none' });
  }
  return fromSettings() ?? { host: DEFAULT_PROBE.host, hostSource: 'localhost' };
}

/** Whether the probe makes a TLS handshake (an HTTPS request, or a TLS probe's handshake alone). */
export function sendsServerName(protocol: string): boolean {
  return protocol === 'https' || protocol === 'tls';
}

/**
 * Whether the probe takes its host name from the backend setting (ARM's
 * `pickHostNameFromBackendHttpSettings`): the setting's host name, or with "pick host name from backend
 * target" each server's address; a custom probe that picks from a setting naming none (`none`) too.
 * False for a probe's own host and the default probe's 127.0.0.1.
 */
export function picksHostFromSettings(p: { readonly hostSource: HostSource }): boolean {
  return p.hostSource === 'settings' || p.hostSource === 'address' || p.hostSource === 'none';
}

/** Whether the probe sends an HTTP request (a TCP or TLS probe only connects: no Host, status or body). */
export function isHttpProbe(p: { readonly protocol: string }): boolean {
  return p.protocol === 'http' || p.protocol === 'https';
}

/**
 * The SNI of an HTTPS or TLS probe: v1 sends the backend pool's FQDN; v2 the settings' `sniName` when set,
 * else the probe's host name (custom probe > settings > pool), but never 127.0.0.1 or an IP literal.
 */
function serverName(
  generation: SkuGeneration,
  settings: HttpSettingsConfig,
  host: string | undefined,
  address: string,
): string | undefined {
  const name = (value: string | undefined) => (value && !isIpAddress(value) ? value : undefined);
  if (generation === 'v1') return name(address);
  if (settings.sniName) return name(settings.sniName);
  return name(host);
}

/** Whether `status` is one of the configured healthy statuses (`200-399`, `401`, `200-202,204`). */
export function statusAccepted(statusCodes: readonly string[], status: number): boolean {
  return statusCodes
    .flatMap((entry) => entry.split(','))
    .some((entry) => {
      const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(entry);
      if (!m) return false;
      const low = Number(m[1]);
      const high = m[2] === undefined ? low : Number(m[2]);
      return status >= low && status <= high;
    });
}

/**
 * The name part of a host name given with a port (`shop.example.com:8443` → `shop.example.com`);
 * undefined for a name without one, and for an IPv6 literal (its colons are not a port).
 */
export function hostNameBeforePort(host: string): string | undefined {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(host.trim());
  return match?.[1];
}

/** The name alone of the backend setting's host name when it is given with a port; undefined otherwise. */
export function settingHostWithPort(p: ResolvedProbe): string | undefined {
  return p.settings.hostName === undefined ? undefined : hostNameBeforePort(p.settings.hostName);
}
