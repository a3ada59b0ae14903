/**
 * The soak's oracle on a case it misread (seed 1008584013): a `degraded` every receiver refused (dead
 * letters) or never took, then the server healthy. The product decides the `recovered` and rightly
 * sends it to no receiver (none was told), reporting it in `endedInGroup`: the episode is closed, and
 * "nothing missed" must see that; without the report's entries it is an episode left open.
 */
import type { EndedInGroupReport, RunReport } from '../../src/core/run-report';
import { checkSoak, type RunRecord } from './checks';
import { lastDecided, type ExcusedNotice } from './common';
import type { ReceivedRequest } from './receiver';
import { BAD_PROBE_LOGS, GATEWAYS, serverKey, type Truth } from './world';

const RECEIVERS = ['webhook[ops]', 'webhook[pager]', 'webhook[chat]'];
const gateway = GATEWAYS[3] as (typeof GATEWAYS)[number];
const address = gateway.addresses[0] as string;
const key = serverKey(gateway.id, address);
const AT_BAD = '2030-01-01T01:00:00.000Z';
const AT_HEALTHY = '2030-01-01T01:10:00.000Z';

function truthWith(kind: 'bad' | 'healthy'): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const g of GATEWAYS)
    for (const a of g.addresses) truth.set(serverKey(g.id, a), { kind: 'healthy', health: 'Healthy' });
  if (kind === 'bad') truth.set(key, { kind: 'bad', health: 'Down', log: 1 });
  return truth;
}

function report(endedInGroup: readonly EndedInGroupReport[]): RunReport {
  return {
    notifications: { endedInGroup, stateErrors: [], deliveries: [] },
  } as unknown as RunReport;
}

function run(iteration: number, at: string, kind: 'bad' | 'healthy', ended: EndedInGroupReport[]): RunRecord {
  const ids = new Set(GATEWAYS.map((g) => g.id.toLowerCase()));
  return {
    iteration,
    mode: 'direct',
    at,
    truth: truthWith(kind),
    reports: [report(ended)],
    readOk: ids,
    clean: ids,
  };
}

const refused = (receiver: string): ReceivedRequest => ({
  receiver,
  iteration: 6,
  id: 'appgw-degraded',
  type: 'degraded',
  gateway: gateway.id,
  address,
  probeLog: BAD_PROBE_LOGS[1],
  severity: 'warning',
  occurredAt: AT_BAD,
  answer: 410,
  accepted: false,
});

const ended = (receiver: string, noticeId: string, type: string, queuedAt: string): EndedInGroupReport =>
  ({
    receiver,
    noticeId,
    type,
    severity: 'warning',
    gateway: gateway.id,
    server: `${gateway.name}/pool-a/settings-a/${address}`,
    queuedAt,
    reason:
      'not sent: the receiver never accepted the episode’s first notice, so there is nothing to resolve',
  }) as EndedInGroupReport;

function check(reportsTheEnd: boolean) {
  const closing = reportsTheEnd
    ? RECEIVERS.flatMap((r) => [
        ended(r, 'appgw-degraded', 'degraded', AT_BAD),
        ended(r, 'appgw-recovered', 'recovered', AT_HEALTHY),
      ])
    : [];
  return violationsOf(
    [run(6, AT_BAD, 'bad', []), run(7, AT_HEALTHY, 'healthy', closing)],
    RECEIVERS.map(refused),
  );
}

/** The oracle's violations for these runs and requests: three receivers, nothing parked or repeated. */
function violationsOf(runs: RunRecord[], requests: ReceivedRequest[]): string[] {
  return checkSoak({
    runs,
    requests,
    receivers: RECEIVERS,
    parked: new Map(),
    mayRepeat: new Set(),
    notResent: [],
    repeatIntervalInMs: 3_600_000,
  }).violations;
}

it('a recovered decided but rightly sent to no receiver closes the episode for "nothing missed"', () => {
  expect(check(true)).toEqual([]);
});

it('without it, the degraded nobody accepted reads as an episode left open (the check can fail)', () => {
  expect(check(false)).toEqual(
    expect.arrayContaining([expect.stringMatching(/run 7 .*healthy but no recovered was decided/)]),
  );
});

describe('a degraded every receiver failed to take, dropped when the server recovered (seed 1951319838)', () => {
  const AT_RECOVERED = '2030-01-01T01:20:00.000Z';
  // Decided at AT_HEALTHY (the server bad then), sent to nobody (each receiver failed earlier in that
  // run), then dropped with its recovered for every receiver: nobody was told of the episode.
  function checkNeverSent(reportsTheEnd: boolean) {
    const closing = reportsTheEnd
      ? RECEIVERS.flatMap((r) => [
          ended(r, 'appgw-degraded-2', 'degraded', AT_HEALTHY),
          ended(r, 'appgw-recovered-2', 'recovered', AT_RECOVERED),
        ])
      : [];
    const bad = run(7, AT_HEALTHY, 'bad', []);
    return violationsOf([run(6, AT_BAD, 'healthy', []), bad, run(8, AT_RECOVERED, 'healthy', closing)], []);
  }

  it('"nothing missed" counts it as decided', () => {
    expect(checkNeverSent(true)).toEqual([]);
  });

  it('without the report saying so, the bad run missed it (the check can fail)', () => {
    expect(checkNeverSent(false)).toEqual([
      expect.stringMatching(/run 7 .*bad \(Down\) but no degraded was decided/),
    ]);
  });
});

describe('lastDecided', () => {
  const notice = (type: string, occurredAt: string) => ({ type, occurredAt, key });
  const excuse = (type: string, queuedAt: string): ExcusedNotice => ({
    receiver: 'webhook[ops]',
    noticeId: 'x',
    type,
    key,
    queuedAt,
    what: 'test',
  });
  const at = Date.parse('2030-01-01T02:00:00.000Z');
  it.each([
    ['nothing decided', [], [], undefined],
    ['the newest notice', [notice('degraded', AT_BAD)], [], ['degraded', AT_BAD]],
    [
      'an excused recovered after it',
      [notice('degraded', AT_BAD)],
      [excuse('recovered', AT_HEALTHY)],
      ['recovered', AT_HEALTHY],
    ],
    [
      'an excused recovered before it',
      [notice('degraded', AT_HEALTHY)],
      [excuse('recovered', AT_BAD)],
      ['degraded', AT_HEALTHY],
    ],
    [
      'an excused degraded is no close',
      [notice('degraded', AT_BAD)],
      [excuse('degraded', AT_HEALTHY)],
      ['degraded', AT_BAD],
    ],
    [
      'an excused recovered after the run',
      [notice('degraded', AT_BAD)],
      [excuse('recovered', '2030-01-01T03:00:00.000Z')],
      ['degraded', AT_BAD],
    ],
    ['a notice after the run', [notice('degraded', '2030-01-01T03:00:00.000Z')], [], undefined],
  ] as const)('%s', (_name, decided, excused, expected) => {
    const last = lastDecided(decided, excused, key, (n) => n.key, at);
    expect(last ? [last.type, last.occurredAt] : undefined).toEqual(expected ? [...expected] : undefined);
  });
});
