/** The scenario contract: validation messages that name the field, defaults, files, the shipped default. */
import { NetworkManagementClient } from '@azure/arm-network';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SAVED_ENCODINGS, encodeAs } from '../helpers/encodings';
import { ScenarioError } from '../../src/errors';
import {
  defaultScenarioPath,
  loadDefaultScenario,
  loadScenarioFile,
  parseScenario,
} from '../../src/emulator';
import { gateway, gatewayId, healthBody, issuesOf, useEmulators } from './helpers';

const ok = () => gateway('rg', 'appgw');
const withGateway = (patch: Record<string, unknown>) => ({ gateways: [{ ...ok(), ...patch }] });
const server0 =
  'gateways[0].backendHealth.backendAddressPools[0].backendHttpSettingsCollection[0].servers[0]';

describe('parseScenario rejects bad scenarios, naming the field by path', () => {
  const badPoolBody = healthBody(ok().id);
  const pool0 = badPoolBody.backendAddressPools[0];
  if (pool0) pool0.backendAddressPool.id = `${gatewayId('rg', 'other')}/backendAddressPools/pool-a`;
  const badPool = { ...ok(), backendHealth: badPoolBody };
  const numericHealth = healthBody(ok().id);
  const server = numericHealth.backendAddressPools[0]?.backendHttpSettingsCollection[0]?.servers[0];
  if (server) (server as { health: unknown }).health = 2;

  it.each<[string, unknown, string]>([
    [
      'negative polls',
      { gateways: [ok(), gateway('rg', 'b'), gateway('rg', 'c', { lro: { polls: -1 } })] },
      'gateways[2].lro.polls: expected a whole number >= 0',
    ],
    [
      'fractional polls',
      withGateway({ lro: { polls: 1.5 } }),
      'gateways[0].lro.polls: expected a whole number >= 0',
    ],
    [
      'an id that is not a gateway',
      withGateway({
        id: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
      }),
      'gateways[0].id: not an application gateway ARM id ("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"',
    ],
    [
      'ids equal but for case',
      {
        gateways: [
          ok(),
          { ...ok(), id: ok().id.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/') },
        ],
      },
      'gateways[1].id: duplicate of gateways[0].id',
    ],
    [
      'a negative runsForMs',
      withGateway({ lro: { runsForMs: -1 } }),
      'gateways[0].lro.runsForMs: expected a whole number >= 0',
    ],
    [
      'a retryAfterSeconds as text',
      withGateway({ lro: { retryAfterSeconds: '1' } }),
      'gateways[0].lro.retryAfterSeconds: expected a whole number >= 0',
    ],
    [
      'an unknown lro style',
      withGateway({ lro: { style: 'polling' } }),
      'gateways[0].lro.style: expected one of "location", "azure-async-operation"',
    ],
    [
      'a fault status that is not an error',
      withGateway({ faults: [{ on: 'get', status: 200 }] }),
      'gateways[0].faults[0].status: expected a whole number from 400 to 599',
    ],
    [
      'an unknown fault target',
      withGateway({ faults: [{ on: 'delete', status: 500 }] }),
      'gateways[0].faults[0].on: expected one of "backendHealth", "poll", "list", "get"',
    ],
    [
      'an unknown onDemand answer',
      withGateway({ onDemand: 'fixed' }),
      'gateways[0].onDemand: expected one of "as-reported", "healthy"',
    ],
    [
      'zero fault times',
      withGateway({ faults: [{ on: 'get', status: 500, times: 0 }] }),
      'gateways[0].faults[0].times',
    ],
    [
      'a missing backendHealth',
      withGateway({ backendHealth: undefined }),
      'gateways[0].backendHealth: required',
    ],
    [
      'a server health given as a number',
      withGateway({ backendHealth: numericHealth }),
      `${server0}.health: expected a health string`,
    ],
    [
      'a body without backendAddressPools',
      withGateway({ backendHealth: {} }),
      'gateways[0].backendHealth: expected the backend-health body',
    ],
    [
      'a pool without its HTTP settings collection',
      withGateway({ backendHealth: { backendAddressPools: [{}] } }),
      'gateways[0].backendHealth.backendAddressPools[0].backendHttpSettingsCollection: expected an array of HTTP settings entries, found nothing',
    ],
    [
      "PowerShell output cut at ConvertTo-Json's default depth",
      withGateway({
        backendHealth: {
          BackendAddressPools: [
            {
              BackendAddressPool:
                'Microsoft.Azure.Commands.Network.Models.PSApplicationGatewayBackendAddressPool',
              BackendHttpSettingsCollection: [],
            },
          ],
        },
      }),
      'gateways[0].backendHealth.BackendAddressPools[0].BackendAddressPool: expected an object {"id": …}, found the .NET type name',
    ],
    [
      'a fault with both status and body',
      withGateway({ faults: [{ on: 'backendHealth', status: 500, body: 'truncated' }] }),
      'gateways[0].faults[0]: give one of "status" (an error answer), "body" (a broken 200 answer), "text" (the exact 200 answer) or "connection" (no answer)',
    ],
    [
      'a fault with both status and connection',
      withGateway({ faults: [{ on: 'poll', status: 500, connection: 'reset' }] }),
      'gateways[0].faults[0]: give one of "status"',
    ],
    [
      'a connection fault with a Retry-After',
      withGateway({ faults: [{ on: 'list', connection: 'hang', retryAfterSeconds: 1 }] }),
      'gateways[0].faults[0].retryAfterSeconds: only with "status" (an error answer)',
    ],
    [
      'an unknown connection fault',
      withGateway({ faults: [{ on: 'list', connection: 'refuse' }] }),
      'gateways[0].faults[0].connection: expected one of "reset", "hang"',
    ],
    [
      'a fault with both status and text',
      withGateway({ faults: [{ on: 'list', status: 500, text: '{}' }] }),
      'gateways[0].faults[0]: give one of "status" (an error answer), "body" (a broken 200 answer), "text" (the exact 200 answer) or "connection" (no answer)',
    ],
    [
      'a text fault on a poll',
      withGateway({ faults: [{ on: 'poll', text: '{}' }] }),
      'gateways[0].faults[0].on: text replaces the backend-health answer, the gateway resource or a list page',
    ],
    [
      'a page on a backend-health fault',
      withGateway({ faults: [{ on: 'backendHealth', status: 500, page: 2 }] }),
      'gateways[0].faults[0].page: only with "on": "list"',
    ],
    [
      'a page 0',
      withGateway({ faults: [{ on: 'list', status: 500, page: 0 }] }),
      'gateways[0].faults[0].page: expected a whole number >= 1',
    ],
    [
      'a Retry-After on a text fault',
      withGateway({ faults: [{ on: 'list', text: '{}', retryAfterSeconds: 1 }] }),
      'gateways[0].faults[0].retryAfterSeconds: only with "status" (an error answer)',
    ],
    [
      'a body fault on a list',
      withGateway({ faults: [{ on: 'list', body: 'empty-object' }] }),
      'gateways[0].faults[0].on: body faults break the backend-health answer',
    ],
    [
      'an unknown body fault',
      withGateway({ faults: [{ on: 'backendHealth', body: 'garbled' }] }),
      'gateways[0].faults[0].body: expected one of "malformed", "truncated"',
    ],
    [
      'a slow body without delayMs',
      withGateway({ faults: [{ on: 'backendHealth', body: 'slow' }] }),
      'gateways[0].faults[0].delayMs: required with "body": "slow"',
    ],
    [
      'a pool id of another gateway',
      { gateways: [badPool] },
      `gateways[0].backendHealth.backendAddressPools[0].backendAddressPool.id: expected "${ok().id}/backendAddressPools/<name>"`,
    ],
    ['an unknown field', withGateway({ delay: 5 }), 'gateways[0].delay: unknown field'],
    [
      'a delay given as text',
      withGateway({ delayMs: '100' }),
      'gateways[0].delayMs: expected a whole number >= 0',
    ],
    ['no gateways', { gateways: [] }, 'gateways: expected at least one gateway'],
    [
      'an empty accepted token',
      { gateways: [ok()], auth: { acceptTokens: [''] } },
      'auth.acceptTokens[0]: expected a non-empty string',
    ],
    ['not an object', null, '(root): expected object, got null'],
    [
      'a settings probe that is not among the probes',
      withGateway({ configuration: { backendHttpSettings: [{ name: 's', probe: 'nope' }] } }),
      'gateways[0].configuration.backendHttpSettings[0].probe: no probe "nope" in configuration.probes',
    ],
    [
      'a TCP/TLS setting whose probe is not among the probes',
      withGateway({ configuration: { backendSettings: [{ name: 's', probe: 'nope' }] } }),
      'gateways[0].configuration.backendSettings[0].probe: no probe "nope" in configuration.probes',
    ],
    [
      'two TCP/TLS settings of one name (in any case)',
      withGateway({ configuration: { backendSettings: [{ name: 's' }, { name: 'S' }] } }),
      'gateways[0].configuration.backendSettings[1].name: duplicate of gateways[0].configuration.backendSettings[0].name',
    ],
    [
      'a TCP/TLS setting with an HTTP protocol (that is backendHttpSettings)',
      withGateway({ configuration: { backendSettings: [{ name: 's', protocol: 'Http' }] } }),
      'gateways[0].configuration.backendSettings[0].protocol: expected one of',
    ],
    [
      'two probes of one name (in any case)',
      withGateway({ configuration: { probes: [{ name: 'p' }, { name: 'P' }] } }),
      'gateways[0].configuration.probes[1].name: duplicate of gateways[0].configuration.probes[0].name',
    ],
    [
      'a probe timeout out of range',
      withGateway({ configuration: { probes: [{ name: 'p', timeout: 0 }] } }),
      'gateways[0].configuration.probes[0].timeout: expected a whole number from 1 to 86400',
    ],
    [
      'an SKU ARM does not have',
      withGateway({ configuration: { sku: { name: 'Premium' } } }),
      'gateways[0].configuration.sku.name: expected one of',
    ],
    [
      'an unknown configuration field',
      withGateway({ configuration: { listeners: [] } }),
      'gateways[0].configuration.listeners: unknown field',
    ],
  ])('%s', (_name, json, expected) => {
    const escaped = expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(issuesOf(json)).toContainEqual(expect.stringMatching(new RegExp(`^${escaped}`)));
  });

  /**
   * ARM's naming rule for a gateway's children (core/arm-name.ts): the emulator serves each name as the
   * last segment of an id, which ARM never makes of a name it refuses (a `/` would even make another id).
   */
  describe('child names ARM refuses', () => {
    const RULE = 'is not a name a gateway can have: 1 to 80 characters';
    const bodyWith = (pool: string, settings: string) => {
      const body = healthBody(ok().id);
      const [first] = body.backendAddressPools;
      if (first) {
        first.backendAddressPool.id = `${ok().id}/backendAddressPools/${pool}`;
        const [entry] = first.backendHttpSettingsCollection;
        if (entry) entry.backendHttpSettings.id = `${ok().id}/backendHttpSettingsCollection/${settings}`;
      }
      return withGateway({ backendHealth: body });
    };
    it.each<[string, unknown, string]>([
      [
        'a probe name with a slash',
        withGateway({ configuration: { probes: [{ name: 'health/probe' }] } }),
        `gateways[0].configuration.probes[0].name: probe "health/probe" ${RULE}`,
      ],
      [
        'a probe name ending in a period',
        withGateway({ configuration: { probes: [{ name: 'probe.' }] } }),
        `gateways[0].configuration.probes[0].name: probe "probe." ${RULE}`,
      ],
      [
        'an HTTP setting name with a space',
        withGateway({ configuration: { backendHttpSettings: [{ name: 'web settings' }] } }),
        `gateways[0].configuration.backendHttpSettings[0].name: backend setting "web settings" ${RULE}`,
      ],
      [
        'a TCP/TLS setting name starting with a hyphen',
        withGateway({ configuration: { backendSettings: [{ name: '-l4' }] } }),
        `gateways[0].configuration.backendSettings[0].name: backend setting "-l4" ${RULE}`,
      ],
      [
        "a setting's probe reference with a slash",
        withGateway({
          configuration: { probes: [{ name: 'a/b' }], backendHttpSettings: [{ name: 's', probe: 'a/b' }] },
        }),
        `gateways[0].configuration.backendHttpSettings[0].probe: probe "a/b" ${RULE}`,
      ],
      [
        'a trusted root certificate name with a slash',
        withGateway({
          configuration: { backendSettings: [{ name: 's', trustedRootCertificates: ['root/1'] }] },
        }),
        `gateways[0].configuration.backendSettings[0].trustedRootCertificates[0]: trusted root certificate "root/1" ${RULE}`,
      ],
      [
        'an authentication certificate name with a control character',
        withGateway({
          configuration: { backendHttpSettings: [{ name: 's', authenticationCertificates: ['c\u001b'] }] },
        }),
        `gateways[0].configuration.backendHttpSettings[0].authenticationCertificates[0]: authentication certificate "c\\u001b" ${RULE}`,
      ],
      [
        'a pool the body names with a character ARM refuses',
        bodyWith('pool$a', 'settings-a'),
        `gateways[0].backendHealth.backendAddressPools[0].backendAddressPool.id: backend pool "pool$a" ${RULE}`,
      ],
      [
        'a setting the body names with a space',
        bodyWith('pool-a', 'settings a'),
        `gateways[0].backendHealth.backendAddressPools[0].backendHttpSettingsCollection[0].backendHttpSettings.id: backend setting "settings a" ${RULE}`,
      ],
    ])('%s', (_name, json, expected) => {
      expect(issuesOf(json)).toContainEqual(expect.stringContaining(expected));
    });

    it.each([
      ['one character', 'p'],
      ['80 characters', `p${'x'.repeat(78)}_`],
      ['periods, hyphens and underscores inside', 'web_probe-1.v2'],
    ])('accepts a name the rule allows: %s', (_, name) => {
      expect(() =>
        parseScenario(
          withGateway({
            configuration: {
              probes: [{ name }],
              backendHttpSettings: [{ name, probe: name, trustedRootCertificates: [name] }],
              backendSettings: [{ name }],
            },
          }),
        ),
      ).not.toThrow();
    });
  });

  it('lists every problem at once, in a ScenarioError whose message names the source', () => {
    const error = (() => {
      try {
        parseScenario(withGateway({ delayMs: -1, lro: { polls: 'x' } }), 'scenario file demo.json');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ScenarioError);
    expect(error).toMatchObject({ code: 'ScenarioInvalid' });
    const { issues, message } = error as ScenarioError;
    expect(issues).toHaveLength(2);
    expect(message).toContain('Invalid scenario file demo.json:');
    expect(message).toContain('gateways[0].delayMs: expected a whole number >= 0');
    expect(message).toContain('gateways[0].lro.polls: expected a whole number >= 0');
  });
});

describe('parseScenario defaults', () => {
  it('fills lro, faults, delay and location defaults', () => {
    const { id, backendHealth } = ok();
    const [g] = parseScenario({
      gateways: [{ id, backendHealth, faults: [{ on: 'get', status: 500 }] }],
    }).gateways;
    expect(g).toMatchObject({
      location: 'westeurope',
      lro: { polls: 1, retryAfterSeconds: 1, style: 'location', outcome: 'succeeded' },
      faults: [{ on: 'get', status: 500, times: 1 }],
      delayMs: 0,
    });
  });

  it('keeps fields of the health body that it does not model', () => {
    const g = ok();
    const pool = { ...healthBody(g.id).backendAddressPools[0], extra: { kept: true } };
    const [parsed] = parseScenario({
      gateways: [{ ...g, backendHealth: { backendAddressPools: [pool] } }],
    }).gateways;
    expect(parsed?.backendHealth.backendAddressPools?.[0]).toMatchObject({ extra: { kept: true } });
  });

  it('reads the body as ARM, az and PowerShell print it: any key case, nulls, entries without references', () => {
    const id = ok().id;
    const [parsed] = parseScenario({
      gateways: [
        {
          id,
          backendHealth: {
            BackendAddressPools: [
              {
                BackendAddressPool: { Id: `${id}/backendAddressPools/web`, Name: null, Etag: null },
                BackendHttpSettingsCollection: [
                  { Servers: [{ Address: '10.0.0.4', Health: 'Unhealthy', HealthProbeLog: null }] },
                ],
              },
            ],
          },
        },
      ],
    }).gateways;
    expect(parsed?.backendHealth).toEqual({
      backendAddressPools: [
        {
          backendAddressPool: { id: `${id}/backendAddressPools/web`, Etag: null },
          backendHttpSettingsCollection: [{ servers: [{ address: '10.0.0.4', health: 'Unhealthy' }] }],
        },
      ],
    });
  });

  it('a parsed scenario parses again to itself (startEmulator re-validates what it is given)', async () => {
    const scenario = await loadDefaultScenario();
    expect(parseScenario(scenario)).toEqual(scenario);
  });
});

describe('loadScenarioFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'scenario-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the file when the JSON is invalid', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{ "gateways": [ }');
    const error = await loadScenarioFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toContain(`Invalid scenario file ${file}:`);
    expect((error as ScenarioError).issues[0]).toMatch(/^the file is not valid JSON: /);
  });

  it('names the file when it cannot be read', async () => {
    const file = path.join(dir, 'missing.json');
    await expect(loadScenarioFile(file)).rejects.toThrow(
      `Invalid scenario file ${file}: the file does not exist (ENOENT)`,
    );
  });

  it('names the file and the field when the content is invalid', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(withGateway({ delayMs: -5 })));
    await expect(loadScenarioFile(file)).rejects.toThrow(/bad\.json: gateways\[0\]\.delayMs: expected/);
  });
});

describe('loadScenarioFile: a scenario as Windows and Linux save it', () => {
  it.each(SAVED_ENCODINGS)('reads a scenario saved as %s', async (encoding) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'scenario-enc-'));
    try {
      const file = path.join(dir, 'saved.json');
      const text = JSON.stringify(withGateway({ location: 'Zürich Nord ✓' }), null, 2).replace(/\n/g, '\r\n');
      await writeFile(file, encodeAs(text, encoding));
      const scenario = await loadScenarioFile(file);
      expect(scenario.gateways[0]?.location).toBe('Zürich Nord ✓');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a Windows-1252 scenario in one line, naming the file and what to do', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'scenario-enc-'));
    try {
      const file = path.join(dir, 'ansi.json');
      await writeFile(file, Buffer.from(JSON.stringify(withGateway({ location: 'Z\xfcrich' })), 'latin1'));
      const message = await loadScenarioFile(file).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(message).toMatch(
        /^Invalid scenario file .*ansi\.json: the file is not UTF-8 text \(byte 0xFC at offset \d+, line 1\): save it as UTF-8$/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the shipped default scenario', () => {
  const start = useEmulators();

  it('lives in src/emulator/scenarios and validates', async () => {
    expect(path.isAbsolute(defaultScenarioPath)).toBe(true);
    expect(defaultScenarioPath).toBe(path.resolve(__dirname, '../../src/emulator/scenarios/default.json'));
    const scenario = await loadScenarioFile(defaultScenarioPath);
    expect(scenario.gateways.length).toBeGreaterThanOrEqual(3);
    expect(scenario.gateways.length).toBeLessThanOrEqual(4);
  });

  it('covers both health vocabularies, FQDNs, an empty pool, real probe logs and a quick demo', async () => {
    const scenario = await loadDefaultScenario();
    const pools = scenario.gateways.flatMap((g) => g.backendHealth.backendAddressPools ?? []);
    const servers = pools.flatMap((p) =>
      (p.backendHttpSettingsCollection ?? []).flatMap((s) => s.servers ?? []),
    );
    const states = new Set(servers.map((s) => s.health));
    for (const state of ['Up', 'Healthy', 'Down', 'Unhealthy', 'Unknown', 'Partial', 'Draining']) {
      expect([state, states.has(state)]).toEqual([state, true]);
    }
    expect(new Set(scenario.gateways.map((g) => g.id.split('/')[4])).size).toBeGreaterThanOrEqual(2);
    expect(
      scenario.gateways.every((g) => g.id.startsWith('/subscriptions/00000000-0000-0000-0000-000000000000/')),
    ).toBe(true);
    expect(pools.some((p) => p.backendHttpSettingsCollection?.length === 0)).toBe(true);
    expect(pools.map((p) => p.backendAddressPool?.id?.split('/').pop())).toEqual(
      expect.arrayContaining(['MFAnalyticsPool', 'MFPool']),
    );
    const addresses = servers.map((s) => s.address ?? '');
    expect(addresses.some((a) => /^[a-z][\w-]*(\.[\w-]+)+$/i.test(a) && !/^\d/.test(a))).toBe(true);
    expect(addresses.some((a) => a.startsWith('10.220.1.'))).toBe(true);
    const logs = servers.map((s) => s.healthProbeLog ?? '').join('\n');
    for (const phrase of [
      'Success. Received 200 status code',
      'more than the timeout threshold',
      'could not create a probe for this backend',
      'could not connect to the backend',
      "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:401",
      'not signed by a well-known Certificate Authority',
      'Common Name of the leaf certificate',
    ]) {
      expect(logs).toContain(phrase);
    }
    expect(scenario.gateways.some((g) => g.lro.style === 'azure-async-operation')).toBe(true);
    for (const g of scenario.gateways) {
      expect(g.lro.retryAfterSeconds).toBe(1);
      expect([1, 2]).toContain(g.lro.polls);
      expect(g.delayMs).toBe(0);
      expect(g.faults).toEqual([]);
    }
  });

  it('serves every gateway through the SDK', async () => {
    const scenario = await loadDefaultScenario();
    const emulator = await start(scenario);
    const credential = {
      getToken: async () => ({ token: 'dev', expiresOnTimestamp: Date.now() + 3600_000 }),
    };
    const client = new NetworkManagementClient(credential, '00000000-0000-0000-0000-000000000000', {
      endpoint: emulator.url,
      tlsOptions: { ca: emulator.caCertPem },
    });
    const listed: string[] = [];
    for await (const gw of client.applicationGateways.listAll()) listed.push(gw.id ?? '');
    const bodies = await Promise.all(
      scenario.gateways.map((g) => {
        const [, , , , rg = '', , , , name = ''] = g.id.split('/');
        return client.applicationGateways.backendHealth(rg, name);
      }),
    );

    expect(listed).toEqual(scenario.gateways.map((g) => g.id));
    expect(bodies).toEqual(scenario.gateways.map((g) => g.backendHealth));
    // How fast is the scenario's business (its polls: asserted above), not this test's: no clock here.
  }, 60_000);
});
