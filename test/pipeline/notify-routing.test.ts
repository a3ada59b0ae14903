import path from 'node:path';
import { silentLogger } from '../../src/pipeline/logger';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import { notifyRun, startNotifyReceivers, type NotifyReceivers } from '../helpers/notify-run';
import { gateway, type ServerSpec } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Routing and severity end to end: emulator → notifyRun (a direct run) → real receivers on loopback, the notify state in
 * a temp folder. One gateway with a pool of two servers (pool-a): one down is `warning`, both down
 * `critical`. `chat` (json) takes warnings, `pager` (PagerDuty) criticals, `ops` (json) everything.
 */
const ROUTING_KEY = 'R01234567890abcdefABCDEF98765432';
const server = (address: string, bad: boolean): ServerSpec =>
  bad
    ? { address, health: 'Unhealthy', healthProbeLog: 'TCP connect error' }
    : { address, health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' };

interface Seen {
  readonly type?: string;
  readonly severity?: string;
  readonly server?: { readonly address: string };
  readonly event_action?: string;
  readonly dedup_key?: string;
  readonly payload?: { readonly severity: string; readonly source: string };
}

type Match = readonly Record<string, unknown>[] | undefined;

describe('routing by match and severity, end to end', () => {
  let rig: NotifyReceivers;
  beforeEach(async () => void (rig = await startNotifyReceivers('appgw-routing-')));
  afterEach(() => rig.close());

  async function run(
    bad: { a: boolean; b: boolean },
    match: { chat: Match; pager: Match } = {
      chat: [{ severity: 'warning' }],
      pager: [{ severity: 'critical' }],
    },
    options: { gateway?: Record<string, unknown>; grouping?: 'server' | 'gateway' } = {},
  ): Promise<RunReport> {
    const servers = [server('10.0.0.4', bad.a), server('10.0.0.5', bad.b)];
    const withMatch = (m: Match) => (m ? { match: m } : {});
    const outcome = await notifyRun({
      scenario: { gateways: [gateway('gw', servers, options.gateway ?? {})] },
      logger: silentLogger,
      config: {
        sinks: {
          dir: path.join(rig.tmp, 'out'),
          webhooks: [
            { name: 'ops', url: rig.ops.url('/ops'), format: 'json', maxAttempts: 1 },
            {
              name: 'chat',
              url: rig.chat.url('/chat'),
              format: 'json',
              maxAttempts: 1,
              ...withMatch(match.chat),
            },
            {
              name: 'pager',
              url: rig.pager.url('/v2/enqueue'),
              format: 'pagerduty',
              routingKey: ROUTING_KEY,
              maxAttempts: 1,
              ...withMatch(match.pager),
            },
          ],
        },
        state: { dir: path.join(rig.tmp, 'state') },
        // Routing is pinned per notice: one message each, and the two servers' notices even when both
        // are down (grouping and inhibition have their own end-to-end tests: notify-grouping.test.ts).
        notify: { grouping: options.grouping ?? 'server', inhibit: false, groupWait: '0s' },
      },
    });
    return outcome.report;
  }

  const seen = (receiver: WebhookReceiver): Seen[] =>
    receiver.requests.map((r) => JSON.parse(r.body) as Seen);
  /** json receivers: "type severity address". */
  const events = (receiver: WebhookReceiver) =>
    seen(receiver).map((e) => `${e.type} ${e.severity} ${e.server?.address}`);
  /** PagerDuty: "action severity source" (a resolve has no payload). */
  const pages = () =>
    seen(rig.pager).map(
      (e) => `${e.event_action}${e.payload ? ` ${e.payload.severity} ${e.payload.source}` : ''}`,
    );

  it('each receiver gets only its notices, across degraded → raised severity → recovered; PagerDuty pairs every trigger with a resolve', async () => {
    // One of two down: warning → chat and ops.
    const first = await run({ a: true, b: false });
    expect(runSucceeded(first)).toBe(true);
    expect(first.gateways[0]?.findings.map((f) => f.severity)).toEqual(['warning']);
    expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4']);
    expect(pages()).toEqual([]);
    // Both down: the pool is out, critical; .4's severity rose (a new degraded), .5 is new.
    const second = await run({ a: true, b: true });
    expect(second.gateways[0]?.findings.map((f) => f.severity)).toEqual(['critical', 'critical']);
    expect(
      second.notifications?.deliveries.map((d) => `${d.receiver} ${d.type} ${d.severity}`).sort(),
    ).toEqual([
      'webhook[ops] degraded critical',
      'webhook[ops] degraded critical',
      'webhook[pager] degraded critical',
      'webhook[pager] degraded critical',
    ]);
    expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4']);
    expect(pages().sort()).toEqual(['trigger critical 10.0.0.4', 'trigger critical 10.0.0.5']);
    // The pager never heard .4 was warning: its trigger is a first one, not "[severity raised from warning]";
    // ops, told the warning, hears the raise.
    expect(
      seen(rig.pager).map((e) => (e as { payload?: { summary: string } }).payload?.summary),
    ).not.toContainEqual(expect.stringContaining('raised'));
    expect(
      second.notifications?.deliveries
        .filter((d) => d.server.endsWith('10.0.0.4'))
        .map((d) => `${d.receiver} ${d.raisedFrom ?? 'first'}`)
        .sort(),
    ).toEqual(['webhook[ops] warning', 'webhook[pager] first']);
    // Both healthy: each recovered goes where its episode's degraded went, with the highest severity
    // that receiver was sent: chat (routed warning only) was never told critical, so hears warning.
    const third = await run({ a: false, b: false });
    expect(runSucceeded(third)).toBe(true);
    expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4', 'recovered warning 10.0.0.4']);
    expect(
      third.notifications?.deliveries.map((d) => `${d.receiver} ${d.type} ${d.severity}`).sort(),
    ).toEqual([
      'webhook[chat] recovered warning',
      'webhook[ops] recovered critical',
      'webhook[ops] recovered critical',
      'webhook[pager] recovered critical',
      'webhook[pager] recovered critical',
    ]);
    expect(pages().slice(2)).toEqual(['resolve', 'resolve']);
    const triggers = seen(rig.pager)
      .filter((e) => e.event_action === 'trigger')
      .map((e) => e.dedup_key);
    const resolves = seen(rig.pager)
      .filter((e) => e.event_action === 'resolve')
      .map((e) => e.dedup_key);
    expect(new Set(resolves)).toEqual(new Set(triggers));
    expect(events(rig.ops).sort()).toEqual([
      'degraded critical 10.0.0.4',
      'degraded critical 10.0.0.5',
      'degraded warning 10.0.0.4',
      'recovered critical 10.0.0.4',
      'recovered critical 10.0.0.5',
    ]);
  });

  it('a match changed between degraded and recovered: the recovered goes to the receiver that got the degraded, not to the one that matches now', async () => {
    await run({ a: true, b: false });
    expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4']);
    // Swapped: chat now takes criticals, pager warnings.
    await run({ a: false, b: false }, { chat: [{ severity: 'critical' }], pager: [{ severity: 'warning' }] });
    expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4', 'recovered warning 10.0.0.4']);
    expect(pages()).toEqual([]);
  });

  it('a changed match does not strand a queued notice: what the receiver was due is delivered, and its recovered follows', async () => {
    rig.chat.failNext(1, 503);
    const first = await run({ a: true, b: false });
    expect(first.notifications?.pending).toMatchObject({ 'webhook[chat]': 1 });
    // chat no longer matches this server's notices; its queued degraded is still sent.
    const second = await run({ a: true, b: false }, { chat: [{ gateway: 'other-*' }], pager: undefined });
    expect(second.notifications?.pending).toMatchObject({ 'webhook[chat]': 0 });
    expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4', 'degraded warning 10.0.0.4']);
    expect(new Set(rig.chat.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    await run({ a: false, b: false }, { chat: [{ gateway: 'other-*' }], pager: undefined });
    expect(events(rig.chat)).toEqual([
      'degraded warning 10.0.0.4',
      'degraded warning 10.0.0.4',
      'recovered warning 10.0.0.4',
    ]);
    // pager (no match now: everything) was told nothing of this episode, so it gets no recovered.
    expect(pages()).toEqual([]);
  });

  it('not and a glob: a receiver that excludes this gateway hears nothing of it', async () => {
    await run(
      { a: true, b: true },
      { chat: [{ not: { gateway: 'g?' } }], pager: [{ gateway: 'gw', severity: 'critical' }] },
    );
    await run(
      { a: false, b: false },
      { chat: [{ not: { gateway: 'g?' } }], pager: [{ gateway: 'gw', severity: 'critical' }] },
    );
    expect(events(rig.chat)).toEqual([]);
    expect(
      pages()
        .map((p) => p.split(' ')[0])
        .sort(),
    ).toEqual(['resolve', 'resolve', 'trigger', 'trigger']);
  });

  // Issue 16: routing by the gateway's ARM tags, read with its configuration (one GET, no extra call).
  describe('by tag', () => {
    const byTag = { chat: [{ not: { tags: { env: 'prod' } } }], pager: [{ tags: { ENV: 'prod' } }] };
    const prod = { tags: { env: 'prod' } };

    it.each<['server' | 'gateway']>([['server'], ['gateway']])(
      'a pager that takes prod hears a prod gateway, a chat that excludes prod does not (%s grouping)',
      async (grouping) => {
        await run({ a: true, b: false }, byTag, { gateway: prod, grouping });
        await run({ a: false, b: false }, byTag, { gateway: prod, grouping });
        expect(events(rig.chat)).toEqual([]);
        // Grouped, the resolve waits for the group interval (its timing: notify-grouping.test.ts).
        expect(pages().map((p) => p.split(' ')[0])).toEqual(
          grouping === 'server' ? ['trigger', 'resolve'] : ['trigger'],
        );
      },
    );

    it("another gateway's tags route the other way", async () => {
      await run({ a: true, b: false }, byTag, { gateway: { tags: { env: 'test' } } });
      expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4']);
      expect(pages()).toEqual([]);
    });

    // Issue 16's trial: with the GET refused, the pager routed by `env: prod` missed the incident, and
    // the receiver that excludes prod got it alone. Unknown tags keep a notice from no receiver.
    it('tags never read (configuration GET refused): a tag rule takes it, a not-tag rule does not exclude it', async () => {
      const report = await run({ a: true, b: false }, byTag, {
        gateway: { ...prod, faults: [{ on: 'get', status: 403 }] },
      });
      expect(pages().map((p) => p.split(' ')[0])).toEqual(['trigger']);
      expect(events(rig.chat)).toEqual(['degraded warning 10.0.0.4']);
      expect(events(rig.ops)).toEqual(['degraded warning 10.0.0.4']);
      expect(report.gateways[0]?.findings[0]?.generalSteps).toBeDefined();
      // Its recovered goes to exactly those told, tags read or not.
      await run({ a: false, b: false }, byTag, { gateway: prod });
      expect(pages().map((p) => p.split(' ')[0])).toEqual(['trigger', 'resolve']);
    });
  });
});
