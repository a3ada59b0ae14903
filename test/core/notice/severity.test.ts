import { gatewayKey, gatewayRef } from '../../../src/core/arm-id';
import { evaluateBackendHealth } from '../../../src/core/evaluate';
import { CONFIGURABLE_STATES, DEFAULT_UNHEALTHY_STATES } from '../../../src/core/health';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { decideWithInhibition } from '../../../src/core/notice/inhibit';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { serverSeverity, type Severity } from '../../../src/core/notice/severity';
import type { BackendHealthBody, Finding, HealthState } from '../../../src/core/model';
import { finding as noticeFinding } from './fixtures';

const gw = gatewayRef('00000000-0000-0000-0000-000000000001', 'rg', 'gw');

describe('serverSeverity: the rule, state by state', () => {
  it.each<[string, HealthState, HealthState[], Severity]>([
    ['alone in its pool, down', 'unhealthy', ['unhealthy'], 'critical'],
    ['alone, the pool given empty', 'unhealthy', [], 'critical'],
    ['every server of the pool down', 'unhealthy', ['unhealthy', 'unhealthy', 'unhealthy'], 'critical'],
    ['one other server healthy', 'unhealthy', ['unhealthy', 'healthy'], 'warning'],
    // Every known server down: an Unknown sibling is not known to serve (the on-call is paged).
    ['an Unknown sibling, every known one down', 'unhealthy', ['unhealthy', 'unknown'], 'critical'],
    [
      'two Unknown siblings, every known one down',
      'unhealthy',
      ['unhealthy', 'unknown', 'unknown'],
      'critical',
    ],
    [
      'Unknown and Draining siblings, no known one serving',
      'unhealthy',
      ['unhealthy', 'unknown', 'draining'],
      'critical',
    ],
    ['an Unknown sibling and a Healthy one', 'unhealthy', ['unhealthy', 'unknown', 'healthy'], 'warning'],
    ['an Unknown sibling and a Partial one', 'unhealthy', ['unhealthy', 'unknown', 'partial'], 'warning'],
    ['a Partial sibling may be serving', 'unhealthy', ['unhealthy', 'partial'], 'warning'],
    ['a Draining sibling serves no new connections', 'unhealthy', ['unhealthy', 'draining'], 'critical'],
    ['an unreadable health is not serving', 'unhealthy', ['unhealthy', 'unrecognised'], 'critical'],
    ['unrecognised itself, alone', 'unrecognised', ['unrecognised'], 'critical'],
    ['Unknown, alone: warning (the gateway cannot tell)', 'unknown', ['unknown'], 'warning'],
    ['Unknown, the rest down: still warning', 'unknown', ['unknown', 'unhealthy'], 'warning'],
    ['Unknown, a pool of only Unknown: warning', 'unknown', ['unknown', 'unknown', 'unknown'], 'warning'],
    ['Healthy is never critical', 'healthy', ['unhealthy'], 'warning'],
    ['Partial, alone', 'partial', ['partial'], 'warning'],
    ['Draining, alone (taken out on purpose)', 'draining', ['draining'], 'warning'],
    ['Draining, the rest down', 'draining', ['draining', 'unhealthy'], 'warning'],
  ])('%s', (_label, state, pool, expected) => {
    expect(serverSeverity(state, pool)).toBe(expected);
  });
});

/** A body: each pool a list of settings, each a list of [address, health]. */
function body(pools: Record<string, Record<string, Array<[string, string]>>>): BackendHealthBody {
  return {
    backendAddressPools: Object.entries(pools).map(([pool, settings]) => ({
      backendAddressPool: { name: pool },
      backendHttpSettingsCollection: Object.entries(settings).map(([name, servers]) => ({
        backendHttpSettings: { name },
        servers: servers.map(([address, health]) => ({ address, health, healthProbeLog: 'x' })),
      })),
    })),
  };
}

const severities = (findings: Finding[]) =>
  Object.fromEntries(findings.map((f) => [`${f.backendPool}/${f.backendSettings}/${f.address}`, f.severity]));

describe('evaluateBackendHealth: severity from the whole body, per pool and setting', () => {
  const all = { unhealthyStates: [...CONFIGURABLE_STATES] };

  it('a pool all down is critical; a pool with a healthy server warning; pools do not mix', () => {
    const findings = evaluateBackendHealth(
      gw,
      body({
        web: {
          s: [
            ['a', 'Unhealthy'],
            ['b', 'Down'],
          ],
        },
        api: {
          s: [
            ['c', 'Unhealthy'],
            ['d', 'Healthy'],
          ],
        },
      }),
      { unhealthyStates: DEFAULT_UNHEALTHY_STATES },
    );
    expect(severities(findings)).toEqual({
      'web/s/a': 'critical',
      'web/s/b': 'critical',
      'api/s/c': 'warning',
    });
  });

  it('the same server under two settings: each setting is its own pool (the probes differ)', () => {
    const findings = evaluateBackendHealth(
      gw,
      body({
        web: {
          http: [['a', 'Unhealthy']],
          https: [
            ['a', 'Unhealthy'],
            ['b', 'Healthy'],
          ],
        },
      }),
      { unhealthyStates: DEFAULT_UNHEALTHY_STATES },
    );
    expect(severities(findings)).toEqual({ 'web/http/a': 'critical', 'web/https/a': 'warning' });
  });

  it('servers not reported still count: a Draining server (not in unhealthyStates) serves nothing new', () => {
    const findings = evaluateBackendHealth(
      gw,
      body({
        web: {
          s: [
            ['a', 'Unhealthy'],
            ['b', 'Draining'],
          ],
        },
      }),
      {
        unhealthyStates: DEFAULT_UNHEALTHY_STATES,
      },
    );
    expect(severities(findings)).toEqual({ 'web/s/a': 'critical' });
  });

  it('Unknown is warning itself, but does not keep its down pool-mates from critical; Draining reported is warning', () => {
    expect(
      severities(
        evaluateBackendHealth(
          gw,
          body({
            web: {
              s: [
                ['a', 'Unknown'],
                ['b', 'Unhealthy'],
                ['c', 'Draining'],
              ],
            },
          }),
          all,
        ),
      ),
    ).toEqual({ 'web/s/a': 'warning', 'web/s/b': 'critical', 'web/s/c': 'warning' });
  });

  it('every server bad, one Unknown: the down ones are critical (a critical-only pager is paged)', () => {
    expect(
      severities(
        evaluateBackendHealth(
          gw,
          body({
            web: {
              s: [
                ['a', 'Unhealthy'],
                ['b', 'Down'],
                ['c', 'Unknown'],
              ],
            },
          }),
          all,
        ),
      ),
    ).toEqual({ 'web/s/a': 'critical', 'web/s/b': 'critical', 'web/s/c': 'warning' });
  });

  it('a pool of only Unknown servers stays warning', () => {
    expect(
      severities(
        evaluateBackendHealth(
          gw,
          body({
            web: {
              s: [
                ['a', 'Unknown'],
                ['b', 'Unknown'],
              ],
            },
          }),
          all,
        ),
      ),
    ).toEqual({ 'web/s/a': 'warning', 'web/s/b': 'warning' });
  });

  it('Unknown is counted per setting: a Healthy server under another setting does not save this one', () => {
    expect(
      severities(
        evaluateBackendHealth(
          gw,
          body({
            web: {
              s1: [
                ['a', 'Unhealthy'],
                ['b', 'Unknown'],
              ],
              s2: [
                ['a', 'Healthy'],
                ['b', 'Healthy'],
              ],
            },
          }),
          all,
        ),
      ),
    ).toEqual({ 'web/s1/a': 'critical', 'web/s1/b': 'warning' });
  });

  it('a server alone in its pool is critical when down', () => {
    expect(severities(evaluateBackendHealth(gw, body({ solo: { s: [['a', 'Down']] } }), all))).toEqual({
      'solo/s/a': 'critical',
    });
  });
});

describe('the gateway-level notice (inhibition) of a gateway whose servers are all bad', () => {
  const all = { unhealthyStates: [...CONFIGURABLE_STATES] };
  function gatewayNoticeSeverity(servers: Array<[string, string]>): string | undefined {
    const findings = evaluateBackendHealth(gw, body({ web: { s: servers } }), all);
    const listed = new Map(findings.map((f) => [serverKey(f), f.health]));
    const decision = decideWithInhibition(
      {},
      {
        now: new Date('2026-06-01T10:00:00Z'),
        evaluated: new Map([[gatewayKey(gw.id), listed]]),
        bad: findings.map((finding) => ({ finding })),
        isGone: () => false,
      },
      { for: 1, repeatIntervalInMs: 60_000, inhibit: true },
    );
    return decision.notices.find((n) => n.scope === 'gateway')?.severity;
  }

  it.each<[string, Array<[string, string]>, Severity]>([
    [
      'all down, one Unknown: critical',
      [
        ['a', 'Unhealthy'],
        ['b', 'Unhealthy'],
        ['c', 'Unknown'],
      ],
      'critical',
    ],
    [
      'all down: critical',
      [
        ['a', 'Unhealthy'],
        ['b', 'Down'],
      ],
      'critical',
    ],
    [
      'all Unknown: warning',
      [
        ['a', 'Unknown'],
        ['b', 'Unknown'],
      ],
      'warning',
    ],
  ])('%s', (_label, servers, expected) => {
    expect(gatewayNoticeSeverity(servers)).toBe(expected);
  });
});

describe('decideNotices: severity on notices through an episode', () => {
  const T0 = Date.parse('2026-06-01T10:00:00Z');
  const MINUTE = 60_000;
  const policy = { for: 1, repeatIntervalInMs: 30 * MINUTE };
  const finding = (severity: Severity) => noticeFinding({ gateway: gw, severity });

  const KEY = serverKey(finding('warning'));
  /** One run at `at` minutes: the server bad with `severity`, or (undefined) listed Healthy. */
  const observe = (at: number, severity?: Severity): Observation => ({
    now: new Date(T0 + at * MINUTE),
    evaluated: new Map([[gatewayKey(gw.id), new Map([[KEY, severity ? 'Unhealthy' : 'Healthy']])]]),
    bad: severity ? [{ finding: finding(severity) }] : [],
    isGone: () => false,
  });
  /** Runs a sequence (minutes, severity or healthy) and returns every notice as "type:severity". */
  function run(steps: Array<[number, Severity | undefined]>, start: Record<string, ServerRecord> = {}) {
    let servers = start;
    const out: string[] = [];
    for (const [at, severity] of steps) {
      const decision = decideNotices(servers, observe(at, severity), policy);
      out.push(...decision.notices.map((n) => `${n.type}:${n.severity}`));
      servers = decision.servers;
    }
    return { notices: out, servers };
  }

  it.each<[string, Array<[number, Severity | undefined]>, string[]]>([
    [
      'warning throughout',
      [
        [0, 'warning'],
        [40, 'warning'],
        [50, undefined],
      ],
      ['degraded:warning', 'still-degraded:warning', 'recovered:warning'],
    ],
    [
      'critical throughout',
      [
        [0, 'critical'],
        [5, undefined],
      ],
      ['degraded:critical', 'recovered:critical'],
    ],
    [
      'raised (the pool went all down): a new degraded at once, the recovered carries the highest',
      [
        [0, 'warning'],
        [5, 'critical'],
        [10, 'critical'],
        [15, undefined],
      ],
      ['degraded:warning', 'degraded:critical', 'recovered:critical'],
    ],
    [
      "lowered: no news; the reminder says warning; the recovered the episode's critical",
      [
        [0, 'critical'],
        [5, 'warning'],
        [40, 'warning'],
        [45, undefined],
      ],
      ['degraded:critical', 'still-degraded:warning', 'recovered:critical'],
    ],
    [
      'raised again after a fall: told critical already, no new degraded',
      [
        [0, 'critical'],
        [5, 'warning'],
        [10, 'critical'],
        [15, undefined],
      ],
      ['degraded:critical', 'recovered:critical'],
    ],
  ])('%s', (_label, steps, expected) => {
    expect(run(steps).notices).toEqual(expected);
  });

  it('each raised-severity degraded has its own id; the episode keeps one degradedSince', () => {
    let servers: Record<string, ServerRecord> = {};
    const notices = [];
    for (const [at, severity] of [
      [0, 'warning'],
      [5, 'critical'],
    ] as const) {
      const d = decideNotices(servers, observe(at, severity), policy);
      notices.push(...d.notices);
      servers = d.servers;
    }
    expect(new Set(notices.map((n) => n.id)).size).toBe(2);
    expect(new Set(notices.map((n) => n.degradedSince)).size).toBe(1);
  });

  it('a record from a release before severity: no raise is news, the recovered is warning', () => {
    const legacy: ServerRecord = {
      gateway: gw,
      backendPool: 'pool',
      backendSettings: 'settings',
      address: '10.0.0.4',
      badRuns: 3,
      degradedSince: new Date(T0 - 60 * MINUTE).toISOString(),
      health: 'Unhealthy',
      probeLog: 'TCP connect error',
      cause: finding('warning').cause,
      notified: { at: new Date(T0 - 10 * MINUTE).toISOString(), causeId: 'tcp-connect', repeats: 0 },
    };
    expect(run([[0, 'critical']], { [KEY]: legacy }).notices).toEqual([]);
    const { severity: _none, ...withoutSeverity } = legacy;
    expect(run([[0, undefined]], { [KEY]: withoutSeverity }).notices).toEqual(['recovered:warning']);
  });
});
