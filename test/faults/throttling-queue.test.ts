/**
 * ARM's request limits in the Functions app (README "Fault matrix", ARM: the subscription's buckets):
 * the queue function never waits out its subscription's quota in the instance. A step the pacer's
 * estimate has no place for soon is put back on the queue for its turn, with nothing sent; a `429` is
 * handed back at once (the SDK does not send it again) and put back for its turn, never before its
 * `Retry-After`. Against the emulator's buckets (small, so the tests stay short), through the real ARM
 * client and pacer as the Functions app builds them; the queue is played in memory, each message taken
 * once its visibility has passed. Times are lower bounds only (a busy machine makes gaps longer).
 */
import { createArmBackendHealthReader } from '../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createSubscriptionPacer } from '../../src/adapters/arm/subscription-pacer';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseGatewayId } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import type { GatewayReport } from '../../src/core/run-report';
import { parseConfig } from '../../src/config/load';
import { ARM_REQUEST_LIMITS } from '../../src/core/pacing/request-limits';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { processQueuedGateway, type FinishedGateway } from '../../src/pipeline/fan-out';
import { runChecks } from '../../src/pipeline/run-checks';
import type { GatewayMessage } from '../../src/ports';
import { emulatorArm } from '../helpers/emulator-settings';
import { memoryWorkQueue } from '../helpers/memory';
import { recordingLogger } from '../helpers/notify-run';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const healthy = [
  { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];
const names = (n: number) => Array.from({ length: n }, (_, i) => `gw-${String(i).padStart(2, '0')}`);
const ref = (name: string): GatewayRef => parseGatewayId(gatewayId(name)) as GatewayRef;

let tmp: string;
const running: RunningEmulator[] = [];
beforeAll(async () => {
  await import('@azure/arm-network'); // loaded once, before any timing
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-throttling-queue-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function emulatorFor(scenario: ScenarioInput): Promise<RunningEmulator> {
  const emulator = await startEmulator({ scenario: scenario as never });
  running.push(emulator);
  return emulator;
}

const postsFor = (emulator: RunningEmulator, name: string) =>
  emulator.requests.filter((r) => r.method === 'POST' && r.path.includes(`/applicationGateways/${name}/`));

describe('a step of the queue function, at its subscription’s write limit', () => {
  // One write, then one every 2 s: ARM's Retry-After is then 2 s.
  const scenario = {
    gateways: names(3).map((n) => gateway(n, healthy)),
    limits: { reads: ARM_REQUEST_LIMITS.reads, writes: { burst: 1, perSecond: 0.5 } },
  };

  function readerFor(emulator: RunningEmulator) {
    const pacer = createSubscriptionPacer(); // ARM's limits: the emulator's smaller ones are learnt
    const clientFor = createArmClientFactory({
      ...emulatorArm(emulator),
      credential: 'development',
      maxRetries: 3,
      retryDelayInMs: 10,
      observer: pacer,
    });
    return createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10, pacer });
  }

  it('a 429 comes back at once, sent once (no SDK retry), deferred for at least its Retry-After; the next step is deferred unsent', async () => {
    const emulator = await emulatorFor(scenario);
    const reader = readerFor(emulator);
    const [first, second, third] = names(3);
    const step = { deferWaits: true };
    expect(await reader.startBackendHealth(ref(first as string), step)).not.toHaveProperty('deferred');
    // The first answer says no write is left, but ARM's rate says one is back within 100 ms: it is
    // waited for, sent, and answered 429 (the emulator's bucket refills at 0.5 a second).
    const throttled = await reader.startBackendHealth(ref(second as string), step);
    expect(throttled).toEqual({ deferred: { reason: 'throttled', retryAfterInMs: expect.any(Number) } });
    expect(
      (throttled as { deferred: { retryAfterInMs: number } }).deferred.retryAfterInMs,
    ).toBeGreaterThanOrEqual(2_000);
    expect(postsFor(emulator, second as string).map((r) => r.status)).toEqual([429]);
    // The 429 paused the estimate until its Retry-After: the third is booked a turn after it, unsent.
    const paced = await reader.startBackendHealth(ref(third as string), step);
    expect(paced).toEqual({ deferred: { reason: 'paced', retryAfterInMs: expect.any(Number) } });
    expect((paced as { deferred: { retryAfterInMs: number } }).deferred.retryAfterInMs).toBeGreaterThan(
      (throttled as { deferred: { retryAfterInMs: number } }).deferred.retryAfterInMs - 500,
    );
    expect(postsFor(emulator, third as string)).toEqual([]);
  }, 30_000);

  it('without deferWaits (the direct run) a 429 is waited out by the SDK’s retry, in the process', async () => {
    const emulator = await emulatorFor(scenario);
    const reader = readerFor(emulator);
    const [first, second] = names(2);
    await reader.getBackendHealth(ref(first as string));
    await reader.getBackendHealth(ref(second as string));
    const statuses = postsFor(emulator, second as string).map((r) => r.status);
    expect(statuses[0]).toBe(429);
    expect(statuses.at(-1)).not.toBe(429);
  }, 30_000);
});

describe('the queue function over a subscription at its write limit', () => {
  it('every gateway is evaluated as the direct run evaluates it, the waits for quota spent in the queue', async () => {
    const gateways = names(8);
    const emulator = await emulatorFor({
      gateways: gateways.map((n) => gateway(n, healthy)),
      limits: { reads: ARM_REQUEST_LIMITS.reads, writes: { burst: 2, perSecond: 4 } },
    });
    const configOf = (name: string) =>
      parseConfig({
        targets: [`/subscriptions/${SUB}`],
        arm: { ...emulatorArm(emulator), maxRetries: 3 },
        sinks: { dir: path.join(tmp, name, 'out') },
        state: { dir: path.join(tmp, name, 'state') },
      });
    const config = configOf('queue');
    // As the Functions app builds them (function-services.ts): ARM's limits assumed, learnt from answers.
    const services = withLogger(await buildRunServices(config, process.env), recordingLogger());
    const deps = { ...services.deps, queue: memoryWorkQueue('appgw-evaluate') };
    const options = { ...services.options, runId: 'run-q' };

    // The queue, played: each message taken once visible, as the host would, up to 16 at once.
    const waiting = gateways.map((name) => ({
      message: { version: 1, runId: 'run-q', gatewayId: gatewayId(name) } as GatewayMessage,
      visibleAt: 0,
    }));
    const finished: FinishedGateway[] = [];
    while (waiting.length > 0) {
      const due = waiting.filter((w) => w.visibleAt <= Date.now()).slice(0, 16);
      if (due.length === 0) {
        await sleep(20);
        continue;
      }
      for (const w of due) waiting.splice(waiting.indexOf(w), 1);
      await Promise.all(
        due.map(async ({ message }) => {
          const result = await processQueuedGateway(deps, options, message);
          if (result.kind === 'finished') return void finished.push(result);
          const next = result.kind === 'continued' ? result.continuation : result.message;
          waiting.push({ message: next, visibleAt: Date.now() + result.visibleAfterInMs });
        }),
      );
    }

    // The direct run of the same gateways (its POSTs paced in the process) finds the same.
    const direct = withLogger(await buildRunServices(configOf('direct'), process.env), recordingLogger());
    const { report } = await runChecks(direct.deps, { ...direct.options, runId: 'run-d' });
    const comparable = ({ durationInMs: _d, fanOut: _f, ...rest }: GatewayReport) => rest;
    expect(finished.map((f) => f.processed.report.name).sort()).toEqual(gateways);
    for (const f of finished) {
      const viaQueue = f.processed.report;
      expect(viaQueue.ok).toBe(true);
      expect(f.retryable).toBe(false);
      expect(comparable(viaQueue)).toEqual(
        comparable(report.gateways.find((g) => g.name === viaQueue.name) as GatewayReport),
      );
      // Every deferral an invocation of its own, counted in the gateway's result.
      const { invocations, polls, deferrals = 0 } = viaQueue.fanOut ?? { invocations: 0, polls: 0 };
      expect(invocations).toBe(1 + polls + deferrals);
    }
    // Past the burst of 2, most starts waited in the queue, not in an instance.
    const deferrals = finished.reduce((n, f) => n + (f.processed.report.fanOut?.deferrals ?? 0), 0);
    expect(deferrals).toBeGreaterThanOrEqual(4);
    // The pacer learnt the bucket from the answers (it assumed ARM's 10 a second, the bucket gives 4):
    // 429s stay few, each one a deferral, not a retry. Sent all at once, 6 of the 8 would meet one.
    const throttled = emulator.requests.filter((r) => r.method === 'POST' && r.status === 429);
    expect(throttled.length).toBeLessThanOrEqual(5);
  }, 60_000);
});
