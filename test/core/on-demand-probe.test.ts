import { gatewayRef } from '../../src/core/arm-id';
import type { GatewayConfig, HttpSettingsConfig, ProbeConfig } from '../../src/core/gateway-config';
import { onDemandProbeRequest, readOnDemandResult } from '../../src/core/on-demand-probe';
import { resolveProbe } from '../../src/core/probe-resolution';

const gw = gatewayRef('sub', 'rg', 'gw');
const settings = (extra: Partial<HttpSettingsConfig> = {}): HttpSettingsConfig => ({
  name: 'web',
  protocol: 'Https',
  port: 443,
  pickHostNameFromBackendAddress: false,
  trustedRootCertificateNames: [],
  authenticationCertificateNames: [],
  ...extra,
});
const config = (s: HttpSettingsConfig, probes: ProbeConfig[] = []): GatewayConfig => ({
  generation: 'v2',
  settings: [s],
  probes,
  pools: [{ name: 'pool', addresses: ['10.0.0.4'] }],
});
function request(s: HttpSettingsConfig, probes: ProbeConfig[] = []) {
  const resolved = resolveProbe(config(s, probes), gw, 'web', '10.0.0.4');
  if (!resolved.ok) throw new Error(resolved.reason);
  return onDemandProbeRequest(gw, 'pool', resolved.probe);
}

describe("onDemandProbeRequest: the on-demand probe sends what the gateway's probe sends", () => {
  const ids = {
    backendAddressPool: { id: `${gw.id}/backendAddressPools/pool` },
    backendHttpSettings: { id: `${gw.id}/backendHttpSettingsCollection/web` },
  };
  it.each([
    [
      'default probe, no host name: 127.0.0.1, 200-399, 30 s',
      settings(),
      [],
      {
        protocol: 'Https',
        host: '127.0.0.1',
        path: '/',
        timeout: 30,
        pickHostNameFromBackendHttpSettings: false,
        match: { statusCodes: ['200-399'] },
      },
    ],
    [
      'default probe, setting with a host name: picked from the setting',
      settings({ hostName: 'shop.example.com' }),
      [],
      { pickHostNameFromBackendHttpSettings: true },
    ],
    [
      'default probe, pick host name from backend target: picked from the setting',
      settings({ pickHostNameFromBackendAddress: true }),
      [],
      { pickHostNameFromBackendHttpSettings: true },
    ],
    [
      'custom probe with its own host, path, timeout, match',
      settings({ probeName: 'p' }),
      [
        {
          name: 'p',
          protocol: 'Http',
          host: 'api.example.com',
          path: '/health',
          timeoutInS: 7,
          pickHostNameFromBackendHttpSettings: false,
          statusCodes: ['200', '401'],
          body: 'ok',
        },
      ],
      {
        protocol: 'Http',
        host: 'api.example.com',
        path: '/health',
        timeout: 7,
        pickHostNameFromBackendHttpSettings: false,
        match: { statusCodes: ['200', '401'], body: 'ok' },
      },
    ],
    [
      'custom probe picking from settings',
      settings({ probeName: 'p', hostName: 'h.example.com' }),
      [{ name: 'p', pickHostNameFromBackendHttpSettings: true }],
      { pickHostNameFromBackendHttpSettings: true },
    ],
  ])('%s', (_name, s, probes, expected) => {
    const sent = request(s, probes as ProbeConfig[]);
    expect(sent).toMatchObject({ ...expected, ...ids });
    if (expected.pickHostNameFromBackendHttpSettings) expect(sent.host).toBeUndefined();
  });
});

describe('readOnDemandResult', () => {
  const asked = { backendPool: 'pool', backendSettings: 'web' };
  const answer = (servers: unknown) => ({
    backendAddressPool: { id: `${gw.id}/backendAddressPools/pool` },
    backendHealthHttpSettings: {
      backendHttpSettings: { id: `${gw.id}/backendHttpSettingsCollection/web` },
      servers,
    },
  });
  it('reads each server with its state, and a cause for the ones not healthy', () => {
    const read = readOnDemandResult(
      answer([
        { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
        { address: '10.0.0.5', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
      ]),
      gw,
      asked,
    );
    expect(read.ok && read.servers.map((s) => [s.address, s.state, s.cause?.id])).toEqual([
      ['10.0.0.4', 'healthy', undefined],
      ['10.0.0.5', 'unhealthy', 'tcp-connect'],
    ]);
  });
  it.each([
    ['not an object', []],
    ['no backendHealthHttpSettings', { backendAddressPool: {} }],
    ['servers not an array', answer('x')],
    [
      'a pool of another gateway',
      {
        ...answer([]),
        backendAddressPool: { id: `${gatewayRef('sub', 'rg', 'other').id}/backendAddressPools/p` },
      },
    ],
  ])('refuses an answer that is not an on-demand result: %s', (_name, json) => {
    expect(readOnDemandResult(json, gw, asked)).toMatchObject({ ok: false });
  });
});
