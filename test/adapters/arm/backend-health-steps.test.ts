/**
 * The backend-health operation in steps (start → wait Retry-After → poll …), against the emulator over
 * real sockets: requests per gateway, when the first poll comes, Retry-After 0 and none, the operation
 * as JSON (a queue message) restored by another reader, and refusing an operation URL that points away
 * from the ARM endpoint. Times are only ever checked as lower bounds from the emulator's own clock (a
 * busy machine makes gaps longer, never shorter).
 */
import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { parseGatewayId } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import type { RecordedRequest } from '../../../src/emulator/server';
import { BackendHealthUnavailableError } from '../../../src/errors';
import type { BackendHealthOperation, BackendHealthStep, PendingBackendHealth } from '../../../src/ports';
import { rejection } from '../../helpers/failures';
import { OTHER_SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

const down = { address: '10.0.0.5', health: 'Down', healthProbeLog: 'TCP connect error' };
const ref = (name: string): GatewayRef => parseGatewayId(gatewayId(name)) as GatewayRef;
const STYLES = ['location', 'azure-async-operation'] as const;

const emulators: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function setUp(scenario: ScenarioInput, pollIntervalInMs = 60_000) {
  const emulator = await startEmulator({ scenario: scenario as never });
  emulators.push(emulator);
  const readerOf = () =>
    createArmBackendHealthReader(
      createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'development',
        maxRetries: 1,
      }),
      { pollIntervalInMs },
    );
  return { emulator, reader: readerOf(), readerOf };
}

/** The requests about one gateway's operation: its POST and the polls of the URLs it handed out. */
function operationRequests(emulator: RunningEmulator): RecordedRequest[] {
  return emulator.requests.filter(
    (r) => r.method === 'POST' || /\/locations\/[^/]+\/(?:operationResults|operations)\//i.test(r.path),
  );
}

function pending(step: BackendHealthStep): PendingBackendHealth {
  if (!('pending' in step)) throw new Error('expected the operation to be running');
  return step.pending;
}

describe('the first poll waits Retry-After; at one poll, two requests per gateway', () => {
  it.each(STYLES)(
    '%s style: POST, then one GET at least Retry-After later, which has the body',
    async (style) => {
      // The operation ends 900 ms after its POST and says Retry-After: 1: a client that waits it needs one
      // poll; one that polls at once (as the SDK's poller does) needs two.
      const { emulator, reader } = await setUp({
        gateways: [gateway('gw', [down], { lro: { style, runsForMs: 900, retryAfterSeconds: 1 } })],
      });
      const body = await reader.getBackendHealth(ref('gw'));
      expect(body.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers).toEqual([down]);
      const [post, poll, ...more] = operationRequests(emulator);
      expect([post?.method, post?.status, poll?.method, poll?.status, more.length]).toEqual([
        'POST',
        202,
        'GET',
        200,
        0,
      ]);
      // Not before Retry-After (1 s) after the POST arrived; the SDK's poller came ~5 ms after it.
      expect((poll?.receivedAtMs ?? 0) - (post?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(950);
    },
  );

  it('the step says how long to wait: Retry-After in ms', async () => {
    const { reader } = await setUp({
      gateways: [gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 7 } })],
    });
    expect(pending(await reader.startBackendHealth(ref('gw'))).retryAfterInMs).toBe(7000);
  });
});

describe('Retry-After: 0 polls at once (not at the default interval)', () => {
  it.each(STYLES)('%s style: five polls with a 60 s pollIntervalInMs end well within 20 s', async (style) => {
    const { emulator, reader } = await setUp({
      gateways: [gateway('gw', [down], { lro: { style, polls: 4, retryAfterSeconds: 0 } })],
    });
    expect(pending(await reader.startBackendHealth(ref('gw'))).retryAfterInMs).toBe(0);
    // Were 0 read as "none" (core-lro does), each of the 4 waits would be pollIntervalInMs (60 s) or
    // the SDK's 2 s default: the signal would end the read first.
    const body = await reader.getBackendHealth(ref('gw'), { abortSignal: AbortSignal.timeout(20_000) });
    expect(body.backendAddressPools).toHaveLength(1);
    const second = operationRequests(emulator).slice(1);
    expect(second.map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 202',
      'GET 202',
      'GET 202',
      'GET 202',
      'GET 202',
      'GET 200',
    ]);
  });
});

describe('Retry-After: 0 again and again does not spin', () => {
  it('an operation that says 0 for 3 s is polled a handful of times, not hundreds', async () => {
    const { emulator, reader } = await setUp(
      {
        gateways: [gateway('gw', [down], { lro: { runsForMs: 3000, retryAfterSeconds: 0 } })],
        limits: false,
      },
      2000,
    );
    await reader.getBackendHealth(ref('gw'), { abortSignal: AbortSignal.timeout(30_000) });
    // At once, then 250, 500, 1000, 2000 ms (pollIntervalInMs): 3 s pass by the fifth poll. A loop that
    // polled each 0 at once made 873 in those 3 s.
    const polls = operationRequests(emulator).filter((r) => r.method === 'GET');
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.length).toBeLessThanOrEqual(8);
    expect(polls.at(-1)?.status).toBe(200);
  });
});

describe('no Retry-After: the wait is arm.pollIntervalInMs', () => {
  it('the step says pollIntervalInMs, and the poll comes no sooner (2500 ms: not 0, not the SDK 2 s default)', async () => {
    const { emulator, reader } = await setUp(
      { gateways: [gateway('gw', [down], { lro: { runsForMs: 0, retryAfterSeconds: null } })] },
      2500,
    );
    const step = pending(await reader.startBackendHealth(ref('gw')));
    expect(step.retryAfterInMs).toBe(2500);
    await reader.getBackendHealth(ref('gw'));
    const [post, poll, ...more] = operationRequests(emulator).slice(1);
    expect([post?.method, poll?.status, more.length]).toEqual(['POST', 200, 0]);
    expect((poll?.receivedAtMs ?? 0) - (post?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(2450);
  });
});

describe('the operation as JSON (a queue message), polled by another reader', () => {
  it.each(STYLES)(
    '%s style: start on one reader, poll a JSON copy on a fresh one, to the body',
    async (style) => {
      const { emulator, reader, readerOf } = await setUp({
        gateways: [gateway('gw', [down], { lro: { style, polls: 2, retryAfterSeconds: 0 } })],
      });
      let step = await reader.startBackendHealth(ref('gw'));
      let polls = 0;
      while ('pending' in step) {
        const stored = JSON.parse(JSON.stringify(step.pending.operation)) as BackendHealthOperation;
        step = await readerOf().pollBackendHealth(ref('gw'), stored);
        polls += 1;
      }
      expect(polls).toBe(3);
      if (!('done' in step)) throw new Error('expected the body');
      expect(step.done.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers).toEqual([down]);
      expect(operationRequests(emulator)).toHaveLength(4);
    },
  );

  it('a repeated Retry-After: 0 backs off across JSON copies too (a queued continuation does not spin)', async () => {
    const { readerOf } = await setUp(
      { gateways: [gateway('gw', [down], { lro: { polls: 5, retryAfterSeconds: 0 } })], limits: false },
      800,
    );
    let step = await readerOf().startBackendHealth(ref('gw'));
    const waits: number[] = [];
    while ('pending' in step) {
      waits.push(step.pending.retryAfterInMs);
      const stored = JSON.parse(JSON.stringify(step.pending.operation)) as BackendHealthOperation;
      step = await readerOf().pollBackendHealth(ref('gw'), stored);
    }
    // As the in-process loop waits: at once, then 250 ms doubling, up to pollIntervalInMs (800).
    expect(waits).toEqual([0, 250, 500, 800, 800, 800]);
  });

  it('a failed operation (lro.outcome "failed") fails its poll step: BackendHealthUnavailable quoting ARM', async () => {
    const { reader } = await setUp({
      gateways: [gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 0, outcome: 'failed' } })],
    });
    const { operation } = pending(await reader.startBackendHealth(ref('gw')));
    // The second 0 in a row backs off (250 ms, core/retry-after.ts), the first is at once.
    expect(pending(await reader.pollBackendHealth(ref('gw'), operation)).retryAfterInMs).toBe(250);
    const error = await rejection(reader.pollBackendHealth(ref('gw'), operation));
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    expect((error as Error).message).toMatch(/ARM answered 500 InternalServerError/);
  });

  it.each([
    ['the poll', 1],
    ['the POST, answered at once', 0],
  ] as const)(
    'a body that is not backend health, answered to %s: BackendHealthUnavailable marked unreadableAnswer (the same step would get it again)',
    async (_what, polls) => {
      const { reader } = await setUp({
        gateways: [
          gateway('gw', [down], {
            lro: { polls, retryAfterSeconds: 0 },
            faults: [{ on: 'backendHealth', text: '{}', times: 1 }],
          }),
        ],
      });
      // Polled until the final answer (a 202 or two first), as the queue's continuations poll it.
      let error: unknown;
      try {
        let step = await reader.startBackendHealth(ref('gw'));
        while ('pending' in step) step = await reader.pollBackendHealth(ref('gw'), step.pending.operation);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(BackendHealthUnavailableError);
      expect(error).toMatchObject({ unreadableAnswer: true, retryable: true });
    },
  );

  it('a failed operation is an answer ARM gave, not an unreadable one (a host retry may fare better)', async () => {
    const { reader } = await setUp({
      gateways: [gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 0, outcome: 'failed' } })],
    });
    const { operation } = pending(await reader.startBackendHealth(ref('gw')));
    await reader.pollBackendHealth(ref('gw'), operation);
    expect(await rejection(reader.pollBackendHealth(ref('gw'), operation))).toMatchObject({
      unreadableAnswer: false,
    });
  });

  it('an abort during the Retry-After wait ends the read at once (BackendHealthUnavailable)', async () => {
    const { reader } = await setUp({
      gateways: [gateway('gw', [down], { lro: { polls: 1, retryAfterSeconds: 600 } })],
    });
    const error = await rejection(
      reader.getBackendHealth(ref('gw'), { abortSignal: AbortSignal.timeout(300) }),
    );
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    expect((error as Error).message).toMatch(/cancelled/);
  });
});

describe('an operation URL that is not on the ARM endpoint is refused before any request', () => {
  it.each<[string, (arm: string, elsewhere: string, path: string) => string]>([
    ['another host (with the same path)', (_arm, elsewhere, path) => `${elsewhere}${path}`],
    ['plain http on the ARM host', (arm, _elsewhere, path) => `${arm.replace('https:', 'http:')}${path}`],
    ['another port of the ARM host', (arm, _e, path) => `${arm.replace(/:\d+$/, ':1')}${path}`],
    ['user info before the ARM host', (arm, _e, path) => `${arm.replace('https://', 'https://x:y@')}${path}`],
    ['the ARM host as a prefix of another', (arm, _e, path) => `${arm}.evil.example${path}`],
    [
      'another subscription on the ARM host',
      (arm, _e, path) => `${arm}${path.replace(/\/subscriptions\/[^/]+/, `/subscriptions/${OTHER_SUB}`)}`,
    ],
    ['not a URL', () => 'operationResults/123'],
  ])('%s', async (_, tamper) => {
    const { emulator, reader } = await setUp({
      gateways: [gateway('gw', [down], { lro: { runsForMs: 0, retryAfterSeconds: 0 } })],
    });
    const elsewhere = await startEmulator({
      scenario: { gateways: [gateway('gw', [down])] } as never,
    });
    emulators.push(elsewhere);
    const { operation } = pending(await reader.startBackendHealth(ref('gw')));
    const url = new URL(operation.location);
    const tampered = { location: tamper(emulator.url, elsewhere.url, `${url.pathname}${url.search}`) };

    const error = await rejection(reader.pollBackendHealth(ref('gw'), tampered));
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(/refused to poll its operation/);
    expect(elsewhere.requests).toEqual([]);
    expect(emulator.requests.filter((r) => r.method === 'GET')).toEqual([]);
    // The operation itself still answers
    expect(await reader.pollBackendHealth(ref('gw'), operation)).toHaveProperty('done');
  });
});
