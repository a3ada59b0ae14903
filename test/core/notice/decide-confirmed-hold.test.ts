import fc from 'fast-check';
import { gatewayKey } from '../../../src/core/arm-id';
import {
  confirmationHoldInMs,
  decideNotices,
  type Decision,
  type NotifyPolicy,
  type Observation,
} from '../../../src/core/notice/decide';
import { decideWithInhibition, GATEWAY_SCOPE } from '../../../src/core/notice/inhibit';
import { RECOVERED_REASONS, type Notice } from '../../../src/core/notice/notice';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { confirmedServer, finding } from './fixtures';

/**
 * The mark of a confirmed fix (ServerRecord.confirmed): after `recheck` found a server healthy, the
 * gateway's backend-health reading lags by up to the probe's interval × unhealthy threshold, so a bad
 * reading within that time opens no episode. Fake clock: every time is given.
 */

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const SECOND = 1000;
const POLICY: NotifyPolicy = { for: 1, repeatIntervalInMs: 3_600_000 };
const ADDRESSES = ['10.0.0.4', '10.0.0.5'] as const;

/** A recheck at `at` that found `addresses` healthy, with the given hold. */
function recheckAt(at: number, addresses: readonly string[], holdInMs = 90 * SECOND): Observation {
  return {
    now: new Date(at),
    evaluated: new Map(),
    bad: [],
    isGone: () => false,
    confirmedHealthy: new Map(
      addresses.map((a) => [
        serverKey(finding({ address: a })),
        confirmedServer(finding({ address: a }), holdInMs),
      ]),
    ),
  };
}

/** A scheduled run at `at`: each address of ADDRESSES listed, those in `bad` Unhealthy. */
function runAt(at: number, bad: readonly string[], gone = false): Observation {
  const listed = new Map(
    ADDRESSES.map((a) => [serverKey(finding({ address: a })), bad.includes(a) ? 'Unhealthy' : 'Healthy']),
  );
  return {
    now: new Date(at),
    evaluated: gone ? new Map() : new Map([[gatewayKey(finding().gateway.id), listed]]),
    bad: gone ? [] : bad.map((address) => ({ finding: finding({ address }) })),
    isGone: () => gone,
  };
}

const told = (notices: readonly Notice[]) =>
  notices.map((n) => [n.type, n.scope === 'gateway' ? 'gateway' : n.server.address, n.reason ?? '']);

/** Plays observations in order from `start`, returning each decision. */
function play(
  observations: readonly Observation[],
  policy: NotifyPolicy = POLICY,
  decide = decideNotices,
  start: Readonly<Record<string, ServerRecord>> = {},
): Decision[] {
  let servers = start;
  return observations.map((observation) => {
    const decision = decide(servers, observation, policy);
    servers = decision.servers;
    return decision;
  });
}

const KEY = serverKey(finding());

describe('confirmationHoldInMs: the probe interval × unhealthy threshold', () => {
  it.each([
    ['unknown probe values: the default probe, 30 s × 3', {}, 90_000],
    ['a custom probe, 10 s × 2', { intervalInS: 10, unhealthyThreshold: 2 }, 20_000],
    ['interval only', { intervalInS: 5 }, 15_000],
    ['nonsense values take the default', { intervalInS: 0, unhealthyThreshold: Number.NaN }, 90_000],
  ])('%s', (_name, probe, expected) => {
    expect(confirmationHoldInMs(probe)).toBe(expected);
  });
});

describe('a bad reading right after a confirmed fix', () => {
  const episode = [runAt(T0, ['10.0.0.4']), recheckAt(T0 + 60 * SECOND, ['10.0.0.4'])];

  it('opens no episode within the hold; the reading is recorded in the mark', () => {
    const [, recheck, lag1, lag2] = play([
      ...episode,
      runAt(T0 + 90 * SECOND, ['10.0.0.4']),
      runAt(T0 + 149 * SECOND, ['10.0.0.4']),
    ]);
    expect(told(recheck?.notices ?? [])).toEqual([
      ['recovered', '10.0.0.4', RECOVERED_REASONS.confirmedOnDemand],
    ]);
    expect(lag1?.notices).toEqual([]);
    expect(lag2?.notices).toEqual([]);
    expect(lag2?.servers[KEY]).toMatchObject({
      badRuns: 0,
      health: 'Unhealthy',
      confirmed: { badReadings: 2, lastBadAt: new Date(T0 + 149 * SECOND).toISOString() },
    });
    expect(lag2?.servers[KEY]?.notified).toBeUndefined();
  });

  it('opens the episode at the first bad reading past the hold (degradedSince then)', () => {
    const decisions = play([
      ...episode,
      runAt(T0 + 90 * SECOND, ['10.0.0.4']),
      runAt(T0 + 150 * SECOND, ['10.0.0.4']),
    ]);
    const last = decisions[3] as Decision;
    expect(told(last.notices)).toEqual([['degraded', '10.0.0.4', '']]);
    expect(last.notices[0]?.degradedSince).toBe(new Date(T0 + 150 * SECOND).toISOString());
    expect(last.servers[KEY]?.confirmed).toBeUndefined();
  });

  it('past the hold, notify.for counts from the first bad reading after it', () => {
    const decisions = play(
      [
        runAt(T0, ['10.0.0.4']),
        runAt(T0 + 30 * SECOND, ['10.0.0.4']), // degraded (for 2)
        recheckAt(T0 + 60 * SECOND, ['10.0.0.4']),
        runAt(T0 + 100 * SECOND, ['10.0.0.4']), // within the hold
        runAt(T0 + 160 * SECOND, ['10.0.0.4']), // past it: first bad run
        runAt(T0 + 200 * SECOND, ['10.0.0.4']), // second: degraded
      ],
      { ...POLICY, for: 2 },
    );
    expect(decisions.map((d) => told(d.notices))).toEqual([
      [],
      [['degraded', '10.0.0.4', '']],
      [['recovered', '10.0.0.4', RECOVERED_REASONS.confirmedOnDemand]],
      [],
      [],
      [['degraded', '10.0.0.4', '']],
    ]);
  });

  it('a healthy reading within the hold keeps the mark; the first one past it drops the record', () => {
    const decisions = play([
      ...episode,
      runAt(T0 + 90 * SECOND, []),
      runAt(T0 + 151 * SECOND, []),
      runAt(T0 + 200 * SECOND, ['10.0.0.4']),
    ]);
    expect(decisions.map((d) => told(d.notices))).toEqual([
      [['degraded', '10.0.0.4', '']],
      [['recovered', '10.0.0.4', RECOVERED_REASONS.confirmedOnDemand]],
      [],
      [],
      [['degraded', '10.0.0.4', '']],
    ]);
    expect(decisions[2]?.servers[KEY]?.confirmed).toBeDefined();
    expect(decisions[3]?.servers).toEqual({});
  });

  it('a server with no record (bad since the last run, fixed before the next) is marked too', () => {
    const decisions = play([recheckAt(T0, ['10.0.0.4']), runAt(T0 + 30 * SECOND, ['10.0.0.4'])]);
    expect(decisions.map((d) => told(d.notices))).toEqual([[], []]);
  });

  it('a second recheck renews the mark and sends nothing', () => {
    const decisions = play([
      ...episode,
      recheckAt(T0 + 120 * SECOND, ['10.0.0.4']),
      runAt(T0 + 200 * SECOND, ['10.0.0.4']), // past the first hold, within the second
    ]);
    expect(decisions.slice(2).map((d) => told(d.notices))).toEqual([[], []]);
    expect(decisions[2]?.servers[KEY]?.confirmed?.until).toBe(new Date(T0 + 210 * SECOND).toISOString());
  });

  it('the mark of a gateway gone is dropped; one of a gateway not evaluated is carried over', () => {
    const [, , gone] = play([...episode, runAt(T0 + 70 * SECOND, [], true)]);
    expect(gone?.servers).toEqual({});
    const notEvaluated: Observation = {
      now: new Date(T0 + 500 * SECOND),
      evaluated: new Map(),
      bad: [],
      isGone: () => false,
    };
    const [, recheck, later] = play([...episode, notEvaluated]);
    expect(later?.servers).toEqual(recheck?.servers);
  });

  it('property: a bad reading opens an episode exactly when it comes at or after interval × threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 7_000_000 }),
        (intervalInS, threshold, afterInMs) => {
          const holdInMs = confirmationHoldInMs({ intervalInS, unhealthyThreshold: threshold });
          const decisions = play([
            runAt(T0, ['10.0.0.4']),
            recheckAt(T0 + SECOND, ['10.0.0.4'], holdInMs),
            runAt(T0 + SECOND + afterInMs, ['10.0.0.4']),
          ]);
          const expected = afterInMs >= holdInMs ? [['degraded', '10.0.0.4', '']] : [];
          expect(told(decisions[2]?.notices ?? [])).toEqual(expected);
        },
      ),
    );
  });
});

describe('the mark and inhibition (notify.inhibit)', () => {
  const inhibit: NotifyPolicy = { ...POLICY, inhibit: true };

  it('servers under the mark do not make the gateway all bad: no gateway-level notice from a lagging reading', () => {
    const decisions = play(
      [
        runAt(T0, ['10.0.0.4', '10.0.0.5']), // every server bad: one gateway-level degraded
        recheckAt(T0 + 60 * SECOND, ['10.0.0.4', '10.0.0.5']),
        runAt(T0 + 90 * SECOND, ['10.0.0.4', '10.0.0.5']), // lagging
      ],
      inhibit,
      decideWithInhibition,
    );
    expect(decisions.map((d) => told(d.notices))).toEqual([
      [['degraded', 'gateway', '']],
      [['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad]],
      [],
    ]);
  });

  it('one server confirmed ends the gateway-level episode; the other, still bad, gets its own degraded', () => {
    const decisions = play(
      [
        runAt(T0, ['10.0.0.4', '10.0.0.5']),
        recheckAt(T0 + 60 * SECOND, ['10.0.0.4']),
        runAt(T0 + 90 * SECOND, ['10.0.0.4', '10.0.0.5']),
      ],
      inhibit,
      decideWithInhibition,
    );
    expect(decisions.map((d) => told(d.notices))).toEqual([
      [['degraded', 'gateway', '']],
      [['recovered', 'gateway', RECOVERED_REASONS.notEveryPoolBad]],
      [['degraded', '10.0.0.5', '']],
    ]);
    const gatewayKeyOf = serverKey({ gateway: finding().gateway, ...GATEWAY_SCOPE });
    // The gateway-level record is a mark only: it inhibits nothing.
    expect(decisions[2]?.servers[gatewayKeyOf]?.notified).toBeUndefined();
  });

  it('a gateway all bad without any mark is still one gateway-level notice (the mark changes nothing else)', () => {
    const decisions = play([runAt(T0, ['10.0.0.4', '10.0.0.5'])], inhibit, decideWithInhibition);
    expect(told(decisions[0]?.notices ?? [])).toEqual([['degraded', 'gateway', '']]);
  });
});
