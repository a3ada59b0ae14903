/**
 * The TCP/TLS proxy's backend settings (`properties.backendSettingsCollection`, REST spec
 * `ApplicationGatewayBackendSettingsPropertiesFormat`; gateway-config.ts `layer4`) in each place a
 * backend setting is read or acted on: the configuration reading and its routing rules, the
 * backend-health body's settings ids, the on-demand probe's reference, the reproduction, the "what we
 * see" rules and the az commands. Each with a case that triggers it and one that does not.
 */
import { requiredVariable } from '../../src/core/shell-variables';
import { gatewayRef } from '../../src/core/arm-id';
import { readBackendHealthBody } from '../../src/core/backend-health-body';
import { observeConfiguration } from '../../src/core/config-observations';
import type { CauseId } from '../../src/core/causes';
import { readGatewayConfig } from '../../src/core/gateway-config';
import { onDemandProbeRequest } from '../../src/core/on-demand-probe';
import { fixCommands } from '../../src/core/probe-commands';
import { reproduceProbe } from '../../src/core/probe-reproduction';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { shellArgv } from '../helpers/shell-argv';
import { probe, resolved, settings } from './config-fixtures';

const GW_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

const tcpSettings = settings({ name: 'tcp-a', protocol: 'Tcp', port: 5432, layer4: true });
const tlsSettings = settings({ name: 'tls-a', protocol: 'Tls', port: 6380, layer4: true });

const fix = (p: ResolvedProbe, causeId: CauseId) =>
  fixCommands(p, { causeId }, observeConfiguration(p, { causeId }));

describe('readGatewayConfig: backendSettingsCollection and routingRules', () => {
  const gatewayJson = (l4: Record<string, unknown>) => ({
    properties: {
      sku: { name: 'Standard_v2', tier: 'Standard_v2' },
      backendAddressPools: [{ name: 'pool-a', properties: {} }],
      backendHttpSettingsCollection: [{ name: 'http-a', properties: { protocol: 'Http', port: 80 } }],
      backendSettingsCollection: [{ name: 'tls-a', properties: l4 }],
      probes: [{ name: 'tls-probe', properties: { protocol: 'Tls' } }],
      routingRules: [
        {
          name: 'r',
          properties: {
            backendAddressPool: { id: `${GW_ID}/backendAddressPools/pool-a` },
            backendSettings: { id: `${GW_ID}/backendSettingsCollection/tls-a` },
          },
        },
      ],
    },
  });

  it('reads each field of a TCP/TLS setting, marked layer4, and the rule that pairs it with a pool', () => {
    const read = readGatewayConfig(
      gatewayJson({
        protocol: 'Tls',
        port: 6380,
        timeout: 25,
        hostName: 'db.contoso.com',
        pickHostNameFromBackendAddress: false,
        probe: { id: `${GW_ID}/probes/tls-probe` },
        trustedRootCertificates: [{ id: `${GW_ID}/trustedRootCertificates/db-root` }],
      }),
    );
    if (!read.ok) throw new Error(read.detail);
    expect(read.config.settings).toEqual([
      expect.objectContaining({ name: 'http-a', protocol: 'Http' }),
      {
        name: 'tls-a',
        layer4: true,
        protocol: 'Tls',
        port: 6380,
        hostName: 'db.contoso.com',
        pickHostNameFromBackendAddress: false,
        probeName: 'tls-probe',
        trustedRootCertificateNames: ['db-root'],
        authenticationCertificateNames: [],
        connectionTimeoutInS: 25,
      },
    ]);
    expect(read.config.settings[0]?.layer4).toBeUndefined();
    expect(read.config.pairs).toEqual([{ pool: 'pool-a', settings: 'tls-a' }]);
  });

  it.each([
    ['a timeout that is not a number', { timeout: '30' }, 'backendSettingsCollection[0].properties.timeout'],
    ['a host name that is not a string', { hostName: 5 }, 'backendSettingsCollection[0].properties.hostName'],
    ['a probe that names no child', { probe: { id: 7 } }, 'backendSettingsCollection[0].properties.probe.id'],
  ])('%s: the reading fails, naming the field', (_, l4, field) => {
    const read = readGatewayConfig(gatewayJson(l4));
    expect(read).toMatchObject({ ok: false, detail: expect.stringContaining(field) });
  });
});

describe('the backend-health body: a settings entry may name a TCP/TLS setting', () => {
  const body = (settingsId: string) => ({
    backendAddressPools: [
      {
        backendAddressPool: { id: `${GW_ID}/backendAddressPools/pool-a` },
        backendHttpSettingsCollection: [
          { backendHttpSettings: { id: settingsId }, servers: [{ address: '10.0.0.4', health: 'Healthy' }] },
        ],
      },
    ],
  });

  it.each(['backendSettingsCollection', 'backendHttpSettingsCollection'])('%s: read', (collection) => {
    const read = readBackendHealthBody(body(`${GW_ID}/${collection}/s`), { gatewayId: GW_ID, source: 'arm' });
    expect(read.ok).toBe(true);
  });

  it('another collection (probes) is still not a settings id', () => {
    const read = readBackendHealthBody(body(`${GW_ID}/probes/s`), { gatewayId: GW_ID, source: 'arm' });
    expect(read.ok).toBe(false);
  });
});

describe('the on-demand probe names the setting in its own collection', () => {
  const ref = gatewayRef('s', 'rg', 'gw');
  it.each([
    [tcpSettings, 'backendSettingsCollection/tcp-a'],
    [settings(), 'backendHttpSettingsCollection/settings-a'],
  ])('%#', (s, tail) => {
    const request = onDemandProbeRequest(ref, 'pool-a', resolved(s));
    expect(request.backendHttpSettings.id).toBe(`${ref.id}/${tail}`);
  });
});

describe('the reproduction of a TCP/TLS setting’s default probe', () => {
  it('TCP: nc to the setting’s port, no HTTP request', () => {
    const r = reproduceProbe(resolved(tcpSettings, undefined, '10.0.0.4'));
    expect(r.command).toMatch(/^nc -vz -w 30 10\.0\.0\.4 5432/);
    expect(r.command).not.toContain('curl');
  });

  it('TLS: openssl s_client with the SNI the setting picks from the backend address', () => {
    const p = resolved(
      { ...tlsSettings, pickHostNameFromBackendAddress: true },
      undefined,
      'db.contoso.internal',
    );
    expect(reproduceProbe(p).command).toContain(
      'openssl s_client -connect db.contoso.internal:6380 -servername db.contoso.internal',
    );
  });
});

describe('what we see, and the az commands, for a TCP/TLS setting', () => {
  it('a TLS setting without a trusted root: said, and fixed with "settings update --root-certs"', () => {
    const p = resolved(tlsSettings, undefined, 'db.contoso.internal');
    expect(observeConfiguration(p, { causeId: 'cert-untrusted-ca' }).map((o) => o.id)).toContain(
      'v2-no-trusted-root',
    );
    const lines = fix(p, 'cert-untrusted-ca');
    expect(lines.map((line) => shellArgv(line, { ROOT_CERT_FILE: 'root.cer' }))).toContainEqual([
      'network',
      'application-gateway',
      'settings',
      'update',
      '-g',
      'rg',
      '--gateway-name',
      'appgw',
      '-n',
      'tls-a',
      '--root-certs',
      'tls-a-root',
    ]);
    expect(lines.join('\n')).not.toContain('http-settings');
  });

  it('one with a trusted root, or a TCP setting: nothing said about roots (no TLS to trust)', () => {
    const rooted = resolved({ ...tlsSettings, trustedRootCertificateNames: ['r'] });
    expect(observeConfiguration(rooted, { causeId: 'cert-untrusted-ca' }).map((o) => o.id)).not.toContain(
      'v2-no-trusted-root',
    );
    expect(
      observeConfiguration(resolved(tcpSettings), { causeId: 'cert-untrusted-ca' }).map((o) => o.id),
    ).not.toContain('v2-no-trusted-root');
  });

  it('a TLS handshake with no server name: "settings update --backend-pool-host-name true", not http-settings’ option', () => {
    const p = resolved(tlsSettings, undefined, 'db.contoso.internal');
    // The default probe of a setting without a host name sends 127.0.0.1: no SNI.
    expect(p.sni).toBeUndefined();
    const lines = fix(p, 'cert-cn-mismatch');
    expect(lines).toContain(
      'az network application-gateway settings update -g rg --gateway-name appgw -n tls-a --backend-pool-host-name true',
    );
    expect(lines.join('\n')).not.toMatch(/http-settings|--host-name-from-backend-pool/);
  });

  it('the same for an HTTPS setting keeps http-settings and its option (the case that does not trigger)', () => {
    const p = resolved(settings({ protocol: 'Https', port: 443 }), undefined, 'www.contoso.com');
    expect(fix(p, 'cert-cn-mismatch')).toContain(
      'az network application-gateway http-settings update -g rg --gateway-name appgw -n settings-a --host-name-from-backend-pool true',
    );
  });

  it('a slow TCP backend on the default probe: a new Tcp probe, no host, path or match, attached with settings update', () => {
    const lines = fix(resolved(tcpSettings), 'probe-timeout');
    expect(lines).toEqual([
      `az network application-gateway probe create -g rg --gateway-name appgw -n tcp-a-probe --protocol Tcp --interval ${requiredVariable('PROBE_INTERVAL_SECONDS')} --timeout ${requiredVariable('PROBE_TIMEOUT_SECONDS')} --threshold 3`,
      'az network application-gateway settings update -g rg --gateway-name appgw -n tcp-a --probe tcp-a-probe',
    ]);
  });

  it('a slow TCP backend on a custom probe: probe update, as for HTTP (the interval, 30 s, stays above the timeout)', () => {
    const p = resolved(tcpSettings, probe({ name: 'tcp-probe', protocol: 'Tcp', host: undefined }));
    expect(fix(p, 'probe-timeout')).toEqual([
      `az network application-gateway probe update -g rg --gateway-name appgw -n tcp-probe --timeout ${requiredVariable('PROBE_TIMEOUT_SECONDS')}`,
    ]);
  });
});
