import type { NoticeType } from '../../../src/core/notice/notice';
import fc from 'fast-check';
import { gatewayKey, gatewayRef } from '../../../src/core/arm-id';
import { classifyCause } from '../../../src/core/classify';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { episodeId } from '../../../src/core/notice/episode';
import type { Notice } from '../../../src/core/notice/notice';
import {
  receiverTakes,
  TAKE_EVERY_NOTICE,
  routeMatches,
  routeNotices,
  type ReceiverRules,
  type RouteRule,
  type RoutedReceiver,
} from '../../../src/core/notice/receiver-rules';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { higherSeverity, type Severity } from '../../../src/core/notice/severity';
import type { Finding } from '../../../src/core/model';
import { finding as noticeFinding } from './fixtures';

describe('receiverTakes (sendResolved)', () => {
  it.each<[NoticeType, boolean, boolean]>([
    ['degraded', true, true],
    ['still-degraded', true, true],
    ['recovered', true, true],
    ['degraded', false, true],
    ['still-degraded', false, true],
    ['recovered', false, false],
  ])('%s to a receiver with sendResolved %s: %s', (type, sendResolved, expected) => {
    expect(receiverTakes({ sendResolved }, { type })).toBe(expected);
  });

  it('a receiver that says nothing takes every notice', () => {
    for (const type of ['degraded', 'still-degraded', 'recovered'] as const)
      expect(receiverTakes(TAKE_EVERY_NOTICE, { type })).toBe(true);
  });
});

const prod = gatewayRef('00000000-0000-0000-0000-000000000001', 'rg-prod', 'agw-prod-1');
const test = gatewayRef('00000000-0000-0000-0000-000000000002', 'rg-test', 'agw-test-1');

function subject(
  over: {
    gateway?: typeof prod & { tags?: Record<string, string> };
    pool?: string;
    cause?: string;
    severity?: Severity;
  } = {},
) {
  return {
    gateway: over.gateway ?? prod,
    backendPool: over.pool ?? 'pool-web',
    cause: {
      ...classifyCause({ state: 'unhealthy', probeLog: 'TCP connect error' }),
      id: over.cause ?? 'tcp-connect',
    },
    severity: over.severity ?? 'critical',
  } as Pick<Notice, 'gateway' | 'backendPool' | 'cause' | 'severity'>;
}

describe('routeMatches: any rule of the list; within a rule every matcher; `not` each alone', () => {
  const rules = (...match: RouteRule[]): ReceiverRules => ({ sendResolved: true, match });
  it.each<[string, ReceiverRules, ReturnType<typeof subject>, boolean]>([
    ['no match: every notice', { sendResolved: true }, subject(), true],
    ['severity equal', rules({ severity: 'critical' }), subject(), true],
    ['severity differs', rules({ severity: 'critical' }), subject({ severity: 'warning' }), false],
    ['gateway glob', rules({ gateway: 'agw-prod-*' }), subject(), true],
    ['gateway glob, case-insensitive', rules({ gateway: 'AGW-PROD-?' }), subject(), true],
    ['gateway glob misses', rules({ gateway: 'agw-prod-*' }), subject({ gateway: test }), false],
    ['pool glob', rules({ backendPool: 'pool-*' }), subject(), true],
    ['resource group glob', rules({ resourceGroup: 'rg-test' }), subject(), false],
    ['subscription', rules({ subscription: prod.subscriptionId.toUpperCase() }), subject(), true],
    ['cause', rules({ cause: 'tcp-connect' }), subject(), true],
    ['another cause', rules({ cause: 'probe-timeout' }), subject(), false],
    // Tags never read: a tag rule takes the notice and a negated one does not exclude it (a receiver it
    // may not be for hears it, rather than the one it is for missing it: issue 16's trial).
    ['tags unknown: a tag rule takes it', rules({ tags: { env: 'prod' } }), subject(), true],
    ['tags unknown: a negated tag rule keeps it', rules({ not: { tags: { env: 'prod' } } }), subject(), true],
    [
      'tags unknown: the other matchers of the rule still decide',
      rules({ tags: { env: 'prod' }, severity: 'warning' }),
      subject(),
      false,
    ],
    [
      'tags known: matched',
      rules({ tags: { ENV: 'prod' } }),
      subject({ gateway: { ...prod, tags: { env: 'prod' } } }),
      true,
    ],
    [
      'tags known: another value',
      rules({ tags: { env: 'Prod' } }),
      subject({ gateway: { ...prod, tags: { env: 'prod' } } }),
      false,
    ],
    [
      'tags known: none',
      rules({ tags: { env: 'prod' } }),
      subject({ gateway: { ...prod, tags: {} } }),
      false,
    ],
    [
      'tags known: negated, excluded',
      rules({ not: { tags: { env: 'prod' } } }),
      subject({ gateway: { ...prod, tags: { env: 'prod' } } }),
      false,
    ],
    ['all-of: both match', rules({ gateway: 'agw-prod-*', severity: 'critical' }), subject(), true],
    ['all-of: one misses', rules({ gateway: 'agw-prod-*', severity: 'warning' }), subject(), false],
    ['any-of: the second rule', rules({ severity: 'warning' }, { gateway: 'agw-prod-*' }), subject(), true],
    ['any-of: none', rules({ severity: 'warning' }, { gateway: 'agw-test-*' }), subject(), false],
    ['not: excluded', rules({ not: { gateway: 'agw-test-*' } }), subject({ gateway: test }), false],
    ['not: kept', rules({ not: { gateway: 'agw-test-*' } }), subject(), true],
    [
      'not, each alone: one of two negated matches → out',
      rules({ not: { gateway: 'agw-test-*', severity: 'critical' } }),
      subject(),
      false,
    ],
    [
      'not, each alone: neither matches → in',
      rules({ not: { gateway: 'agw-test-*', severity: 'warning' } }),
      subject(),
      true,
    ],
    ['not.tags with unknown tags never excludes', rules({ not: { tags: { env: 'test' } } }), subject(), true],
    [
      'positive and not together',
      rules({ severity: 'critical', not: { backendPool: 'pool-batch*' } }),
      subject({ pool: 'pool-batch-2' }),
      false,
    ],
  ])('%s', (_label, given, notice, expected) => {
    expect(routeMatches(given, notice)).toBe(expected);
  });
});

/** A finding on pool `pool` of `gw` with `severity`. */
function finding(address: string, severity: Severity, gateway = prod, backendPool = 'pool-web'): Finding {
  return noticeFinding({ gateway, backendPool, address, severity });
}

const MINUTE = 60_000;
const T0 = Date.parse('2026-06-01T10:00:00Z');
const policy = { for: 1, repeatIntervalInMs: 30 * MINUTE };

/** One run: `bad` findings; every other server in `listed` is Healthy. */
function observation(at: number, bad: Finding[], listed: Finding[]): Observation {
  const evaluated = new Map<string, Map<string, string>>();
  for (const f of listed) {
    const servers = evaluated.get(gatewayKey(f.gateway.id)) ?? new Map<string, string>();
    servers.set(serverKey(f), bad.some((b) => serverKey(b) === serverKey(f)) ? 'Unhealthy' : 'Healthy');
    evaluated.set(gatewayKey(f.gateway.id), servers);
  }
  return {
    now: new Date(T0 + at * MINUTE),
    evaluated,
    bad: bad.map((f) => ({ finding: f })),
    isGone: () => false,
  };
}

/** Runs decide + route; returns per run and receiver the notices as "type:address". */
function runAll(
  runs: Array<{ at: number; bad: Finding[]; receivers: RoutedReceiver[] }>,
  listed: Finding[],
  start: Record<string, ServerRecord> = {},
  show: (n: Notice) => string = (n) => `${n.type}:${n.server.address}`,
) {
  let servers = start;
  const sent: Array<Record<string, string[]>> = [];
  for (const run of runs) {
    const decision = decideNotices(servers, observation(run.at, run.bad, listed), policy);
    const routing = routeNotices(decision, servers, run.receivers);
    sent.push(Object.fromEntries([...routing.notices].map(([name, ns]) => [name, ns.map(show)])));
    servers = routing.servers;
  }
  return { sent, servers };
}

describe('routeNotices: degraded by match, recovered to exactly the receivers of the degraded', () => {
  const pager: RoutedReceiver = {
    name: 'webhook[pager]',
    rules: { sendResolved: true, match: [{ severity: 'critical' }] },
  };
  const chat: RoutedReceiver = {
    name: 'webhook[chat]',
    rules: { sendResolved: true, match: [{ severity: 'warning' }] },
  };
  const all: RoutedReceiver = { name: 'webhook[all]' };
  const a = (s: Severity) => finding('10.0.0.4', s);
  const listed = [a('warning'), finding('10.0.0.5', 'warning')];

  it('each receiver gets only its notices, through degraded → recovered', () => {
    const { sent } = runAll(
      [
        { at: 0, bad: [a('warning')], receivers: [pager, chat, all] },
        { at: 5, bad: [], receivers: [pager, chat, all] },
      ],
      listed,
    );
    expect(sent).toEqual([
      { 'webhook[pager]': [], 'webhook[chat]': ['degraded:10.0.0.4'], 'webhook[all]': ['degraded:10.0.0.4'] },
      {
        'webhook[pager]': [],
        'webhook[chat]': ['recovered:10.0.0.4'],
        'webhook[all]': ['recovered:10.0.0.4'],
      },
    ]);
  });

  it('a match changed between degraded and recovered: the recovered still goes where the degraded went, and nowhere else', () => {
    const chatNowCritical: RoutedReceiver = {
      ...chat,
      rules: { sendResolved: true, match: [{ severity: 'critical' }] },
    };
    const pagerNowWarning: RoutedReceiver = {
      ...pager,
      rules: { sendResolved: true, match: [{ severity: 'warning' }] },
    };
    const { sent } = runAll(
      [
        { at: 0, bad: [a('warning')], receivers: [pager, chat] },
        { at: 5, bad: [], receivers: [pagerNowWarning, chatNowCritical] },
      ],
      listed,
    );
    expect(sent[1]).toEqual({ 'webhook[pager]': [], 'webhook[chat]': ['recovered:10.0.0.4'] });
  });

  it('a raised severity reaches the pager with a new degraded; the recovered goes to both', () => {
    const { sent, servers } = runAll(
      [
        { at: 0, bad: [a('warning')], receivers: [pager, chat] },
        { at: 5, bad: [a('critical')], receivers: [pager, chat] },
      ],
      listed,
    );
    expect(sent[1]).toEqual({ 'webhook[pager]': ['degraded:10.0.0.4'], 'webhook[chat]': [] });
    expect(Object.values(servers)[0]?.notified?.receivers).toEqual(['webhook[chat]', 'webhook[pager]']);
    const after = runAll([{ at: 10, bad: [], receivers: [pager, chat] }], listed, servers);
    expect(after.sent[0]).toEqual({
      'webhook[pager]': ['recovered:10.0.0.4'],
      'webhook[chat]': ['recovered:10.0.0.4'],
    });
  });

  it('still-degraded: only to receivers of the episode whose match still takes it', () => {
    const { sent } = runAll(
      [
        { at: 0, bad: [a('critical')], receivers: [pager, chat] },
        // Lowered to warning: chat's match takes it now, but chat was never told it went bad.
        { at: 40, bad: [a('warning')], receivers: [pager, chat] },
      ],
      listed,
    );
    expect(sent[1]).toEqual({ 'webhook[pager]': [], 'webhook[chat]': [] });
  });

  it('sendResolved: false keeps the recovered from a receiver of the episode', () => {
    const quiet: RoutedReceiver = {
      name: 'webhook[chat]',
      rules: { sendResolved: false, match: [{ severity: 'warning' }] },
    };
    const { sent } = runAll(
      [
        { at: 0, bad: [a('warning')], receivers: [quiet] },
        { at: 5, bad: [], receivers: [quiet] },
      ],
      listed,
    );
    expect(sent).toEqual([{ 'webhook[chat]': ['degraded:10.0.0.4'] }, { 'webhook[chat]': [] }]);
  });

  it('a receiver added or renamed after the degraded gets no recovered; one removed is simply not sent to', () => {
    const { sent } = runAll(
      [
        { at: 0, bad: [a('warning')], receivers: [chat] },
        { at: 5, bad: [], receivers: [all] },
      ],
      listed,
    );
    expect(sent[1]).toEqual({ 'webhook[all]': [] });
  });

  it('an episode told before routing was recorded (no receivers on the record) recovers to every receiver its rules take', () => {
    const told = runAll([{ at: 0, bad: [a('warning')], receivers: [all] }], listed).servers;
    const legacy = Object.fromEntries(
      Object.entries(told).map(([key, record]) => {
        const { receivers: _gone, ...notified } = record.notified!;
        return [key, { ...record, notified }];
      }),
    );
    const { sent } = runAll([{ at: 5, bad: [], receivers: [pager, chat, all] }], listed, legacy);
    expect(sent[0]).toEqual({
      'webhook[pager]': [],
      'webhook[chat]': ['recovered:10.0.0.4'],
      'webhook[all]': ['recovered:10.0.0.4'],
    });
  });
});

describe('routeNotices: a recovered carries the highest severity its receiver was sent in the episode', () => {
  const pager: RoutedReceiver = {
    name: 'webhook[pager]',
    rules: { sendResolved: true, match: [{ severity: 'critical' }] },
  };
  const chat: RoutedReceiver = {
    name: 'webhook[chat]',
    rules: { sendResolved: true, match: [{ severity: 'warning' }] },
  };
  const all: RoutedReceiver = { name: 'webhook[all]' };
  const a = (s: Severity) => finding('10.0.0.4', s);
  const listed = [a('warning'), finding('10.0.0.5', 'warning')];
  const withSeverity = (n: Notice) => `${n.type}:${n.severity}`;
  const route = (
    runs: Array<{ at: number; bad: Finding[] }>,
    receivers: RoutedReceiver[],
    start: Record<string, ServerRecord> = {},
  ) =>
    runAll(
      runs.map((run) => ({ ...run, receivers })),
      listed,
      start,
      withSeverity,
    );

  it.each<[string, Severity[], RoutedReceiver[], Record<string, string[]>]>([
    [
      'routed warning only, the episode raised to critical: chat hears warning, the pager critical',
      ['warning', 'critical'],
      [pager, chat],
      { 'webhook[pager]': ['recovered:critical'], 'webhook[chat]': ['recovered:warning'] },
    ],
    [
      'routed warning only, the episode critical from the start then lowered: chat was never told, so no recovered',
      ['critical', 'warning'],
      [pager, chat],
      { 'webhook[pager]': ['recovered:critical'], 'webhook[chat]': [] },
    ],
    [
      'no match, told warning then the raise: it knew critical',
      ['warning', 'critical'],
      [all],
      { 'webhook[all]': ['recovered:critical'] },
    ],
    [
      'no match, told critical, then warning reminders: the highest it was sent, not the last',
      ['critical', 'warning', 'warning'],
      [all],
      { 'webhook[all]': ['recovered:critical'] },
    ],
    [
      'warning all along: warning to every receiver told',
      ['warning', 'warning'],
      [pager, chat, all],
      { 'webhook[pager]': [], 'webhook[chat]': ['recovered:warning'], 'webhook[all]': ['recovered:warning'] },
    ],
  ])('%s', (_label, severities, receivers, recovered) => {
    const runs = severities.map((severity, i) => ({ at: i * 40, bad: [a(severity)] }));
    const { sent } = route([...runs, { at: severities.length * 40, bad: [] }], receivers);
    expect(sent[sent.length - 1]).toEqual(recovered);
  });

  it("the record keeps each receiver's highest severity; the copies keep the one notice id", () => {
    const { servers } = route(
      [
        { at: 0, bad: [a('warning')] },
        { at: 5, bad: [a('critical')] },
      ],
      [pager, chat, all],
    );
    expect(Object.values(servers)[0]?.notified).toMatchObject({
      severity: 'critical',
      receiverSeverities: {
        'webhook[chat]': 'warning',
        'webhook[pager]': 'critical',
        'webhook[all]': 'critical',
      },
    });
    const decision = decideNotices(servers, observation(10, [], listed), policy);
    const routing = routeNotices(decision, servers, [pager, chat, all]);
    const ids = [...routing.notices.values()].flat().map((n) => n.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it('a raised severity: "raised from warning" only to a receiver told the warning; to one told nothing, a first degraded', () => {
    const { sent } = runAll(
      [
        { at: 0, bad: [a('warning')], receivers: [pager, chat, all] },
        { at: 5, bad: [a('critical')], receivers: [pager, chat, all] },
      ],
      listed,
      {},
      (n) => `${n.type}:${n.severity}${n.raisedFrom ? `<${n.raisedFrom}` : ''}`,
    );
    expect(sent[1]).toEqual({
      'webhook[pager]': ['degraded:critical'],
      'webhook[chat]': [],
      'webhook[all]': ['degraded:critical<warning'],
    });
  });

  it("a record with receivers but no receiverSeverities (an earlier release): the episode's severity, as before", () => {
    const told = route(
      [
        { at: 0, bad: [a('warning')] },
        { at: 5, bad: [a('critical')] },
      ],
      [pager, chat],
    ).servers;
    const earlier = Object.fromEntries(
      Object.entries(told).map(([key, record]) => {
        const { receiverSeverities: _gone, ...notified } = record.notified!;
        return [key, { ...record, notified }];
      }),
    );
    const { sent } = route([{ at: 10, bad: [] }], [pager, chat], earlier);
    expect(sent[0]).toEqual({
      'webhook[pager]': ['recovered:critical'],
      'webhook[chat]': ['recovered:critical'],
    });
  });
});

describe('property: routing never sends a recovered (or a reminder) to a receiver that got no degraded of its episode', () => {
  const NAMES = ['webhook[a]', 'webhook[b]', 'webhook[c]'];
  const SERVERS = [
    finding('10.0.0.4', 'warning'),
    finding('10.0.0.5', 'warning'),
    finding('10.0.1.4', 'warning', test, 'pool-batch'),
  ];
  const rule = fc.constantFrom<RouteRule>(
    { severity: 'critical' },
    { severity: 'warning' },
    { gateway: 'agw-prod-*' },
    { backendPool: 'pool-batch' },
    { not: { gateway: 'agw-test-*' } },
    { cause: 'tcp-connect', not: { severity: 'warning' } },
  );
  const receiver = (name: string) =>
    fc
      .record({
        present: fc.boolean(),
        sendResolved: fc.boolean(),
        match: fc.option(fc.array(rule, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      })
      .map(({ present, sendResolved, match }) =>
        present ? [{ name, rules: { sendResolved, ...(match ? { match } : {}) } } as RoutedReceiver] : [],
      );
  const runArb = fc.record({
    // Per server: healthy (null) or bad with a severity.
    states: fc.tuple(...SERVERS.map(() => fc.constantFrom<Severity | null>(null, 'warning', 'critical'))),
    minutes: fc.integer({ min: 1, max: 45 }),
    receivers: fc.tuple(...NAMES.map(receiver)).map((lists) => lists.flat()),
  });

  it('holds over random runs, severities and routing changes; and a recovered reaches every receiver of its episode that still takes it', () => {
    fc.assert(
      fc.property(fc.array(runArb, { minLength: 1, maxLength: 25 }), (runs) => {
        let servers: Record<string, ServerRecord> = {};
        let at = 0;
        // episode id → receivers it was routed a degraded to
        const told = new Map<string, Set<string>>();
        // episode|receiver → the highest severity it was routed
        const highest = new Map<string, Severity>();
        for (const run of runs) {
          at += run.minutes;
          const bad = SERVERS.flatMap((f, i) => {
            const severity = run.states[i];
            return severity ? [{ ...f, severity }] : [];
          });
          const decision = decideNotices(servers, observation(at, bad, SERVERS), policy);
          const routing = routeNotices(decision, servers, run.receivers);
          for (const [name, notices] of routing.notices) {
            for (const notice of notices) {
              const episode = episodeId(notice);
              const got = told.get(episode) ?? new Set<string>();
              if (notice.type === 'degraded') told.set(episode, got.add(name));
              else expect(got.has(name)).toBe(true);
              // A recovered carries the highest severity this receiver was sent in the episode.
              const known = `${episode}|${name}`;
              if (notice.type === 'recovered') expect(notice.severity).toBe(highest.get(known));
              else highest.set(known, higherSeverity(highest.get(known) ?? 'warning', notice.severity));
            }
          }
          for (const notice of decision.notices.filter((n) => n.type === 'recovered')) {
            for (const name of told.get(episodeId(notice)) ?? []) {
              const configured = run.receivers.find((r) => r.name === name);
              const wanted = configured !== undefined && configured.rules?.sendResolved !== false;
              expect(routing.notices.get(name)?.some((n) => n.id === notice.id) ?? false).toBe(wanted);
            }
          }
          servers = routing.servers;
        }
      }),
      { numRuns: 300 },
    );
  });
});
