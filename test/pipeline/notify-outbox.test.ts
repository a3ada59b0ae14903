import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { formatSummary } from '../../src/cli/summary';
import { parseConfig } from '../../src/config/load';
import { startEmulator } from '../../src/emulator';
import { processUntilFinished } from '../helpers/queued-gateway';
import { emulatorArm } from '../helpers/emulator-settings';
import type { ScenarioInput } from '../../src/emulator';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import { fakeClock, notifyRun, recordingLogger } from '../helpers/notify-run';
import { SUB, gateway, gatewayId, type ServerSpec } from '../helpers/scenario-builder';
import { opsWebhookConfig } from '../helpers/ops-webhook-config';
import { startWebhookReceiver, type ScriptedAnswer, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Issue 11.3 and 11.4, end to end (emulator → run → real loopback receiver → file state): the outbox
 * never blocks and never grows without bound, and every undelivered notice is visible in the report
 * (with a consistent `ok`), the summary and the log.
 */
const bad = (address: string): ServerSpec => ({
  address,
  health: 'Unhealthy',
  healthProbeLog: 'TCP connect error',
});
const one = (servers: ServerSpec[]): ScenarioInput => ({ gateways: [gateway('gw', servers)] });
const STATE_FILE = (dir: string) => path.join(dir, SUB, 'rg-test', 'gw.json');

describe('the outbox', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-outbox-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const config = (webhook: Record<string, unknown> = {}, notify: Record<string, unknown> = {}) =>
    opsWebhookConfig(receiver, tmp, webhook, notify);
  const addresses = (from = 0) => receiver.requests.slice(from).map((r) => JSON.parse(r.body).server.address);
  const ids = (from = 0) => receiver.requests.slice(from).map((r) => r.headers['webhook-id']);

  it('a notice the receiver refuses for good (400) is parked as a dead letter; the ones behind it go out', async () => {
    receiver.script({ status: 400, body: 'payload rejected' });
    const first = await notifyRun({ scenario: one([bad('10.0.0.4'), bad('10.0.0.5')]), config: config() });
    expect(addresses()).toEqual(['10.0.0.4', '10.0.0.5']);
    expect(first.report.notifications?.deliveries.map((d) => d.outcome)).toEqual(['parked', 'delivered']);
    expect(first.report.notifications?.undelivered).toEqual([
      expect.objectContaining({
        receiver: 'webhook[ops]',
        status: 'dead-letter',
        retry: 'by-hand',
        server: 'gw/pool-a/settings-a/10.0.0.4',
        reason: expect.stringMatching(/HTTP 400 Bad Request: payload rejected/),
      }),
    ]);
    expect(first.report.ok).toBe(false);

    // Next runs: the dead letter is not sent again, but reported every time; new notices still go out.
    const second = await notifyRun({
      scenario: one([bad('10.0.0.4'), bad('10.0.0.5'), bad('10.0.0.6')]),
      config: config(),
    });
    expect(addresses(2)).toEqual(['10.0.0.6']);
    expect(second.report.notifications?.undelivered.map((u) => [u.status, u.server])).toEqual([
      ['dead-letter', 'gw/pool-a/settings-a/10.0.0.4'],
    ]);
    expect(runSucceeded(second.report)).toBe(false);
    const state = JSON.parse(await readFile(STATE_FILE(path.join(tmp, 'state')), 'utf8'));
    expect(state.outbox['webhook[ops]']).toEqual([]);
    expect(state.deadLetters['webhook[ops]']).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/HTTP 400/),
        notice: expect.objectContaining({ id: ids()[0] }),
      }),
    ]);
  });

  it.each<[string, ScriptedAnswer, 'queued' | 'parked']>([
    ['400', { status: 400 }, 'parked'],
    ['410 Gone', { status: 410 }, 'parked'],
    ['413 Payload Too Large', { status: 413 }, 'parked'],
    [
      'a redirect (not followed)',
      { status: 302, headers: { location: 'https://elsewhere.example/' } },
      'parked',
    ],
    ['408', { status: 408 }, 'queued'],
    ['429', { status: 429 }, 'queued'],
    ['503', { status: 503 }, 'queued'],
    ['no answer (time-out)', { hang: true }, 'queued'],
    ['a reset connection', { destroy: true }, 'queued'],
  ])(
    'a receiver answering %s: the notice is %s; on the next run it is sent again only if queued',
    async (_label, answer, outcome) => {
      receiver.setDefault(answer);
      const first = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: config() });
      expect(first.report.notifications?.deliveries.map((d) => d.outcome)).toEqual([outcome]);
      expect(first.report.notifications?.undelivered.map((u) => u.status)).toEqual([
        outcome === 'queued' ? 'waiting' : 'dead-letter',
      ]);
      expect(first.report.ok).toBe(false);
      const tried = receiver.requests.length;
      expect(tried).toBe(outcome === 'queued' ? 2 : 1);

      receiver.setDefault({ status: 200 });
      const second = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: config() });
      if (outcome === 'queued') {
        expect(ids(tried)).toEqual([ids()[0]]); // same notice, same id
        expect(second.report.ok).toBe(true);
      } else {
        expect(receiver.requests).toHaveLength(tried);
        expect(second.report.ok).toBe(false);
      }
    },
  );

  // A gateway's 502/504 does not say whether the receiver behind it took the notice (RFC 9110 §15.6.3,
  // §15.6.5): like a time-out, the episode counts as told, so its recovered goes and closes what the
  // degraded may have opened. A 503 is the receiver's own refusal: told nothing, nothing to resolve.
  it.each<[string, 'sent' | 'not sent', number]>([
    ['502 Bad Gateway', 'sent', 502],
    ['504 Gateway Timeout', 'sent', 504],
    ['503 Service Unavailable', 'not sent', 503],
  ])(
    'a proxy answering %s to every try of the degraded, then the server recovers: the recovered is %s',
    async (_label, expected, status) => {
      receiver.setDefault({ status, body: `upstream said ${status}` });
      const first = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: config() });
      expect(first.report.notifications?.deliveries.map((d) => d.outcome)).toEqual(['queued']);
      expect(receiver.requests).toHaveLength(2);

      receiver.setDefault({ status: 200 });
      const healthy = await notifyRun({
        scenario: one([{ address: '10.0.0.4', health: 'Healthy' }]),
        config: config(),
      });
      const types = receiver.requests.slice(2).map((r) => JSON.parse(r.body).type);
      if (expected === 'sent') {
        // grouping "server": the degraded that may have reached goes again (same id), then the recovered.
        expect(types).toEqual(['degraded', 'recovered']);
        expect(receiver.requests[2]?.headers['webhook-id']).toBe(receiver.requests[0]?.headers['webhook-id']);
        expect(healthy.report.notifications?.endedInGroup ?? []).toEqual([]);
      } else {
        expect(types).toEqual([]);
        expect(healthy.report.notifications?.endedInGroup?.map((e) => e.type)).toEqual([
          'degraded',
          'recovered',
        ]);
      }
    },
  );

  it('a teams connector answering 200 "Webhook message delivery failed … HTTP error 429" to every try: the notice is queued, not delivered; the next run sends it again', async () => {
    const teams = { format: 'teams' };
    receiver.setDefault({
      status: 200,
      body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0.',
    });
    const first = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: config(teams) });
    expect(first.report.notifications?.deliveries.map((d) => d.outcome)).toEqual(['queued']);
    expect(first.report.notifications?.undelivered).toEqual([
      expect.objectContaining({
        status: 'waiting',
        reason: expect.stringMatching(
          /HTTP 200 OK, but the receiver did not take the notice: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429/,
        ),
      }),
    ]);
    expect(first.report.ok).toBe(false);
    expect(receiver.requests).toHaveLength(2);

    receiver.setDefault({ status: 200, body: '1' });
    const second = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: config(teams) });
    expect(second.report.notifications?.deliveries.map((d) => d.outcome)).toEqual(['delivered']);
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests[2]?.body).toBe(receiver.requests[0]?.body);
    expect(second.report.ok).toBe(true);
  });

  it('a receiver that used up its retries for one gateway is not tried again for the others in that run', async () => {
    receiver.setDefault({ hang: true });
    const scenario: ScenarioInput = {
      gateways: ['gw-1', 'gw-2', 'gw-3'].map((name, i) => gateway(name, [bad(`10.0.${i}.4`)])),
    };
    const { report } = await notifyRun({
      scenario,
      config: { ...config({ maxAttempts: 1, timeoutInMs: 200 }), concurrency: 1 },
    });
    expect(receiver.requests).toHaveLength(1); // not one time-out per gateway
    const deliveries = report.notifications?.deliveries ?? [];
    expect(deliveries.map((d) => d.outcome)).toEqual(['queued', 'not-tried', 'not-tried']);
    expect(deliveries[1]?.error).toMatch(/failed earlier in this run \(.*no answer within 200 ms/);
    expect(report.notifications?.undelivered.map((u) => [u.status, u.retry])).toEqual([
      ['waiting', 'next-run'],
      ['waiting', 'next-run'],
      ['waiting', 'next-run'],
    ]);
  });

  it('a gateway in a resource group of 35 Japanese letters (too long for a folder name percent-encoded): notified, its state kept, then recovered', async () => {
    const group = '本番環境-アプリケーションゲートウェイ-東日本リージョン-共有サービス';
    const scenario = (health: string): ScenarioInput => ({
      gateways: [gateway('appgw-jp', [{ ...bad('10.0.0.1'), health }], {}, group)],
    });
    const first = await notifyRun({ scenario: scenario('Unhealthy'), config: config() });
    expect(first.report.gateways[0]?.ok).toBe(true);
    expect(first.report.notifications?.stateErrors ?? []).toEqual([]);
    expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual(['degraded']);
    const state = JSON.parse(
      await readFile(path.join(tmp, 'state', SUB, group.toLowerCase(), 'appgw-jp.json'), 'utf8'),
    );
    expect(Object.keys(state.servers)).toHaveLength(1);
    await notifyRun({ scenario: scenario('Healthy'), config: config() });
    expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual(['degraded', 'recovered']);
  });

  it('a whole gateway going bad at once, past notify.outboxLimit: no notice set aside; each delivered once the receiver answers', async () => {
    receiver.setDefault({ status: 503 });
    const servers = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'];
    const first = await notifyRun({
      scenario: one(servers.map(bad)),
      config: config({ maxAttempts: 1 }, { outboxLimit: 2 }),
    });
    const undelivered = first.report.notifications?.undelivered ?? [];
    expect(undelivered.map((u) => [u.status, u.server.split('/')[3]])).toEqual(
      servers.map((a) => ['waiting', a]),
    );
    expect(first.report.notifications?.dropped ?? []).toEqual([]);
    receiver.setDefault({ status: 200 });
    const from = receiver.requests.length;
    const second = await notifyRun({
      scenario: one(servers.map(bad)),
      config: config({ maxAttempts: 1 }, { outboxLimit: 2 }),
    });
    expect(addresses(from).sort()).toEqual(servers);
    expect(second.report.notifications?.undelivered ?? []).toEqual([]);
  });

  it('the outbox is bounded: a receiver down for long, past notify.outboxLimit and two a server, the oldest become dead letters, and the oldest dead letters are dropped, each reported', async () => {
    receiver.setDefault({ status: 503 });
    const logger = recordingLogger();
    const now = Date.now();
    const runAt = (hours: number) =>
      notifyRun({
        scenario: one([bad('10.0.0.1')]),
        config: config({ maxAttempts: 1 }, { outboxLimit: 2, repeatInterval: '4h' }),
        clock: fakeClock(now + hours * 3_600_000),
        logger,
      });
    const runs: Awaited<ReturnType<typeof notifyRun>>[] = [];
    for (const hours of [0, 4, 8, 12, 16]) runs.push(await runAt(hours));
    const shape = (run: (typeof runs)[number]) =>
      (run.report.notifications?.undelivered ?? []).map((u) => [u.status, u.type]);
    expect(shape(runs[2] as (typeof runs)[number])).toEqual([
      ['waiting', 'still-degraded'],
      ['waiting', 'still-degraded'],
      ['dead-letter', 'degraded'],
    ]);
    expect(runs[2]?.report.notifications?.undelivered?.[2]?.reason).toMatch(
      /more than 2 notices were waiting.*notify\.outboxLimit/,
    );
    const state = JSON.parse(await readFile(STATE_FILE(path.join(tmp, 'state')), 'utf8'));
    expect(state.outbox['webhook[ops]']).toHaveLength(2);
    expect(state.deadLetters['webhook[ops]']).toHaveLength(2);
    const dropped = runs.flatMap((run) => run.report.notifications?.dropped ?? []);
    expect(dropped.map((d) => d.type)).toEqual(['degraded']);
    expect(dropped[0]).toMatchObject({
      receiver: 'webhook[ops]',
      reason: expect.stringMatching(
        /more dead letters for this receiver than are kept \(notify\.outboxLimit 2/,
      ),
    });
    expect(runs[4]?.report.ok).toBe(false);
    expect(logger.lines).toContainEqual(
      expect.stringMatching(/^warning: webhook\[ops\]: notice appgw-\w+ .* dropped undelivered/),
    );
  });

  it('a receiver removed from the config: its waiting notices are dropped once, reported, not silently', async () => {
    receiver.setDefault({ status: 503 });
    await notifyRun({ scenario: one([bad('10.0.0.4')]), config: config({ maxAttempts: 1 }) });
    receiver.setDefault({ status: 200 });
    const other = { name: 'pager', url: receiver.url('/pager'), format: 'cloudevents' };
    const withPager = { ...config(), sinks: { dir: path.join(tmp, 'out'), webhooks: [other] } };
    const { report } = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: withPager });
    expect(report.notifications?.dropped).toEqual([
      expect.objectContaining({
        receiver: 'webhook[ops]',
        reason: expect.stringMatching(/^webhook\[ops\] is no longer configured \(renamed or removed;/),
      }),
    ]);
    expect(report.ok).toBe(false);
    const again = await notifyRun({ scenario: one([bad('10.0.0.4')]), config: withPager });
    expect(again.report.notifications?.dropped).toEqual([]);
  });

  it('notices held by another run’s lease are named (summary, report) and fail the run; sent once the lease has ended', async () => {
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    receiver.setDefault({ status: 503 });
    await notifyRun({
      scenario: one([bad('10.0.0.4')]),
      config: config({ maxAttempts: 1 }),
      clock: fakeClock(now - 60_000),
    });
    const file = STATE_FILE(path.join(tmp, 'state'));
    const lease = async (until: number) => {
      const state = JSON.parse(await readFile(file, 'utf8'));
      state.outbox['webhook[ops]'][0].lease = {
        runId: 'run-elsewhere',
        until: new Date(until).toISOString(),
      };
      await writeFile(file, JSON.stringify(state));
    };
    await lease(now + 60_000);
    receiver.setDefault({ status: 200 });
    const tried = receiver.requests.length;
    const held = await notifyRun({
      scenario: one([bad('10.0.0.4')]),
      config: config(),
      clock: fakeClock(now),
    });
    expect(receiver.requests).toHaveLength(tried);
    expect(held.report.notifications?.undelivered).toEqual([
      expect.objectContaining({
        status: 'leased',
        retry: 'after-lease',
        leasedBy: 'run-elsewhere',
        leasedUntil: '2030-01-01T00:01:00.000Z',
      }),
    ]);
    expect(runSucceeded(held.report)).toBe(false);
    expect(formatSummary(held.report, [])).toMatch(
      /webhook\[ops\]: 1 notice held by another run's lease \(that run is sending it, or stopped before it recorded what it sent\).*\(until 2030-01-01T00:01:00\.000Z, by run-elsewhere\)/,
    );

    const after = await notifyRun({
      scenario: one([bad('10.0.0.4')]),
      config: config(),
      clock: fakeClock(now + 61_000),
    });
    expect(receiver.requests).toHaveLength(tried + 1);
    expect(runSucceeded(after.report)).toBe(true);
  });

  it('a server’s newer notice waits while another run holds its older one: the receiver gets them in order, never a recovered before its degraded', async () => {
    // Two runs overlapping on one gateway (soak seed 2112407395): the other run holds the `degraded`;
    // this run, seeing the server healthy, decides the `recovered`, and must not send it first.
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    receiver.setDefault({ status: 503 });
    await notifyRun({
      scenario: one([bad('10.0.0.4'), bad('10.0.0.5')]),
      config: config({ maxAttempts: 1 }),
      clock: fakeClock(now - 60_000),
    });
    const file = STATE_FILE(path.join(tmp, 'state'));
    const state = JSON.parse(await readFile(file, 'utf8'));
    const [held, other] = state.outbox['webhook[ops]'];
    expect([held.notice.server.address, other.notice.server.address]).toEqual(['10.0.0.4', '10.0.0.5']);
    held.lease = { runId: 'run-elsewhere', until: new Date(now + 60_000).toISOString() };
    await writeFile(file, JSON.stringify(state));
    receiver.setDefault({ status: 200 });
    const tried = receiver.requests.length;
    const healthy: ServerSpec = { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success' };

    const during = await notifyRun({
      scenario: one([healthy, bad('10.0.0.5')]),
      config: config(),
      clock: fakeClock(now),
    });
    // The other server's notice is not held back: only 10.0.0.4's recovered waits.
    expect(addresses(tried)).toEqual(['10.0.0.5']);
    const undelivered = during.report.notifications?.undelivered ?? [];
    expect(undelivered.map((u) => [u.type, u.status, u.server])).toEqual([
      ['degraded', 'leased', 'gw/pool-a/settings-a/10.0.0.4'],
      ['recovered', 'waiting', 'gw/pool-a/settings-a/10.0.0.4'],
    ]);
    expect(undelivered[1]?.reason).toMatch(
      /waits for an older notice of the same server, which run run-elsewhere is sending \(held until 2030-01-01T00:01:00\.000Z\)/,
    );
    expect(runSucceeded(during.report)).toBe(false);

    // The other run never settled: once its lease ends, the next run sends both, oldest first.
    await notifyRun({
      scenario: one([healthy, bad('10.0.0.5')]),
      config: config(),
      clock: fakeClock(now + 61_000),
    });
    const types = receiver.requests.slice(tried + 1).map((r) => JSON.parse(r.body));
    expect(types.map((n) => [n.type, n.server.address])).toEqual([
      ['degraded', '10.0.0.4'],
      ['recovered', '10.0.0.4'],
    ]);
  });

  it('a run leases its notices for two send budgets and some slack, not a quarter of an hour', async () => {
    receiver.setDefault({ hang: true });
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    const running = notifyRun({
      scenario: one([bad('10.0.0.4')]),
      config: config({ maxAttempts: 1, timeoutInMs: 2_000 }),
      clock: fakeClock(now),
    });
    // While the receiver holds the request, the claim is in the state: read its lease.
    while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const state = JSON.parse(await readFile(STATE_FILE(path.join(tmp, 'state')), 'utf8'));
    // budget = 2 s × 1 attempt + 1 s; lease = 2 × budget + 10 s
    expect(state.outbox['webhook[ops]'][0].lease.until).toBe(
      new Date(now + 2 * 3_000 + 10_000).toISOString(),
    );
    await running;
  });
});

describe('undelivered notices are visible where people look (issue 11.4)', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-visible-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('a receiver answering 503: report not ok, the notice listed with reason and retry; summary and log say so', async () => {
    receiver.setDefault({ status: 503, body: 'maintenance' });
    const logger = recordingLogger();
    const { report } = await notifyRun({
      scenario: one([bad('10.0.0.4')]),
      config: {
        sinks: {
          dir: path.join(tmp, 'out'),
          webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', maxAttempts: 1 }],
        },
        state: { dir: path.join(tmp, 'state') },
      },
      logger,
    });
    const written: RunReport = JSON.parse(await readFile(path.join(tmp, 'out', 'report.json'), 'utf8'));
    for (const r of [report, written]) {
      expect(r.ok).toBe(false);
      expect(r.notifications?.undelivered).toEqual([
        expect.objectContaining({
          receiver: 'webhook[ops]',
          status: 'waiting',
          retry: 'next-run',
          failedRuns: 1,
          reason: expect.stringMatching(/HTTP 503 Service Unavailable: maintenance/),
        }),
      ]);
      expect(r.notifications?.pending).toEqual({ 'webhook[ops]': 1 });
    }
    const line =
      /webhook\[ops\]: 1 notice waiting, sent on the next run: .*HTTP 503 Service Unavailable: maintenance/;
    expect(formatSummary(report, [])).toMatch(/✗ notifications: 0 delivered, 1 not delivered/);
    expect(formatSummary(report, [])).toMatch(line);
    expect(logger.lines.find((l) => line.test(l))).toMatch(/^warning: /);
  });

  it('in the fan-out, the gateway’s own report (the queue function’s) is not ok and lists the notice', async () => {
    receiver.setDefault({ status: 503 });
    const emulator = await startEmulator({ scenario: one([bad('10.0.0.4')]) as never });
    try {
      const config = parseConfig({
        targets: [`/subscriptions/${SUB}`],
        arm: emulatorArm(emulator),
        sinks: {
          dir: path.join(tmp, 'out'),
          webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', maxAttempts: 1 }],
        },
        state: { dir: path.join(tmp, 'state') },
      });
      const logger = recordingLogger();
      const { deps, options } = withLogger(await buildRunServices(config, {}), logger);
      const result = await processUntilFinished(
        deps,
        { ...options, runId: 'run-q' },
        {
          version: 1,
          runId: 'run-q',
          gatewayId: gatewayId('gw'),
        },
      );
      expect(result.report).toMatchObject({ mode: 'gateway', ok: false });
      expect(result.report.notifications?.undelivered).toEqual([
        expect.objectContaining({ status: 'waiting', reason: expect.stringMatching(/HTTP 503/) }),
      ]);
      // The outbox keeps it: the host is not asked to retry the whole gateway for a receiver.
      expect(result.retryable).toBe(false);
      expect(logger.lines).toContainEqual(
        expect.stringMatching(/^warning: webhook\[ops\]: 1 notice waiting/),
      );
    } finally {
      await emulator.close();
    }
  });

  it('everything delivered: ok, and the summary says how many', async () => {
    const { report } = await notifyRun({
      scenario: one([bad('10.0.0.4')]),
      config: {
        sinks: {
          dir: path.join(tmp, 'out'),
          webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json' }],
        },
        state: { dir: path.join(tmp, 'state') },
      },
    });
    expect(report.ok).toBe(true);
    expect(report.notifications).toMatchObject({ undelivered: [], dropped: [], stateErrors: [] });
    expect(formatSummary(report, [])).toMatch(/✓ notifications: 1 delivered/);
  });
});
