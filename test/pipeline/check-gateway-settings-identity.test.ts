/**
 * Which backend setting a finding is under, end to end (issue 17, item 2): backend health names a
 * setting by its ARM id, and an HTTP setting (`backendHttpSettingsCollection`) and a TCP/TLS proxy
 * setting (`backendSettingsCollection`) may share a name. The emulator serves both, the real ARM adapters
 * read backend health and the gateway, and each finding's insight must show its own setting's protocol,
 * probe and commands: by id, never by name alone. Also: a probe named like a setting, and ids whose case
 * differs between backend health and the gateway resource (ARM ids are case-insensitive).
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

const ID = gatewayId('gw-same-name');
const entry = (collection: string, name: string, address: string, log: string) => ({
  backendHttpSettings: { id: `${ID}/${collection}/${name}` },
  servers: [{ address, health: 'Unhealthy', healthProbeLog: log }],
});
const BACKEND_HEALTH = {
  backendAddressPools: [
    {
      backendAddressPool: { id: `${ID}/backendAddressPools/pool-a` },
      backendHttpSettingsCollection: [
        entry(
          'backendSettingsCollection',
          'shared',
          'db.contoso.internal',
          'Invalid certificate - Invalid CA.',
        ),
        entry(
          'backendHttpSettingsCollection',
          'shared',
          '10.0.0.6',
          "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:404.",
        ),
      ],
    },
  ],
};
/** One HTTP and one TLS setting called "shared"; the HTTP one's probe is called "shared" too. */
const CONFIGURATION = {
  probes: [{ name: 'shared', protocol: 'Http', host: 'www.contoso.com', path: '/health' }],
  backendHttpSettings: [{ name: 'shared', protocol: 'Http', port: 8080, probe: 'shared' }],
  backendSettings: [{ name: 'shared', protocol: 'Tls', port: 6380, pickHostNameFromBackendAddress: true }],
};

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function insightsOf(scenario: ScenarioInput) {
  emulator = await startEmulator({ scenario: scenario as never });
  const clientFor = createArmClientFactory({
    endpoint: emulator.url,
    caCertFile: emulator.caCertFile,
    credential: 'development',
    maxRetries: 0,
  });
  const outcome = await checkGateway(parseGatewayId(ID) as GatewayRef, {
    reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 }),
    configReader: createArmGatewayConfigReader(clientFor),
    clock: { now: () => new Date('2026-11-30T10:00:00Z') },
    article: seedArticle,
    unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    gatewayTimeoutInMs: 30_000,
  });
  expect(outcome.report.ok).toBe(true);
  return { outcome, byAddress: new Map(outcome.insights.map((i) => [i.finding.address, i])) };
}

const scenario = (extra: Record<string, unknown> = {}): ScenarioInput =>
  ({
    gateways: [
      {
        id: ID,
        location: 'westeurope',
        lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
        backendHealth: BACKEND_HEALTH,
        configuration: CONFIGURATION,
        ...extra,
      },
    ],
  }) as never;

function expectEachItsOwn(byAddress: Awaited<ReturnType<typeof insightsOf>>['byAddress']) {
  const tls = byAddress.get('db.contoso.internal');
  const tlsConfig = tls?.finding.configuration;
  expect(tlsConfig?.read && tlsConfig.probe).toMatchObject({
    protocol: 'tls',
    port: 6380,
    settings: { layer4: true },
  });
  expect(tlsConfig?.read && tlsConfig.probe.probe).toBeUndefined(); // the TLS setting has the default probe
  const tlsMd = tls?.markdown ?? '';
  expect(tlsMd).toContain('openssl s_client -connect db.contoso.internal:6380');
  expect(tlsMd).toContain('az network application-gateway settings update');
  expect(tlsMd).not.toContain('http-settings');
  expect(tlsMd).not.toContain('curl -i');

  const http = byAddress.get('10.0.0.6');
  const httpConfig = http?.finding.configuration;
  expect(httpConfig?.read && httpConfig.probe).toMatchObject({
    protocol: 'http',
    port: 8080,
    path: '/health',
    host: 'www.contoso.com',
    probe: { name: 'shared' },
  });
  expect(httpConfig?.read && httpConfig.probe.settings.layer4).toBeUndefined();
  expect(http?.markdown ?? '').toContain('curl -i');
  expect(http?.markdown ?? '').not.toContain('openssl s_client');
}

describe('an HTTP setting and a TCP/TLS setting with the same name', () => {
  it('the emulator serves both, each in its own collection', async () => {
    await insightsOf(scenario());
    const read = await createArmGatewayConfigReader(
      createArmClientFactory({
        endpoint: emulator?.url ?? '',
        caCertFile: emulator?.caCertFile ?? '',
        credential: 'development',
        maxRetries: 0,
      }),
    ).getGatewayConfig(parseGatewayId(ID) as GatewayRef);
    if (!read.ok) throw new Error(read.detail);
    expect(read.config.settings.map((s) => [s.name, s.layer4 === true, s.protocol])).toEqual(
      expect.arrayContaining([
        ['shared', false, 'Http'],
        ['shared', true, 'Tls'],
      ]),
    );
  });

  it("each finding resolves to the setting its id names: the TLS one's handshake and settings update, the HTTP one's probe and curl", async () => {
    const { byAddress } = await insightsOf(scenario());
    expect(byAddress.get('db.contoso.internal')?.finding.backendSettingsId).toBe(
      `${ID}/backendSettingsCollection/shared`,
    );
    expectEachItsOwn(byAddress);
  });

  it('ids whose case differs between backend health and the gateway resource still match (ARM ids are case-insensitive)', async () => {
    // The gateway resource as the emulator serves it, every id in upper case (the body's stay as they are).
    emulator = await startEmulator({ scenario: scenario() as never });
    const served = await fetchGatewayText(emulator);
    await emulator.close();
    const shouted = JSON.parse(served, (key, value) =>
      key === 'id' && typeof value === 'string' ? value.toUpperCase() : value,
    );
    const { byAddress } = await insightsOf(
      scenario({ faults: [{ on: 'get', text: JSON.stringify(shouted) }] }),
    );
    expectEachItsOwn(byAddress);
  });
});

/** The gateway resource's text as the emulator's GET serves it (through the real client's TLS). */
async function fetchGatewayText(running: RunningEmulator): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const https = await import('node:https');
  const ca = await readFile(running.caCertFile, 'utf8');
  const url = new URL(`${ID}?api-version=2026-01-01`, running.url);
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { authorization: 'Bearer emulator' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
}
