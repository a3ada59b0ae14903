/**
 * The fault matrix's receiver rows (README "Fault matrix") that test/pipeline/notify-outbox.test.ts
 * does not already hold: a receiver that is down (nothing listens on its port) and comes back, and a
 * slow one that answers within its time-out. End to end: emulator → run → file state → loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { runSucceeded } from '../../src/core/run-report';
import { closedPort } from '../helpers/closed-port';
import { notifyRun } from '../helpers/notify-run';
import { gateway } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const scenario = {
  gateways: [
    gateway('gw', [{ address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }]),
  ],
};

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-receiver-faults-'));
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

const config = (url: string, webhook: Record<string, unknown> = {}) => ({
  sinks: {
    dir: path.join(tmp, 'out'),
    webhooks: [{ name: 'ops', url, format: 'json', grouping: 'server', maxAttempts: 2, ...webhook }],
  },
  state: { dir: path.join(tmp, 'state') },
});

it('a receiver that is down (nothing listens): the notice waits, and is sent once, same id, when it is back', async () => {
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}/hook`;
  const down = await notifyRun({ scenario, config: config(url) });
  expect(down.report.notifications?.deliveries).toEqual([
    expect.objectContaining({
      outcome: 'queued',
      attempts: [
        expect.objectContaining({ error: expect.stringMatching(/ECONNREFUSED|refused/) }),
        expect.objectContaining({ error: expect.stringMatching(/ECONNREFUSED|refused/) }),
      ],
    }),
  ]);
  expect(down.report.notifications?.undelivered).toEqual([
    expect.objectContaining({ status: 'waiting', retry: 'next-run' }),
  ]);
  expect(runSucceeded(down.report)).toBe(false);
  const id = down.report.notifications?.deliveries[0]?.noticeId;

  // The receiver comes back on its port.
  const ids: unknown[] = [];
  const back = http.createServer((req, res) => {
    ids.push(req.headers['webhook-id']);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve));
  try {
    const up = await notifyRun({ scenario, config: config(url) });
    expect(ids).toEqual([id]);
    expect(runSucceeded(up.report)).toBe(true);
    // and never again
    await notifyRun({ scenario, config: config(url) });
    expect(ids).toEqual([id]);
  } finally {
    await new Promise<void>((resolve) => back.close(() => resolve()));
  }
});

describe('a slow receiver', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  it('answers after 300 ms, within its 10 s time-out: delivered at the first attempt, once', async () => {
    receiver.setDefault({ status: 200, body: 'ok', delayMs: 300 });
    const { report } = await notifyRun({
      scenario,
      config: config(receiver.url('/hook'), { timeoutInMs: 10_000 }),
    });
    expect(receiver.requests).toHaveLength(1);
    expect(report.notifications?.deliveries).toEqual([
      expect.objectContaining({ outcome: 'delivered', attempts: [expect.objectContaining({ status: 200 })] }),
    ]);
    expect(runSucceeded(report)).toBe(true);
  });
});
