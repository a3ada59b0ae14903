/**
 * ARM's request limits, run-wide (README "Fault matrix", ARM: the subscription's buckets): the direct
 * run paces its gateways by each subscription's writes bucket (src/pipeline/schedule-gateways.ts), from
 * what every answer's headers and 429s tell the pacer (src/adapters/arm/pacing-policy.ts), against the
 * emulator's buckets (on, small, so the tests stay short), through the real ARM client. Times are the
 * emulator's own record of when each request arrived (its clock, the one its buckets refill by). Last,
 * the Functions app's queue function at the same buckets (it hands each wait for quota to the queue).
 */
import { createArmBackendHealthReader } from '../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createSubscriptionPacer } from '../../src/adapters/arm/subscription-pacer';
import { parseGatewayId } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import type { GatewayReport } from '../../src/core/run-report';
import { processQueuedGateway, type FinishedGateway } from '../../src/pipeline/fan-out';
import type { GatewayMessage } from '../../src/ports';
import { memoryWorkQueue } from '../helpers/memory';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { DEVELOPMENT_TOKEN } from '../../src/adapters/arm/credential';
import { parseConfig } from '../../src/config/load';
import type { RequestLimits } from '../../src/core/pacing/request-limits';
import { ARM_REQUEST_LIMITS } from '../../src/core/pacing/request-limits';
import type { RunReport } from '../../src/core/run-report';
import {
  startEmulator,
  type RecordedRequest,
  type RunningEmulator,
  type ScenarioInput,
} from '../../src/emulator';
import { runChecks } from '../../src/pipeline/run-checks';
import { emulatorArm } from '../helpers/emulator-settings';
import { recordingLogger } from '../helpers/notify-run';
import { OTHER_SUB, SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { rawRequest } from '../emulator/helpers';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const healthy = [
  { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];
const gateways = (sub: string, n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) =>
    gateway(`${prefix}-${String(i).padStart(2, '0')}`, healthy, {}, 'rg-test', sub),
  );

let tmp: string;
const running: RunningEmulator[] = [];
beforeAll(async () => {
  await import('@azure/arm-network'); // loaded once, before any run
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-throttling-'));
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

let runs = 0;
/** One direct run as `appgw-insights run` makes it (config → services → runChecks), paced unless said. */
async function run(
  emulator: RunningEmulator,
  options: {
    targets: string[];
    requestLimits?: RequestLimits;
    unpaced?: boolean;
    concurrency?: number;
    gatewayTimeoutInMs?: number;
    runDeadlineInMs?: number;
  },
): Promise<RunReport> {
  const dir = path.join(tmp, `run-${++runs}`);
  const config = parseConfig({
    targets: options.targets,
    arm: { ...emulatorArm(emulator), maxRetries: 5 },
    sinks: { dir },
    state: { dir: path.join(dir, 'state') },
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.gatewayTimeoutInMs ? { gatewayTimeoutInMs: options.gatewayTimeoutInMs } : {}),
    ...(options.runDeadlineInMs ? { runDeadlineInMs: options.runDeadlineInMs } : {}),
  });
  const services = await buildRunServices(
    config,
    process.env,
    options.requestLimits ? { requestLimits: options.requestLimits } : {},
  );
  const { deps, options: runOptions } = withLogger(services, recordingLogger());
  const { pacer, ...unpaced } = deps;
  expect(pacer).toBeDefined(); // built for every run: the unpaced run below takes it away
  const { report } = await runChecks(options.unpaced ? unpaced : deps, runOptions);
  return report;
}

const posts = (emulator: RunningEmulator, sub: string) =>
  emulator.requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/subscriptions/${sub}/`));
const throttled = (requests: readonly RecordedRequest[]) => requests.filter((r) => r.status === 429);
const evaluated = (report: RunReport) => report.gateways.filter((g) => g.ok).map((g) => g.name);

describe("ARM's writes bucket of a subscription, run-wide", () => {
  const SMALL_WRITES = { burst: 5, perSecond: 10 };

  it('pacing keeps a subscription under its writes bucket: 40 gateways, burst 5, zero 429s, all evaluated', async () => {
    const emulator = await emulatorFor({
      gateways: gateways(SUB, 40, 'gw'),
      limits: { reads: ARM_REQUEST_LIMITS.reads, writes: SMALL_WRITES },
    });

    const report = await run(emulator, {
      targets: [`/subscriptions/${SUB}`],
      requestLimits: { reads: ARM_REQUEST_LIMITS.reads, writes: SMALL_WRITES },
    });

    expect(evaluated(report)).toHaveLength(40);
    expect(posts(emulator, SUB)).toHaveLength(40); // one POST each: none throttled, none retried
    expect(throttled(emulator.requests)).toEqual([]);
  });

  it('polls are paced by the reads bucket too: 12 gateways polled twice each, reads burst 3, zero 429s', async () => {
    const SMALL_READS = { burst: 3, perSecond: 5 };
    const emulator = await emulatorFor({
      gateways: gateways(SUB, 12, 'gw'),
      limits: { reads: SMALL_READS, writes: ARM_REQUEST_LIMITS.writes },
    });

    const report = await run(emulator, {
      targets: [`/subscriptions/${SUB}`],
      requestLimits: { reads: SMALL_READS, writes: ARM_REQUEST_LIMITS.writes },
    });

    // Unpaced, the 12 first polls come together a Retry-After after their POSTs, into 3 tokens.
    expect(evaluated(report)).toHaveLength(12);
    expect(throttled(emulator.requests)).toEqual([]);
  });

  // A break trial: a second run with the same identity emptied the bucket; every request throttled
  // together was sent again together once its Retry-After passed, into the same empty bucket, until
  // `arm.maxRetries` ran out (23 of 1 000 gateways `Throttled` 3.2 s into a 300 s time-out).
  it('polls answered 429 together are sent again each in its turn, into a bucket another client emptied meanwhile, not together', async () => {
    const reads = { burst: 10, perSecond: 2 };
    // Each gateway's first poll: a 429 of its own resource (no pause of the subscription), Retry-After 2 s.
    const emulator = await emulatorFor({
      gateways: Array.from({ length: 8 }, (_, i) =>
        gateway(`gw-${String(i).padStart(2, '0')}`, healthy, {
          faults: [
            {
              on: 'poll',
              status: 429,
              code: 'RetryableErrorDueToAnotherOperation',
              times: 1,
              retryAfterSeconds: 2,
            },
          ],
        }),
      ),
      limits: { reads, writes: ARM_REQUEST_LIMITS.writes },
    });
    const isPoll = (r: RecordedRequest) => r.method === 'GET' && r.path.includes('/operationResults/');
    const running = run(emulator, {
      targets: [`/subscriptions/${SUB}`],
      requestLimits: { reads, writes: ARM_REQUEST_LIMITS.writes },
    });
    // The 8 answered 429, their retries due 2 s later: another client of the same principal empties
    // the reads bucket meanwhile, unknown to the run's pacer.
    while (throttled(emulator.requests.filter(isPoll)).length < 8) await sleep(5);
    for (let i = 0; i < 20; i++) {
      const answer = await rawRequest(emulator, 'GET', `${gatewayId('gw-00')}?api-version=2024-05-01`, {
        authorization: `Bearer ${DEVELOPMENT_TOKEN}`,
      });
      if (answer.status === 429) break;
    }
    const report = await running;

    expect(evaluated(report)).toHaveLength(8);
    // Sent again together (before 2026-12-05), the 8 met a bucket of about 4 tokens: 6 more 429s in
    // the waves after. Each waiting for its place, none here: the estimate may be a token or two off.
    const again = throttled(emulator.requests.filter(isPoll)).length - 8;
    expect(again).toBeLessThanOrEqual(2);
  }, 60_000);

  it('unpaced (the same run without its pacer), the same gateways empty the bucket: 429s', async () => {
    const emulator = await emulatorFor({
      gateways: gateways(SUB, 40, 'gw'),
      limits: { reads: ARM_REQUEST_LIMITS.reads, writes: SMALL_WRITES },
    });

    await run(emulator, { targets: [`/subscriptions/${SUB}`], unpaced: true, concurrency: 40 });

    // What the paced run above avoids: the test can tell pacing from none.
    expect(throttled(posts(emulator, SUB)).length).toBeGreaterThan(0);
  });

  it('a 429 waits its Retry-After: no write to that subscription before it; every gateway evaluated; another subscription not slowed', async () => {
    // The first gateway of SUB (its probe) is answered ARM's 429 with Retry-After 3 s.
    const first = gateway('gw-a-00', healthy, {
      faults: [
        {
          on: 'backendHealth',
          status: 429,
          code: 'SubscriptionRequestsThrottled',
          times: 1,
          retryAfterSeconds: 3,
        },
      ],
    });
    const emulator = await emulatorFor({
      gateways: [first, ...gateways(SUB, 6, 'gw-a').slice(1), ...gateways(OTHER_SUB, 6, 'gw-b')],
    });

    const report = await run(emulator, { targets: [`/subscriptions/${SUB}`, `/subscriptions/${OTHER_SUB}`] });

    expect(evaluated(report)).toHaveLength(12);
    const [throttle, ...rest] = throttled(emulator.requests);
    expect(rest).toEqual([]);
    expect(throttle?.path).toBe(`${gatewayId('gw-a-00')}/backendhealth`);
    const at = (throttle as RecordedRequest).receivedAtMs;
    const afterIt = posts(emulator, SUB).filter((r) => r !== throttle);
    expect(afterIt).toHaveLength(6); // the retry of the throttled POST, and the other five
    for (const post of afterIt) expect(post.receivedAtMs - at).toBeGreaterThanOrEqual(3000);
    // The other subscription's gateways went on meanwhile: all its POSTs arrived within the first
    // subscription's pause (none waited for it).
    expect(posts(emulator, OTHER_SUB)).toHaveLength(6);
    for (const post of posts(emulator, OTHER_SUB)) expect(post.receivedAtMs - at).toBeLessThan(3000);
  });

  // Issue 14's trial: a provider's 429 on one gateway in seven paused and slowed the whole subscription.
  it("a provider's 429 for one gateway (tokens left in the bucket): that gateway waits, the others of its subscription do not", async () => {
    const first = gateway('gw-a-00', healthy, {
      faults: [{ on: 'backendHealth', status: 429, code: 'TooManyRequests', times: 1, retryAfterSeconds: 3 }],
    });
    const emulator = await emulatorFor({ gateways: [first, ...gateways(SUB, 6, 'gw-a').slice(1)] });

    const report = await run(emulator, { targets: [`/subscriptions/${SUB}`] });

    expect(evaluated(report)).toHaveLength(6);
    const [throttle, ...rest] = throttled(emulator.requests);
    expect(rest).toEqual([]);
    expect(throttle?.path).toBe(`${gatewayId('gw-a-00')}/backendhealth`);
    const at = (throttle as RecordedRequest).receivedAtMs;
    const others = posts(emulator, SUB).filter((r) => !r.path.startsWith(`${gatewayId('gw-a-00')}/`));
    expect(others).toHaveLength(5);
    // None waited for the throttled gateway's Retry-After (a margin no busy machine reaches: 3 s).
    for (const post of others) expect(post.receivedAtMs - at).toBeLessThan(3000);
    // The throttled one itself was sent again only after it.
    const again = posts(emulator, SUB).filter(
      (r) => r !== throttle && r.path.startsWith(`${gatewayId('gw-a-00')}/`),
    );
    expect(again).toHaveLength(1);
    expect((again[0] as RecordedRequest).receivedAtMs - at).toBeGreaterThanOrEqual(3000);
  });

  it('a bucket another client emptied: the first POST is throttled, waits its Retry-After, then the rest are paced with zero 429s', async () => {
    const writes = { burst: 2, perSecond: 2 };
    const emulator = await emulatorFor({
      gateways: gateways(SUB, 6, 'gw'),
      limits: { reads: ARM_REQUEST_LIMITS.reads, writes },
    });
    // Another client of the same principal empties the writes bucket just before the run.
    for (let i = 0; i < 2; i++)
      await rawRequest(emulator, 'POST', `${gatewayId('gw-00')}/backendhealth?api-version=2024-05-01`, {
        authorization: `Bearer ${DEVELOPMENT_TOKEN}`,
      });
    const before = emulator.requests.length;

    const report = await run(emulator, {
      targets: [`/subscriptions/${SUB}`],
      requestLimits: { reads: ARM_REQUEST_LIMITS.reads, writes },
    });

    expect(evaluated(report)).toHaveLength(6);
    const runRequests = emulator.requests.slice(before);
    const [throttle, ...rest] = throttled(runRequests);
    expect(throttle?.method).toBe('POST');
    expect(rest).toEqual([]);
    const retryAfterInMs = 1000; // one token at 2 a second: 0.5 s, said in whole seconds
    const writesAfter = runRequests.filter((r) => r.method === 'POST' && r !== throttle);
    expect(writesAfter).toHaveLength(6);
    for (const post of writesAfter)
      expect(post.receivedAtMs - (throttle as RecordedRequest).receivedAtMs).toBeGreaterThanOrEqual(
        retryAfterInMs,
      );
  });

  // A break trial: 10 of 120 gateways' polls answered 429 SubscriptionRequestsThrottled (Retry-After 10 s)
  // while the answers still counted tokens; the pacer took each for an empty bucket and let the
  // subscription's polls out one at a time after its pause, so each throttled poll came after the last
  // pause, alone: 120 of 120 gateways failed at a 60 s time-out.
  it('429 SubscriptionRequestsThrottled on polls spread over a subscription, its answers still counting tokens: the polls waiting go together after the pause, so the 429s pause it twice, not once each', async () => {
    const RETRY_AFTER_S = 3;
    const throttledPoll = {
      faults: [
        {
          on: 'poll' as const,
          status: 429,
          code: 'SubscriptionRequestsThrottled',
          times: 1,
          retryAfterSeconds: RETRY_AFTER_S,
        },
      ],
    };
    const all = Array.from({ length: 24 }, (_, i) =>
      gateway(`gw-${String(i).padStart(2, '0')}`, healthy, i % 6 === 0 ? throttledPoll : {}, 'rg-test', SUB),
    );
    const emulator = await emulatorFor({ gateways: all });

    const report = await run(emulator, { targets: [`/subscriptions/${SUB}`], gatewayTimeoutInMs: 120_000 });

    expect(evaluated(report)).toHaveLength(24);
    const at = throttled(emulator.requests).map((r) => r.receivedAtMs);
    expect(at).toHaveLength(4);
    // Pauses: a 429 answered after the last pause ended starts another. One at a time after each pause
    // met the four 429s in four pauses; together, the first pauses the subscription and the other three
    // meet the polls that went at its end, within a second of each other (a margin of 3 s).
    let pauses = 0;
    let pausedUntil = -Infinity;
    for (const t of at) {
      if (t < pausedUntil) continue;
      pauses += 1;
      pausedUntil = t + RETRY_AFTER_S * 1000;
    }
    expect(pauses).toBe(2);
  }, 60_000);

  // A break trial: one 429 (Retry-After 20 s) paused the subscription, as ARM's limit is its, and every
  // other gateway of it ran out of gatewayTimeoutInMs waiting for its turn: each was reported "no answer
  // … raise gatewayTimeoutInMs", as if ARM were silent, where the subscription's quota held it.
  it('gateways that run out of time while their subscription waits out a 429 are reported Throttled, naming it; a slow gateway elsewhere is still "no answer"', async () => {
    // Whichever of the subscription's gateways polls first is answered ARM's 429 (its reads bucket is
    // empty) with Retry-After 20 s; the others' polls then wait for the subscription's turn.
    const pausing = ['gw-a-00', 'gw-a-01', 'gw-a-02', 'gw-a-03'].map((name) =>
      gateway(name, healthy, {
        faults: [
          {
            on: 'poll',
            status: 429,
            code: 'SubscriptionRequestsThrottled',
            times: 1,
            retryAfterSeconds: 20,
          },
        ],
      }),
    );
    // Its operation answers after 60 polls a second apart: past any time-out here, with no 429.
    const slow = gateway(
      'gw-b-slow',
      healthy,
      { lro: { polls: 60, retryAfterSeconds: 1, style: 'location' } },
      'rg-test',
      OTHER_SUB,
    );
    const emulator = await emulatorFor({
      gateways: [...pausing, slow],
    });

    // A margin a busy machine cannot close: the time-out is 4 s, the pause 20 s.
    const report = await run(emulator, {
      targets: [`/subscriptions/${SUB}`, `/subscriptions/${OTHER_SUB}`],
      gatewayTimeoutInMs: 4_000,
    });

    const bySub = (sub: string) => report.gateways.filter((g) => g.subscriptionId === sub);
    expect(bySub(SUB).map((g) => [g.name, g.error?.code])).toEqual(
      ['gw-a-00', 'gw-a-01', 'gw-a-02', 'gw-a-03'].map((name) => [name, 'Throttled']),
    );
    for (const g of bySub(SUB)) {
      expect(g.error?.retryable).toBe(true);
      expect(g.error?.message).toMatch(
        /^ARM throttled the subscription of .*\/gw-a-0\d \(429 for its reads \d+\.\d s before the time-out, Retry-After 20\.0 s; its own requests waited \d+\.\d s of it for the quota; no answer within 4000 ms \(gatewayTimeoutInMs\)\)\. The gateway's requests waited for subscription 1{8}-1{4}-1{4}-1{4}-1{12}'s quota/,
      );
    }
    expect(bySub(OTHER_SUB).map((g) => [g.name, g.error?.code])).toEqual([
      ['gw-b-slow', 'BackendHealthUnavailable'],
    ]);
    expect(bySub(OTHER_SUB)[0]?.error?.message).toMatch(
      /no answer within 4000 ms .*raise "gatewayTimeoutInMs"/,
    );
  }, 60_000);

  // A break trial: `concurrency: 10`, one subscription whose reads a 429 paused 60 s at a time, and a
  // healthy one: the paused one's gateways were started, each held its place for the pause, and 39 of
  // the healthy one's 50 were not done by the run's deadline.
  it("a numeric concurrency and a subscription whose reads a 429 paused: its gateways wait unstarted, holding no place; another subscription's are all done", async () => {
    const paused = [
      gateway('gw-a-00', healthy, {
        faults: [
          {
            on: 'poll',
            status: 429,
            code: 'SubscriptionRequestsThrottled',
            times: 99,
            retryAfterSeconds: 60,
          },
        ],
      }),
      ...gateways(SUB, 8, 'gw-a').slice(1),
    ];
    // Each takes a second (one poll after a 1 s Retry-After): on one place, 6 s in all.
    const well = gateways(OTHER_SUB, 6, 'gw-b').map((g) => ({
      ...g,
      lro: { polls: 1, retryAfterSeconds: 1, style: 'location' as const },
    }));
    const emulator = await emulatorFor({ gateways: [...paused, ...well] });

    // Margins a busy machine cannot close: a 60 s pause, a 20 s time-out, a 15 s deadline.
    const report = await run(emulator, {
      targets: [`/subscriptions/${SUB}`, `/subscriptions/${OTHER_SUB}`],
      concurrency: 3,
      gatewayTimeoutInMs: 20_000,
      runDeadlineInMs: 15_000,
    });

    const healthyDone = report.gateways
      .filter((g) => g.subscriptionId === OTHER_SUB && g.ok)
      .map((g) => g.name);
    expect(healthyDone).toEqual(well.map((g) => g.id.split('/').pop()));
    // The paused subscription's gateways started after the 429 sent no POST: at most those started
    // with it (three places) did.
    expect(posts(emulator, SUB).length).toBeLessThanOrEqual(3);
  }, 60_000);

  // A break trial: a gateway ARM answered 429 on every poll with the subscription's quota left (a
  // resource provider's limit) was "no answer within … raise gatewayTimeoutInMs": a 429 pauses nothing
  // then, and only 5xx answers were kept for the time-out to tell.
  it("a gateway ARM answers 429 TooManyRequests on every poll, the subscription's quota left, runs out of time Throttled, saying ARM's last answer", async () => {
    const limited = gateway('gw-a-limited', healthy, {
      faults: [{ on: 'poll', status: 429, code: 'TooManyRequests', times: 99, retryAfterSeconds: 2 }],
    });
    const emulator = await emulatorFor({ gateways: [limited, gateway('gw-a-well', healthy)] });

    // A margin a busy machine cannot close: each 429 asks for 2 s, the time-out is 5 s.
    const report = await run(emulator, { targets: [`/subscriptions/${SUB}`], gatewayTimeoutInMs: 5_000 });

    expect(report.gateways.map((g) => [g.name, g.error?.code ?? 'ok'])).toEqual([
      ['gw-a-limited', 'Throttled'],
      ['gw-a-well', 'ok'],
    ]);
    expect(report.gateways[0]?.error?.message).toMatch(
      /^ARM throttled the requests of \S+\/gw-a-limited \(ARM answered 429 TooManyRequests to its last try, \d+\.\d s before the time-out.*without pausing the subscription/,
    );
  }, 60_000);

  // A break trial: a gateway whose request ARM never answered was reported Throttled ("raise
  // gatewayTimeoutInMs past ARM's Retry-After") because other gateways' 429s paused its subscription
  // while it waited; its request was out with ARM all along, and never waited on that pause.
  it('a gateway whose POST hangs while other gateways\' 429s pause its subscription is "no answer", not Throttled; theirs are Throttled', async () => {
    const pausing = ['gw-a-00', 'gw-a-01'].map((name) =>
      gateway(name, healthy, {
        faults: [
          { on: 'poll', status: 429, code: 'SubscriptionRequestsThrottled', times: 1, retryAfterSeconds: 20 },
        ],
      }),
    );
    const hung = gateway('gw-a-hung', healthy, {
      faults: [{ on: 'backendHealth', connection: 'hang', times: 9 }],
    });
    const emulator = await emulatorFor({ gateways: [...pausing, hung] });

    // Margins a busy machine cannot close: the time-out is 4 s, the pause 20 s.
    const report = await run(emulator, { targets: [`/subscriptions/${SUB}`], gatewayTimeoutInMs: 4_000 });

    expect(throttled(emulator.requests).length).toBeGreaterThanOrEqual(1);
    expect(report.gateways.map((g) => [g.name, g.error?.code])).toEqual([
      ['gw-a-00', 'Throttled'],
      ['gw-a-01', 'Throttled'],
      ['gw-a-hung', 'BackendHealthUnavailable'],
    ]);
    const hungReport = report.gateways.find((g) => g.name === 'gw-a-hung');
    expect(hungReport?.error?.message).toMatch(/no answer within 4000 ms .*raise "gatewayTimeoutInMs"/);
    for (const g of report.gateways.filter((g) => g.name !== 'gw-a-hung')) {
      expect(g.error?.message).toMatch(
        /; its own requests waited \d+\.\d s of it for the quota; no answer within 4000 ms/,
      );
    }
  }, 60_000);

  // A break trial: a poll that waited 60 s on its subscription's reads pause, then hung 39 s, was
  // `Throttled` (told to wait out a Retry-After it had waited out): its waits outlasted the time its
  // try was out. A try out unanswered past ARM's answer time (5 s) is ARM's silence, whatever came before.
  it('a gateway whose poll hangs after waiting out its subscription\'s reads pause is "no answer", not Throttled', async () => {
    const pausing = gateway('gw-a-00', healthy, {
      faults: [
        { on: 'poll', status: 429, code: 'SubscriptionRequestsThrottled', times: 1, retryAfterSeconds: 10 },
      ],
    });
    // Its poll goes 1 s after its POST, into the pause: it waits ~9 s, then hangs ~6.5 s.
    const hung = gateway('gw-a-hung', healthy, {
      lro: { polls: 1, retryAfterSeconds: 1, style: 'location' },
      faults: [{ on: 'poll', connection: 'hang', times: 9 }],
    });
    const emulator = await emulatorFor({ gateways: [pausing, hung] });

    const report = await run(emulator, { targets: [`/subscriptions/${SUB}`], gatewayTimeoutInMs: 16_500 });

    expect(throttled(emulator.requests)).toHaveLength(1);
    const hungReport = report.gateways.find((g) => g.name === 'gw-a-hung');
    expect(hungReport?.error?.code).toBe('BackendHealthUnavailable');
    expect(hungReport?.error?.message).toMatch(
      /no answer within 16500 ms \(gatewayTimeoutInMs\): its last try had no answer for \d+\.\d s, after its requests waited \d+\.\d s for the subscription's quota/,
    );
  }, 60_000);
});

/*
 * The Functions app's queue function at the same buckets: it never waits out its subscription's quota in
 * the instance. A step the pacer's estimate has no place for soon is put back on the queue for its turn,
 * with nothing sent; a 429 is handed back at once (the SDK does not send it again) and put back for its
 * turn, never before its Retry-After. The queue is played in memory, each message taken once visible.
 */
const names = (n: number) => Array.from({ length: n }, (_, i) => `gw-${String(i).padStart(2, '0')}`);
const ref = (name: string): GatewayRef => parseGatewayId(gatewayId(name)) as GatewayRef;
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
    const handedBack = await reader.startBackendHealth(ref(second as string), step);
    expect(handedBack).toEqual({ deferred: { reason: 'throttled', retryAfterInMs: expect.any(Number) } });
    expect(
      (handedBack as { deferred: { retryAfterInMs: number } }).deferred.retryAfterInMs,
    ).toBeGreaterThanOrEqual(2_000);
    expect(postsFor(emulator, second as string).map((r) => r.status)).toEqual([429]);
    // The 429 paused the estimate until its Retry-After: the third is booked a turn after it, unsent.
    const paced = await reader.startBackendHealth(ref(third as string), step);
    expect(paced).toEqual({ deferred: { reason: 'paced', retryAfterInMs: expect.any(Number) } });
    expect((paced as { deferred: { retryAfterInMs: number } }).deferred.retryAfterInMs).toBeGreaterThan(
      (handedBack as { deferred: { retryAfterInMs: number } }).deferred.retryAfterInMs - 500,
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
          if (result.kind === 'notWatched') throw result.error;
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
    // at most one 429 for each start past the burst, each a deferral, not a retry. Without deferWaits
    // (starts unpaced, each 429 retried by the SDK in the instance) the same run met 14.
    expect(throttled(emulator.requests.filter((r) => r.method === 'POST')).length).toBeLessThanOrEqual(6);
  }, 60_000);
});
