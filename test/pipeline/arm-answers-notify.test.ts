/**
 * Issue 11's kind, end to end (emulator → runOnce → notify state on disk → a loopback webhook receiver):
 * an ARM answer that is not ARM's own complete shape, read too kindly, would make a gateway or a server
 * look gone and send `recovered`. Each one here is a failed read instead: the target or the gateway is
 * reported failed, nothing is sent, and the episode stays open (a real recovery later is sent, once).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runOnce } from '../../src/app/run-once';
import { parseConfig } from '../../src/config/load';
import { startEmulator, type ScenarioInput } from '../../src/emulator';
import { silentLogger } from '../../src/pipeline/logger';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import { emulatorArm } from '../helpers/emulator-settings';
import { settledReport } from '../helpers/run-outcome';
import { OTHER_SUB, SUB, gateway, gatewayId, type ServerSpec } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

type GatewayInput = ScenarioInput['gateways'][number];
type Fault = NonNullable<GatewayInput['faults']>[number];

const bad: ServerSpec = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const healthy: ServerSpec = {
  address: '10.0.0.4',
  health: 'Healthy',
  healthProbeLog: 'Success. Received 200 status code',
};
const GW1 = gatewayId('gw1');
const POOL = `${GW1}/backendAddressPools/pool-a`;
const SETTINGS = `${GW1}/backendHttpSettingsCollection/settings-a`;
const SUBSCRIPTION = `/subscriptions/${SUB}`;
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-test`;

const entry = (id: string) => ({
  id,
  name: id.slice(id.lastIndexOf('/') + 1),
  type: 'Microsoft.Network/applicationGateways',
});
const text = (value: unknown) => JSON.stringify(value);
/** gw1's backend-health body with `servers`, as ARM sends it. */
const body = (servers: unknown[]) => ({
  backendAddressPools: [
    {
      backendAddressPool: { id: POOL },
      backendHttpSettingsCollection: [{ backendHttpSettings: { id: SETTINGS }, servers }],
    },
  ],
});

/** 59 healthy gateways before gw1 in rg-test, so gw1 is on the second page of a listing (ARM pages 50). */
const fillers: GatewayInput[] = Array.from({ length: 59 }, (_, i) =>
  gateway(`gw-${String(i).padStart(2, '0')}`, [healthy], { lro: { polls: 0 } }),
);
const firstPage = () => fillers.slice(0, 50).map((g) => entry(g.id));

describe('no false "recovered" from ARM answers read too kindly (emulator → runOnce → notify → receiver)', () => {
  let receiver: WebhookReceiver;
  let state: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    state = await mkdtemp(path.join(os.tmpdir(), 'appgw-armstrict-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(state, { recursive: true, force: true });
  });

  async function run(gateways: GatewayInput[], targets: string[]): Promise<RunReport> {
    const emulator = await startEmulator({ scenario: { gateways } as never });
    try {
      const config = parseConfig({
        targets,
        arm: emulatorArm(emulator),
        sinks: {
          dir: path.join(state, 'out'),
          webhooks: [
            {
              name: 'ops',
              url: receiver.url('/hook'),
              format: 'json',
              grouping: 'server',
              maxAttempts: 1,
              timeoutInMs: 2000,
            },
          ],
        },
        state: { dir: path.join(state, 'notify') },
      });
      return settledReport(await runOnce(config, { logger: silentLogger }));
    } finally {
      await emulator.close();
    }
  }
  const events = (from = 0) =>
    receiver.requests.slice(from).map((r) => {
      const event = JSON.parse(r.body) as {
        type: string;
        server: { address: string };
        gateway: { name: string };
      };
      return `${event.type} ${event.gateway.name} ${event.server.address}`;
    });

  /** Run 1: gw1's server is bad (degraded). Run 2: `broken`. Run 3: healthy again (recovered, once). */
  async function episode(
    broken: GatewayInput[],
    targets: string[],
    before: GatewayInput[] = [],
  ): Promise<RunReport> {
    await run([...before, gateway('gw1', [bad])], targets);
    expect(events()).toEqual(['degraded gw1 10.0.0.4']);

    const report = await run(broken, targets);
    expect(events(1)).toEqual([]); // nothing sent: above all, no recovered
    expect(runSucceeded(report)).toBe(false);

    await run([...before, gateway('gw1', [healthy])], targets);
    expect(events(1)).toEqual(['recovered gw1 10.0.0.4']); // the episode was intact
    return report;
  }

  // The gateway LIST answered 200 with what is not a complete listing of the scope.
  it.each<[string, string, string[]?]>([
    [
      'an entry without an id (the reviewer\'s {"value":[{"name":"gw1"}]})',
      text({ value: [{ name: 'gw1' }] }),
    ],
    ['{}', '{}'],
    ['{"value":null}', '{"value":null}'],
    ['{"value":{}}', '{"value":{}}'],
    ['a null entry', text({ value: [null] })],
    [
      'an id that is not an application gateway',
      text({ value: [{ id: GW1.replace('applicationGateways', 'virtualNetworks'), name: 'gw1' }] }),
    ],
    ['an id of another subscription', text({ value: [entry(gatewayId('gw1', 'rg-test', OTHER_SUB))] })],
    [
      'an id of another resource group (a resource-group target)',
      text({ value: [entry(gatewayId('gw1', 'rg-other'))] }),
      [GROUP],
    ],
    [
      'a type that is not an application gateway',
      text({ value: [{ ...entry(GW1), type: 'Microsoft.Network/virtualNetworks' }] }),
    ],
    ['a gateway listed twice', text({ value: [entry(gatewayId('gw2')), entry(gatewayId('gw2'))] })],
    ['"NextLink" in place of "nextLink"', text({ value: [], NextLink: 'https://127.0.0.1/next' })],
    ['an empty nextLink', text({ value: [], nextLink: '' })],
    ['text that is not JSON', '{"value":['],
    ['an empty body', ''],
  ])(
    'a list page with %s: TargetListUnavailable, no recovered',
    async (_name, page, targets = [SUBSCRIPTION]) => {
      const report = await episode(
        [gateway('gw1', [bad], { faults: [{ on: 'list', text: page }] }), gateway('gw2', [healthy])],
        targets,
      );
      expect(report.targets).toEqual([
        expect.objectContaining({
          ok: false,
          error: expect.objectContaining({ code: 'TargetListUnavailable' }),
        }),
      ]);
      expect(report.gateways).toEqual([]);
    },
  );

  // 60 gateways in rg-test: gw1 is on the second page. The first page is good, the nextLink page is not.
  it.each<[string, () => Fault]>([
    ['{}', () => ({ on: 'list', page: 2, text: '{}' })],
    ['an entry without an id', () => ({ on: 'list', page: 2, text: text({ value: [{ name: 'gw1' }] }) })],
    [
      'the first page again, without a nextLink (pages that overlap)',
      () => ({ on: 'list', page: 2, text: text({ value: firstPage() }) }),
    ],
    ['a 500', () => ({ on: 'list', page: 2, status: 500, times: 3 })],
  ])(
    'a nextLink page with %s after a good first page: TargetListUnavailable, no recovered',
    async (_name, fault) => {
      const report = await episode(
        [...fillers.slice(0, 59), gateway('gw1', [bad], { faults: [fault()] })],
        [GROUP],
        fillers,
      );
      expect(report.targets).toEqual([
        expect.objectContaining({
          ok: false,
          error: expect.objectContaining({ code: 'TargetListUnavailable' }),
        }),
      ]);
    },
    30_000,
  );

  // The backend-health operation answered 200 with what is not ARM's own backend-health read.
  it.each<[string, unknown]>([
    ['{"value":{"backendAddressPools":[]}}', { value: { backendAddressPools: [] } }],
    ['[{"backendAddressPools":[]}]', [{ backendAddressPools: [] }]],
    [
      '{"responses":{"200":{"body":{"backendAddressPools":[]}}}}',
      { responses: { '200': { body: { backendAddressPools: [] } } } },
    ],
    [
      '{"Content":"{\\"backendAddressPools\\":[]}","StatusCode":200}',
      { Content: '{"backendAddressPools":[]}', StatusCode: 200 },
    ],
    ['{"properties":{"backendAddressPools":[]}}', { properties: { backendAddressPools: [] } }],
    ['the body as a JSON string', text({ backendAddressPools: [] })],
    ['{"backendAddressPoolsText":"[]"}', { backendAddressPoolsText: '[]' }],
    [
      'servers as {"value":[],"Count":0}',
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: POOL },
            backendHttpSettingsCollection: [
              { backendHttpSettings: { id: SETTINGS }, servers: { value: [], Count: 0 } },
            ],
          },
        ],
      },
    ],
    [
      'the server without its address (it would be "(unknown address)")',
      body([{ health: 'Unhealthy', healthProbeLog: 'TCP connect error' }]),
    ],
    ['the server without its health', body([{ address: '10.0.0.4' }])],
    [
      'the pool entry without backendAddressPool (it would be "(unnamed)")',
      {
        backendAddressPools: [
          { backendHttpSettingsCollection: [{ backendHttpSettings: { id: SETTINGS }, servers: [bad] }] },
        ],
      },
    ],
    [
      'the settings entry without backendHttpSettings',
      {
        backendAddressPools: [
          { backendAddressPool: { id: POOL }, backendHttpSettingsCollection: [{ servers: [bad] }] },
        ],
      },
    ],
    [
      "the pool's $expand name other than its id's",
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: POOL, name: 'pool-b' },
            backendHttpSettingsCollection: [{ backendHttpSettings: { id: SETTINGS }, servers: [bad] }],
          },
        ],
      },
    ],
  ])('a backend-health answer %s: BackendHealthUnavailable, no recovered', async (_name, answer) => {
    const report = await episode(
      [gateway('gw1', [bad], { faults: [{ on: 'backendHealth', text: text(answer) }] })],
      [SUBSCRIPTION],
    );
    expect(report.gateways).toEqual([
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({ code: 'BackendHealthUnavailable' }),
      }),
    ]);
  });

  it('a gateway really gone from a good listing still recovers (what the failures above must not imitate)', async () => {
    await run([gateway('gw1', [bad]), gateway('gw2', [healthy])], [SUBSCRIPTION]);
    const report = await run([gateway('gw2', [healthy])], [SUBSCRIPTION]);
    expect(runSucceeded(report)).toBe(true);
    expect(events(1)).toEqual(['recovered gw1 10.0.0.4']);
  });
});
