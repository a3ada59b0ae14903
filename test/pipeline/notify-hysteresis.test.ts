import path from 'node:path';
import { silentLogger } from '../../src/pipeline/logger';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import { formatSummary } from '../../src/cli/summary';
import { notifyRun, startNotifyReceivers, type NotifyReceivers } from '../helpers/notify-run';
import { gateway, type ServerSpec } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * notify.recoverAfter and per-receiver sendResolved, end to end: emulator → notifyRun (a direct run) → real receivers
 * on loopback (json, and pagerduty, whose trigger and resolve must pair by dedup_key).
 */

const ROUTING_KEY = 'R01234567890abcdefABCDEF98765432';
const bad: ServerSpec = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const good: ServerSpec = {
  address: '10.0.0.4',
  health: 'Healthy',
  healthProbeLog: 'Success. Received 200 status code',
};
const draining: ServerSpec = { address: '10.0.0.4', health: 'Draining', healthProbeLog: '' };

interface Seen {
  readonly type?: string;
  readonly event_action?: string;
  readonly dedup_key?: string;
  readonly routing_key?: string;
  readonly degradedSince?: string;
}

describe('recoverAfter and sendResolved, end to end', () => {
  let rig: NotifyReceivers;
  beforeEach(async () => void (rig = await startNotifyReceivers('appgw-hysteresis-')));
  afterEach(() => rig.close());

  async function run(server: ServerSpec, recoverAfter: number): Promise<RunReport> {
    const outcome = await notifyRun({
      scenario: { gateways: [gateway('gw', [server])] },
      logger: silentLogger,
      config: {
        sinks: {
          dir: path.join(rig.tmp, 'out'),
          webhooks: [
            { name: 'ops', url: rig.ops.url('/ops'), format: 'json', grouping: 'server', maxAttempts: 1 },
            {
              name: 'chat',
              url: rig.chat.url('/chat'),
              format: 'json',
              grouping: 'server',
              maxAttempts: 1,
              sendResolved: false,
            },
            {
              name: 'pager',
              url: rig.pager.url('/v2/enqueue'),
              format: 'pagerduty',
              grouping: 'server',
              routingKey: ROUTING_KEY,
              maxAttempts: 1,
            },
          ],
        },
        notify: { recoverAfter },
        state: { dir: path.join(rig.tmp, 'state') },
      },
    });
    return outcome.report;
  }

  const seen = (receiver: WebhookReceiver): Seen[] =>
    receiver.requests.map((r) => JSON.parse(r.body) as Seen);

  it('recoverAfter 2: a flap inside the count is one episode; two healthy runs send one recovered (not to sendResolved: false), and PagerDuty resolves the alert it triggered', async () => {
    for (const server of [bad, good, bad, good]) expect(runSucceeded(await run(server, 2))).toBe(true);
    expect(seen(rig.ops).map((e) => e.type)).toEqual(['degraded']);
    expect(seen(rig.pager).map((e) => e.event_action)).toEqual(['trigger']);

    const last = await run(good, 2);
    expect(runSucceeded(last)).toBe(true);
    expect(seen(rig.ops).map((e) => e.type)).toEqual(['degraded', 'recovered']);
    expect(new Set(seen(rig.ops).map((e) => e.degradedSince)).size).toBe(1);
    // sendResolved: false: the degraded, never the recovered (and the run is not short of a delivery).
    expect(seen(rig.chat).map((e) => e.type)).toEqual(['degraded']);
    expect(last.notifications?.pending).toEqual({
      'webhook[ops]': 0,
      'webhook[chat]': 0,
      'webhook[pager]': 0,
    });
    // PagerDuty: one trigger and its resolve, paired by dedup_key, each with the routing key.
    const [trigger, resolve] = seen(rig.pager);
    expect(seen(rig.pager).map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(resolve?.dedup_key).toBe(trigger?.dedup_key);
    expect(trigger?.routing_key).toBe(ROUTING_KEY);
    // The routing key is a secret: never in the report.
    expect(JSON.stringify(last)).not.toContain(ROUTING_KEY);
  });

  it('recoverAfter 1 (the default): each healthy run ends the episode; each new episode is a new PagerDuty alert', async () => {
    for (const server of [bad, good, bad, good]) expect(runSucceeded(await run(server, 1))).toBe(true);
    expect(seen(rig.ops).map((e) => e.type)).toEqual(['degraded', 'recovered', 'degraded', 'recovered']);
    expect(seen(rig.chat).map((e) => e.type)).toEqual(['degraded', 'degraded']);
    const events = seen(rig.pager);
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve', 'trigger', 'resolve']);
    expect(events[1]?.dedup_key).toBe(events[0]?.dedup_key);
    expect(events[3]?.dedup_key).toBe(events[2]?.dedup_key);
    expect(events[2]?.dedup_key).not.toBe(events[0]?.dedup_key);
  });
  it('recoverAfter 3: a told episode healthy again is reported as awaiting more healthy runs (report and summary) until its recovered', async () => {
    await run(bad, 3);
    const first = await run(good, 3);
    expect(first.notifications?.awaitingRecovery).toEqual([
      {
        gateway: expect.stringMatching(/\/applicationGateways\/gw$/),
        server: 'gw/pool-a/settings-a/10.0.0.4',
        goodRuns: 1,
        recoverAfter: 3,
        degradedSince: expect.any(String),
      },
    ]);
    const summary = formatSummary(first, []);
    expect(summary).toContain(
      '1 server no longer bad, recovered not sent yet: awaiting more runs not bad (notify.recoverAfter)',
    );
    expect(summary).toMatch(/pool-a\/settings-a\/10\.0\.0\.4: 1 of 3 runs not bad \(degraded since /);
    expect(summary).toContain('1 open episode awaiting more runs not bad before recovered');
    expect((await run(good, 3)).notifications?.awaitingRecovery?.map((a) => a.goodRuns)).toEqual([2]);
    const last = await run(good, 3);
    expect(last.notifications?.awaitingRecovery).toBeUndefined();
    expect(seen(rig.ops).map((e) => e.type)).toEqual(['degraded', 'recovered']);
  });

  // A break trial: Down, Healthy (1 of 2), then Draining (going Down again through its drain): the
  // summary said "healthy again … 1 of 2 healthy runs" of a server out of rotation.
  it('recoverAfter 2: Draining after a healthy run breaks the count: not "healthy again", held as told, and two healthy runs after it recover', async () => {
    await run(bad, 2);
    expect((await run(good, 2)).notifications?.awaitingRecovery?.map((a) => a.goodRuns)).toEqual([1]);
    const drained = await run(draining, 2);
    expect(drained.notifications?.awaitingRecovery).toBeUndefined();
    const summary = formatSummary(drained, []);
    expect(summary).not.toContain('no longer bad');
    expect(summary).not.toContain('runs not bad (degraded since');
    expect(summary).toContain('1 open episode already told');
    expect((await run(good, 2)).notifications?.awaitingRecovery?.map((a) => a.goodRuns)).toEqual([1]);
    expect(seen(rig.ops).map((e) => e.type)).toEqual(['degraded']);
    await run(good, 2);
    expect(seen(rig.ops).map((e) => e.type)).toEqual(['degraded', 'recovered']);
  });
});
