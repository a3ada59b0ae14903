/** One page of ARM's gateway list, read strictly: what is a listing, and what fails it (never a shorter one). */
import fc from 'fast-check';
import { gatewayKey } from '../../src/core/arm-id';
import { readGatewayConfig } from '../../src/core/gateway-config';
import { readGatewayListPage, type ListScope } from '../../src/core/gateway-list-page';

const SUB = '11111111-1111-1111-1111-111111111111';
const OTHER_SUB = '22222222-2222-2222-2222-222222222222';
const id = (name: string, rg = 'rg-a', sub = SUB) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`;
const entry = (name: string, rg = 'rg-a', sub = SUB) => ({
  id: id(name, rg, sub),
  name,
  type: 'Microsoft.Network/applicationGateways',
  location: 'westeurope',
  properties: { provisioningState: 'Succeeded' },
});
const subscription: ListScope = { subscriptionId: SUB };
const group: ListScope = { subscriptionId: SUB, resourceGroup: 'rg-a' };
const NEXT =
  'https://management.azure.com/subscriptions/x/providers/Microsoft.Network/applicationGateways?api-version=2026-01-01&$skipToken=50';

function problems(page: unknown, scope = subscription, listedBefore?: ReadonlySet<string>): string[] {
  const read = readGatewayListPage(page, { scope, ...(listedBefore ? { listedBefore } : {}) });
  if (read.ok) throw new Error('expected the page to fail, it was read');
  return [...read.problems];
}

describe('readGatewayListPage: what ARM answers', () => {
  it('reads the gateways in order, and the next link', () => {
    const read = readGatewayListPage(
      { value: [entry('gw1'), entry('gw2', 'rg-b')], nextLink: NEXT },
      { scope: subscription },
    );
    expect(read).toEqual({
      ok: true,
      gateways: [
        { id: id('gw1'), subscriptionId: SUB, resourceGroup: 'rg-a', name: 'gw1' },
        { id: id('gw2', 'rg-b'), subscriptionId: SUB, resourceGroup: 'rg-b', name: 'gw2' },
      ],
      nextLink: NEXT,
      configurations: new Map(),
    });
  });

  it.each<[string, unknown, number]>([
    ['an explicit empty value: the scope holds none', { value: [] }, 0],
    ['an empty page that has a nextLink (ARM pages may be empty)', { value: [], nextLink: NEXT }, 0],
    ['nextLink null on the last page', { value: [entry('gw1')], nextLink: null }, 1],
    ['an entry without type (its id says what it is)', { value: [{ id: id('gw1') }] }, 1],
    [
      'ids in another case than the scope (ARM ids compare case-insensitively)',
      { value: [entry('GW1', 'RG-A', SUB.toUpperCase())] },
      1,
    ],
    ['fields we do not read', { value: [{ ...entry('gw1'), tags: { a: 'b' }, zones: ['1'] }], extra: 1 }, 1],
  ])('tolerated: %s', (_name, page, count) => {
    const read = readGatewayListPage(page, { scope: group });
    expect(read.ok && read.gateways.length).toBe(count);
  });
});

// Each of these, read leniently, would list fewer gateways than the scope holds, and a gateway missing
// from a successful listing is taken as deleted (its servers sent as recovered): the page fails.
describe('readGatewayListPage: what fails the listing, naming what ARM sent', () => {
  it.each<[string, unknown, ListScope, string]>([
    [
      'an entry without an id',
      { value: [{ name: 'gw1' }] },
      subscription,
      'value[0].id: expected the gateway\'s ARM id, found nothing (its name is "gw1")',
    ],
    [
      'an entry with a null id',
      { value: [{ id: null, name: 'gw1' }] },
      subscription,
      "value[0].id: expected the gateway's ARM id, found null",
    ],
    [
      'a null entry',
      { value: [entry('gw1'), null] },
      subscription,
      'value[1]: expected an application gateway {"id", "name", "type", …}, found null',
    ],
    [
      'an entry that is a string',
      { value: [id('gw1')] },
      subscription,
      'value[0]: expected an application gateway',
    ],
    [
      'an id that is not an application gateway id',
      {
        value: [
          { id: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/gw1` },
        ],
      },
      subscription,
      'value[0].id: expected an application gateway id',
    ],
    [
      'an id of another subscription',
      { value: [entry('gw1', 'rg-a', OTHER_SUB)] },
      subscription,
      `is not in the scope listed (/subscriptions/${SUB})`,
    ],
    [
      'an id of another resource group',
      { value: [entry('gw1', 'rg-b')] },
      group,
      `is not in the scope listed (/subscriptions/${SUB}/resourceGroups/rg-a)`,
    ],
    [
      'a type that is not an application gateway',
      { value: [{ ...entry('gw1'), type: 'Microsoft.Network/virtualNetworks' }] },
      subscription,
      'value[0].type: expected "Microsoft.Network/applicationGateways", found string "Microsoft.Network/virtualNetworks"',
    ],
    [
      'a type that is not a string',
      { value: [{ ...entry('gw1'), type: 7 }] },
      subscription,
      'value[0].type: expected "Microsoft.Network/applicationGateways", found number 7',
    ],
    [
      'the same gateway twice on a page',
      { value: [entry('gw1'), entry('GW1')] },
      subscription,
      'value[1].id: "' + id('GW1') + '" is listed twice (also at value[0])',
    ],
    [
      '{}',
      {},
      subscription,
      'value: expected an array of gateways (an empty array when the scope has none), found nothing',
    ],
    [
      '{"value": null}',
      { value: null },
      subscription,
      'value: expected an array of gateways (an empty array when the scope has none), found null',
    ],
    [
      '{"value": {}}',
      { value: {} },
      subscription,
      'value: expected an array of gateways (an empty array when the scope has none), found an empty object {}',
    ],
    [
      '[] (not a page)',
      [],
      subscription,
      '(root): expected ARM\'s list page, an object {"value": [gateways], "nextLink"?: "<url>"}, found an empty array',
    ],
    ['null', null, subscription, "(root): expected ARM's list page"],
    [
      '"Value" (the SDK reads only "value")',
      { Value: [entry('gw1')] },
      subscription,
      'Value: expected "value" (ARM\'s spelling)',
    ],
    [
      '"NextLink" (the SDK follows only "nextLink": the listing would end early)',
      { value: [entry('gw1')], NextLink: NEXT },
      subscription,
      'NextLink: expected "nextLink"',
    ],
    [
      'an empty nextLink (the SDK stops there)',
      { value: [entry('gw1')], nextLink: '' },
      subscription,
      'nextLink: expected the next page\'s absolute URL or null, found string ""',
    ],
    [
      'a nextLink that is not a URL',
      { value: [entry('gw1')], nextLink: '$skipToken=50' },
      subscription,
      "nextLink: expected the next page's absolute URL or null",
    ],
    [
      'a nextLink that is a number',
      { value: [entry('gw1')], nextLink: 2 },
      subscription,
      "nextLink: expected the next page's absolute URL or null, found number 2",
    ],
  ])('%s', (_name, page, scope, expected) => {
    expect(problems(page, scope).join('\n')).toContain(expected);
  });

  it('a gateway an earlier page listed is listed twice: the pages overlap, others may be missing', () => {
    const said = problems(
      { value: [entry('gw2'), entry('gw1')] },
      subscription,
      new Set([gatewayKey(id('GW1'))]),
    );
    expect(said).toEqual([
      `value[1].id: "${id('gw1')}" is listed twice (also at an earlier page): ARM's pages overlap, so others may be missing`,
    ]);
  });

  it('every problem is listed, each naming its place', () => {
    expect(
      problems({ value: [{ name: 'a' }, null, entry('gw1', 'rg-b')], NextLink: 'x' }, group),
    ).toHaveLength(4);
  });

  it('quotes what it found safely (escaped, cut)', () => {
    const said = problems({ value: [{ id: `/x/\u202e${'y'.repeat(600)}` }] }).join('\n');
    expect(said).toContain('\\u202e');
    expect(said.length).toBeLessThan(700);
  });
});

describe('readGatewayListPage: properties', () => {
  const anyEntry = fc.oneof(
    fc.constantFrom('gw1', 'gw2', 'gw3').map((n) => entry(n) as unknown),
    fc.jsonValue(),
    fc.record({
      id: fc.oneof(fc.string(), fc.constant(id('gw9', 'rg-z', OTHER_SUB))),
      name: fc.string(),
      type: fc.string(),
    }),
  );

  it('never throws, and a page it reads lists every entry it was given, each once: nothing vanishes from a "successful" page', () => {
    let readWithGateways = 0;
    fc.assert(
      fc.property(fc.array(anyEntry, { maxLength: 6 }), fc.option(fc.jsonValue()), (value, next) => {
        const page: Record<string, unknown> = { value };
        if (next !== null) page.nextLink = next;
        const read = readGatewayListPage(page, { scope: subscription });
        if (!read.ok) {
          expect(read.problems.length).toBeGreaterThan(0);
          return;
        }
        expect(read.gateways).toHaveLength(value.length);
        expect(new Set(read.gateways.map((g) => gatewayKey(g.id))).size).toBe(value.length);
        if (value.length > 0) readWithGateways += 1;
      }),
      { numRuns: 500 },
    );
    expect(readWithGateways).toBeGreaterThan(0); // tried on pages that were read
  });

  it('any JSON value that is not a page fails it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(
          !(
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            Array.isArray((value as { value?: unknown }).value)
          ),
        );
        expect(readGatewayListPage(value, { scope: subscription }).ok).toBe(false);
      }),
    );
  });
});

// Issue 14: ARM's list pages carry the whole resource (the REST spec's ApplicationGatewayListAll.json),
// so a gateway with findings needs no GET of its configuration.
describe('readGatewayListPage: the configuration each entry gives', () => {
  const whole = (name: string, extra: Record<string, unknown> = {}) => ({
    ...entry(name),
    tags: { env: 'prod' },
    properties: {
      provisioningState: 'Succeeded',
      sku: { name: 'Standard_v2', tier: 'Standard_v2', capacity: 2 },
      backendAddressPools: [
        {
          name: 'pool-a',
          id: `${id(name)}/backendAddressPools/pool-a`,
          properties: {
            backendAddresses: [{ ipAddress: '10.0.0.4' }, { fqdn: 'app.contoso.net' }],
            // A scale set's pool: a NIC IP configuration per instance, which no reader reads.
            backendIPConfigurations: Array.from({ length: 50 }, (_, i) => ({
              id: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachineScaleSets/vmss/virtualMachines/${i}/networkInterfaces/nic/ipConfigurations/ipconfig`,
            })),
          },
        },
      ],
      backendHttpSettingsCollection: [
        {
          name: 'settings-a',
          id: `${id(name)}/backendHttpSettingsCollection/settings-a`,
          properties: {
            port: 443,
            protocol: 'Https',
            probe: { id: `${id(name)}/probes/probe-a` },
            trustedRootCertificates: [{ id: `${id(name)}/trustedRootCertificates/root-a` }],
          },
        },
      ],
      probes: [{ name: 'probe-a', properties: { protocol: 'Https', path: '/healthz', interval: 30 } }],
      requestRoutingRules: [
        {
          name: 'rule-a',
          properties: {
            httpListener: { id: `${id(name)}/httpListeners/listener-a` },
            backendAddressPool: { id: `${id(name)}/backendAddressPools/pool-a` },
            backendHttpSettings: { id: `${id(name)}/backendHttpSettingsCollection/settings-a` },
          },
        },
      ],
      trustedRootCertificates: [
        {
          name: 'root-a',
          id: `${id(name)}/trustedRootCertificates/root-a`,
          properties: { data: 'MIIB'.repeat(500) },
        },
      ],
      sslCertificates: [{ name: 'tls', properties: { publicCertData: 'MIIC'.repeat(500) } }],
      httpListeners: [{ name: 'listener-a', properties: { protocol: 'Https' } }],
      ...extra,
    },
  });
  const kept = (listed: unknown, key: string) => {
    const read = readGatewayListPage({ value: [listed] }, { scope: subscription });
    if (!read.ok) throw new Error(read.problems.join('; '));
    return read.configurations.get(key);
  };

  it('an entry that is the whole resource keeps what the GET of it reads, and no more', () => {
    const read = readGatewayListPage({ value: [whole('gw1'), whole('gw2')] }, { scope: subscription });
    if (!read.ok) throw new Error(read.problems.join('; '));
    expect([...read.configurations.keys()]).toEqual([gatewayKey(id('gw1')), gatewayKey(id('gw2'))]);
    const byGet = readGatewayConfig(whole('gw1'));
    expect(byGet.ok).toBe(true);
    expect(readGatewayConfig(read.configurations.get(gatewayKey(id('gw1'))))).toEqual(byGet);
    if (!byGet.ok) return;
    expect(byGet.config.pairs).toEqual([{ pool: 'pool-a', settings: 'settings-a' }]);
    expect(byGet.config.certificateNames?.trustedRoot).toEqual(['root-a']);
    // Neither certificate data nor what no reader reads is kept.
    const text = JSON.stringify(read.configurations.get(gatewayKey(id('gw1'))));
    expect(text).not.toContain('MIIB');
    expect(text).not.toContain('MIIC');
    expect(text).not.toContain('"httpListeners"');
    // Of a pool's NICs, the first alone (whether it has any: PoolConfig.hasIpConfigurations).
    expect(text.match(/networkInterfaces/g) ?? []).toHaveLength(1);
    expect(text.length).toBeLessThan(JSON.stringify(whole('gw1')).length / 3);
  });

  it.each<[string, unknown]>([
    ['no properties', { id: id('gw1'), name: 'gw1' }],
    ['properties without sku (not the whole resource)', entry('gw1')],
  ])('an entry with %s is listed, and gives none: the GET reads it', (_name, listed) => {
    const read = readGatewayListPage({ value: [listed, whole('gw2')] }, { scope: subscription });
    if (!read.ok) throw new Error(read.problems.join('; '));
    expect(read.gateways.map((g) => g.name)).toEqual(['gw1', 'gw2']);
    expect([...read.configurations.keys()]).toEqual([gatewayKey(id('gw2'))]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['probes not an array', { probes: {} }],
    ['a value longer than ARM allows', { sku: { name: 'x'.repeat(5000), tier: 'Standard_v2' } }],
    [
      'a port that is not a number',
      { backendHttpSettingsCollection: [{ name: 's', properties: { port: '80' } }] },
    ],
  ])(
    'an entry whose configuration cannot be read (%s) is listed; reading what it keeps fails as the GET would',
    (_name, extra) => {
      const listed = whole('gw1', extra);
      const byGet = readGatewayConfig(listed);
      expect(byGet.ok).toBe(false);
      expect(readGatewayConfig(kept(listed, gatewayKey(id('gw1'))))).toEqual(byGet);
    },
  );

  it('property: what an entry keeps reads as the whole entry reads, whatever else ARM adds', () => {
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { maxKeys: 4 }),
        fc.array(fc.record({ name: fc.string({ maxLength: 10 }), data: fc.string({ maxLength: 40 }) }), {
          maxLength: 3,
        }),
        fc.constantFrom('backendAddressPools', 'probes', 'sku', 'tags', 'zones'),
        value,
        (extra, roots, replaced, odd) => {
          const listed = whole('gw1', {
            ...extra,
            trustedRootCertificates: roots.map((r) => ({ name: r.name, properties: { data: r.data } })),
          });
          // One field of the resource replaced by an odd value: read alike, or failed alike.
          if (replaced === 'tags') (listed as Record<string, unknown>)['tags'] = odd;
          else if (replaced !== 'sku') (listed.properties as Record<string, unknown>)[replaced] = odd;
          const keptOf = kept(listed, gatewayKey(id('gw1')));
          expect(readGatewayConfig(keptOf)).toEqual(readGatewayConfig(listed));
        },
      ),
    );
  });
});
