/** The one reader of backend-health bodies: every shape real tools print, and what ARM never sends. */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  describeBodyProblems,
  readBackendHealthBody,
  type BackendHealthRead,
} from '../../src/core/backend-health-body';
import { listServers } from '../../src/core/evaluate';
import { gatewayRef } from '../../src/core/arm-id';
import type { BackendHealthBody } from '../../src/core/model';

const FIXTURES = path.join(__dirname, '../fixtures/backend-health');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

const GW =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shop/providers/Microsoft.Network/applicationGateways/appgw-shop';
const gateway = gatewayRef('00000000-0000-0000-0000-000000000000', 'rg-shop', 'appgw-shop');

const server = (address: string, health: string, healthProbeLog?: string) => ({
  address,
  health,
  ...(healthProbeLog === undefined ? {} : { healthProbeLog }),
});
/** A camelCase ARM body with one pool / settings holding `servers`. */
const armBody = (servers: unknown[]): Record<string, unknown> => ({
  backendAddressPools: [
    {
      backendAddressPool: { id: `${GW}/backendAddressPools/web-pool` },
      backendHttpSettingsCollection: [
        { backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/web-https` }, servers },
      ],
    },
  ],
});

function ok(read: BackendHealthRead): { body: BackendHealthBody; gatewayIds: readonly string[] } {
  if (!read.ok)
    throw new Error(`expected the body to be read, got:\n${describeBodyProblems(read.problems).join('\n')}`);
  return read;
}
function problems(read: BackendHealthRead): string[] {
  if (read.ok) throw new Error('expected problems, the body was read');
  return describeBodyProblems(read.problems);
}
/** server key → health, the way the evaluator and the notifier see a body. */
const servers = (body: BackendHealthBody) => Object.fromEntries(listServers(gateway, body));

/** Only the fields we model (what the evaluator can see), for comparing readings of one body. */
function modelled(body: BackendHealthBody): BackendHealthBody {
  const ref = (r: { id?: string; name?: string } | null | undefined) =>
    r
      ? { ...(r.id !== undefined ? { id: r.id } : {}), ...(r.name !== undefined ? { name: r.name } : {}) }
      : undefined;
  return {
    backendAddressPools: (body.backendAddressPools ?? []).map((p) => ({
      ...(p.backendAddressPool ? { backendAddressPool: ref(p.backendAddressPool) } : {}),
      backendHttpSettingsCollection: (p.backendHttpSettingsCollection ?? []).map((s) => ({
        ...(s.backendHttpSettings ? { backendHttpSettings: ref(s.backendHttpSettings) } : {}),
        servers: (s.servers ?? []).map((v) => {
          const { address, health, healthProbeLog, healthProbeErrorName } = v;
          return JSON.parse(JSON.stringify({ address, health, healthProbeLog, healthProbeErrorName }));
        }),
      })),
    })),
  } as BackendHealthBody;
}

describe('readBackendHealthBody: bodies as real tools print them (fixtures, sources in their README)', () => {
  it('the REST spec example file: the body under responses.200.body, the gateway named by its ids', () => {
    const read = ok(readBackendHealthBody(fixture('rest-spec-example-2026-01-01.json')));
    expect(read.body.backendAddressPools).toHaveLength(2);
    expect(read.gatewayIds).toEqual([
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/applicationGateways/appgw',
    ]);
    expect(Object.values(servers(read.body))).toEqual(['Up', 'Up', 'Up']);
  });

  it('az CLI output whose pool and settings entries lack backendAddressPool / backendHttpSettings (Azure Spring Apps docs)', () => {
    const read = ok(readBackendHealthBody(fixture('az-cli-spring-apps-docs.json')));
    const pool = read.body.backendAddressPools?.[0];
    expect(pool?.backendAddressPool).toBeUndefined();
    expect(pool?.backendHttpSettingsCollection?.[0]?.backendHttpSettings).toBeUndefined();
    expect(pool?.backendHttpSettingsCollection?.[0]?.servers?.[0]).toEqual({
      address: 'my-azure-spring-apps-hello-vnet.private.azuremicroservices.io',
      health: 'Healthy',
      healthProbeLog: 'Success. Received 200 status code',
    });
    expect(read.gatewayIds).toEqual([]);
    expect(Object.keys(servers(read.body))).toEqual([
      expect.stringContaining('|(unnamed)|(unnamed)|my-azure-spring-apps-hello-vnet'),
    ]);
  });

  it('az CLI output with resourceGroup beside each id: kept, and the gateway is found', () => {
    const read = ok(readBackendHealthBody(fixture('az-cli-vijayrod-demo.json')));
    expect(read.body.backendAddressPools?.[0]?.backendAddressPool).toMatchObject({
      resourceGroup: 'myResourceGroupAG',
    });
    expect(read.gatewayIds).toEqual([
      '/subscriptions/dummys-1111-1111-1111-111111111111/resourceGroups/myResourceGroupAG/providers/Microsoft.Network/applicationGateways/myAppGateway',
    ]);
  });

  it('az CLI output with every SDK attribute as null: null is absent for our fields, other nulls kept', () => {
    const read = ok(readBackendHealthBody(fixture('az-cli-null-fields.json')));
    const pool = read.body.backendAddressPools?.[0];
    expect(pool?.backendAddressPool).toEqual({
      id: `${GW}/backendAddressPools/web-pool`,
      backendAddresses: null,
      backendIpConfigurations: null,
      etag: null,
      provisioningState: null,
      resourceGroup: 'rg-shop',
      type: null,
    });
    const [healthy, down] = pool?.backendHttpSettingsCollection?.[0]?.servers ?? [];
    expect(healthy).toEqual({
      address: '10.1.0.4',
      health: 'Healthy',
      healthProbeLog: 'Success. Received 200 status code',
    });
    expect(down).toEqual({ address: '10.1.0.5', health: 'Unhealthy' });
  });

  it('PowerShell 7 ConvertTo-Json -Depth 10: PascalCase read as camelCase, the model properties kept', () => {
    const read = ok(readBackendHealthBody(fixture('ps7-convertto-json-depth10.json')));
    expect(modelled(read.body)).toEqual(
      modelled({
        backendAddressPools: [
          {
            backendAddressPool: { id: `${GW}/backendAddressPools/web-pool` },
            backendHttpSettingsCollection: [
              {
                backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/web-https` },
                servers: [server('10.1.0.4', 'Healthy'), server('10.1.0.5', 'Unhealthy')],
              },
            ],
          },
          {
            backendAddressPool: { id: `${GW}/backendAddressPools/unused-pool` },
            backendHttpSettingsCollection: [],
          },
        ],
      }),
    );
    expect(read.body.backendAddressPools?.[0]?.backendAddressPool).toMatchObject({
      BackendAddresses: [],
      Etag: null,
    });
    expect(read.gatewayIds).toEqual([GW]);
  });

  it('Windows PowerShell 5.1 ConvertTo-Json at its default depth: the truncated tree is recovered from its *Text copies', () => {
    const truncated = ok(readBackendHealthBody(fixture('ps51-convertto-json-default-depth.json')));
    const full = ok(readBackendHealthBody(fixture('ps7-convertto-json-depth10.json')));
    expect(modelled(truncated.body)).toEqual(modelled(full.body));
    expect(servers(truncated.body)).toEqual(servers(full.body));
    // The display copies are not served back as fields of their own.
    expect(JSON.stringify(truncated.body)).not.toMatch(/Text"/);
  });

  it('PowerShell 7 ConvertTo-Json at its default depth: says to re-run with -Depth 10, once', () => {
    const found = problems(readBackendHealthBody(fixture('ps7-convertto-json-default-depth.json')));
    const depth = found.filter((p) => p.includes('-Depth 10'));
    expect(depth).toHaveLength(1);
    expect(depth[0]).toMatch(
      /^BackendAddressPools\[0\]\.BackendAddressPool: expected an object \{"id": …\}, found the \.NET type name "Microsoft\.Azure\.Commands\.Network\.Models\.PSApplicationGatewayBackendAddressPool": PowerShell's ConvertTo-Json stopped at its default depth \(2\)/,
    );
  });

  it('Invoke-AzRestMethod -WaitForCompletion | ConvertTo-Json: the body in Content, healthProbeErrorName carried', () => {
    const read = ok(readBackendHealthBody(fixture('invoke-azrestmethod-response.json')));
    expect(
      read.body.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers?.[0],
    ).toMatchObject({
      health: 'Unhealthy',
      healthProbeErrorName: 'BackendServerTimeout',
    });
  });

  it("Invoke-AzRestMethod without -WaitForCompletion: ARM's 202, with what to do", () => {
    expect(problems(readBackendHealthBody(fixture('invoke-azrestmethod-202.json')))).toEqual([
      expect.stringMatching(/^\(root\): .*found ARM's 202 Accepted answer .*-WaitForCompletion/),
    ]);
  });

  it("PowerShell's BackendAddressPoolsText (a bare array of pools): says to wrap it, and wrapped it reads", () => {
    const text = fixture('ps-troubleshooting-guide-pools-text.json');
    expect(problems(readBackendHealthBody(text))).toEqual([
      expect.stringMatching(
        /found a bare array of 1 pool entries .*wrap it as \{"backendAddressPools": \[…\]\}/,
      ),
    ]);
    const read = ok(readBackendHealthBody({ BackendAddressPools: text }));
    expect(Object.values(servers(read.body))).toEqual(['Healthy', 'Unhealthy']);
  });
});

describe('readBackendHealthBody: every optional field may be absent or null, keys in any case', () => {
  const base = armBody([server('10.0.0.4', 'Down', 'TCP connect error')]);
  it.each<[string, unknown, (body: BackendHealthBody) => void]>([
    [
      '"healthProbeLog": null',
      armBody([{ address: '10.0.0.4', health: 'Down', healthProbeLog: null }]),
      (b) =>
        expect(b.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers?.[0]).toEqual(
          server('10.0.0.4', 'Down'),
        ),
    ],
    [
      '"name": null on a pool and a settings reference',
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${GW}/backendAddressPools/p`, name: null },
            backendHttpSettingsCollection: [
              {
                backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/s`, name: null },
                servers: [],
              },
            ],
          },
        ],
      },
      (b) =>
        expect(b.backendAddressPools?.[0]?.backendAddressPool).toEqual({ id: `${GW}/backendAddressPools/p` }),
    ],
    [
      'a pool entry and a settings entry without their references',
      {
        backendAddressPools: [{ backendHttpSettingsCollection: [{ servers: [server('10.0.0.4', 'Down')] }] }],
      },
      (b) =>
        expect(Object.keys(servers(b))).toEqual([expect.stringContaining('|(unnamed)|(unnamed)|10.0.0.4')]),
    ],
    [
      'references given as null',
      {
        backendAddressPools: [
          {
            backendAddressPool: null,
            backendHttpSettingsCollection: [{ backendHttpSettings: null, servers: [] }],
          },
        ],
      },
      (b) => expect(b.backendAddressPools?.[0]).toEqual({ backendHttpSettingsCollection: [{ servers: [] }] }),
    ],
    [
      'a server without address, health or log',
      armBody([{}]),
      (b) => expect(Object.values(servers(b))).toEqual(['']),
    ],
    [
      'an explicit empty list of pools: no servers',
      { backendAddressPools: [] },
      (b) => expect(servers(b)).toEqual({}),
    ],
    [
      'keys in UPPER and Pascal case, and ipConfiguration',
      {
        BACKENDADDRESSPOOLS: [
          {
            BackendAddressPool: { ID: `${GW}/backendAddressPools/p` },
            backendhttpsettingscollection: [
              {
                BackendHttpSettings: { Id: `${GW}/backendHttpSettingsCollection/s` },
                SERVERS: [{ Address: 'a', HEALTH: 'Down', IpConfiguration: { Id: '/nic' } }],
              },
            ],
          },
        ],
      },
      (b) =>
        expect(b).toEqual({
          backendAddressPools: [
            {
              backendAddressPool: { id: `${GW}/backendAddressPools/p` },
              backendHttpSettingsCollection: [
                {
                  backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/s` },
                  servers: [{ address: 'a', health: 'Down', ipConfiguration: { id: '/nic' } }],
                },
              ],
            },
          ],
        }),
    ],
    [
      'unknown fields at every level, kept as they came',
      {
        ...base,
        etag: 'W/"1"',
        backendAddressPools: [{ ...(base.backendAddressPools as object[])[0], Extra: { deep: [1] } }],
      },
      (b) => {
        expect(b).toMatchObject({ etag: 'W/"1"' });
        expect(b.backendAddressPools?.[0]).toMatchObject({ Extra: { deep: [1] } });
      },
    ],
    [
      'Windows PowerShell 5.1 {"value":[…],"Count":n} in place of a list',
      armBody([]).backendAddressPools && {
        backendAddressPools: {
          value: armBody([server('a', 'Down'), server('b', 'Up')]).backendAddressPools as object[],
          Count: 1,
        },
      },
      (b) => expect(Object.values(servers(b))).toEqual(['Down', 'Up']),
    ],
  ])('%s', (_name, input, check) => {
    check(ok(readBackendHealthBody(input)).body);
  });

  it.each<[string, unknown]>([
    ['a one-element array', [base]],
    ['{"value": body, "Count": 1}', { value: base, Count: 1 }],
    ['{"value": [body]}', { value: [base] }],
    [
      'ARM\'s {"properties": …} envelope (an operation result)',
      { id: 'op', status: 'Succeeded', properties: base },
    ],
    ['the body saved as one JSON string', JSON.stringify(base)],
  ])('takes off a wrapper: %s', (_name, input) => {
    expect(ok(readBackendHealthBody(input)).body).toEqual(base);
  });
});

describe('readBackendHealthBody: what ARM never sends is a problem naming its path, what was found and what is expected', () => {
  const pools = '^backendAddressPools\\[0\\]';
  const server0 = `${pools}\\.backendHttpSettingsCollection\\[0\\]\\.servers\\[0\\]`;
  it.each<[string, unknown, string]>([
    [
      '{} (no backendAddressPools: a failed read)',
      {},
      '^\\(root\\): expected the backend-health body, .*found an empty object \\{\\}: ARM lists every pool',
    ],
    ['[]', [], '^\\(root\\): expected the backend-health body, .*found an empty array$'],
    [
      '{"backendAddressPools": null}',
      { backendAddressPools: null },
      '^backendAddressPools: expected an array of pool entries, found null: ARM lists every pool',
    ],
    [
      'a pool without backendHttpSettingsCollection',
      { backendAddressPools: [{ backendAddressPool: { id: `${GW}/backendAddressPools/p` } }] },
      `${pools}\\.backendHttpSettingsCollection: expected an array of HTTP settings entries, found nothing: ARM lists the HTTP settings of every pool`,
    ],
    [
      'settings without servers',
      { backendAddressPools: [{ backendHttpSettingsCollection: [{ servers: null }] }] },
      `${pools}\\.backendHttpSettingsCollection\\[0\\]\\.servers: expected an array of servers, found null`,
    ],
    [
      'a bare array of servers',
      [server('a', 'Down'), server('b', 'Up')],
      '^\\(root\\): .*found a bare array of 2 servers',
    ],
    ['one server', server('a', 'Down'), '^\\(root\\): .*found one server'],
    [
      'a health number (an enum index)',
      armBody([{ address: 'a', health: 1 }]),
      `${server0}\\.health: expected a health string .*found number 1$`,
    ],
    [
      'an address that is an object',
      armBody([{ address: { ip: 'x' }, health: 'Up' }]),
      `${server0}\\.address: expected an address string`,
    ],
    [
      'servers given as one object',
      { backendAddressPools: [{ backendHttpSettingsCollection: [{ servers: server('a', 'Down') }] }] },
      'servers: expected an array of servers, found an object with "address", "health"',
    ],
    [
      'a pool reference given as its id string',
      {
        backendAddressPools: [
          { backendAddressPool: `${GW}/backendAddressPools/p`, backendHttpSettingsCollection: [] },
        ],
      },
      `${pools}\\.backendAddressPool: expected an object \\{"id": …\\}, found string "/subscriptions/`,
    ],
    ['a server that is a string', armBody(['10.0.0.4']), `${server0}: expected a server object`],
    ['null', null, '^\\(root\\): expected the backend-health body, .*found null$'],
    ['a number', 42, 'found number 42$'],
    [
      'an ARM error answer',
      { error: { code: 'InternalServerError', message: 'boom' } },
      'found an ARM error response "InternalServerError": "boom"$',
    ],
    ["two gateways' bodies", [armBody([]), armBody([])], 'found 2 backend-health bodies'],
    [
      'a field twice in different case',
      { backendAddressPools: [], BackendAddressPools: [] },
      '^BackendAddressPools: the field "backendAddressPools" appears twice',
    ],
    ['a string that is not JSON', '{ nope', 'found a string that is not JSON$'],
  ])('%s', (_name, input, expected) => {
    expect(problems(readBackendHealthBody(input))).toContainEqual(
      expect.stringMatching(new RegExp(expected)),
    );
  });

  it('with a gateway id: every pool and settings id present must be under that gateway', () => {
    const other = GW.replace('appgw-shop', 'appgw-other');
    const body = {
      backendAddressPools: [
        {
          backendAddressPool: { Id: `${other}/backendAddressPools/p` },
          backendHttpSettingsCollection: [
            { backendHttpSettings: { id: `${GW}/backendAddressPools/wrong-collection` }, servers: [] },
          ],
        },
        { backendHttpSettingsCollection: [] },
      ],
    };
    expect(problems(readBackendHealthBody(body, { gatewayId: GW }))).toEqual([
      `backendAddressPools[0].backendAddressPool.Id: expected "${GW}/backendAddressPools/<name>", got "${other}/backendAddressPools/p"`,
      `backendAddressPools[0].backendHttpSettingsCollection[0].backendHttpSettings.id: expected "${GW}/backendHttpSettingsCollection/<name>", got "${GW}/backendAddressPools/wrong-collection"`,
    ]);
    expect(ok(readBackendHealthBody(body)).gatewayIds).toEqual([other]);
    // Ids compare case-insensitively, as ARM compares them.
    expect(
      readBackendHealthBody(armBody([]), {
        gatewayId: GW.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'),
      }).ok,
    ).toBe(true);
  });

  it('quotes what it found safely: control and bidi characters escaped, long values cut', () => {
    const [message = ''] = problems(
      readBackendHealthBody(armBody([{ address: 'a', health: ['\u202e\u0007'] }])),
    );
    expect(problems(readBackendHealthBody(`{${'x'.repeat(500)}`))[0]?.length).toBeLessThan(300);
    const found =
      problems(readBackendHealthBody({ backendAddressPools: `\u202eevil\u001b[31m${'y'.repeat(200)}` }))[0] ??
      '';
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(found).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(found).toContain('\\u202e');
    expect(found.length).toBeLessThan(250);
    expect(message).toMatch(/found an array of 1$/);
  });
});

describe('readBackendHealthBody: properties', () => {
  const text = fc.string({ maxLength: 12 });
  const id = (collection: string) =>
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/).map((n) => `${GW}/${collection}/${n}`);
  const reference = (collection: string) =>
    fc.option(
      fc.record({ id: id(collection), name: fc.option(text, { nil: undefined }) }, { requiredKeys: ['id'] }),
      { nil: undefined },
    );
  const serverArb = fc.record(
    {
      address: text,
      health: fc.constantFrom(
        'Healthy',
        'Unhealthy',
        'Unknown',
        'Up',
        'Down',
        'Partial',
        'Draining',
        'weird',
      ),
      healthProbeLog: text,
      healthProbeErrorName: text,
    },
    { requiredKeys: [] },
  );
  const bodyArb: fc.Arbitrary<BackendHealthBody> = fc
    .record({
      backendAddressPools: fc.array(
        fc.record({
          backendAddressPool: reference('backendAddressPools'),
          backendHttpSettingsCollection: fc.array(
            fc.record({
              backendHttpSettings: reference('backendHttpSettingsCollection'),
              servers: fc.array(serverArb, { maxLength: 3 }),
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 3 },
      ),
    })
    .map((b) => JSON.parse(JSON.stringify(b)) as BackendHealthBody);

  const KNOWN = new Set([
    'backendaddresspools',
    'backendaddresspool',
    'backendhttpsettingscollection',
    'backendhttpsettings',
    'servers',
    'address',
    'health',
    'healthprobelog',
    'healthprobeerrorname',
    'ipconfiguration',
    'id',
    'name',
  ]);
  /** The same tree as another tool prints it: keys re-cased, nulls for absent optional fields, extra fields. */
  function reprint(value: unknown, casing: (k: string) => string, nulls: boolean): unknown {
    if (Array.isArray(value)) return value.map((v) => reprint(v, casing, nulls));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[casing(k)] = reprint(v, casing, nulls);
    if (nulls && 'address' in value) out[casing('healthProbeLog')] ??= null;
    if (nulls && 'servers' in value) out[casing('backendHttpSettings')] ??= null;
    if (nulls) out.provisioningStateX = null;
    return out;
  }
  const casings = fc.constantFrom(
    (k: string) => k,
    (k: string) => k[0]!.toUpperCase() + k.slice(1),
    (k: string) => k.toUpperCase(),
  );

  it('any casing, nulls and extra fields read as the same body', () => {
    fc.assert(
      fc.property(bodyArb, casings, fc.boolean(), (body, casing, nulls) => {
        const read = ok(readBackendHealthBody(reprint(body, casing, nulls)));
        expect(modelled(read.body)).toEqual(modelled(body));
        expect(servers(read.body)).toEqual(servers(body));
      }),
    );
  });

  it('reading is idempotent: what it gives back reads as itself (the emulator re-reads what it serves)', () => {
    fc.assert(
      fc.property(bodyArb, casings, fc.boolean(), (body, casing, nulls) => {
        const once = ok(readBackendHealthBody(reprint(body, casing, nulls))).body;
        expect(ok(readBackendHealthBody(once)).body).toEqual(once);
        const keys: string[] = [];
        JSON.stringify(once, (k, v: unknown) => {
          if (KNOWN.has(k.toLowerCase())) keys.push(k);
          return v;
        });
        expect(keys.filter((k) => /^[A-Z]/.test(k))).toEqual([]);
      }),
    );
  });

  it('never throws on any JSON value, and every problem names a path and says what it found', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const read = readBackendHealthBody(value);
        if (!read.ok) {
          expect(read.problems.length).toBeGreaterThan(0);
          for (const line of describeBodyProblems(read.problems))
            expect(line).toMatch(/^\S.*: .*(found|appears twice|expected)/);
        }
      }),
    );
  });

  it('a body without a backendAddressPools array is never read as "no servers"', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        fc.pre(
          !Object.keys(object).some((k) =>
            [
              'backendaddresspools',
              'backendaddresspoolstext',
              'value',
              'properties',
              'content',
              'responses',
            ].includes(k.toLowerCase()),
          ),
        );
        expect(readBackendHealthBody(object).ok).toBe(false);
      }),
    );
  });
});

// A body read from ARM's own answer (the `run` path): ARM's shape at the top level, and every field the
// server key is made of present, so nothing a tool's forgiveness would read in makes a server look gone.
describe("readBackendHealthBody, source 'arm': only ARM's own shape", () => {
  const fromArm = (value: unknown) => readBackendHealthBody(value, { source: 'arm', gatewayId: GW });
  const body = armBody([server('10.0.0.4', 'Unhealthy', 'TCP connect error')]);
  const withPool = (pool: Record<string, unknown>) => ({ backendAddressPools: [pool] });
  const settingsOf = (servers: unknown[]) => ({
    backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/web-https` },
    servers,
  });
  const poolId = `${GW}/backendAddressPools/web-pool`;

  it('reads what ARM answers: the body, an empty pool list, $expand names, fields we do not model', () => {
    expect(servers(ok(fromArm(body)).body)).toEqual({
      [`${GW}|web-pool|web-https|10.0.0.4`.toLowerCase()]: 'Unhealthy',
    });
    expect(ok(fromArm({ backendAddressPools: [] })).body).toEqual({ backendAddressPools: [] });
    expect(
      ok(
        fromArm(
          withPool({
            backendAddressPool: { id: poolId, name: 'web-pool' },
            backendHttpSettingsCollection: [],
            etag: 'W/"1"',
          }),
        ),
      ).body.backendAddressPools,
    ).toEqual([
      {
        backendAddressPool: { id: poolId, name: 'web-pool' },
        backendHttpSettingsCollection: [],
        etag: 'W/"1"',
      },
    ]);
  });

  // Each input below is read by the forgiving reader (saved files, the emulator's scenario): the same
  // input from ARM is not a read, and says what ARM sent.
  it.each<[string, unknown, RegExp]>([
    [
      '{"value": body}',
      { value: body },
      /^\(root\): expected .*at the top level .*found an object with "value"/,
    ],
    ['[body]', [body], /^\(root\): expected .*at the top level .*found an array of 1/],
    [
      'a REST spec example file',
      { parameters: {}, responses: { '200': { body } } },
      /^\(root\): .*found an object with "parameters", "responses"/,
    ],
    [
      "Invoke-AzRestMethod's response",
      { Content: JSON.stringify(body), StatusCode: 200 },
      /^\(root\): .*found an object with "Content", "StatusCode"/,
    ],
    ['{"properties": body}', { properties: body }, /^\(root\): .*found an object with "properties"/],
    ['the body as a JSON string', JSON.stringify(body), /^\(root\): .*found string "\{/],
    [
      "PowerShell 5.1's BackendAddressPoolsText only",
      {
        BackendAddressPools: 'Microsoft.Azure.Commands.Network.Models.PSApplicationGatewayBackendHealthPool',
        BackendAddressPoolsText: JSON.stringify(body.backendAddressPools),
      },
      /^BackendAddressPools: expected an array of pool entries, found string/,
    ],
    [
      'PowerShell 5.1\'s {"value":[…],"Count":n} array',
      withPool({
        backendAddressPool: { id: poolId },
        backendHttpSettingsCollection: { value: [settingsOf([server('10.0.0.4', 'Down')])], Count: 1 },
      }),
      /backendHttpSettingsCollection: expected an array of HTTP settings entries, found an object with "value", "Count"$/,
    ],
  ])('%s', (_name, value, expected) => {
    expect(readBackendHealthBody(value).ok).toBe(true);
    const said = problems(fromArm(value));
    expect(said[0]).toMatch(expected);
    expect(said.join('\n')).not.toMatch(/ConvertTo-Json/);
  });

  // The server key is gateway | pool | settings | address: a read missing one of them would name the
  // server "(unnamed)" or "(unknown address)", and last run's server would look gone (`recovered`).
  it.each<[string, unknown, string]>([
    [
      'a pool entry without backendAddressPool',
      withPool({ backendHttpSettingsCollection: [settingsOf([server('10.0.0.4', 'Down')])] }),
      'backendAddressPools[0].backendAddressPool: expected an object {"id": "',
    ],
    [
      'backendAddressPool null',
      withPool({ backendAddressPool: null, backendHttpSettingsCollection: [] }),
      'backendAddressPools[0].backendAddressPool: expected an object {"id": "',
    ],
    [
      'backendAddressPool without an id',
      withPool({ backendAddressPool: { name: 'web-pool' }, backendHttpSettingsCollection: [] }),
      'backendAddressPools[0].backendAddressPool.id: expected the ARM id',
    ],
    [
      'backendAddressPool with a null id',
      withPool({ backendAddressPool: { id: null }, backendHttpSettingsCollection: [] }),
      'backendAddressPools[0].backendAddressPool.id: expected the ARM id',
    ],
    [
      "a pool id of another gateway's",
      withPool({
        backendAddressPool: { id: `${GW}-other/backendAddressPools/web-pool` },
        backendHttpSettingsCollection: [],
      }),
      `backendAddressPools[0].backendAddressPool.id: expected "${GW}/backendAddressPools/<name>"`,
    ],
    [
      "a pool name that is not its id's",
      withPool({ backendAddressPool: { id: poolId, name: 'other-pool' }, backendHttpSettingsCollection: [] }),
      'backendAddressPools[0].backendAddressPool.name: expected the name its id ends in ("web-pool"), found "other-pool"',
    ],
    [
      'a settings entry without backendHttpSettings',
      withPool({ backendAddressPool: { id: poolId }, backendHttpSettingsCollection: [{ servers: [] }] }),
      'backendAddressPools[0].backendHttpSettingsCollection[0].backendHttpSettings: expected an object {"id": "',
    ],
    [
      'a server without an address',
      armBody([{ health: 'Healthy' }]),
      'backendAddressPools[0].backendHttpSettingsCollection[0].servers[0].address: expected an address string (IP or FQDN), found nothing',
    ],
    [
      'a server whose address is null',
      armBody([{ address: null, health: 'Healthy' }]),
      'servers[0].address: expected an address string (IP or FQDN), found null',
    ],
    [
      'a server whose address is empty',
      armBody([{ address: '', health: 'Healthy' }]),
      'servers[0].address: expected an address string (IP or FQDN), found an empty string',
    ],
    [
      'a server without health',
      armBody([{ address: '10.0.0.4', healthProbeLog: 'x' }]),
      'servers[0].health: expected a health string, found nothing',
    ],
  ])('%s is not a read', (_name, value, expected) => {
    expect(readBackendHealthBody(value).ok).toBe(true);
    expect(problems(fromArm(value)).join('\n')).toContain(expected);
  });

  it('whatever ARM sends, a read names every server by pool, settings and address: never "(unnamed)" or "(unknown address)"', () => {
    // Mostly what ARM sends; now and then a field absent, null or empty.
    const maybe = <T>(arb: fc.Arbitrary<T>) =>
      fc.oneof(
        { arbitrary: arb, weight: 12 },
        { arbitrary: fc.constantFrom(undefined, null, ''), weight: 1 },
      );
    const ref = (collection: string) =>
      maybe(
        fc.record(
          {
            id: maybe(fc.constantFrom('a', 'b').map((n) => `${GW}/${collection}/${n}`)),
            name: maybe(fc.constantFrom('a', 'b')),
          },
          { requiredKeys: ['id'] },
        ),
      );
    const srv = fc.record(
      {
        address: maybe(fc.constantFrom('10.0.0.4', 'app.contoso.internal')),
        health: maybe(fc.constantFrom('Healthy', 'Down')),
      },
      // Keys present (values now and then absent, null or empty): enough reads list servers to test.
      { requiredKeys: ['address', 'health'] },
    );
    const pool = fc.record(
      {
        backendAddressPool: ref('backendAddressPools'),
        backendHttpSettingsCollection: fc.array(
          fc.record(
            {
              backendHttpSettings: ref('backendHttpSettingsCollection'),
              servers: fc.array(srv, { maxLength: 3 }),
            },
            { requiredKeys: ['servers'] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: ['backendHttpSettingsCollection'] },
    );
    const drop = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x === undefined ? undefined : x)));
    let readWithServers = 0;
    fc.assert(
      fc.property(fc.array(pool, { maxLength: 3 }), (pools) => {
        const value = drop({ backendAddressPools: pools });
        const read = fromArm(value);
        if (!read.ok) return;
        if (listServers(gateway, read.body).size > 0) readWithServers += 1;
        for (const key of Object.keys(servers(read.body))) {
          expect(key).not.toMatch(/\(unnamed\)|\(unknown address\)|\|\|/);
        }
        // ARM's reading is a restriction of the forgiving one: the same body when both read it.
        expect(ok(readBackendHealthBody(value)).body).toEqual(read.body);
      }),
      { numRuns: 500 },
    );
    expect(readWithServers).toBeGreaterThan(0); // the property was tried on reads that list servers
  });
});
