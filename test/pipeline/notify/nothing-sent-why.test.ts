import { gatewayNotificationLines, notificationLines } from '../../../src/cli/summary';
import { gatewayKey } from '../../../src/core/arm-id';
import { serverKey } from '../../../src/core/notice/server-record';
import { notificationsReport } from '../../../src/pipeline/build-run-report';
import { createMemoryNotifier } from '../../helpers/memory-notifier';
import { finding } from '../../helpers/delivery-builder';
import { notifyOnChange } from '../../../src/pipeline/notify/notify-on-change';
import { GW, HOUR, MINUTE, notifyWorld, observe, POLICY, T0, told } from './support/notify-world';

/**
 * Why a run with bad servers sent nothing, from the decision to the summary's line: in-memory state,
 * a memory receiver, a fake clock (trial F8, F13).
 */

const SECOND = 1000;
const shown = new Set([gatewayKey(GW.id)]);

describe('a run that sends nothing says what holds its bad servers', () => {
  it('notify.inhibit with recoverAfter 2 (F8): after one server recovers, the one still bad is held by the gateway-level episode, not notify.for', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]' });
    const world = notifyWorld({
      notifiers: [ops],
      policy: { for: 1, repeatIntervalInMs: 4 * HOUR, inhibit: true, recoverAfter: 2 },
    });
    await world.run('r1', observe(T0, GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    expect(ops.accepted.map((n) => n.scope)).toEqual(['gateway']);

    const outcome = await world.run(
      'r2',
      observe(T0 + 5 * MINUTE, GW, { bad: ['10.0.0.5'], healthy: ['10.0.0.4'] }),
    );
    expect(ops.accepted).toHaveLength(1);
    expect(outcome.openEpisodes).toEqual({ told: 0, notYetTold: 0, inhibited: 1 });
    expect(outcome.awaitingRecovery).toEqual([
      expect.objectContaining({ server: 'gw/(every pool)/(every setting)/(every server)', goodRuns: 1 }),
    ]);
    const lines = notificationLines(notificationsReport(outcome), shown);
    expect(lines).toContain(
      '✓ notifications: 0 delivered (nothing due: 1 episode awaiting more runs not bad (notify.recoverAfter), 1 episode held by the gateway-level episode (notify.inhibit: open until the gateway has not been all bad for notify.recoverAfter runs))',
    );
    expect(lines.join('\n')).not.toContain('notify.for');

    // The second run not all bad ends the gateway-level episode: the server still bad is told then.
    await world.run('r3', observe(T0 + 10 * MINUTE, GW, { bad: ['10.0.0.5'], healthy: ['10.0.0.4'] }));
    expect(told(ops.accepted.slice(1))).toEqual(
      expect.arrayContaining([
        ['recovered', '(every server)'],
        ['degraded', '10.0.0.5'],
      ]),
    );
  });

  it('a scheduled run inside a recheck confirmation hold (F13): the server read bad is reported held closed until the hold ends', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]' });
    const world = notifyWorld({ notifiers: [ops] });
    const server = finding(GW, '10.0.0.4');
    await world.run('recheck', {
      now: new Date(T0),
      evaluated: new Map(),
      bad: [],
      isGone: () => false,
      confirmedHealthy: new Map([
        [serverKey(server), { ...server, health: 'Healthy', probeLog: 'Success', holdInMs: 90 * SECOND }],
      ]),
    });

    const outcome = await world.run('r1', observe(T0 + 30 * SECOND, GW, { bad: ['10.0.0.4'] }));
    expect(ops.calls).toEqual([]);
    const until = new Date(T0 + 90 * SECOND).toISOString();
    expect(outcome.heldByConfirmation).toEqual([
      {
        gateway: GW.id,
        server: 'gw/pool-a/settings-a/10.0.0.4',
        confirmedAt: new Date(T0).toISOString(),
        until,
      },
    ]);
    const report = notificationsReport(outcome);
    expect(report.heldByConfirmation).toHaveLength(1);
    const lines = notificationLines(report, new Set());
    expect(lines).toContain(
      "✓ notifications: 0 delivered (nothing due: 1 bad server held closed by a recheck confirmation (the gateway's reading may lag))",
    );
    expect(lines).toContain(
      `        pool-a/settings-a/10.0.0.4: confirmed healthy at ${new Date(T0).toISOString()}, held closed until ${until} (an episode opens if still bad then)`,
    );

    // Past the hold, a bad reading opens the episode and is no longer reported held.
    const after = await world.run('r2', observe(T0 + 2 * MINUTE, GW, { bad: ['10.0.0.4'] }));
    expect(after.heldByConfirmation).toBeUndefined();
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
  });
  // Issue 17's third trial: a recheck of one pool said "1 open episode already told" of another pool's server.
  it("a recheck reports the open episodes of its own servers only (Observation.scope), not the gateway's others", async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]' });
    const world = notifyWorld({ notifiers: [ops] });
    await world.run('r1', observe(T0, GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    const fixed = finding(GW, '10.0.0.4');
    const recheck = (scope?: ReadonlySet<string>) => ({
      now: new Date(T0 + MINUTE),
      evaluated: new Map(),
      bad: [],
      isGone: () => false,
      confirmedHealthy: new Map([
        [serverKey(fixed), { ...fixed, health: 'Healthy', probeLog: 'Success', holdInMs: 90 * SECOND }],
      ]),
      ...(scope ? { scope } : {}),
    });
    const scoped = await world.run('recheck-1', recheck(new Set([serverKey(fixed)])));
    expect(told(ops.accepted.slice(2))).toEqual([['recovered', '10.0.0.4']]);
    expect(scoped.openEpisodes).toBeUndefined();
    // The same recheck again, unscoped (a run's view): the other server's open episode is counted.
    const unscoped = await world.run('recheck-2', recheck());
    expect(unscoped.openEpisodes).toEqual(expect.objectContaining({ told: 1 }));
    const scopedAgain = await world.run('recheck-3', recheck(new Set([serverKey(fixed)])));
    expect(notificationLines(notificationsReport(scopedAgain), shown).join('\n')).not.toContain(
      'already told',
    );
  });

  it("a degraded no receiver's match takes: counted as told to nobody, not as already told", async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]' });
    const world = notifyWorld({
      notifiers: [{ ...ops, rules: { sendResolved: true, match: [{ severity: 'warning' }] } }],
    });
    const outcome = await world.run('r1', observe(T0, GW, { bad: ['10.0.0.4'] }));
    expect(ops.calls).toEqual([]);
    expect(outcome.openEpisodes).toEqual({ told: 0, notYetTold: 0, noReceiver: 1 });
    // Which server: the routing gap named, not only counted.
    expect(outcome.unrouted).toEqual([
      expect.objectContaining({ server: expect.stringMatching(/\/10\.0\.0\.4$/), severity: 'critical' }),
    ]);
    expect(notificationLines(notificationsReport(outcome), shown)).toContain(
      "✓ notifications: 0 delivered (nothing due: 1 bad server no receiver's match takes)",
    );
  });

  // A break trial: `ops` answered 503, so its `degraded` waited; the config then renamed it `oncall`.
  // The waiting notice was dropped ("no longer configured"), and every later run said "1 open episode
  // already told" of a server nobody had heard of.
  it('an episode told only to a receiver since renamed: told to no receiver configured now, not already told', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]' });
    ops.answerWith({ fail: 'retryable' });
    const world = notifyWorld({ notifiers: [ops] });
    await world.run('r1', observe(T0, GW, { bad: ['10.0.0.4'] }));
    expect(ops.accepted).toEqual([]);
    const oncall = createMemoryNotifier({ name: 'webhook[oncall]' });
    const renamed = (runId: string, at: number) =>
      notifyOnChange(
        { ...world.deps(runId), notifiers: [oncall] },
        observe(at, GW, { bad: ['10.0.0.4'] }),
        POLICY,
        runId,
      );
    const second = await renamed('r2', T0 + 5 * MINUTE);
    expect(second.dropped).toEqual([
      expect.objectContaining({
        receiver: 'webhook[ops]',
        reason: expect.stringMatching(/^webhook\[ops\] is no longer configured \(renamed or removed;/),
      }),
    ]);
    const third = await renamed('r3', T0 + 10 * MINUTE);
    expect(third.openEpisodes).toEqual({ told: 0, notYetTold: 0, noReceiver: 1 });
    expect(third.unrouted).toEqual([
      expect.objectContaining({ server: expect.stringMatching(/\/10\.0\.0\.4$/), toldTo: ['webhook[ops]'] }),
    ]);
    const lines = notificationLines(notificationsReport(third), shown);
    expect(lines).toContain(
      '✓ notifications: 0 delivered (nothing due: 1 bad server told only to receivers no longer configured)',
    );
    // Under its gateway, by name (as a run's summary shows it).
    expect(
      gatewayNotificationLines(notificationsReport(third), { id: GW.id, name: GW.name }).join('\n'),
    ).toContain(
      '1 bad server told to no receiver configured now: its degraded went only to webhook[ops], since renamed or removed',
    );
    expect(lines.join('\n')).not.toContain('already told');
    // A new-user trial and a break trial: the episode then ended with no word (its receiver renamed, or
    // another deployment's sharing the state); its `recovered` for that receiver is said to be dropped.
    const healed = await notifyOnChange(
      { ...world.deps('r4'), notifiers: [oncall] },
      observe(T0 + 15 * MINUTE, GW, {}),
      POLICY,
      'r4',
    );
    expect(healed.dropped).toEqual([
      expect.objectContaining({
        receiver: 'webhook[ops]',
        type: 'recovered',
        server: expect.stringMatching(/\/10\.0\.0\.4$/),
        reason: expect.stringMatching(
          /^webhook\[ops\] is no longer configured \(renamed or removed; if another deployment has it and shares this notify state, give each deployment its own\)$/,
        ),
      }),
    ]);
    expect(healed.openEpisodes).toBeUndefined();
    expect(oncall.accepted).toEqual([]);
  });
});
