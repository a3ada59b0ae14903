import { configurationResource, readGatewayConfig, skuGeneration } from '../../src/core/gateway-config';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

/** ARM's wire shape: each child's fields under `properties`. */
const resource = (properties: Record<string, unknown>) => ({ id: GW, name: 'gw', properties });

describe('readGatewayConfig: the gateway resource as ARM sends it', () => {
  it('reads SKU, settings, probes and pools, and leaves absent fields absent', () => {
    const read = readGatewayConfig(
      resource({
        sku: { name: 'WAF_v2', tier: 'WAF_v2', capacity: 2 },
        backendHttpSettingsCollection: [
          {
            id: `${GW}/backendHttpSettingsCollection/s1`,
            name: 's1',
            properties: {
              port: 443,
              protocol: 'Https',
              hostName: 'www.contoso.com',
              probe: { id: `${GW}/probes/p1` },
              trustedRootCertificates: [{ id: `${GW}/trustedRootCertificates/root1` }],
              requestTimeout: 20,
            },
          },
          { id: `${GW}/backendHttpSettingsCollection/s2`, properties: {} },
        ],
        probes: [
          {
            name: 'p1',
            properties: {
              protocol: 'Https',
              host: 'www.contoso.com',
              path: '/health',
              interval: 30,
              timeout: 10,
              unhealthyThreshold: 3,
              pickHostNameFromBackendHttpSettings: false,
              match: { statusCodes: ['200-399', '401'], body: 'ok' },
            },
          },
        ],
        backendAddressPools: [
          {
            name: 'pool',
            properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }, { fqdn: 'a.contoso.com' }] },
          },
        ],
      }),
    );
    expect(read).toEqual({
      ok: true,
      config: {
        skuName: 'WAF_v2',
        skuTier: 'WAF_v2',
        generation: 'v2',
        tags: {}, // none given: known to have none (gateway-tags.test.ts)
        certificateNames: { trustedRoot: [], authentication: [] },
        settings: [
          {
            name: 's1',
            // Kept: backend health names a setting by this id (probe-resolution.ts findSettings).
            id: `${GW}/backendHttpSettingsCollection/s1`,
            protocol: 'Https',
            port: 443,
            hostName: 'www.contoso.com',
            pickHostNameFromBackendAddress: false,
            probeName: 'p1',
            trustedRootCertificateNames: ['root1'],
            authenticationCertificateNames: [],
            requestTimeoutInS: 20,
          },
          {
            name: 's2',
            id: `${GW}/backendHttpSettingsCollection/s2`,
            pickHostNameFromBackendAddress: false,
            trustedRootCertificateNames: [],
            authenticationCertificateNames: [],
          },
        ],
        probes: [
          {
            name: 'p1',
            protocol: 'Https',
            host: 'www.contoso.com',
            path: '/health',
            intervalInS: 30,
            timeoutInS: 10,
            unhealthyThreshold: 3,
            pickHostNameFromBackendHttpSettings: false,
            proxyProtocolHeader: false,
            pickHostNameFromBackendSettings: false,
            statusCodes: ['200-399', '401'],
            body: 'ok',
          },
        ],
        pools: [{ name: 'pool', addresses: ['10.0.0.4', 'a.contoso.com'] }],
        pairs: [],
        routingRules: 0,
      },
    });
  });

  it.each([
    ['both set', { enableProbeProxyProtocolHeader: true, pickHostNameFromBackendSettings: true }, true, true],
    ['neither set (ARM leaves them out)', {}, false, false],
    [
      'set false',
      { enableProbeProxyProtocolHeader: false, pickHostNameFromBackendSettings: false },
      false,
      false,
    ],
  ])(
    "reads the probe's enableProbeProxyProtocolHeader and pickHostNameFromBackendSettings: %s",
    (_n, properties, proxy, sni) => {
      const read = readGatewayConfig(
        resource({ probes: [{ name: 'p', properties: { protocol: 'Tls', ...properties } }] }),
      );
      if (!read.ok) throw new Error(read.detail);
      expect(read.config.probes[0]).toMatchObject({
        proxyProtocolHeader: proxy,
        pickHostNameFromBackendSettings: sni,
      });
    },
  );

  it('reads the pool/settings pairs of basic rules and path maps, each once, redirects skipped', () => {
    const ref = (kind: string, name: string) => ({ id: `${GW}/${kind}/${name}` });
    const read = readGatewayConfig(
      resource({
        requestRoutingRules: [
          {
            name: 'r1',
            properties: {
              backendAddressPool: ref('backendAddressPools', 'a'),
              backendHttpSettings: ref('backendHttpSettingsCollection', 's1'),
            },
          },
          {
            name: 'r2',
            properties: {
              backendAddressPool: ref('backendAddressPools', 'A'),
              backendHttpSettings: ref('backendHttpSettingsCollection', 'S1'),
            },
          },
          {
            name: 'redirect',
            properties: { redirectConfiguration: { id: `${GW}/redirectConfigurations/x` } },
          },
        ],
        urlPathMaps: [
          {
            name: 'm',
            properties: {
              defaultBackendAddressPool: ref('backendAddressPools', 'b'),
              defaultBackendHttpSettings: ref('backendHttpSettingsCollection', 's2'),
              pathRules: [
                {
                  name: 'api',
                  properties: {
                    backendAddressPool: ref('backendAddressPools', 'a'),
                    backendHttpSettings: ref('backendHttpSettingsCollection', 's3'),
                  },
                },
              ],
            },
          },
        ],
      }),
    );
    if (!read.ok) throw new Error(read.detail);
    expect(read.config.pairs).toEqual([
      { pool: 'a', settings: 's1' },
      { pool: 'b', settings: 's2' },
      { pool: 'a', settings: 's3' },
    ]);
  });

  it.each([
    ['not an object', [], 'not a JSON object'],
    ['no properties', { id: GW }, 'no "properties"'],
    [
      'settings not an array',
      resource({ backendHttpSettingsCollection: {} }),
      'properties.backendHttpSettingsCollection is not an array',
    ],
    [
      'a port that is text',
      resource({ backendHttpSettingsCollection: [{ name: 's', properties: { port: '443' } }] }),
      'properties.backendHttpSettingsCollection[0].properties.port',
    ],
    [
      'a flag that is text',
      resource({ probes: [{ name: 'p', properties: { pickHostNameFromBackendHttpSettings: 'yes' } }] }),
      'is not true or false',
    ],
    [
      'a host longer than a DNS name',
      resource({ probes: [{ name: 'p', properties: { host: 'a'.repeat(254) } }] }),
      '254 characters long',
    ],
    ['a child without name or id', resource({ probes: [{ properties: {} }] }), 'neither a name nor an id'],
    [
      'a status code that is a number',
      resource({ probes: [{ name: 'p', properties: { match: { statusCodes: [200] } } }] }),
      'statusCodes[0]',
    ],
  ])('refuses %s, saying where', (_, json, says) => {
    const read = readGatewayConfig(json);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.detail).toContain(says);
  });
});

// A pool of NICs (VMs, scale-set instances) gives no addresses; whether it has members is what tells an
// empty pool from one whose addresses the configuration does not say (core/notice/absent-servers.ts).
describe("a pool's members by NIC (backendIPConfigurations)", () => {
  const nics = Array.from({ length: 500 }, (_, i) => ({
    id: `${GW}/../nic-${i}/ipConfigurations/ipconfig1`,
  }));
  const pools = (backendIPConfigurations: unknown) =>
    resource({
      sku: { name: 'Standard_v2', tier: 'Standard_v2' },
      backendAddressPools: [
        { name: 'vmss', properties: { backendAddresses: [], backendIPConfigurations } },
        { name: 'ips', properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }] } },
      ],
    });
  it.each<[string, unknown, boolean | undefined]>([
    ['500 NICs', nics, true],
    ['none ([])', [], undefined],
    ['not sent', undefined, undefined],
  ])('%s: read from the resource, and from what a run keeps of it (its first NIC only)', (_, given, has) => {
    for (const json of [pools(given), configurationResource(pools(given))]) {
      const read = readGatewayConfig(json);
      if (!read.ok) throw new Error(read.detail);
      expect(read.config.pools.map((p) => p.hasIpConfigurations)).toEqual([has, undefined]);
    }
    const kept = configurationResource(pools(given)) as {
      properties: { backendAddressPools: Array<{ properties: Record<string, unknown> }> };
    };
    const keptNics = kept.properties.backendAddressPools[0]?.properties['backendIPConfigurations'];
    expect(Array.isArray(keptNics) ? keptNics.length : keptNics).toEqual(
      Array.isArray(given) ? Math.min(1, given.length) : undefined,
    );
  });
});

// A pool whose members the configuration does not all say may have members: the reading coverage and
// the removed-server check must not take it as empty (an answer without `backendAddresses` read as an
// empty pool made an empty reading green: a new-user trial's MED).
describe("a pool's members the configuration does not say (membersUnknown)", () => {
  const withPool = (properties: unknown) =>
    resource({
      sku: { name: 'Standard_v2', tier: 'Standard_v2' },
      backendAddressPools: [{ name: 'pool', ...(properties === 'none' ? {} : { properties }) }],
    });
  it.each<[string, unknown, string[], true | undefined]>([
    ['backendAddresses not sent', {}, [], true],
    ['no properties at all', 'none', [], true],
    ['backendAddresses null', { backendAddresses: null }, [], true],
    [
      'an entry with neither fqdn nor ipAddress',
      { backendAddresses: [{ ipAddress: '10.0.0.4' }, {}] },
      ['10.0.0.4'],
      true,
    ],
    ['an empty pool ([])', { backendAddresses: [] }, [], undefined],
    // A break trial: the empty fqdn was taken as the address, and the server as removed.
    [
      'an empty fqdn beside an ipAddress',
      { backendAddresses: [{ fqdn: '', ipAddress: '10.0.0.4' }] },
      ['10.0.0.4'],
      undefined,
    ],
    ['an empty fqdn and ipAddress', { backendAddresses: [{ fqdn: '', ipAddress: ' ' }] }, [], true],
    [
      'every entry with an address',
      { backendAddresses: [{ fqdn: 'a.example' }, { ipAddress: '10.0.0.4' }] },
      ['a.example', '10.0.0.4'],
      undefined,
    ],
  ])(
    '%s: read from the resource, and from what a run keeps of it, through JSON',
    (_, properties, addresses, unknown) => {
      for (const json of [
        withPool(properties),
        JSON.parse(JSON.stringify(configurationResource(withPool(properties)))),
      ]) {
        const read = readGatewayConfig(json);
        if (!read.ok) throw new Error(read.detail);
        expect(read.config.pools.map((p) => [p.addresses, p.membersUnknown])).toEqual([[addresses, unknown]]);
      }
    },
  );
});

describe('skuGeneration', () => {
  it.each([
    ['Standard_v2', undefined, 'v2'],
    ['WAF_v2', undefined, 'v2'],
    ['Basic', undefined, 'v2'],
    ['Standard', undefined, 'v1'],
    ['WAF', undefined, 'v1'],
    [undefined, 'Standard_Medium', 'v1'],
    [undefined, 'WAF_Large', 'v1'],
    [undefined, undefined, 'unknown'],
    ['Premium_v9', undefined, 'unknown'],
    ['Something', undefined, 'unknown'],
  ] as const)('tier %s, name %s: %s', (tier, name, generation) => {
    expect(skuGeneration(tier, name)).toBe(generation);
  });
});
