import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import { loadDefaultScenario, startEmulator, type ScenarioInput } from '../../src/emulator';
import { processUntilFinished } from '../helpers/queued-gateway';
import { emulatorArm } from '../helpers/emulator-settings';
import { notifyRun, recordingLogger } from '../helpers/notify-run';
import { SUB, gateway, gatewayId, type ServerSpec } from '../helpers/scenario-builder';
import { opsWebhookConfig } from '../helpers/ops-webhook-config';
import { startWebhookReceiver, type ScriptedAnswer, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Issue 11.3: a receiver that used up its retry budget in a run is not tried again for the run's other
 * gateways, also when those gateways are notified at the same time (`concurrency`, default 8, and the
 * queue invocations of one instance). Real loopback receivers; the POSTs they get are counted.
 */
const bad = (address: string): ServerSpec => ({
  address,
  health: 'Unhealthy',
  healthProbeLog: 'TCP connect error',
});
const NAMES = ['gw-1', 'gw-2', 'gw-3'];
const three: ScenarioInput = { gateways: NAMES.map((name, i) => gateway(name, [bad(`10.0.${i}.4`)])) };

describe('the receiver breaker with gateways notified concurrently', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-breaker-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const config = (webhook: Record<string, unknown> = {}) => opsWebhookConfig(receiver, tmp, webhook);
  const ids = (from = 0) => receiver.requests.slice(from).map((r) => r.headers['webhook-id']);

  it.each<[string, ScriptedAnswer]>([
    ['hangs', { hang: true }],
    ['answers 503', { status: 503 }],
    ['drops the connection', { destroy: true }],
  ])(
    'a receiver that %s costs one send budget per run, not one per gateway; the others wait, same ids',
    async (_label, answer) => {
      receiver.setDefault(answer);
      const { report } = await notifyRun({ scenario: three, config: config() }); // concurrency 8
      expect(receiver.requests).toHaveLength(2); // one notice's two attempts, not 3 × 2
      const deliveries = report.notifications?.deliveries ?? [];
      expect(deliveries.map((d) => d.outcome).sort()).toEqual(['not-tried', 'not-tried', 'queued']);
      for (const held of deliveries.filter((d) => d.outcome === 'not-tried')) {
        expect(held.error).toMatch(/^not tried: webhook\[ops\] failed earlier in this run \(/);
        expect(held.attempts).toEqual([]);
      }
      expect(report.notifications?.undelivered.map((u) => [u.status, u.retry])).toEqual([
        ['waiting', 'next-run'],
        ['waiting', 'next-run'],
        ['waiting', 'next-run'],
      ]);
      expect(report.ok).toBe(false);

      // Back up: the next run sends all three, the same notices (ids), concurrently.
      receiver.setDefault({ status: 200 });
      const tried = receiver.requests.length;
      const next = await notifyRun({ scenario: three, config: config() });
      expect(next.report.ok).toBe(true);
      expect(new Set(ids(tried))).toEqual(new Set(report.notifications?.undelivered.map((u) => u.noticeId)));
    },
  );

  it('the issue’s repro: the default emulator scenario, a receiver that hangs (1500 ms, 2 attempts): 2 POSTs', async () => {
    receiver.setDefault({ hang: true });
    const scenario = await loadDefaultScenario();
    const { report } = await notifyRun({
      scenario: scenario as unknown as ScenarioInput,
      config: config({ timeoutInMs: 1500, maxAttempts: 2 }),
      targets: ['/subscriptions/00000000-0000-0000-0000-000000000000'],
    });
    const deliveries = report.notifications?.deliveries ?? [];
    expect(new Set(deliveries.map((d) => d.server.split('/')[0])).size).toBeGreaterThanOrEqual(3);
    expect(receiver.requests).toHaveLength(2);
    expect(deliveries.filter((d) => d.outcome === 'queued')).toHaveLength(1);
    expect(deliveries.filter((d) => d.outcome !== 'queued').every((d) => d.outcome === 'not-tried')).toBe(
      true,
    );
  });

  it('a receiver that answers: every gateway’s notice is sent (the gate holds nothing back)', async () => {
    const { report } = await notifyRun({ scenario: three, config: config() });
    expect(receiver.requests).toHaveLength(3);
    expect(report.notifications?.deliveries.map((d) => d.outcome)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(report.ok).toBe(true);
  });

  it('a receiver that refuses one notice for good (400) is not cut off: the other gateways’ notices go out', async () => {
    receiver.script({ status: 400, body: 'payload rejected' });
    const { report } = await notifyRun({ scenario: three, config: config() });
    expect(receiver.requests).toHaveLength(3);
    expect(report.notifications?.deliveries.map((d) => d.outcome).sort()).toEqual([
      'delivered',
      'delivered',
      'parked',
    ]);
    expect(report.notifications?.undelivered.map((u) => u.status)).toEqual(['dead-letter']);
  });
});

describe('the receiver breaker in the fan-out (queue invocations)', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-breaker-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('one instance’s concurrent invocations of a run share it; another instance finds out on its own', async () => {
    receiver.setDefault({ hang: true });
    const emulator = await startEmulator({ scenario: three as never });
    try {
      const config = parseConfig({
        targets: [`/subscriptions/${SUB}`],
        arm: emulatorArm(emulator),
        ...opsWebhookConfig(receiver, tmp),
      });
      // Each instance builds its services once (src/app/function-services.ts): its own breakers.
      const instance = async () => withLogger(await buildRunServices(config, {}), recordingLogger());
      const invoke = ({ deps, options }: Awaited<ReturnType<typeof instance>>, name: string) =>
        processUntilFinished(
          deps,
          { ...options, runId: 'run-q' },
          { version: 1, runId: 'run-q', gatewayId: gatewayId(name) },
        );
      const first = await instance();
      const results = await Promise.all(NAMES.map((name) => invoke(first, name)));
      expect(receiver.requests).toHaveLength(2);
      expect(results.flatMap((r) => r.report.notifications?.deliveries.map((d) => d.outcome)).sort()).toEqual(
        ['not-tried', 'not-tried', 'queued'],
      );
      // The host retries a message on another instance: the same run, but that instance has not seen
      // the receiver fail yet, so it spends one send budget of its own (and only one).
      const second = await instance();
      await Promise.all(NAMES.map((name) => invoke(second, name)));
      expect(receiver.requests).toHaveLength(4);
    } finally {
      await emulator.close();
    }
  });
});
