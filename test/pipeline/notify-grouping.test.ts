import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runSucceeded } from '../../src/core/run-report';
import { fakeClock, notifyRun } from '../helpers/notify-run';
import { SUB, gateway, type ServerSpec } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { adaptiveCardProblems } from '../adapters/webhooks/support/validators';

/**
 * notify.grouping "gateway" end to end: emulator → run → real receivers on loopback, one per format,
 * two runs through the file notify state with the fake clock (groupWait 0, groupInterval 4m).
 */

const ROUTING_KEY = 'R01234567890abcdefABCDEF98765432';
const MINUTE = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const down = (address: string, log = 'TCP connect error'): ServerSpec => ({
  address,
  health: 'Unhealthy',
  healthProbeLog: log,
});
const up = (address: string): ServerSpec => ({
  address,
  health: 'Healthy',
  healthProbeLog: 'Success. Received 200 status code',
});

/** What the receivers were sent, as far as these tests read it (one type for every format). */
interface Body {
  readonly [field: string]: unknown;
  readonly id: string;
  readonly notices: ReadonlyArray<Notice>;
  readonly data: { readonly notices: ReadonlyArray<Notice> };
  readonly attachments: ReadonlyArray<{ readonly content: unknown }>;
}
interface Notice {
  readonly id: string;
  readonly type: string;
  readonly scope?: string;
  readonly server: { readonly address: string };
}

describe('grouped messages for each format, end to end', () => {
  const receivers: Record<string, WebhookReceiver> = {};
  let tmp: string;
  beforeEach(async () => {
    for (const name of ['json', 'cloudevents', 'teams', 'slack', 'pagerduty'])
      receivers[name] = await startWebhookReceiver();
    receivers['pagerduty']!.setDefault({ status: 202, body: '{"status":"success"}' });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-grouping-'));
  });
  afterEach(async () => {
    await Promise.all(Object.values(receivers).map((r) => r.close()));
    await rm(tmp, { recursive: true, force: true });
  });

  const config = () => ({
    sinks: {
      dir: path.join(tmp, 'out'),
      webhooks: Object.entries(receivers).map(([format, receiver]) => ({
        name: format,
        url: receiver.url('/hook'),
        format,
        maxAttempts: 1,
        ...(format === 'pagerduty' ? { routingKey: ROUTING_KEY } : {}),
      })),
    },
    state: { dir: path.join(tmp, 'state') },
  });
  const bodies = (name: string) => receivers[name]!.requests.map((r) => JSON.parse(r.body) as Body);

  it('three servers bad in one run: one message per receiver (PagerDuty: one alert each); a recovery later is a later message, and held within the interval', async () => {
    const clock = fakeClock(T0);
    const hostile = '<b>10.0.0.6</b> & *x*';
    // 10.0.0.9 stays healthy: not every pool is bad, so no inhibition (its own test below).
    const run = (servers: ServerSpec[]) =>
      notifyRun({
        scenario: { gateways: [gateway('gw', [...servers, up('10.0.0.9')])] },
        config: config(),
        clock,
        targets: [`/subscriptions/${SUB}`],
      });
    await run([down('10.0.0.4'), down('10.0.0.5', 'Connection timed out'), down(hostile)]);

    const [json] = bodies('json');
    expect(bodies('json')).toHaveLength(1);
    expect(json).toMatchObject({
      schemaVersion: 1,
      type: 'gateway.group.v1',
      counts: { degraded: 3, 'still-degraded': 0, recovered: 0 },
    });
    expect(json!.notices.map((n) => [n.type, n.server.address, n.id.startsWith('appgw-')])).toEqual([
      ['degraded', '10.0.0.4', true],
      ['degraded', '10.0.0.5', true],
      ['degraded', hostile, true],
    ]);
    expect(receivers['json']!.requests[0]!.headers['webhook-id']).toBe(json!.id);

    const [event] = bodies('cloudevents');
    expect(bodies('cloudevents')).toHaveLength(1);
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'com.appgw-insights.gateway.group.v1',
      subject: 'gw',
    });
    expect(event!.data.notices.map((n) => n.id)).toEqual(json!.notices.map((n) => n.id));

    const [teams] = bodies('teams');
    expect(bodies('teams')).toHaveLength(1);
    const card = teams!.attachments[0]!.content;
    expect(adaptiveCardProblems(card)).toEqual([]);
    const text = JSON.stringify(card);
    for (const address of ['10.0.0.4', '10.0.0.5', hostile])
      expect(text).toContain(JSON.stringify(address).slice(1, -1));
    expect(text).toContain('3 degraded');

    const [slack] = bodies('slack');
    expect(bodies('slack')).toHaveLength(1);
    const slackText = JSON.stringify(slack);
    // Entities for &, <, >; each formatting character in a date token's fallback (slack-payload.ts).
    const star = '<!date^00000000^{_}|*>';
    expect(slackText).toContain(`&lt;b&gt;10.0.0.6&lt;/b&gt; &amp; ${star}x${star}`);
    expect(slackText).not.toContain('<b>');

    expect(bodies('pagerduty').map((e) => e['event_action'])).toEqual(['trigger', 'trigger', 'trigger']);

    // 2 minutes later one server recovers: held by the 4-minute interval.
    clock.set(T0 + 2 * MINUTE);
    const held = await run([up('10.0.0.4'), down('10.0.0.5', 'Connection timed out'), down(hostile)]);
    // Held by the group's timer: on time, so the run is a success and says when it goes.
    expect(runSucceeded(held.report)).toBe(true);
    expect(held.report.notifications?.grouped?.map((g) => [g.receiver, g.type, g.dueAt])).toEqual(
      ['json', 'cloudevents', 'teams', 'slack', 'pagerduty'].map((name) => [
        `webhook[${name}]`,
        'recovered',
        new Date(T0 + 4 * MINUTE).toISOString(),
      ]),
    );
    expect(bodies('json')).toHaveLength(1);
    expect(bodies('pagerduty')).toHaveLength(3);
    // At the next run past it: one message with the recovered, PagerDuty's resolve of that episode.
    clock.set(T0 + 5 * MINUTE);
    await run([up('10.0.0.4'), down('10.0.0.5', 'Connection timed out'), down(hostile)]);
    expect(bodies('json').map((b) => b.notices.map((n) => [n.type, n.server.address]))).toEqual([
      expect.anything(),
      [['recovered', '10.0.0.4']],
    ]);
    expect(bodies('teams')).toHaveLength(2);
    expect(JSON.stringify(bodies('teams')[1])).toContain('1 recovered');
    const pager = bodies('pagerduty');
    expect(pager.map((e) => e['event_action'])).toEqual(['trigger', 'trigger', 'trigger', 'resolve']);
    expect(pager[3]!['dedup_key']).toBe(pager[0]!['dedup_key']);
  });

  it.each([
    [true, [['degraded', '(every server)', 'gateway']]],
    [
      false,
      [
        ['degraded', '10.0.0.4', undefined],
        ['degraded', '10.0.0.5', undefined],
      ],
    ],
  ] as const)(
    'inhibit %s: every server bad is one gateway-level notice (or one per server)',
    async (inhibit, expected) => {
      const clock = fakeClock(T0);
      await notifyRun({
        scenario: { gateways: [gateway('gw', [down('10.0.0.4'), down('10.0.0.5')])] },
        config: { ...config(), notify: { inhibit } },
        clock,
      });
      expect(bodies('json').map((b) => b.notices.map((n) => [n.type, n.server.address, n.scope]))).toEqual([
        expected,
      ]);
      const teams = JSON.stringify(bodies('teams'));
      expect(teams.includes('All 2 servers in 1 backend pool are not healthy')).toBe(inhibit);
      expect(bodies('pagerduty')).toHaveLength(expected.length);
    },
  );
  /** Runs of gateway `gw` (its `servers` and one healthy one) with groupWait 10m, on `clock`. */
  const groupWaitRun = (clock: ReturnType<typeof fakeClock>) => (servers: ServerSpec[]) =>
    notifyRun({
      scenario: { gateways: [gateway('gw', [...servers, up('10.0.0.9')])] },
      config: { ...config(), notify: { groupWait: '10m' } },
      clock,
      targets: [`/subscriptions/${SUB}`],
    });

  it('groupWait 10m: servers bad, then healthy before the wait ends: no receiver is sent anything (no degraded, no recovered, no PagerDuty trigger or resolve); the report says why', async () => {
    const clock = fakeClock(T0);
    const run = groupWaitRun(clock);
    const first = await run([down('10.0.0.4'), down('10.0.0.5')]);
    expect(first.report.notifications?.grouped).toHaveLength(10);
    clock.set(T0 + 5 * MINUTE);
    const healthy = await run([up('10.0.0.4'), up('10.0.0.5')]);
    const ended = healthy.report.notifications?.endedInGroup ?? [];
    expect(ended).toHaveLength(20); // degraded + recovered, 2 servers, 5 receivers
    expect(new Set(ended.map((e) => e.reason.split(':')[0]))).toEqual(
      new Set(['ended before its group was sent']),
    );
    expect(runSucceeded(healthy.report)).toBe(true);
    clock.set(T0 + 11 * MINUTE);
    const after = await run([up('10.0.0.4'), up('10.0.0.5')]);
    expect(after.report.notifications?.grouped).toBeUndefined();
    for (const receiver of Object.values(receivers)) expect(receiver.requests).toEqual([]);
  });

  // A break trial: "nothing due: 1 notice held for the group's next message, 2 open episodes already
  // told" of a server whose degraded only waited for groupWait, never sent to anyone.
  it('groupWait 10m: an episode whose degraded waits for its group is not yet told, not "already told"', async () => {
    const clock = fakeClock(T0);
    const run = groupWaitRun(clock);
    const first = await run([down('10.0.0.4')]);
    // Waiting, said as held for the group's next message, never also "not told yet (notify.for)" (a
    // new-user trial read the one notice twice).
    expect(first.report.notifications?.openEpisodes).toEqual({ told: 0, notYetTold: 0, waiting: 1 });
    expect(new Set(first.report.notifications?.grouped?.map((g) => g.server))).toEqual(
      new Set(['gw/pool-a/settings-a/10.0.0.4']),
    );
    clock.set(T0 + 11 * MINUTE);
    const sent = await run([down('10.0.0.4')]);
    expect(sent.report.notifications?.openEpisodes).toMatchObject({ told: 1 });
    expect(sent.report.notifications?.openEpisodes?.notYetTold ?? 0).toBe(0);
  });
});
