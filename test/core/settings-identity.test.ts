/**
 * Which setting, probe or pool a name or id means (pure; issue 17, item 2): by id first, case-insensitive
 * as ARM ids are; by name only without an id; an ambiguous name is said, never guessed.
 */
import type { GatewayConfig, HttpSettingsConfig } from '../../src/core/gateway-config';
import { findSettings, resolveProbe } from '../../src/core/probe-resolution';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
const http: HttpSettingsConfig = {
  name: 'shared',
  id: `${GW}/backendHttpSettingsCollection/shared`,
  protocol: 'Http',
  port: 8080,
  pickHostNameFromBackendAddress: false,
  trustedRootCertificateNames: [],
  authenticationCertificateNames: [],
};
const tls: HttpSettingsConfig = {
  name: 'shared',
  id: `${GW}/backendSettingsCollection/shared`,
  layer4: true,
  protocol: 'Tls',
  port: 6380,
  pickHostNameFromBackendAddress: true,
  trustedRootCertificateNames: [],
  authenticationCertificateNames: [],
};
const config = (settings: HttpSettingsConfig[], extra: Partial<GatewayConfig> = {}): GatewayConfig => ({
  generation: 'v2',
  settings,
  probes: [],
  pools: [{ name: 'pool-a', addresses: ['10.0.0.4'] }],
  ...extra,
});
const withoutIds = [http, tls].map(({ id: _id, ...rest }) => rest);

describe('findSettings', () => {
  it.each([
    [
      'the HTTP id',
      { name: 'shared', id: `${GW}/backendHttpSettingsCollection/shared` },
      [http, tls],
      'Http',
    ],
    ['the TCP/TLS id', { name: 'shared', id: `${GW}/backendSettingsCollection/shared` }, [http, tls], 'Tls'],
    [
      'the TCP/TLS id in upper case',
      { name: 'shared', id: `${GW}/backendSettingsCollection/shared`.toUpperCase() },
      [http, tls],
      'Tls',
    ],
    [
      "an id, the configuration's settings without ids: by its collection",
      { name: 'shared', id: `${GW}/backendSettingsCollection/shared` },
      withoutIds,
      'Tls',
    ],
    ['a name, one setting by that name', { name: 'SHARED' }, [http], 'Http'],
  ] as const)('%s → %s', (_, ref, settings, protocol) => {
    const found = findSettings(config([...settings]), ref);
    expect(found.ok && found.settings.protocol).toBe(protocol);
  });

  it('a name alone that an HTTP and a TCP/TLS setting share: ambiguous, said, not guessed', () => {
    const found = findSettings(config([http, tls]), { name: 'shared' });
    expect(found).toEqual({
      ok: false,
      reason: expect.stringContaining('an HTTP setting "shared" and a TCP/TLS setting "shared"'),
    });
    const resolved = resolveProbe(
      config([http, tls]),
      { name: 'gw', resourceGroup: 'rg' },
      'shared',
      '10.0.0.4',
    );
    expect(resolved.ok).toBe(false);
  });

  it('an id no setting has: not found, naming its collection', () => {
    const found = findSettings(config([http]), {
      name: 'shared',
      id: `${GW}/backendSettingsCollection/shared`,
    });
    expect(found).toEqual({
      ok: false,
      reason: expect.stringContaining('(a TCP/TLS setting, backendSettingsCollection) is not in'),
    });
  });
});

describe('probes and pools whose names differ only in case', () => {
  const probe = (name: string, path: string) => ({ name, path, pickHostNameFromBackendHttpSettings: false });
  it('the probe spelled exactly as the setting names it; neither spelled so: ambiguous', () => {
    const cfg = config([{ ...http, probeName: 'Probe' }], {
      probes: [probe('probe', '/a'), probe('Probe', '/b')],
    });
    const resolved = resolveProbe(
      cfg,
      { name: 'gw', resourceGroup: 'rg' },
      { name: 'shared', id: http.id ?? '' },
      '10.0.0.4',
    );
    expect(resolved.ok && resolved.probe.path).toBe('/b');
    const unclear = resolveProbe(
      config([{ ...http, probeName: 'PROBE' }], { probes: [probe('probe', '/a'), probe('Probe', '/b')] }),
      { name: 'gw', resourceGroup: 'rg' },
      { name: 'shared', id: http.id ?? '' },
      '10.0.0.4',
    );
    expect(unclear).toEqual({
      ok: false,
      reason: expect.stringContaining('matches 2 probes that differ only in case'),
    });
  });

  it('a probe named like a setting is still the probe (the collections are apart)', () => {
    const cfg = config([{ ...http, probeName: 'shared' }], { probes: [probe('shared', '/health')] });
    const resolved = resolveProbe(
      cfg,
      { name: 'gw', resourceGroup: 'rg' },
      { name: 'shared', id: http.id ?? '' },
      '10.0.0.4',
    );
    expect(resolved.ok && [resolved.probe.probe?.name, resolved.probe.path, resolved.probe.port]).toEqual([
      'shared',
      '/health',
      8080,
    ]);
  });
});
