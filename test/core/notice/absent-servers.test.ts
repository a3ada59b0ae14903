import { gatewayKey } from '../../../src/core/arm-id';
import type { GatewayConfig } from '../../../src/core/gateway-config';
import { keptOpenKeys, stillConfigured, unexplainedAbsences } from '../../../src/core/notice/absent-servers';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { decideWithInhibition, GATEWAY_SCOPE } from '../../../src/core/notice/inhibit';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { finding, GW } from './fixtures';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const POLICY = { for: 1, repeatIntervalInMs: 3_600_000 };

/** The state after one run that read `servers` bad (each told: for 1). */
function told(...addresses: string[]): Record<string, ServerRecord> {
  const bad = addresses.map((address) => finding({ address }));
  return decideNotices(
    {},
    {
      now: new Date(T0),
      evaluated: new Map([[gatewayKey(GW.id), new Map(bad.map((f) => [serverKey(f), f.health]))]]),
      bad: bad.map((f) => ({ finding: f })),
      isGone: () => false,
    },
    POLICY,
  ).servers;
}

/** A reading of GW listing `servers` (pool/settings/address → health). */
const reading = (...servers: Array<[string, string]>) =>
  new Map([
    [
      gatewayKey(GW.id),
      new Map(
        servers.map(([pool, address]) => [serverKey(finding({ backendPool: pool, address })), 'Healthy']),
      ),
    ],
  ]);

describe('unexplainedAbsences: which absences the reading does not explain', () => {
  const previous = told('10.0.0.4');
  it.each<[string, ReturnType<typeof reading> | Map<string, Map<string, string>>, string[]]>([
    ['listed (healthy now)', reading(['pool', '10.0.0.4']), []],
    [
      'not listed, but others of its pool and settings are: the gateway says it is gone',
      reading(['pool', '10.0.0.9']),
      [],
    ],
    ['a reading with no server at all', reading(), ['10.0.0.4']],
    ['a reading with another pool only', reading(['other', '10.0.0.4']), ['10.0.0.4']],
    ['its gateway not read this run', new Map(), []],
  ])('%s', (_, evaluated, absent) => {
    expect(unexplainedAbsences(previous, evaluated).map((r) => r.address)).toEqual(absent);
  });

  it('marks of a confirmed fix and gateway-level records are not servers with episodes', () => {
    const previous = told('10.0.0.4');
    const [key, record] = Object.entries(previous)[0]!;
    const gatewayLevel = { ...record, ...GATEWAY_SCOPE };
    const mark = { ...record, badRuns: 0, notified: undefined };
    expect(
      unexplainedAbsences({ [key]: mark, [serverKey(gatewayLevel)]: gatewayLevel } as never, reading()),
    ).toEqual([]);
  });
});

describe('stillConfigured: whether the configuration still has the server', () => {
  const record = Object.values(told('10.0.0.4'))[0]!;
  const config = (over: Partial<GatewayConfig> = {}): GatewayConfig => ({
    generation: 'v2',
    settings: [
      {
        name: 'Settings',
        pickHostNameFromBackendAddress: false,
        trustedRootCertificateNames: [],
        authenticationCertificateNames: [],
      },
    ],
    probes: [],
    pools: [{ name: 'POOL', addresses: ['10.0.0.4'] }],
    pairs: [{ pool: 'pool', settings: 'settings' }],
    ...over,
  });
  it.each<[string, GatewayConfig, boolean]>([
    ['its address in its pool (names in any case)', config(), true],
    ['its pool gone', config({ pools: [{ name: 'other', addresses: ['10.0.0.4'] }] }), false],
    [
      'its settings gone',
      config({
        settings: [
          {
            name: 'other',
            pickHostNameFromBackendAddress: false,
            trustedRootCertificateNames: [],
            authenticationCertificateNames: [],
          },
        ],
      }),
      false,
    ],
    ['no rule routes the pair any more', config({ pairs: [{ pool: 'pool', settings: 'other' }] }), false],
    ['rules not read (a configuration built by hand)', config({ pairs: undefined as never }), true],
    ['its address gone from the pool', config({ pools: [{ name: 'pool', addresses: ['10.0.0.9'] }] }), false],
    ['an empty pool', config({ pools: [{ name: 'pool', addresses: [] }] }), false],
    // A break trial: an answer without its rules read as "no rule routes it": a false recovered.
    ['an answer without rules (not the whole resource): the rules say nothing', config({ pairs: [] }), true],
    ['an answer without pools: says nothing', config({ pools: [] }), true],
    ['an answer without HTTP settings: says nothing', config({ settings: [] }), true],
    [
      'a pool of NICs, whose addresses the configuration does not give',
      config({ pools: [{ name: 'pool', addresses: [], hasIpConfigurations: true }] }),
      true,
    ],
    [
      'a pool whose members the configuration does not say (no backendAddresses sent)',
      config({ pools: [{ name: 'pool', addresses: [], membersUnknown: true }] }),
      true,
    ],
    [
      'a pool with another address and an entry without one',
      config({ pools: [{ name: 'pool', addresses: ['10.0.0.9'], membersUnknown: true }] }),
      true,
    ],
  ])('%s', (_, given, expected) => {
    const { pairs, ...rest } = given;
    expect(stillConfigured(record, pairs === undefined ? rest : given)).toBe(expected);
  });
});

describe('decide with keptOpen: a reading short of the pool and settings ends nothing', () => {
  it('no recovered, no count moved; the gateway-level record of its gateway is kept too', () => {
    const previous = told('10.0.0.4', '10.0.0.5');
    const absent = unexplainedAbsences(previous, reading());
    const kept = keptOpenKeys(previous, absent);
    const observation: Observation = {
      now: new Date(T0 + 60_000),
      evaluated: reading(),
      bad: [],
      isGone: () => false,
      keptOpen: kept,
    };
    const decision = decideNotices(previous, observation, POLICY);
    expect(decision.notices).toEqual([]);
    expect(decision.servers).toEqual(previous);
    // Without it (before): each sent as recovered.
    const before = decideNotices(previous, { ...observation, keptOpen: undefined }, POLICY);
    expect(before.notices.map((n) => n.type)).toEqual(['recovered', 'recovered']);
  });

  it('the gateway-level episode (every pool bad, notify.inhibit) is not ended by such a reading', () => {
    const policy = { ...POLICY, inhibit: true };
    const bad = ['10.0.0.4', '10.0.0.5'].map((address) => finding({ address }));
    const first = decideWithInhibition(
      {},
      {
        now: new Date(T0),
        evaluated: new Map([[gatewayKey(GW.id), new Map(bad.map((f) => [serverKey(f), f.health]))]]),
        bad: bad.map((f) => ({ finding: f })),
        isGone: () => false,
      },
      policy,
    );
    expect(first.notices.map((n) => n.scope)).toEqual(['gateway']);
    const previous = first.servers;
    const kept = keptOpenKeys(previous, unexplainedAbsences(previous, reading()));
    expect(kept.size).toBe(3);
    const second = decideWithInhibition(
      previous,
      { now: new Date(T0 + 60_000), evaluated: reading(), bad: [], isGone: () => false, keptOpen: kept },
      policy,
    );
    expect(second.notices).toEqual([]);
  });
});
