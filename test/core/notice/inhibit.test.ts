import fc from 'fast-check';
import { gatewayKey } from '../../../src/core/arm-id';
import { causeFor } from '../../../src/core/causes';
import { decideNotices, type NotifyPolicy, type Observation } from '../../../src/core/notice/decide';
import { episodeId } from '../../../src/core/notice/episode';
import { decideWithInhibition, GATEWAY_SCOPE } from '../../../src/core/notice/inhibit';
import { RECOVERED_REASONS, type Notice } from '../../../src/core/notice/notice';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import type { Silence } from '../../../src/core/notice/silence';
import { finding, gatewayRef } from '../../helpers/delivery-builder';

/**
 * Inhibition (core/notice/inhibit.ts). A run is a map address → `B` (bad), `G` (healthy), `X` (Draining,
 * not reported), `U` (Unknown, not reported: left out of unhealthyStates here) or absent (not listed); runs are 10 minutes apart; pools: 10.0.0.4 in pool-a, the others in pool-b.
 */

const gw = gatewayRef('gw');
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const POLICY: NotifyPolicy = { for: 1, repeatIntervalInMs: 4 * 60 * MINUTE, inhibit: true };

function serverFinding(address: string) {
  return finding(gw, address, address === '10.0.0.4' ? 'pool-a' : 'pool-b');
}

type Letter = 'B' | 'G' | 'X' | 'U';
const HEALTH: Readonly<Record<Letter, string>> = {
  B: 'Unhealthy',
  G: 'Healthy',
  X: 'Draining',
  U: 'Unknown',
};

function observe(run: Readonly<Record<string, Letter>>, at: number, gone = false): Observation {
  const listed = new Map<string, string>();
  const bad = [];
  for (const [address, letter] of Object.entries(run)) {
    const f = serverFinding(address);
    listed.set(serverKey(f), HEALTH[letter]);
    if (letter === 'B') bad.push({ finding: f });
  }
  return {
    now: new Date(at),
    evaluated: gone ? new Map() : new Map([[gatewayKey(gw.id), listed]]),
    bad,
    isGone: () => gone,
  };
}

const told = (notices: readonly Notice[]) =>
  notices.map((n) => [
    n.type,
    n.scope === 'gateway' ? 'gateway' : n.server.address,
    ...(n.reason ? [n.reason] : []),
  ]);

function play(
  runs: ReadonlyArray<Readonly<Record<string, Letter>> | 'gone'>,
  policy: NotifyPolicy = POLICY,
  decide = decideWithInhibition,
) {
  let servers: Readonly<Record<string, ServerRecord>> = {};
  return runs.map((run, i) => {
    const at = T0 + i * 10 * MINUTE;
    const decision = decide(servers, run === 'gone' ? observe({}, at, true) : observe(run, at), policy);
    servers = decision.servers;
    return { notices: decision.notices, servers };
  });
}

describe('inhibition: one gateway-level notice when every pool is bad', () => {
  it.each([
    [
      'on, every server bad',
      true,
      { '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'B' },
      [['degraded', 'gateway']],
    ],
    [
      'off, every server bad',
      false,
      { '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'B' },
      [
        ['degraded', '10.0.0.4'],
        ['degraded', '10.0.0.5'],
        ['degraded', '10.0.0.6'],
      ],
    ],
    [
      'on, one server of three healthy',
      true,
      { '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'G' },
      [
        ['degraded', '10.0.0.4'],
        ['degraded', '10.0.0.5'],
      ],
    ],
    [
      'on, a gateway of one server (nothing to replace)',
      true,
      { '10.0.0.4': 'B' },
      [['degraded', '10.0.0.4']],
    ],
  ] as const)('%s', (_label, inhibit, run, expected) => {
    const [first] = play([run], { ...POLICY, inhibit });
    expect(told(first!.notices)).toEqual(expected);
  });

  // A new-user trial: six servers, six causes, two of them status-code-mismatch (401 and 502): the
  // notice said "HTTP 502 (backend error)" with the 502's steps, of one server in six.
  it('the most common cause said in general when its servers say it differently, with how many servers it is of', () => {
    const bad = [
      ['10.0.0.4', causeFor('status-code-mismatch', { receivedStatus: 502 })],
      ['10.0.0.5', causeFor('status-code-mismatch', { receivedStatus: 401 })],
      ['10.0.0.6', causeFor('tcp-connect')],
    ] as const;
    const listed = new Map<string, string>();
    const findings = bad.map(([address, cause]) => {
      const f = { ...serverFinding(address), cause };
      listed.set(serverKey(f), 'Unhealthy');
      return { finding: f };
    });
    const { notices } = decideWithInhibition(
      {},
      {
        now: new Date(T0),
        evaluated: new Map([[gatewayKey(gw.id), listed]]),
        bad: findings,
        isGone: () => false,
      },
      POLICY,
    );
    const general = causeFor('status-code-mismatch');
    expect(notices.map((n) => [n.scope, n.cause.title, n.server.probeLog])).toEqual([
      [
        'gateway',
        general.title,
        `All 3 servers in 2 backend pools are not healthy. Most common cause (2 of 3 servers): ${general.title}`,
      ],
    ]);
    // A second break trial: the general steps said "the message doesn't say which status" (each had),
    // and pointed to a reproduction left out of a gateway-level notice.
    const steps = notices[0]?.cause.steps ?? [];
    expect(steps[0]).toBe(
      "Its servers answered the probe with HTTP 401, 502: each server's own insight has the steps for its status.",
    );
    expect(steps.join('\n')).not.toContain("doesn't say which status");
  });

  /** A decision on rows of [address, pool, settings, cause], every one bad, after `previous`. */
  function decideRows(
    rows: ReadonlyArray<readonly [string, string, string, ReturnType<typeof causeFor>]>,
    previous: Parameters<typeof decideWithInhibition>[0] = {},
    at = T0,
  ) {
    const listed = new Map<string, string>();
    const bad = rows.map(([address, pool, settings, cause]) => {
      const f = { ...finding(gw, address, pool), backendSettings: settings, cause };
      listed.set(serverKey(f), 'Unhealthy');
      return { finding: f };
    });
    return decideWithInhibition(
      previous,
      { now: new Date(at), evaluated: new Map([[gatewayKey(gw.id), listed]]), bad, isGone: () => false },
      POLICY,
    );
  }

  // A third break trial: servers came and went and the two causes tied; the tie went to the other one,
  // and a `degraded` went out again as a changed cause, no server's own cause having changed.
  it('a tie keeps the cause the open episode has: no second degraded', () => {
    const timeout = causeFor('probe-timeout');
    const refused = causeFor('tcp-connect');
    const first = decideRows([
      ['10.0.0.1', 'pool-a', 's', refused],
      ['10.0.0.3', 'pool-a', 's', timeout],
      ['10.0.0.4', 'pool-b', 's', timeout],
    ]);
    expect(first.notices.map((n) => [n.type, n.cause.id])).toEqual([['degraded', 'probe-timeout']]);
    // Now two of each, the refused servers listed first.
    const second = decideRows(
      [
        ['10.0.0.1', 'pool-a', 's', refused],
        ['10.0.0.2', 'pool-a', 's', refused],
        ['10.0.0.3', 'pool-a', 's', timeout],
        ['10.0.0.4', 'pool-b', 's', timeout],
      ],
      first.servers,
      T0 + 10 * MINUTE,
    );
    expect(second.notices).toEqual([]);
    // More servers of the other cause: that is a changed cause, said again.
    const third = decideRows(
      [
        ['10.0.0.1', 'pool-a', 's', refused],
        ['10.0.0.2', 'pool-a', 's', refused],
        ['10.0.0.5', 'pool-a', 's', refused],
        ['10.0.0.4', 'pool-b', 's', timeout],
      ],
      second.servers,
      T0 + 20 * MINUTE,
    );
    expect(third.notices.map((n) => [n.type, n.cause.id, n.causeChangedFrom])).toEqual([
      ['degraded', 'tcp-connect', 'probe-timeout'],
    ]);
  });

  // A third break trial: "All 1 server in 1 backend pool are not healthy".
  it('one machine under two backend settings is one server: no gateway-level notice', () => {
    const { notices } = decideRows([
      ['10.0.0.1', 'pool-a', 's1', causeFor('probe-timeout')],
      ['10.0.0.1', 'pool-a', 's2', causeFor('probe-timeout')],
    ]);
    expect(notices.map((n) => n.scope ?? 'server')).toEqual(['server', 'server']);
  });

  it('the general status step says how many servers named no status', () => {
    const { notices } = decideRows([
      ['10.0.0.1', 'pool-a', 's', causeFor('status-code-mismatch', { receivedStatus: 401 })],
      ['10.0.0.2', 'pool-a', 's', causeFor('status-code-mismatch')],
    ]);
    expect(notices[0]?.cause.steps[0]).toBe(
      "Its servers answered the probe with HTTP 401, and 1 did not say which status: each server's own insight has the steps for its status.",
    );
  });

  // A second break trial: one machine in three pool/setting rows outweighed two machines of another cause.
  it('the most common cause is counted by servers, not by the rows a server is listed in', () => {
    const rows = [
      ['10.0.0.1', 'pool-1', 'probe-timeout'],
      ['10.0.0.1', 'pool-2', 'probe-timeout'],
      ['10.0.0.1', 'pool-3', 'probe-timeout'],
      ['10.0.0.2', 'pool-1', 'tcp-connect'],
      ['10.0.0.3', 'pool-1', 'tcp-connect'],
    ] as const;
    const listed = new Map<string, string>();
    const bad = rows.map(([address, pool, cause]) => {
      const f = { ...finding(gw, address, pool), cause: causeFor(cause) };
      listed.set(serverKey(f), 'Unhealthy');
      return { finding: f };
    });
    const { notices } = decideWithInhibition(
      {},
      { now: new Date(T0), evaluated: new Map([[gatewayKey(gw.id), listed]]), bad, isGone: () => false },
      POLICY,
    );
    expect(notices.map((n) => [n.cause.id, n.server.probeLog])).toEqual([
      [
        'tcp-connect',
        `All 3 servers in 3 backend pools are not healthy. Most common cause (2 of 3 servers): ${causeFor('tcp-connect').title}`,
      ],
    ]);
  });

  it('the gateway notice: scope gateway, the pseudo-server, a summary, the most common cause; the held servers keep counting, untold', () => {
    const [first] = play([{ '10.0.0.4': 'B', '10.0.0.5': 'B' }]);
    const notice = first!.notices[0]!;
    expect(notice).toMatchObject({
      scope: 'gateway',
      backendPool: GATEWAY_SCOPE.backendPool,
      backendSettings: GATEWAY_SCOPE.backendSettings,
      server: { address: GATEWAY_SCOPE.address, health: 'Unhealthy' },
      cause: { id: 'probe-timeout' },
    });
    expect(notice.server.probeLog).toMatch(
      /^All 2 servers in 2 backend pools are not healthy\. Most common cause \(2 of 2 servers\): .+$/,
    );
    const held = Object.values(first!.servers).filter((r) => r.address !== GATEWAY_SCOPE.address);
    expect(held.map((r) => [r.address, r.badRuns, r.notified])).toEqual([
      ['10.0.0.4', 1, undefined],
      ['10.0.0.5', 1, undefined],
    ]);
  });

  it('when it ends: the gateway recovered, the held servers still bad told then, the one that recovered told nothing, the one told before gets its recovered', () => {
    const runs = play([
      { '10.0.0.4': 'B', '10.0.0.5': 'G', '10.0.0.6': 'G' }, // 0: .4 told on its own
      { '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'B' }, // 1: all bad: one gateway notice
      { '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'B' }, // 2: nothing
      { '10.0.0.4': 'B', '10.0.0.5': 'G', '10.0.0.6': 'B' }, // 3: .5 back: gateway recovered, .6 degraded
      { '10.0.0.4': 'G', '10.0.0.5': 'G', '10.0.0.6': 'G' }, // 4: .4 and .6 recovered
    ]);
    expect(runs.map((r) => told(r.notices))).toEqual([
      [['degraded', '10.0.0.4']],
      [['degraded', 'gateway']],
      [],
      [
        ['degraded', '10.0.0.6'],
        ['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad],
      ],
      [
        ['recovered', '10.0.0.4', RECOVERED_REASONS.healthy],
        ['recovered', '10.0.0.6', RECOVERED_REASONS.healthy],
      ],
    ]);
    expect(runs.at(-1)!.servers).toEqual({});
  });

  it('a reminder of a server told before is held while the gateway notice stands, and due once it ends', () => {
    const policy = { ...POLICY, repeatIntervalInMs: 15 * MINUTE };
    const runs = play(
      [
        { '10.0.0.4': 'B', '10.0.0.5': 'G' },
        { '10.0.0.4': 'B', '10.0.0.5': 'B' },
        { '10.0.0.4': 'B', '10.0.0.5': 'B' },
        { '10.0.0.4': 'B', '10.0.0.5': 'B' },
        { '10.0.0.4': 'B', '10.0.0.5': 'G' },
      ],
      policy,
    );
    expect(runs.map((r) => told(r.notices))).toEqual([
      [['degraded', '10.0.0.4']],
      [['degraded', 'gateway']],
      [],
      [['still-degraded', 'gateway']], // the gateway notice has its own reminders
      [
        ['still-degraded', '10.0.0.4'],
        ['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad],
      ],
    ]);
  });

  // Issue 16's trial: a silenced server of an all-bad gateway was said "then sent if still bad", and
  // nothing was sent when the silence ended: the gateway-level episode held it too.
  it('a silence over a server the gateway-level episode holds: its held transition says so', () => {
    const silence: Silence = {
      id: 'mw',
      matchers: { backendPool: 'pool-b' },
      startsAt: new Date(T0 - MINUTE).toISOString(),
      endsAt: new Date(T0 + 60 * MINUTE).toISOString(),
    };
    const policy = { ...POLICY, silences: [silence] };
    const allBad = decideWithInhibition({}, observe({ '10.0.0.4': 'B', '10.0.0.5': 'B' }, T0), policy);
    expect(told(allBad.notices)).toEqual([['degraded', 'gateway']]);
    expect(allBad.silenced.map((s) => [s.server.split('/').at(-1), s.outcome, s.inhibited])).toEqual([
      ['10.0.0.5', 'held', true],
    ]);
    // One pool healthy: no gateway-level episode, the silence alone holds it.
    const someBad = decideWithInhibition({}, observe({ '10.0.0.4': 'G', '10.0.0.5': 'B' }, T0), policy);
    expect(someBad.silenced.map((s) => [s.server.split('/').at(-1), s.outcome, s.inhibited])).toEqual([
      ['10.0.0.5', 'held', undefined],
    ]);
  });

  // A break trial: `pool-a`, the gateway's only pool, silenced for maintenance; its servers all going
  // down paged "every backend pool down", and one coming back sent a ✅ while the other was still down.
  describe('silences that hold every server of an all-bad gateway hold its gateway-level episode too', () => {
    const window = (id: string, matchers: Silence['matchers'], endsInMinutes: number): Silence => ({
      id,
      matchers,
      startsAt: new Date(T0 - MINUTE).toISOString(),
      endsAt: new Date(T0 + endsInMinutes * MINUTE).toISOString(),
    });
    const heldOf = (decision: ReturnType<typeof decideWithInhibition>) =>
      decision.silenced.map((s) => [s.server.split('/').at(-1), s.outcome, s.silenceIds.join(','), s.until]);
    const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();

    it.each<[string, Silence[], Array<Array<string | boolean | undefined>>]>([
      [
        'one silence of both pools (a glob)',
        [window('mw', { backendPool: 'pool-*' }, 60)],
        [['(every server)', 'held', 'mw', at(60)]],
      ],
      [
        'a silence per pool: until the first of them ends',
        [window('mw-a', { backendPool: 'pool-a' }, 90), window('mw-b', { backendPool: 'pool-b' }, 30)],
        [['(every server)', 'held', 'mw-a,mw-b', at(30)]],
      ],
    ])('%s: nothing sent; the episode held, not told', (_, silences, held) => {
      const decision = decideWithInhibition({}, observe({ '10.0.0.4': 'B', '10.0.0.5': 'B' }, T0), {
        ...POLICY,
        silences,
      });
      expect(told(decision.notices)).toEqual([]);
      expect(heldOf(decision).filter(([server]) => server === '(every server)')).toEqual(held);
    });

    it('a silence of one pool only: the gateway-level notice goes (a server not silenced is down)', () => {
      const decision = decideWithInhibition({}, observe({ '10.0.0.4': 'B', '10.0.0.5': 'B' }, T0), {
        ...POLICY,
        silences: [window('mw-a', { backendPool: 'pool-a' }, 60)],
      });
      expect(told(decision.notices)).toEqual([['degraded', 'gateway']]);
    });

    it('a server back while the other is still down under the silence: no ✅, nothing sent; after the silence the one still down is told', () => {
      const policy = { ...POLICY, silences: [window('mw', { backendPool: 'pool-*' }, 15)] };
      const runs = play(
        [
          { '10.0.0.4': 'B', '10.0.0.5': 'B' },
          { '10.0.0.4': 'B', '10.0.0.5': 'G' },
          { '10.0.0.4': 'B', '10.0.0.5': 'G' },
        ],
        policy,
      );
      expect(runs.map((r) => told(r.notices))).toEqual([[], [], [['degraded', '10.0.0.4']]]);
    });
  });

  // A break trial: every server Down, then every one Draining, sent "not every backend pool of the
  // gateway is bad any more" with a ✅ (PagerDuty resolved): nothing was serving.
  it('every server bad or Draining: no server serving, so the gateway-level episode is held until one is healthy', () => {
    const runs = play([
      { '10.0.0.4': 'B', '10.0.0.5': 'B' },
      { '10.0.0.4': 'X', '10.0.0.5': 'X' },
      { '10.0.0.4': 'B', '10.0.0.5': 'X' },
      { '10.0.0.4': 'G', '10.0.0.5': 'X' },
    ]);
    expect(runs.map((r) => told(r.notices))).toEqual([
      [['degraded', 'gateway']],
      [],
      [],
      [['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad]],
    ]);
    // Left: 10.0.0.5's episode, never told (held by the gateway's), held while it drains: neither told
    // nor ended until it is healthy, bad (then told) or gone.
    expect(Object.values(runs.at(-1)!.servers).map((r) => [r.address, r.notified])).toEqual([
      ['10.0.0.5', undefined],
    ]);
  });

  // A break trial's kind: with recoverAfter 2, one healthy run, then every server bad or Draining again,
  // still counted "1 of 2 healthy runs" for a gateway where nothing served.
  it.each([
    ['Draining', 'X'],
    ['bad', 'B'],
  ] as const)(
    'recoverAfter 2: a run with every server bad or %s breaks the gateway-level count of healthy runs',
    (_, again) => {
      const gatewayRecord = (servers: Readonly<Record<string, ServerRecord>>) =>
        servers[serverKey({ gateway: gw, ...GATEWAY_SCOPE })];
      const runs = play(
        [
          { '10.0.0.4': 'B', '10.0.0.5': 'B' },
          { '10.0.0.4': 'G', '10.0.0.5': 'B' },
          { '10.0.0.4': again, '10.0.0.5': 'B' },
          { '10.0.0.4': 'G', '10.0.0.5': 'B' },
          { '10.0.0.4': 'G', '10.0.0.5': 'B' },
        ],
        { ...POLICY, recoverAfter: 2 },
      );
      expect(runs.map((r) => gatewayRecord(r.servers)?.goodRuns)).toEqual([
        undefined,
        1,
        undefined,
        1,
        undefined,
      ]);
      expect(runs.map((r) => told(r.notices).filter(([, who]) => who === 'gateway'))).toEqual([
        [['degraded', 'gateway']],
        [],
        [],
        [],
        [['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad]],
      ]);
    },
  );

  it('a gateway that is gone: the gateway notice and the servers told before recover; the held ones end silently', () => {
    const runs = play([{ '10.0.0.4': 'B', '10.0.0.5': 'G' }, { '10.0.0.4': 'B', '10.0.0.5': 'B' }, 'gone']);
    expect(told(runs[2]!.notices)).toEqual([
      ['recovered', '10.0.0.4', RECOVERED_REASONS.gatewayGone],
      ['recovered', 'gateway', RECOVERED_REASONS.gatewayGone],
    ]);
  });

  it('a server removed while the others stay bad: still all bad, no recovered for the held one', () => {
    const runs = play([
      { '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'B' },
      { '10.0.0.4': 'B', '10.0.0.5': 'B' },
    ]);
    expect(runs.map((r) => told(r.notices))).toEqual([[['degraded', 'gateway']], []]);
    // Down to one server, still bad: nothing serves, so no "not every pool bad" (a break trial); it ends
    // when a server is healthy. A gateway that lists none is not held (an emptied pool would hold it for good).
    const one = play([{ '10.0.0.4': 'B', '10.0.0.5': 'B' }, { '10.0.0.4': 'B' }, { '10.0.0.4': 'G' }]);
    expect(one.map((r) => told(r.notices))).toEqual([
      [['degraded', 'gateway']],
      [],
      [['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad]],
    ]);
    // Nor is "not every pool bad any more" said of it (a break trial): its episode ends, saying why.
    const none = play([{ '10.0.0.4': 'B', '10.0.0.5': 'B' }, {}]);
    expect(told(none[1]!.notices)).toEqual([['recovered', 'gateway', RECOVERED_REASONS.noServerListed]]);
    expect(none[1]!.notices[0]?.server.health).toBe('(no server listed)');
    expect(none[1]!.servers).toEqual({});
  });

  // A break trial: every server Down, then every one Unknown (left out of unhealthyStates) sent "✅ not
  // every backend pool of the gateway is bad any more" of a gateway with no server healthy.
  it.each([
    [
      'every server Unknown',
      { '10.0.0.4': 'U', '10.0.0.5': 'U' },
      RECOVERED_REASONS.notReported,
      '(no server healthy)',
    ],
    [
      'one Unknown, one still bad',
      { '10.0.0.4': 'U', '10.0.0.5': 'B' },
      RECOVERED_REASONS.notReported,
      '(no server healthy)',
    ],
    [
      'one Unknown, one healthy',
      { '10.0.0.4': 'U', '10.0.0.5': 'G' },
      RECOVERED_REASONS.notEveryPoolBad,
      '(not every pool bad)',
    ],
  ] as const)(
    'all bad, then %s: the gateway-level episode ends saying so (%s)',
    (_, then, reason, health) => {
      const runs = play([{ '10.0.0.4': 'B', '10.0.0.5': 'B' }, then]);
      const ended = runs[1]!.notices.filter((n) => n.scope === 'gateway');
      expect(ended.map((n) => [n.type, n.reason, n.server.health])).toEqual([['recovered', reason, health]]);
    },
  );

  // A break trial: every pool emptied sent "✅ not every backend pool of the gateway is bad any more".
  it.each([
    ['every server removed at once', [{ '10.0.0.4': 'B', '10.0.0.5': 'B' }, {}], 1],
    ['one, then the last', [{ '10.0.0.4': 'B', '10.0.0.5': 'B' }, { '10.0.0.4': 'B' }, {}], 2],
    [
      'every server Draining, then removed',
      [{ '10.0.0.4': 'B', '10.0.0.5': 'B' }, { '10.0.0.4': 'X', '10.0.0.5': 'X' }, {}],
      2,
    ],
  ] as const)('%s: the gateway-level episode ends as "lists no backend server any more"', (_, runs, at) => {
    const played = play(runs as unknown as ReadonlyArray<Readonly<Record<string, Letter>>>);
    expect(played.map((r) => told(r.notices).filter(([, who]) => who === 'gateway'))).toEqual(
      played.map((_r, i) =>
        i === 0
          ? [['degraded', 'gateway']]
          : i === at
            ? [['recovered', 'gateway', RECOVERED_REASONS.noServerListed]]
            : [],
      ),
    );
  });

  it('off: the same as decideNotices', () => {
    const runs = [
      { '10.0.0.4': 'B', '10.0.0.5': 'B' },
      { '10.0.0.4': 'G', '10.0.0.5': 'B' },
    ] as const;
    expect(play(runs, { ...POLICY, inhibit: false })).toEqual(
      play(runs, { ...POLICY, inhibit: false }, decideNotices),
    );
    expect(play(runs, POLICY).map((r) => told(r.notices))).not.toEqual(
      play(runs, POLICY, decideNotices).map((r) => told(r.notices)),
    );
  });

  it('property: every episode told degraded gets exactly one recovered, and none is recovered untold (server and gateway notices alike)', () => {
    const letter = fc.constantFrom<Letter | undefined>('B', 'B', 'G', 'X', undefined);
    const run = fc.tuple(letter, letter, letter).map(([a, b, c]) => {
      const out: Record<string, Letter> = {};
      if (a) out['10.0.0.4'] = a;
      if (b) out['10.0.0.5'] = b;
      if (c) out['10.0.0.6'] = c;
      return out;
    });
    fc.assert(
      fc.property(
        fc.array(run, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        (runs, forRuns, recoverAfter) => {
          const all = [
            ...runs,
            ...Array.from(
              { length: 2 },
              () => ({ '10.0.0.4': 'G', '10.0.0.5': 'G', '10.0.0.6': 'G' }) as const,
            ),
          ];
          const played = play(all, { ...POLICY, for: forRuns, recoverAfter });
          const open = new Set<string>();
          const ids = new Set<string>();
          for (const notice of played.flatMap((p) => p.notices)) {
            expect(ids.has(notice.id)).toBe(false);
            ids.add(notice.id);
            const episode = episodeId(notice);
            if (notice.type === 'degraded') open.add(episode);
            else if (notice.type === 'recovered') {
              expect(open.has(episode)).toBe(true);
              open.delete(episode);
            } else expect(open.has(episode)).toBe(true);
          }
          expect([...open]).toEqual([]);
          expect(played.at(-1)!.servers).toEqual({});
        },
      ),
      { numRuns: 300 },
    );
  });
});

// A new-user trial: a reading short of a healthy pool (the configuration routes to it; poolsNotRead)
// listed only bad servers: "every server of the gateway" was sent down, and `recovered` the next run.
describe('inhibition: a reading short of pools (Observation.incomplete)', () => {
  const incomplete = (run: Readonly<Record<string, 'B' | 'G'>>, at: number): Observation => ({
    ...observe(run, at),
    incomplete: new Set([gatewayKey(gw.id)]),
  });

  it('never opens the gateway-level episode: each bad server is told on its own', () => {
    const decision = decideWithInhibition({}, incomplete({ '10.0.0.5': 'B', '10.0.0.6': 'B' }, T0), POLICY);
    expect(told(decision.notices)).toEqual([
      ['degraded', '10.0.0.5'],
      ['degraded', '10.0.0.6'],
    ]);
  });

  it('never ends an open one: no recovered from a reading that did not read every pool', () => {
    const [first] = play([{ '10.0.0.4': 'B', '10.0.0.5': 'B', '10.0.0.6': 'B' }]);
    expect(told(first!.notices)).toEqual([['degraded', 'gateway']]);
    const short = decideWithInhibition(
      first!.servers,
      incomplete({ '10.0.0.5': 'B', '10.0.0.6': 'G' }, T0 + 10 * MINUTE),
      POLICY,
    );
    expect(told(short.notices).filter(([, scope]) => scope === 'gateway')).toEqual([]);
    const gatewayLevel = serverKey({ gateway: gw, ...GATEWAY_SCOPE });
    expect(short.servers[gatewayLevel]).toEqual(first!.servers[gatewayLevel]);
  });
});
