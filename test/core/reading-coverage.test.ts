import {
  listsAnyServer,
  poolsListedEmpty,
  poolsNotRead,
  POOLS_NOT_READ_SHOWN,
  tellsCoverage,
} from '../../src/core/reading-coverage';
import type { GatewayConfig, PoolConfig, RoutedPair } from '../../src/core/gateway-config';
import type { BackendHealthBody } from '../../src/core/model';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

function config(pools: PoolConfig[], pairs: RoutedPair[] | undefined): GatewayConfig {
  return {
    generation: 'v2',
    settings: [{ name: 'settings-a' } as never],
    probes: [],
    pools,
    ...(pairs ? { pairs } : {}),
  };
}
const pool = (name: string, addresses: string[] = ['10.0.0.4'], hasIpConfigurations?: true): PoolConfig => ({
  name,
  addresses,
  ...(hasIpConfigurations ? { hasIpConfigurations } : {}),
});
const routed = (...pools: string[]): RoutedPair[] => pools.map((p) => ({ pool: p, settings: 'settings-a' }));
/** A reading listing `pools` (by id, by name, or neither), each with one healthy server. */
function reading(...pools: Array<string | { name: string } | null>): BackendHealthBody {
  return {
    backendAddressPools: pools.map((p) => ({
      backendAddressPool:
        p === null ? {} : typeof p === 'string' ? { id: `${GW}/backendAddressPools/${p}` } : { name: p.name },
      backendHttpSettingsCollection: [
        {
          backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/settings-a` },
          servers: [{ address: '10.0.0.4', health: 'Healthy' }],
        },
      ],
    })),
  };
}

describe('poolsNotRead: the routed pools with members a reading does not list', () => {
  it.each<[string, GatewayConfig, BackendHealthBody, string[]]>([
    [
      'an empty reading, two routed pools',
      config([pool('a'), pool('b')], routed('a', 'b')),
      reading(),
      ['a', 'b'],
    ],
    ['one of two listed', config([pool('a'), pool('b')], routed('a', 'b')), reading('a'), ['b']],
    ['both listed, by id', config([pool('a'), pool('b')], routed('a', 'b')), reading('a', 'b'), []],
    ['listed by name, in another case', config([pool('Web')], routed('web')), reading({ name: 'WEB' }), []],
    ['a pool no rule routes to', config([pool('a'), pool('spare')], routed('a')), reading('a'), []],
    [
      'a routed pool without members',
      config([pool('a'), pool('empty', [])], routed('a', 'empty')),
      reading('a'),
      [],
    ],
    [
      'a routed pool of NICs only',
      config([pool('a'), pool('vms', [], true)], routed('a', 'vms')),
      reading('a'),
      ['vms'],
    ],
    [
      'a routed pool whose members the configuration does not say (no backendAddresses sent)',
      config([pool('a'), { name: 'unsaid', addresses: [], membersUnknown: true }], routed('a', 'unsaid')),
      reading('a'),
      ['unsaid'],
    ],
    ['a configuration without rules (not the whole resource)', config([pool('a')], []), reading(), []],
    [
      'a configuration whose rules were not read (built by hand)',
      config([pool('a')], undefined),
      reading(),
      [],
    ],
    ['a configuration without pools', config([], routed('a')), reading(), []],
    [
      'a reading with a pool of neither name nor id (it could be any)',
      config([pool('a'), pool('b')], routed('a', 'b')),
      reading(null),
      [],
    ],
    // A break trial: listed, but with nothing in it, was as green as not listed at all.
    [
      'a routed pool with members, listed with no server',
      config([pool('a'), pool('b')], routed('a', 'b')),
      {
        backendAddressPools: [
          ...(reading('a').backendAddressPools ?? []),
          {
            backendAddressPool: { id: `${GW}/backendAddressPools/b` },
            backendHttpSettingsCollection: [{ backendHttpSettings: { id: 'x/settings-a' }, servers: [] }],
          },
        ],
      },
      ['b'],
    ],
    [
      'a routed pool with members, listed with no settings',
      config([pool('a'), pool('b')], routed('a', 'b')),
      {
        backendAddressPools: [
          ...(reading('a').backendAddressPools ?? []),
          { backendAddressPool: { id: `${GW}/backendAddressPools/b` }, backendHttpSettingsCollection: [] },
        ],
      },
      ['b'],
    ],
  ])('%s', (_, gatewayConfig, body, expected) => {
    expect(poolsNotRead(gatewayConfig, body)).toEqual(expected);
  });

  it(`names at most ${POOLS_NOT_READ_SHOWN} pools, in the configuration's order`, () => {
    const names = Array.from({ length: POOLS_NOT_READ_SHOWN + 20 }, (_, i) => `p${i}`);
    const missing = poolsNotRead(
      config(
        names.map((n) => pool(n)),
        routed(...names),
      ),
      reading(),
    );
    expect(missing).toEqual(names.slice(0, POOLS_NOT_READ_SHOWN));
  });
});

describe('listsAnyServer', () => {
  it.each<[string, BackendHealthBody, boolean]>([
    ['an empty answer', { backendAddressPools: [] }, false],
    [
      'pools with no server',
      { backendAddressPools: [{ backendAddressPool: { id: 'p' }, backendHttpSettingsCollection: [] }] },
      false,
    ],
    ['a server', reading('a'), true],
  ])('%s: %s', (_, body, expected) => {
    expect(listsAnyServer(body)).toBe(expected);
  });
});

describe('poolsListedEmpty: the pools a reading lists with no server', () => {
  const empty = (pool: Record<string, string>, settings: boolean) => ({
    backendAddressPool: pool,
    backendHttpSettingsCollection: settings
      ? [{ backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/settings-a` }, servers: [] }]
      : [],
  });
  it.each<[string, BackendHealthBody, string[]]>([
    ['an empty answer', { backendAddressPools: [] }, []],
    ['every pool with a server', reading('a', 'b'), []],
    [
      'one with servers: [] beside one with a server',
      {
        backendAddressPools: [
          empty({ id: `${GW}/backendAddressPools/a` }, true),
          ...reading('b').backendAddressPools!,
        ],
      },
      ['a'],
    ],
    ['one by name with no settings', { backendAddressPools: [empty({ name: 'x' }, false)] }, ['x']],
    ['one with neither name nor id', { backendAddressPools: [empty({}, true)] }, ['(unnamed)']],
  ])('%s', (_, body, expected) => {
    expect(poolsListedEmpty(body)).toEqual(expected);
  });
});

describe('tellsCoverage: a configuration that can tell which pools a reading should list', () => {
  it.each<[string, GatewayConfig, boolean]>([
    ['pools, settings and a rule routing them', config([pool('a')], routed('a')), true],
    ['rules that all redirect (none routed)', { ...config([pool('a')], []), routingRules: 2 }, true],
    ['no routing rule at all', { ...config([pool('a')], []), routingRules: 0 }, false],
    ['no pools', config([], routed('a')), false],
    ['no settings', { ...config([pool('a')], routed('a')), settings: [] }, false],
    ['rules not read (built by hand)', config([pool('a')], undefined), false],
  ])('%s: %s', (_, gatewayConfig, expected) => {
    expect(tellsCoverage(gatewayConfig)).toBe(expected);
  });
});
