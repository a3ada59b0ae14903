/**
 * The grouping soak's oracle on a case it misread (seed 1915014375, under load): a server Down for one
 * run, its `degraded` held for the group's wait, then healthy at the next run, whose write of the
 * gateway's state document was cut after it landed ("cannot write it"). That run dropped the held
 * `degraded` as ended (the episode was over before anyone was told) and could not report it; no
 * receiver ever got the notice. "Nothing missed" must count the held notice as decided; the same runs
 * without the lost write are a run that missed it.
 */
import type { GroupedNoticeReport, RunReport } from '../../src/core/run-report';
import { RECOVERED_REASONS, stateDocumentName } from './common';
import { checkGroupSoak, type GroupRunRecord } from './group-checks';
import { GROUP_GATEWAYS, allBad, noneServing } from './group-world';
import type { ReceivedRequest } from './receiver';
import { BAD_PROBE_LOGS, serverKey, type Truth } from './world';

const RECEIVERS = ['webhook[ops]', 'webhook[pager]', 'webhook[chat]'];
const gateway = GROUP_GATEWAYS[1] as (typeof GROUP_GATEWAYS)[number];
const address = gateway.addresses[0] as string;
const AT_BAD = '2030-01-01T01:57:00.000Z';
const AT_HEALTHY = '2030-01-01T02:02:00.000Z';
const AT_LATER = '2030-01-01T02:14:00.000Z';

function truthWith(kind: 'bad' | 'healthy'): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const g of GROUP_GATEWAYS)
    for (const a of g.addresses) truth.set(serverKey(g.id, a), { kind: 'healthy', health: 'Healthy' });
  if (kind === 'bad') truth.set(serverKey(gateway.id, address), { kind: 'bad', health: 'Down', log: 1 });
  return truth;
}

const held = (receiver: string): GroupedNoticeReport =>
  ({
    receiver,
    noticeId: 'appgw-held',
    type: 'degraded',
    severity: 'warning',
    gateway: gateway.id,
    server: `${gateway.name}/pool-a/settings-a/${address}`,
    queuedAt: AT_BAD,
    dueAt: AT_HEALTHY,
    dueBy: 'notify.groupWait',
  }) as GroupedNoticeReport;

const cutWrite = {
  code: 'StateUnavailable',
  message: `The notify state in ${stateDocumentName(gateway.id)} is unavailable: cannot write it: RestError: read ECONNRESET.`,
  retryable: true,
  document: stateDocumentName(gateway.id),
};

function run(
  iteration: number,
  at: string,
  kind: 'bad' | 'healthy',
  notifications: {
    grouped?: GroupedNoticeReport[];
    stateErrors?: (typeof cutWrite)[];
    deliveries?: { receiver: string; noticeId: string; outcome: 'delivered' }[];
  },
  clean = true,
): GroupRunRecord {
  const ids = new Set(GROUP_GATEWAYS.map((g) => g.id.toLowerCase()));
  return {
    iteration,
    at,
    drain: false,
    truth: truthWith(kind),
    report: {
      notifications: { stateErrors: [], deliveries: [], ...notifications },
    } as unknown as RunReport,
    readOk: ids,
    clean: clean ? ids : new Set([...ids].filter((id) => id !== gateway.id.toLowerCase())),
    listing: { notices: [], errors: [], read: 0, listed: true },
  };
}

/** The soak's settings: three receivers, nothing parked or repeated, reminders every 40 minutes. */
const INPUT = {
  receivers: RECEIVERS,
  parked: new Map<string, ReadonlySet<string>>(),
  mayRepeat: new Set<string>(),
  notResent: [],
  repeatIntervalInMs: 40 * 60_000,
  holdBoundInMs: 12 * 60_000,
};

function violations(writeCut: boolean): string[] {
  const runs = [
    run(18, AT_BAD, 'bad', { grouped: RECEIVERS.map(held) }),
    run(19, AT_HEALTHY, 'healthy', writeCut ? { stateErrors: [cutWrite] } : {}, !writeCut),
    run(21, AT_LATER, 'healthy', {}),
  ];
  return checkGroupSoak({ ...INPUT, runs, requests: [] }).violations;
}

it('a held degraded dropped by a run whose state write lost its answer was decided: nothing missed', () => {
  expect(violations(true)).toEqual([]);
});

it('without the lost write, the bad run missed its degraded (the check can fail)', () => {
  expect(violations(false)).toEqual([
    expect.stringMatching(/run 18 \(clean\), gw-split\/.*: bad, but no degraded was decided/),
  ]);
});

describe('a reminder held for receivers told of the episode, dropped by a run whose write lost its answer', () => {
  const AT_TOLD = '2030-01-01T01:02:00.000Z';
  const AT_DUE = '2030-01-01T01:42:00.000Z';
  const AT_OVER = '2030-01-01T01:47:00.000Z';
  const notice = (receiver: string, id: string, type: string, occurredAt: string): ReceivedRequest => ({
    receiver,
    iteration: 0,
    id,
    type,
    gateway: gateway.id,
    address,
    probeLog: type === 'recovered' ? '' : BAD_PROBE_LOGS[1],
    severity: 'warning',
    occurredAt,
    ...(type === 'recovered' ? { reason: RECOVERED_REASONS.healthy } : {}),
    message: { id: `m-${id}`, size: 1, gateway: gateway.id },
    answer: 200,
    accepted: true,
  });
  const reminder = (receiver: string): GroupedNoticeReport =>
    ({
      ...held(receiver),
      noticeId: 'appgw-reminder',
      type: 'still-degraded',
      queuedAt: AT_DUE,
    }) as GroupedNoticeReport;

  const delivered = (noticeId: string) =>
    RECEIVERS.map((receiver) => ({ receiver, noticeId, outcome: 'delivered' as const }));

  function reminderViolations(writeCut: boolean): string[] {
    const runs = [
      run(9, AT_TOLD, 'bad', { deliveries: delivered('appgw-told') }),
      run(15, AT_DUE, 'bad', { grouped: RECEIVERS.map(reminder) }),
      run(
        16,
        AT_OVER,
        'healthy',
        { deliveries: delivered('appgw-over'), ...(writeCut ? { stateErrors: [cutWrite] } : {}) },
        !writeCut,
      ),
    ];
    const requests = RECEIVERS.flatMap((r) => [
      notice(r, 'appgw-told', 'degraded', AT_TOLD),
      notice(r, 'appgw-over', 'recovered', AT_OVER),
    ]);
    return checkGroupSoak({ ...INPUT, runs, requests }).violations;
  }

  it('the reminder was decided: nothing missed', () => {
    expect(reminderViolations(true)).toEqual([]);
  });

  it('without the lost write, it was never decided (the check can fail)', () => {
    expect(reminderViolations(false)).toEqual([
      expect.stringMatching(/run 15 \(clean\), gw-split\/.*: a reminder was due/),
    ]);
  });
});

// Seed 1120370798: the gateway-level episode of gw-split opened with two servers Down; then pool-b was
// emptied and the one server left stayed Down. The product keeps the episode open (no server serves:
// "not every pool bad any more" would be false); the oracle, asking for two or more bad, called it stuck.
describe('the group oracle: an open gateway-level episode is kept while no server serves', () => {
  const split = GROUP_GATEWAYS.find((g) => g.name === 'gw-split') as (typeof GROUP_GATEWAYS)[number];
  const truthOf = (kinds: ReadonlyArray<'bad' | 'healthy' | 'absent'>): Map<string, Truth> =>
    new Map(
      split.addresses.map((a, i): [string, Truth] => {
        const kind = kinds[i] ?? 'healthy';
        return [
          serverKey(split.id, a),
          kind === 'bad'
            ? { kind: 'bad', health: 'Down', log: 1 }
            : kind === 'absent'
              ? { kind: 'absent' }
              : { kind: 'healthy', health: 'Healthy' },
        ];
      }),
    );

  it.each([
    ['two listed, both bad', ['bad', 'bad', 'absent'], true, true],
    ['one listed, bad (its pool emptied)', ['bad', 'absent', 'absent'], false, true],
    ['one listed, healthy', ['healthy', 'absent', 'absent'], false, false],
    ['one of two bad', ['bad', 'healthy', 'absent'], false, false],
    ['none listed', ['absent', 'absent', 'absent'], false, false],
  ] as const)('%s: opens %s, kept open %s', (_, kinds, opens, kept) => {
    expect(split.addresses).toHaveLength(3);
    expect(allBad(truthOf(kinds), split)).toBe(opens);
    expect(noneServing(truthOf(kinds), split)).toBe(kept);
  });
});

// Seed 1392001756: gw-pair went all bad at run 1 (its gateway-level degraded held for the group's
// wait); at run 2 one server was gone from the reading and the other still Down, so no server served
// and the product kept the episode open, inhibiting the server's own degraded; at run 3 all were back
// and the held degraded was dropped as ended in its group. No receiver got it, and the oracle called
// the Down server's degraded missed at run 2.
describe('the group oracle: a gateway-level episode held for its group, kept open while no server serves', () => {
  const pair = GROUP_GATEWAYS.find((g) => g.name === 'gw-pair') as (typeof GROUP_GATEWAYS)[number];
  const [first, second] = pair.addresses as [string, string];
  const AT = ['2030-01-01T00:05:00.000Z', '2030-01-01T00:07:00.000Z', '2030-01-01T00:09:00.000Z'];
  const truthOf = (kinds: readonly ['bad' | 'healthy' | 'absent', 'bad' | 'healthy' | 'absent']) => {
    const truth = truthWith('healthy');
    kinds.forEach((kind, i) =>
      truth.set(
        serverKey(pair.id, [first, second][i] as string),
        kind === 'bad'
          ? { kind: 'bad', health: 'Down', log: 0 }
          : kind === 'absent'
            ? { kind: 'absent' }
            : { kind: 'healthy', health: 'Healthy' },
      ),
    );
    return truth;
  };
  const gatewayLevel = (receiver: string) => ({
    receiver,
    noticeId: 'appgw-pair-all-bad',
    type: 'degraded',
    severity: 'critical',
    gateway: pair.id,
    server: `${pair.name}/(every pool)/(every setting)/(every server)`,
    queuedAt: AT[0],
  });
  const record = (
    iteration: number,
    kinds: readonly ['bad' | 'healthy' | 'absent', 'bad' | 'healthy' | 'absent'],
    notifications: object,
  ): GroupRunRecord => {
    const ids = new Set(GROUP_GATEWAYS.map((g) => g.id.toLowerCase()));
    return {
      iteration,
      at: AT[iteration - 1] as string,
      drain: false,
      truth: truthOf(kinds),
      report: {
        notifications: { stateErrors: [], deliveries: [], ...notifications },
      } as unknown as RunReport,
      readOk: ids,
      clean: ids,
      listing: { notices: [], errors: [], read: 0, listed: true },
    };
  };

  function pairViolations(held: boolean): string[] {
    const grouped = held
      ? RECEIVERS.map((r) => ({ ...gatewayLevel(r), dueAt: AT[2], dueBy: 'notify.groupWait' }))
      : [];
    const runs = [
      record(1, ['bad', 'bad'], { grouped }),
      record(2, ['absent', 'bad'], { grouped }),
      record(3, ['healthy', 'healthy'], {
        // The degraded dropped, and the recovered decided with it (never sent: no one was told).
        endedInGroup: held
          ? RECEIVERS.flatMap((r) => [
              { ...gatewayLevel(r), reason: 'ended before its group was sent' },
              {
                ...gatewayLevel(r),
                noticeId: 'appgw-pair-back',
                type: 'recovered',
                queuedAt: AT[2],
                reason: 'not sent: the receiver was never told of the episode',
              },
            ])
          : [],
      }),
    ];
    return checkGroupSoak({ ...INPUT, runs, requests: [] }).violations;
  }

  it('the episode was open at run 2: the Down server inhibited, nothing missed', () => {
    expect(pairViolations(true)).toEqual([]);
  });

  it('without the held gateway-level degraded, run 2 missed the Down server’s (the check can fail)', () => {
    expect(pairViolations(false)).toContainEqual(
      expect.stringMatching(/^run 2 \(clean\), gw-pair\/10\.20\.0\.5: bad, but no degraded was decided$/),
    );
  });
});
