/**
 * The TCP/TLS proxy's own backend settings (`properties.backendSettingsCollection`, REST spec
 * `ApplicationGatewayBackendSettingsPropertiesFormat`), end to end: the emulator serves a scenario's
 * `configuration.backendSettings` and `routingRules`, the real ARM adapters read backend health (whose
 * settings entries name `…/backendSettingsCollection/…` ids) and the gateway, and each finding's
 * insight shows its TCP or TLS probe: a connect (`nc -vz`) or handshake (`openssl s_client`)
 * reproduction, no HTTP path, status or Host header, and `az network application-gateway settings`,
 * not `http-settings`. The HTTP setting beside them keeps its curl and `http-settings` (the case that
 * does not trigger).
 */
import { createArmBackendHealthReader } from '../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createArmGatewayConfigReader } from '../../src/adapters/arm/gateway-config-reader';
import { DEFAULT_UNHEALTHY_STATES } from '../../src/core/health';
import { parseGatewayId } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { checkGateway } from '../../src/pipeline/check-gateway';
import { gatewayId } from '../helpers/scenario-builder';
import { seedArticle } from '../helpers/memory/run-dependencies';

const ID = gatewayId('gw-l4');
const settingsEntry = (collection: string, name: string, address: string, log: string) => ({
  backendHttpSettings: { id: `${ID}/${collection}/${name}` },
  servers: [{ address, health: 'Unhealthy', healthProbeLog: log }],
});

const SCENARIO: ScenarioInput = {
  gateways: [
    {
      id: ID,
      location: 'westeurope',
      lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
      backendHealth: {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${ID}/backendAddressPools/pool-a` },
            backendHttpSettingsCollection: [
              settingsEntry(
                'backendSettingsCollection',
                'tcp-a',
                '10.0.0.4',
                "Application Gateway can't connect to the backend.",
              ),
              settingsEntry(
                'backendSettingsCollection',
                'tls-a',
                'db.contoso.internal',
                'Invalid certificate - Invalid CA.',
              ),
              settingsEntry(
                'backendHttpSettingsCollection',
                'http-a',
                '10.0.0.6',
                "Application Gateway can't connect to the backend.",
              ),
            ],
          },
        ],
      },
      configuration: {
        probes: [{ name: 'tcp-probe', protocol: 'Tcp', interval: 20, timeout: 20 }],
        backendSettings: [
          { name: 'tcp-a', protocol: 'Tcp', port: 5432, probe: 'tcp-probe', timeout: 30 },
          { name: 'tls-a', protocol: 'Tls', port: 6380, pickHostNameFromBackendAddress: true },
        ],
      },
    },
  ],
} as never;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ scenario: SCENARIO as never });
});
afterAll(() => emulator.close());

function clientFor() {
  return createArmClientFactory({
    endpoint: emulator.url,
    caCertFile: emulator.caCertFile,
    credential: 'development',
    maxRetries: 0,
  });
}

async function insights() {
  const outcome = await checkGateway(parseGatewayId(ID) as GatewayRef, {
    reader: createArmBackendHealthReader(clientFor(), { pollIntervalInMs: 10 }),
    configReader: createArmGatewayConfigReader(clientFor()),
    clock: { now: () => new Date('2026-11-30T10:00:00Z') },
    article: seedArticle,
    unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    gatewayTimeoutInMs: 30_000,
  });
  expect(outcome.report.ok).toBe(true);
  return new Map(outcome.insights.map((i) => [i.finding.backendSettings, i]));
}

describe('the emulator serves the TCP/TLS proxy settings, and our reader reads them', () => {
  it('backendSettingsCollection with each field, routingRules pairing them with the pool', async () => {
    const read = await createArmGatewayConfigReader(clientFor()).getGatewayConfig(
      parseGatewayId(ID) as GatewayRef,
    );
    if (!read.ok) throw new Error(read.detail);
    const byName = new Map(read.config.settings.map((s) => [s.name, s]));
    expect(byName.get('tcp-a')).toMatchObject({
      layer4: true,
      protocol: 'Tcp',
      port: 5432,
      probeName: 'tcp-probe',
      connectionTimeoutInS: 30,
    });
    expect(byName.get('tls-a')).toMatchObject({
      layer4: true,
      protocol: 'Tls',
      port: 6380,
      pickHostNameFromBackendAddress: true,
    });
    expect(byName.get('http-a')?.layer4).toBeUndefined();
    expect(read.config.pairs).toEqual(
      expect.arrayContaining([
        { pool: 'pool-a', settings: 'tcp-a' },
        { pool: 'pool-a', settings: 'tls-a' },
        { pool: 'pool-a', settings: 'http-a' },
      ]),
    );
  });
});

describe("each finding's insight shows its TCP or TLS probe", () => {
  it('TCP: the probe and setting resolved, an nc connect, no HTTP request, no curl', async () => {
    const insight = (await insights()).get('tcp-a');
    expect(insight?.finding.configuration?.read).toBe(true);
    const md = insight?.markdown ?? '';
    expect(md).toContain('Probe "tcp-probe"');
    expect(md).toMatch(/nc -vz -w 20 10\.0\.0\.4 5432/);
    expect(md).not.toContain('curl -i');
    expect(md).not.toContain('Host:');
    expect(md).not.toContain('200-399');
    expect(md).not.toContain('http-settings');
  });

  it('TLS: a handshake with the backend address as SNI; the missing trusted root fixed with settings update', async () => {
    const insight = (await insights()).get('tls-a');
    expect(insight?.finding.configuration?.read).toBe(true);
    const md = insight?.markdown ?? '';
    expect(md).toContain(
      'openssl s_client -connect db.contoso.internal:6380 -servername db.contoso.internal',
    );
    expect(md).not.toContain('curl -i');
    expect(md).not.toContain('Host:');
    expect(md).toContain('Backend setting "tls-a" has no trusted root certificate');
    // The new root is named after the setting, from the reader's file (issue 17: no made-up name).
    expect(md).toContain(
      'az network application-gateway root-cert create -g rg-test --gateway-name gw-l4 -n tls-a-root --cert-file "${ROOT_CERT_FILE:?',
    );
    expect(md).toContain(
      'az network application-gateway settings update -g rg-test --gateway-name gw-l4 -n tls-a --root-certs tls-a-root',
    );
    expect(md).not.toContain('http-settings');
  });

  it('the HTTP setting beside them keeps its curl (the case that does not trigger)', async () => {
    const md = (await insights()).get('http-a')?.markdown ?? '';
    expect(md).toMatch(/curl -i --max-time 30 .*10\.0\.0\.6/);
  });
});
