import type { GatewayConfig, HttpSettingsConfig, ProbeConfig } from '../../src/core/gateway-config';
import { resolveProbe, type ResolvedProbe } from '../../src/core/probe-resolution';

/** HTTP settings with ARM's defaults, changed by `over`. */
export function settings(over: Partial<HttpSettingsConfig> = {}): HttpSettingsConfig {
  return {
    name: 'settings-a',
    protocol: 'Http',
    port: 80,
    pickHostNameFromBackendAddress: false,
    trustedRootCertificateNames: [],
    authenticationCertificateNames: [],
    ...over,
  };
}

/** A custom probe named `probe-a`, changed by `over`. */
export function probe(over: Partial<ProbeConfig> = {}): ProbeConfig {
  return {
    name: 'probe-a',
    protocol: 'Http',
    host: 'www.contoso.com',
    path: '/health',
    intervalInS: 30,
    timeoutInS: 10,
    unhealthyThreshold: 3,
    pickHostNameFromBackendHttpSettings: false,
    ...over,
  };
}

export function config(
  s: HttpSettingsConfig,
  probes: readonly ProbeConfig[] = [],
  generation: GatewayConfig['generation'] = 'v2',
): GatewayConfig {
  return {
    generation,
    skuTier: generation === 'v1' ? 'Standard' : 'Standard_v2',
    settings: [s],
    probes,
    pools: [],
  };
}

export const GW = { name: 'appgw', resourceGroup: 'rg' };

/** The probe resolved for `address` under `s` (and its probe, when it names one). */
export function resolved(
  s: HttpSettingsConfig,
  p?: ProbeConfig,
  address = '10.0.0.5',
  generation: GatewayConfig['generation'] = 'v2',
): ResolvedProbe {
  const withProbe = p ? { ...s, probeName: p.name } : s;
  const r = resolveProbe(config(withProbe, p ? [p] : [], generation), GW, withProbe.name, address);
  if (!r.ok) throw new Error(r.reason);
  return r.probe;
}
