/**
 * Issue 14 (at most 2 requests a gateway): the configuration a gateway's listing gave (ARM's list pages
 * carry the whole resource) stands for the GET of it. The real ARM adapters against the emulator: the
 * listing by createArmGatewayDirectory, the reading by checkGateway. The insights are the same either
 * way; the GET is made only when the listed configuration cannot explain a finding (a setting added
 * since the listing), and then its answer is what the insight shows.
 */
import { createArmBackendHealthReader } from '../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createArmGatewayConfigReader } from '../../src/adapters/arm/gateway-config-reader';
import { createArmGatewayDirectory } from '../../src/adapters/arm/gateway-directory';
import { gatewayKey, parseGatewayId, parseTarget, type Target } from '../../src/core/arm-id';
import { readGatewayConfig, type GatewayConfig } from '../../src/core/gateway-config';
import { DEFAULT_UNHEALTHY_STATES } from '../../src/core/health';
import type { GatewayRef } from '../../src/core/model';
import { loadDefaultScenario, startEmulator, type RunningEmulator } from '../../src/emulator';
import { checkGateway } from '../../src/pipeline/check-gateway';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { seedArticle } from '../helpers/memory/run-dependencies';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function clients(running: RunningEmulator) {
  return createArmClientFactory({
    endpoint: running.url,
    caCertFile: running.caCertFile,
    credential: 'development',
    maxRetries: 0,
  });
}

/** Every configuration the subscription's listing gave (gatewayKey → configuration, as read). */
async function listed(
  running: RunningEmulator,
  subscription = SUB,
): Promise<ReadonlyMap<string, GatewayConfig>> {
  const configurations = new Map<string, GatewayConfig>();
  await createArmGatewayDirectory(clients(running)).listGateways(
    parseTarget(`/subscriptions/${subscription}`) as Target,
    {
      keepConfigurations: async (page) => {
        for (const [key, resource] of page) {
          const read = readGatewayConfig(resource);
          if (read.ok) configurations.set(key, read.config);
        }
      },
    },
  );
  return configurations;
}

async function check(
  running: RunningEmulator,
  id: string,
  listedConfiguration?: () => Promise<GatewayConfig | undefined>,
) {
  const clientFor = clients(running);
  return checkGateway(parseGatewayId(id) as GatewayRef, {
    reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 }),
    configReader: createArmGatewayConfigReader(clientFor),
    ...(listedConfiguration ? { listedConfiguration } : {}),
    clock: { now: () => new Date('2026-11-30T10:00:00Z') },
    article: seedArticle,
    unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    gatewayTimeoutInMs: 30_000,
  });
}

const gatewayGets = () =>
  (emulator?.requests ?? []).filter(
    (r) => r.method === 'GET' && /\/applicationGateways\/[^/]+$/i.test(r.path),
  ).length;

const markdowns = (outcome: Awaited<ReturnType<typeof check>>) => outcome.insights.map((i) => i.markdown);

describe('the configuration a listing gave stands for the GET', () => {
  it('every gateway of the default scenario: the same insights and report as with the GET, and no GET', async () => {
    const scenario = await loadDefaultScenario();
    emulator = await startEmulator({ scenario });
    const ids = scenario.gateways.map((g) => g.id);
    const subscriptions = new Set(ids.map((id) => (parseGatewayId(id) as GatewayRef).subscriptionId));
    const configurations = new Map<string, GatewayConfig>();
    for (const subscription of subscriptions)
      for (const [key, config] of await listed(emulator, subscription)) configurations.set(key, config);
    expect(ids.length).toBeGreaterThan(1);
    const before = gatewayGets();
    // Side by side (each operation waits its Retry-After): by the GET, then by the listing.
    const byGet = await Promise.all(ids.map((id) => check(emulator!, id)));
    expect(gatewayGets() - before).toBeGreaterThan(0);
    const afterGets = gatewayGets();
    const byListing = await Promise.all(
      ids.map((id) => check(emulator!, id, async () => configurations.get(gatewayKey(id)))),
    );
    expect(gatewayGets()).toBe(afterGets);
    ids.forEach((id, i) => {
      expect(configurations.has(gatewayKey(id))).toBe(true);
      expect(markdowns(byListing[i]!)).toEqual(markdowns(byGet[i]!));
      expect({ ...byListing[i]!.report, durationInMs: 0 }).toEqual({ ...byGet[i]!.report, durationInMs: 0 });
    });
    const withFindings = byGet.filter((outcome) => outcome.insights.length > 0).length;
    // The case the GET was for: gateways with findings, their probes' values in the insights.
    expect(withFindings).toBeGreaterThan(0);
  });

  const down = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };

  it('a finding the listed configuration cannot explain (its setting added since): one GET, whose values the insight shows', async () => {
    emulator = await startEmulator({ scenario: { gateways: [gateway('gw', [down])] } as never });
    const current = (await listed(emulator)).get(gatewayKey(gatewayId('gw')));
    if (!current) throw new Error('the listing gave no configuration');
    const stale: GatewayConfig = { ...current, settings: [] };
    const outcome = await check(emulator, gatewayId('gw'), async () => stale);
    expect(gatewayGets()).toBe(1);
    expect(outcome.insights[0]?.finding.configuration).toEqual(expect.objectContaining({ read: true }));
    expect(markdowns(outcome)).toEqual(markdowns(await check(emulator, gatewayId('gw'))));
  });

  it('no listed configuration (none kept, or not read back): the GET', async () => {
    emulator = await startEmulator({ scenario: { gateways: [gateway('gw', [down])] } as never });
    const outcome = await check(emulator, gatewayId('gw'), async () => undefined);
    expect(gatewayGets()).toBe(1);
    expect(outcome.insights[0]?.finding.configuration).toEqual(expect.objectContaining({ read: true }));
  });

  it('a gateway without findings makes no GET: only the listed configuration is asked (whether the reading covers it)', async () => {
    const up = { address: '10.0.0.4', health: 'Healthy' };
    emulator = await startEmulator({ scenario: { gateways: [gateway('gw', [up])] } as never });
    const asked = jest.fn(async () => undefined);
    const outcome = await check(emulator, gatewayId('gw'), asked);
    expect(outcome.report.ok).toBe(true);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(gatewayGets()).toBe(0);
  });
});

// A new-user trial: ARM answered one reading with `{"backendAddressPools":[]}`; the gateway was shown
// green with 0 servers (summary, report.json, status page) while a server of it was down.
describe('a reading short of the pools the configuration routes to', () => {
  const up = (address: string) => ({ address, health: 'Healthy' });
  const twoPools = (faults: unknown[] = []) => {
    const id = gatewayId('gw');
    const base = gateway('gw', [up('10.0.0.4')]);
    const pools = (base.backendHealth as { backendAddressPools: unknown[] }).backendAddressPools;
    return {
      ...base,
      backendHealth: {
        backendAddressPools: [
          ...pools,
          {
            backendAddressPool: { id: `${id}/backendAddressPools/pool-b` },
            backendHttpSettingsCollection: [
              {
                backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-b` },
                servers: [up('10.0.1.4')],
              },
            ],
          },
        ],
      },
      faults,
    };
  };
  const poolB = (id: string) => ({
    backendAddressPool: { id: `${id}/backendAddressPools/pool-b` },
    backendHttpSettingsCollection: [
      {
        backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-b` },
        servers: [up('10.0.1.4')],
      },
    ],
  });
  /** poolB with its one server down (a finding). */
  const poolBDown = (id: string) => ({
    ...poolB(id),
    backendHttpSettingsCollection: [
      {
        ...poolB(id).backendHttpSettingsCollection[0],
        servers: [{ address: '10.0.1.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }],
      },
    ],
  });

  it.each<[string, (id: string) => string, string[]]>([
    ['no pools at all', () => '{"backendAddressPools":[]}', ['pool-a', 'pool-b']],
    ['one pool of two', (id) => JSON.stringify({ backendAddressPools: [poolB(id)] }), ['pool-a']],
  ])(
    'a reading with %s: the pools it lacked are named in the report, with no GET',
    async (_, body, missing) => {
      const id = gatewayId('gw');
      emulator = await startEmulator({
        scenario: { gateways: [twoPools([{ on: 'backendHealth', text: body(id), times: 1 }])] } as never,
      });
      const configuration = (await listed(emulator)).get(gatewayKey(id));
      const outcome = await check(emulator, id, async () => configuration);
      expect(outcome.report).toMatchObject({ ok: true, poolsNotRead: missing });
      expect(gatewayGets()).toBe(0);
      // Read whole the next time: nothing said.
      const whole = await check(emulator, id, async () => configuration);
      expect(whole.report.poolsNotRead).toBeUndefined();
      expect(whole.report.servers).toBe(2);
    },
  );

  // A break trial: with a gateway named by id (or Resource Graph's discovery) no configuration is at
  // hand, and an empty answer was still a green gateway with 0 servers.
  it('without a listed configuration, a reading that lists no server: one GET, and the pools it lacked are named', async () => {
    const id = gatewayId('gw');
    emulator = await startEmulator({
      scenario: {
        gateways: [twoPools([{ on: 'backendHealth', text: '{"backendAddressPools":[]}', times: 1 }])],
      } as never,
    });
    const outcome = await check(emulator, id);
    expect(outcome.report.poolsNotRead).toEqual(['pool-a', 'pool-b']);
    expect(gatewayGets()).toBe(1);
    // A whole reading, healthy, costs no GET.
    const whole = await check(emulator, id);
    expect(whole.report.poolsNotRead).toBeUndefined();
    expect(gatewayGets()).toBe(1);
  });

  /** The emulator with twoPools, whose first reading lists no server, and whose GET answers `get`. */
  const emptyReadingAnd = (get: { status?: number; text?: string }) =>
    startEmulator({
      scenario: {
        gateways: [
          twoPools([
            { on: 'backendHealth', text: '{"backendAddressPools":[]}', times: 1 },
            { on: 'get', ...get, times: 9 },
          ]),
        ],
      } as never,
    });

  // The second trial: when that GET failed the gateway was green again (0 servers, exit 0).
  it.each<[string, number, boolean]>([
    ['answers 500', 500, true],
    ['is refused (403)', 403, false],
  ])(
    'a reading that lists no server, and the GET %s: a failed reading, saying why (never green)',
    async (_, status, retryable) => {
      const id = gatewayId('gw');
      emulator = await emptyReadingAnd({ status });
      const outcome = await check(emulator, id);
      expect(outcome.report).toMatchObject({
        ok: false,
        error: {
          code: 'BackendHealthUnavailable',
          retryable,
          message: expect.stringMatching(
            /ARM's backend health listed no server, and the gateway's configuration could not be read to tell whether it routes to any/,
          ),
        },
      });
      expect(outcome.listed).toBeUndefined();
    },
  );

  it('without a listed configuration, a reading that lists servers but not every pool: no GET here (notify asks, when it has an episode there)', async () => {
    const id = gatewayId('gw');
    emulator = await startEmulator({
      scenario: {
        gateways: [
          twoPools([
            { on: 'backendHealth', text: JSON.stringify({ backendAddressPools: [poolB(id)] }), times: 1 },
          ]),
        ],
      } as never,
    });
    const outcome = await check(emulator, id);
    expect(outcome.report.poolsNotRead).toBeUndefined();
    expect(gatewayGets()).toBe(0);
  });

  // A new-user trial: a gateway named by id whose reading listed pool-a with no server (its member down,
  // unread) was green, with no finding, no episode and no word of it.
  const listedEmpty: Array<[string, (id: string) => unknown]> = [
    [
      'servers: []',
      (id) => ({
        backendAddressPool: { id: `${id}/backendAddressPools/pool-a` },
        backendHttpSettingsCollection: [
          { backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-a` }, servers: [] },
        ],
      }),
    ],
    [
      'no settings',
      (id) => ({
        backendAddressPool: { id: `${id}/backendAddressPools/pool-a` },
        backendHttpSettingsCollection: [],
      }),
    ],
  ];
  const withPoolAEmpty = (id: string, empty: (id: string) => unknown) =>
    JSON.stringify({ backendAddressPools: [empty(id), poolB(id)] });

  it.each(listedEmpty)(
    'without a listed configuration, a reading that lists pool-a with %s beside servers of pool-b: one GET, and pool-a is named',
    async (_, empty) => {
      const id = gatewayId('gw');
      emulator = await startEmulator({
        scenario: {
          gateways: [twoPools([{ on: 'backendHealth', text: withPoolAEmpty(id, empty), times: 1 }])],
        } as never,
      });
      const outcome = await check(emulator, id);
      expect(outcome.report).toMatchObject({ ok: true, servers: 1, poolsNotRead: ['pool-a'] });
      expect(outcome.report.configuration).toBeUndefined();
      expect(gatewayGets()).toBe(1);
      // Read whole the next time: nothing said, no GET.
      const whole = await check(emulator, id);
      expect(whole.report.poolsNotRead).toBeUndefined();
      expect(gatewayGets()).toBe(1);
    },
  );

  it('a pool without members, listed with no server: the GET tells it apart, and nothing is said', async () => {
    const id = gatewayId('gw');
    const base = twoPools();
    const placeholder = {
      ...base,
      backendHealth: JSON.parse(withPoolAEmpty(id, listedEmpty[0]![1])) as unknown,
    };
    emulator = await startEmulator({ scenario: { gateways: [placeholder] } as never });
    const outcome = await check(emulator, id);
    expect(outcome.report).toMatchObject({ ok: true, servers: 1 });
    expect(outcome.report.poolsNotRead).toBeUndefined();
    expect(gatewayGets()).toBe(1);
  });

  it.each<[string, number, string]>([
    ['answers 500', 500, 'unavailable'],
    ['is refused (403)', 403, 'forbidden'],
  ])(
    'a reading that lists pool-a with no server beside servers of pool-b, and the GET %s: what it lists is read, pool-a is named as not read, and the configuration says why',
    async (_, status, reason) => {
      const id = gatewayId('gw');
      emulator = await startEmulator({
        scenario: {
          gateways: [
            twoPools([
              { on: 'backendHealth', text: withPoolAEmpty(id, listedEmpty[0]![1]), times: 1 },
              { on: 'get', status, times: 9 },
            ]),
          ],
        } as never,
      });
      const outcome = await check(emulator, id);
      expect(outcome.report).toMatchObject({
        ok: true,
        servers: 1,
        poolsNotRead: ['pool-a'],
        configuration: {
          read: false,
          reason,
          generalSteps: 0,
          message: expect.stringContaining('taken as not read'),
        },
      });
    },
  );

  // A break trial: a GET that answered a gateway without routing rules (or without pools) read as "no
  // pool routed", and an empty reading was green again.
  const shortResource = (id: string, properties: Record<string, unknown>) =>
    JSON.stringify({
      id,
      name: 'gw',
      properties: { sku: { name: 'Standard_v2', tier: 'Standard_v2' }, ...properties },
    });
  const withoutRules = {
    backendAddressPools: [{ name: 'pool-a', properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }] } }],
    backendHttpSettingsCollection: [{ name: 'settings-a', properties: { port: 80, protocol: 'Http' } }],
  };
  it.each<[string, Record<string, unknown>]>([
    ['no routing rule', withoutRules],
    ['no pool, no settings, no rule', {}],
  ])(
    'the GET answers a gateway with %s: an empty reading is a failed one, a short one names its empty pools (never green)',
    async (_, properties) => {
      const id = gatewayId('gw');
      emulator = await startEmulator({
        scenario: {
          gateways: [
            twoPools([
              { on: 'backendHealth', text: '{"backendAddressPools":[]}', times: 1 },
              { on: 'backendHealth', text: withPoolAEmpty(id, listedEmpty[0]![1]), times: 1 },
              { on: 'get', text: shortResource(id, properties), times: 9 },
            ]),
          ],
        } as never,
      });
      const empty = await check(emulator, id);
      expect(empty.report).toMatchObject({
        ok: false,
        error: {
          code: 'BackendHealthUnavailable',
          message: expect.stringContaining('not the whole resource'),
        },
      });
      const short = await check(emulator, id);
      expect(short.report).toMatchObject({
        ok: true,
        servers: 1,
        poolsNotRead: ['pool-a'],
        configuration: { read: false, reason: 'invalid' },
      });
    },
  );

  // A new-user trial's MED: a GET answer whose pools carry no `backendAddresses` read as empty pools, and
  // a reading that listed no server was green (ARM sends `[]` for a pool without members).
  const routedResource = (id: string, poolProperties: Record<string, unknown>) =>
    shortResource(id, {
      backendAddressPools: ['pool-a', 'pool-b'].map((name) => ({ name, properties: poolProperties })),
      backendHttpSettingsCollection: ['settings-a', 'settings-b'].map((name) => ({
        name,
        properties: { port: 80, protocol: 'Http' },
      })),
      requestRoutingRules: ['a', 'b'].map((x) => ({
        name: `rule-${x}`,
        properties: {
          ruleType: 'Basic',
          backendAddressPool: { id: `${id}/backendAddressPools/pool-${x}` },
          backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-${x}` },
        },
      })),
    });
  it.each<[string, Record<string, unknown>, string[] | undefined]>([
    ['carry no backendAddresses: the pools are named as not read (never green)', {}, ['pool-a', 'pool-b']],
    [
      'carry an address entry without an address: named alike',
      { backendAddresses: [{}] },
      ['pool-a', 'pool-b'],
    ],
    ['are empty ([]): nothing to read, nothing said', { backendAddresses: [] }, undefined],
  ])('a reading that lists no server, and the GET answers pools that %s', async (_, pool, missing) => {
    const id = gatewayId('gw');
    emulator = await emptyReadingAnd({ text: routedResource(id, pool) });
    const outcome = await check(emulator, id);
    expect(gatewayGets()).toBe(1);
    expect(outcome.report).toMatchObject({ ok: true, servers: 0 });
    expect(outcome.report.poolsNotRead).toEqual(missing);
  });

  // A trial: findings joined to a GET answer without rules, pools or settings read "not in the
  // gateway's configuration" (exit 3, exact-looking advice) where the answer said nothing.
  it.each<[string, Record<string, unknown>]>([
    ['no routing rule', withoutRules],
    ['no pool, no settings, no rule', {}],
  ])(
    'a finding, and the GET answers a gateway with %s: the configuration is not read (general steps), never "not in the configuration"',
    async (_, properties) => {
      const id = gatewayId('gw');
      emulator = await startEmulator({
        scenario: {
          gateways: [
            twoPools([
              {
                on: 'backendHealth',
                text: JSON.stringify({ backendAddressPools: [poolBDown(id)] }),
                times: 1,
              },
              { on: 'get', text: shortResource(id, properties), times: 9 },
            ]),
          ],
        } as never,
      });
      const outcome = await check(emulator, id);
      expect(gatewayGets()).toBe(1);
      expect(outcome.report.configuration).toMatchObject({
        read: false,
        reason: 'invalid',
        message: expect.stringContaining('not the whole resource'),
      });
      expect(outcome.report.findings[0]?.generalSteps?.because).toMatch(/not the whole resource/);
      expect(JSON.stringify(outcome.report.findings)).not.toMatch(/not in the gateway's configuration/);
    },
  );

  it('a finding, a pool listed with no server, and the GET fails: asked once, not again for the coverage', async () => {
    const id = gatewayId('gw');
    emulator = await startEmulator({
      scenario: {
        gateways: [
          twoPools([
            {
              on: 'backendHealth',
              text: JSON.stringify({ backendAddressPools: [listedEmpty[0]![1](id), poolBDown(id)] }),
              times: 1,
            },
            { on: 'get', status: 500, times: 9 },
          ]),
        ],
      } as never,
    });
    const outcome = await check(emulator, id);
    expect(gatewayGets()).toBe(1);
    expect(outcome.insights).toHaveLength(1);
    expect(outcome.report).toMatchObject({ poolsNotRead: ['pool-a'], configuration: { read: false } });
  });

  it('a finding the listed configuration cannot explain, and the GET fails: the listing still tells the pools not read', async () => {
    const id = gatewayId('gw');
    const bad = twoPools([
      { on: 'backendHealth', text: JSON.stringify({ backendAddressPools: [poolBDown(id)] }), times: 1 },
      { on: 'get', status: 500, times: 9 },
    ]);
    emulator = await startEmulator({ scenario: { gateways: [bad] } as never });
    const current = (await listed(emulator)).get(gatewayKey(id));
    if (!current) throw new Error('the listing gave no configuration');
    // The listing is older than settings-b: it cannot explain the finding, so the GET is asked (and fails).
    const stale: GatewayConfig = {
      ...current,
      settings: current.settings.filter((x) => x.name !== 'settings-b'),
    };
    const outcome = await check(emulator, id, async () => stale);
    expect(gatewayGets()).toBeGreaterThan(0);
    expect(outcome.report.configuration).toMatchObject({ read: false });
    expect(outcome.report.poolsNotRead).toEqual(['pool-a']);
  });
});
