import fc from 'fast-check';
import { decideNotices, type ConfirmedServer, type Observation } from '../../../src/core/notice/decide';
import { RECOVERED_REASONS } from '../../../src/core/notice/notice';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { confirmedServer, finding } from './fixtures';

/** `confirmedHealthy` (recheck): an on-demand probe found the server healthy. */

const NOW = new Date('2026-11-30T10:00:00Z');

function record(extra: Partial<ServerRecord> = {}, address = '10.0.0.4'): ServerRecord {
  const f = finding({ address });
  return {
    gateway: f.gateway,
    backendPool: f.backendPool,
    backendSettings: f.backendSettings,
    address: f.address,
    badRuns: 3,
    degradedSince: '2026-11-30T09:00:00Z',
    health: f.health,
    probeLog: f.probeLog,
    cause: f.cause,
    notified: { at: '2026-11-30T09:00:00Z', causeId: f.cause.id, repeats: 0 },
    ...extra,
  };
}

const KEY = serverKey(finding());

/** A recheck's observation: no gateway evaluated, nothing bad, `confirmed` (key → health) found healthy. */
function recheck(confirmed: ReadonlyMap<string, string>, now = NOW, holdInMs = 90_000): Observation {
  const servers = new Map<string, ConfirmedServer>(
    // The address is the key's last part (serverKey: gateway|pool|settings|address).
    [...confirmed].map(([key, health]) => [
      key,
      confirmedServer(finding({ address: key.split('|')[3] ?? '10.0.0.4' }), holdInMs, health),
    ]),
  );
  return { now, evaluated: new Map(), bad: [], isGone: () => false, confirmedHealthy: servers };
}

describe('decideNotices with servers confirmed healthy by an on-demand probe', () => {
  it.each([
    ['told episode, recoverAfter absent', record(), undefined],
    ['told episode, recoverAfter 3 and no good run yet', record(), 3],
    ['told episode, recoverAfter 5 with 4 good runs counted', record({ goodRuns: 4 }), 5],
    ['told episode, recoverAfter 100', record({ goodRuns: 1 }), 100],
  ])('%s: recovered at once, reason "confirmed by an on-demand probe"', (_name, rec, recoverAfter) => {
    const decision = decideNotices({ [KEY]: rec }, recheck(new Map([[KEY, 'Healthy']])), {
      for: 1,
      repeatIntervalInMs: 3_600_000,
      ...(recoverAfter ? { recoverAfter } : {}),
    });
    expect(decision.notices).toHaveLength(1);
    expect(decision.notices[0]).toMatchObject({
      type: 'recovered',
      reason: 'confirmed by an on-demand probe',
      server: { address: '10.0.0.4', health: 'Healthy' },
      degradedSince: rec.degradedSince,
    });
    // No episode any more: only the mark of the confirmed fix (90 s from now).
    expect(decision.servers[KEY]).toMatchObject({
      badRuns: 0,
      health: 'Healthy',
      confirmed: { at: NOW.toISOString(), until: '2026-11-30T10:01:30.000Z' },
    });
    expect(decision.servers[KEY]?.notified).toBeUndefined();
  });

  it('an episode never told (damped by notify.for) ends silently, leaving the mark', () => {
    const { notices, servers } = decideNotices(
      { [KEY]: record({ notified: undefined, badRuns: 1 }) },
      recheck(new Map([[KEY, 'Healthy']])),
      { for: 3, repeatIntervalInMs: 1 },
    );
    expect(notices).toEqual([]);
    expect(Object.keys(servers)).toEqual([KEY]);
    expect(servers[KEY]).toMatchObject({ badRuns: 0, confirmed: { at: NOW.toISOString() } });
  });

  it('other servers of the gateway (not probed, not evaluated) are carried over untouched', () => {
    const other = record({}, '10.0.0.5');
    const otherKey = serverKey(other);
    const { notices, servers } = decideNotices(
      { [KEY]: record(), [otherKey]: other },
      recheck(new Map([[KEY, 'Healthy']])),
      { for: 1, repeatIntervalInMs: 1 },
    );
    expect(notices.map((n) => n.server.address)).toEqual(['10.0.0.4']);
    expect(servers[otherKey]).toEqual(other);
    expect(Object.keys(servers).sort()).toEqual([KEY, otherKey].sort());
  });

  it('a server confirmed healthy with no open episode sends nothing (the second recheck), and is marked', () => {
    const decision = decideNotices({}, recheck(new Map([[KEY, 'Healthy']])), {
      for: 1,
      repeatIntervalInMs: 1,
    });
    expect(decision.notices).toEqual([]);
    expect(decision.silenced).toEqual([]);
    expect(decision.servers[KEY]).toMatchObject({ badRuns: 0, address: '10.0.0.4', confirmed: {} });
  });

  it.each([
    ['a told episode', record()],
    ['an episode never told', record({ notified: undefined })],
  ])(
    'a second recheck of %s already closed: no notice, the closed episode kept (degradedSince, cause), only the hold renewed',
    (_name, rec) => {
      const policy = { for: 1, repeatIntervalInMs: 3_600_000 };
      const first = decideNotices({ [KEY]: rec }, recheck(new Map([[KEY, 'Healthy']])), policy);
      const later = new Date(NOW.getTime() + 600_000);
      const second = decideNotices(first.servers, recheck(new Map([[KEY, 'Healthy']]), later), policy);
      expect(second.notices).toEqual([]);
      expect(first.servers[KEY]?.degradedSince).toBe(rec.degradedSince);
      expect(second.servers[KEY]).toMatchObject({
        badRuns: 0,
        degradedSince: rec.degradedSince,
        cause: rec.cause,
        confirmed: { at: later.toISOString() },
      });
      expect(second.servers[KEY]?.notified).toBeUndefined();
    },
  );

  it('without confirmedHealthy nothing changes for a gateway not evaluated', () => {
    const previous = { [KEY]: record() };
    const decision = decideNotices(previous, recheck(new Map()), { for: 1, repeatIntervalInMs: 1 });
    expect(decision).toEqual({ notices: [], silenced: [], servers: previous });
  });

  it('a server whose degraded a silence held, confirmed healthy: no notice, the held transition ends in the report', () => {
    const { notified: _told, ...never } = record();
    const at = NOW.toISOString();
    const held: ServerRecord = {
      ...never,
      silenced: { since: at, at, silenceIds: ['s1'], type: 'degraded' },
    };
    const decision = decideNotices({ [KEY]: held }, recheck(new Map([[KEY, 'Healthy']])), {
      for: 1,
      repeatIntervalInMs: 1,
    });
    expect(decision.notices).toEqual([]);
    expect(decision.servers[KEY]?.silenced).toBeUndefined();
    expect(decision.silenced.map((s) => [s.type, s.outcome, s.silenceIds])).toEqual([
      ['recovered', 'ended-silenced', ['s1']],
    ]);
  });

  it('property: whatever recoverAfter and good runs counted, one recovered, then none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.nat(99), (recoverAfter, goodRuns) => {
        const policy = { for: 1, repeatIntervalInMs: 1, recoverAfter };
        const confirmed = new Map([[KEY, 'Up']]);
        const first = decideNotices({ [KEY]: record({ goodRuns }) }, recheck(confirmed), policy);
        const second = decideNotices(first.servers, recheck(confirmed), policy);
        expect(first.notices.map((n) => [n.type, n.reason])).toEqual([
          ['recovered', RECOVERED_REASONS.confirmedOnDemand],
        ]);
        expect(second.notices).toEqual([]);
      }),
    );
  });
});
