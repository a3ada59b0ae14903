import fc from 'fast-check';
import { gatewayKey } from '../../../src/core/arm-id';
import type { Finding } from '../../../src/core/model';
import { decideNotices, type NotifyPolicy, type Observation } from '../../../src/core/notice/decide';
import type { Notice } from '../../../src/core/notice/notice';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { finding, GW as gw } from './fixtures';

const HOUR = 3_600_000;
const policy: NotifyPolicy = { for: 1, repeatIntervalInMs: 4 * HOUR };

/** One run: `bad` servers are unhealthy, `healthy` ones listed as Healthy; the gateway was evaluated. */
function observe(
  at: number,
  bad: Finding[],
  healthy: string[] = [],
  extra: Partial<Observation> = {},
): Observation {
  const listed = new Map<string, string>();
  for (const f of bad) listed.set(serverKey(f), f.health);
  for (const address of healthy) listed.set(serverKey(finding({ address })), 'Healthy');
  return {
    now: new Date(at),
    evaluated: new Map([[gatewayKey(gw.id), listed]]),
    bad: bad.map((f) => ({ finding: f })),
    isGone: () => false,
    ...extra,
  };
}

/** Runs observations in order, threading the state; returns every notice per run. */
function runs(observations: Observation[], p: NotifyPolicy = policy): Notice[][] {
  let servers: Record<string, ServerRecord> = {};
  return observations.map((o) => {
    const decision = decideNotices(servers, o, p);
    servers = { ...decision.servers };
    return [...decision.notices];
  });
}
const types = (perRun: Notice[][]) => perRun.map((n) => n.map((x) => x.type).join(',') || '-');

describe('decideNotices', () => {
  // A break trial: the run hands the whole rendered insight (its HTML twice, its finding), and each
  // notice kept it in every receiver's outbox: about 31 KB a notice, 66 MB for 1 000 servers.
  it("a notice carries its insight's title, summary, markdown and path only", () => {
    const a = finding({ address: '10.0.0.4' });
    const rendered = {
      title: 'T',
      summary: 'S',
      markdown: '# M',
      path: 'insights/x',
      html: '<html>'.repeat(2000),
      htmlFragment: '<p>'.repeat(2000),
      finding: a,
      warnings: [],
    };
    const [notice] = decideNotices(
      {},
      { ...observe(0, [a]), bad: [{ finding: a, insight: rendered }] },
      policy,
    ).notices;
    expect(notice?.insight).toEqual({ title: 'T', summary: 'S', markdown: '# M', path: 'insights/x' });
  });

  it('tells once when a server goes bad, stays quiet while it stays bad, tells once when it recovers', () => {
    const a = finding({ address: '10.0.0.4' });
    expect(
      types(runs([observe(0, [a]), observe(5 * 60e3, [a]), observe(10 * 60e3, [], ['10.0.0.4'])])),
    ).toEqual(['degraded', '-', 'recovered']);
  });

  it('damps flapping: degraded only after `for` consecutive bad runs; a shorter blip is silent', () => {
    const a = finding({ address: '10.0.0.4' });
    const p = { ...policy, for: 3 };
    expect(
      types(runs([observe(0, [a]), observe(1, [a]), observe(2, [], ['10.0.0.4']), observe(3, [a])], p)),
    ).toEqual(['-', '-', '-', '-']);
    expect(types(runs([observe(0, [a]), observe(1, [a]), observe(2, [a]), observe(3, [a])], p))).toEqual([
      '-',
      '-',
      'degraded',
      '-',
    ]);
  });

  it('reminds with still-degraded at most every repeatInterval', () => {
    const a = finding({ address: '10.0.0.4' });
    const perRun = runs([
      observe(0, [a]),
      observe(3 * HOUR, [a]),
      observe(4 * HOUR, [a]),
      observe(5 * HOUR, [a]),
      observe(8 * HOUR, [a]),
    ]);
    expect(types(perRun)).toEqual(['degraded', '-', 'still-degraded', '-', 'still-degraded']);
    expect(new Set(perRun.flat().map((n) => n.id)).size).toBe(3);
  });

  it('a change of cause is news (degraded again), even back to an earlier cause, each with its own id', () => {
    const perRun = runs([
      observe(0, [finding({ address: '10.0.0.4', probeLog: 'TCP connect error' })]),
      observe(1, [finding({ address: '10.0.0.4', probeLog: 'DNS resolution error' })]),
      observe(2, [finding({ address: '10.0.0.4', probeLog: 'TCP connect error' })]),
    ]);
    expect(types(perRun)).toEqual(['degraded', 'degraded', 'degraded']);
    expect(perRun.flat().map((n) => n.cause.id)).toEqual(['tcp-connect', 'dns-resolution', 'tcp-connect']);
    expect(new Set(perRun.flat().map((n) => n.id)).size).toBe(3);
  });

  it('a server that vanishes from an evaluated gateway is recovered, with the reason', () => {
    const [, second] = runs([observe(0, [finding({ address: '10.0.0.4' })]), observe(1, [])]);
    expect(second?.[0]).toMatchObject({
      type: 'recovered',
      reason: expect.stringContaining('no longer listed'),
    });
  });

  it('a deleted gateway recovers its servers; a gateway that failed to evaluate changes nothing', () => {
    const a = finding({ address: '10.0.0.4' });
    const failed: Observation = { now: new Date(1), evaluated: new Map(), bad: [], isGone: () => false };
    const gone: Observation = { ...failed, now: new Date(2), isGone: (g) => g.id === gw.id };
    const perRun = runs([observe(0, [a]), failed, gone]);
    expect(types(perRun)).toEqual(['degraded', '-', 'recovered']);
    expect(perRun[2]?.[0]?.reason).toContain('no longer exists');
  });

  it('is deterministic: the same decision gives the same ids (a retry re-sends the same notice)', () => {
    const o = observe(0, [finding({ address: '10.0.0.4' }), finding({ address: '10.0.0.5' })]);
    expect(decideNotices({}, o, policy).notices.map((n) => n.id)).toEqual(
      decideNotices({}, o, policy).notices.map((n) => n.id),
    );
  });

  it('carries the insight, the cause and the gateway into the notice', () => {
    const a = finding({ address: '10.0.0.4' });
    const insight = { title: 'T', summary: 'S', markdown: 'M', path: 'insights/x' };
    const [notice] = decideNotices(
      {},
      { ...observe(0, [a]), bad: [{ finding: a, insight }] },
      policy,
    ).notices;
    expect(notice).toMatchObject({
      type: 'degraded',
      gateway: { id: gw.id, name: 'gw' },
      backendPool: 'pool',
      backendSettings: 'settings',
      server: { address: '10.0.0.4', health: 'Unhealthy', probeLog: 'TCP connect error' },
      cause: { id: 'tcp-connect' },
      insight,
      degradedSince: new Date(0).toISOString(),
    });
  });

  it('property: over any sequence of runs, each episode yields exactly one degraded-or-silence and one matching recovered', () => {
    // A server's bad/good sequence; with for=1 every bad episode opens with degraded and closes with recovered.
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        (badness, forRuns) => {
          const a = finding({ address: '10.0.0.4' });
          const perRun = runs(
            badness.map((bad, i) => (bad ? observe(i * 60e3, [a]) : observe(i * 60e3, [], ['10.0.0.4']))),
            { for: forRuns, repeatIntervalInMs: 1e12 },
          );
          const all = perRun.flat();
          const degraded = all.filter((n) => n.type === 'degraded').length;
          const recovered = all.filter((n) => n.type === 'recovered').length;
          // Every recovered closes a degraded; at most one episode is still open at the end.
          expect(degraded - recovered).toBeGreaterThanOrEqual(0);
          expect(degraded - recovered).toBeLessThanOrEqual(1);
          // Episodes long enough are announced exactly once.
          let run = 0;
          let expectedDegraded = 0;
          for (const bad of badness) {
            run = bad ? run + 1 : 0;
            if (run === forRuns) expectedDegraded++;
          }
          expect(degraded).toBe(expectedDegraded);
          expect(new Set(all.map((n) => n.id)).size).toBe(all.length);
        },
      ),
    );
  });
});
