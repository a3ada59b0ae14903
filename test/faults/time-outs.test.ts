/**
 * Every time-out, under the error type of the call that timed out: a listing is TargetListUnavailable
 * (not a backend-health error), a backend-health read BackendHealthUnavailable, the notify state
 * StateUnavailable, a sink or the work queue DeliveryFailed, a receiver a retryable failed send; each
 * retryable. Real sockets: the emulator for ARM, and a server that accepts connections and never
 * answers for storage and receivers. The first table drives the use case with in-memory ports whose
 * calls fail at once, with an error of their own, when the time-out aborts them: the time-out must
 * still be reported as the caller's error, not as that one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createArmBackendHealthReader } from '../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createArmGatewayConfigReader } from '../../src/adapters/arm/gateway-config-reader';
import { createArmGatewayDirectory } from '../../src/adapters/arm/gateway-directory';
import { createResourceGraphClient } from '../../src/adapters/arm/resource-graph-client';
import { createResourceGraphDirectory } from '../../src/adapters/arm/resource-graph-directory';
import { NO_FILTER } from '../../src/core/discovery/filter';
import { createStorageWorkQueue } from '../../src/adapters/queue/storage-queue';
import { connectBlobService } from '../../src/adapters/storage/blob-client';
import { createBlobSink } from '../../src/adapters/sinks/blob-sink';
import { createBlobStateStore } from '../../src/adapters/state/blob-state-store';
import { createFileStateStore } from '../../src/adapters/state/file-state-store';
import { createBlobStateStores } from '../../src/adapters/state/keyed-state-stores';
import { createWebhookNotifier } from '../../src/adapters/webhooks/webhook-notifier';
import { parseArticle } from '../../src/articles';
import { parseGatewayId, parseTarget, type Target } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import { reportedError } from '../../src/core/reported-error';
import type { ReportedError } from '../../src/core/run-report';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { toError } from '../../src/errors';
import { checkGateway } from '../../src/pipeline/check-gateway';
import { processQueuedGateway, type FinishedGateway } from '../../src/pipeline/fan-out';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import { emulatorArm } from '../helpers/emulator-settings';
import { memoryWorkQueue } from '../helpers/memory';
import { recordingLogger } from '../helpers/notify-run';
import { expandTargets } from '../../src/pipeline/expand-targets';
import { readConfigurationWithin } from '../../src/pipeline/read-configuration';
import { silentLogger } from '../../src/pipeline/logger';
import type { BackendHealthReader, GatewayDirectory } from '../../src/ports';
import { sampleNotice } from '../adapters/webhooks/support/notices';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../helpers/azurite';
import { rejection } from '../helpers/failures';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';

const TIMEOUT_IN_MS = 300;
const RESOURCE_GROUP = `/subscriptions/${SUB}/resourceGroups/rg-test`;
const GATEWAY = parseGatewayId(gatewayId('gw')) as GatewayRef;
const article = parseArticle(
  '# Backend <!--$BackendSeverAddress-->x<!--/$BackendSeverAddress--> is degraded\n',
);
const clock = { now: () => new Date() };

/** What a time-out must be reported as: the code, and words that would mean another kind of failure. */
interface Expected {
  readonly code: string;
  readonly not: RegExp;
}
const LISTING: Expected = { code: 'TargetListUnavailable', not: /backend health/i };
const BACKEND_HEALTH: Expected = { code: 'BackendHealthUnavailable', not: /could not be listed/i };
const STATE: Expected = { code: 'StateUnavailable', not: /delivery/i };
const DELIVERY: Expected = { code: 'DeliveryFailed', not: /notify state/i };

function expectReported(reported: ReportedError | null | undefined, expected: Expected): void {
  expect(reported).toMatchObject({ code: expected.code, retryable: true });
  expect(reported?.message).not.toMatch(expected.not);
  expect(reported?.message).not.toMatch(/^(The operation was aborted|This operation was aborted)/);
}

/** How an in-memory call behaves once aborted: never settles, or fails at once with its own error. */
const ON_ABORT: ReadonlyArray<readonly [string, (signal: AbortSignal | undefined) => Promise<never>]> = [
  ['ignores the abort and never answers', () => new Promise<never>(() => undefined)],
  [
    'fails at once with its own AbortError',
    (signal) =>
      new Promise<never>((_, reject) =>
        signal?.addEventListener('abort', () =>
          reject(new DOMException('This operation was aborted', 'AbortError')),
        ),
      ),
  ],
  [
    'fails at once with an error of its own',
    (signal) =>
      new Promise<never>((_, reject) =>
        signal?.addEventListener('abort', () => reject(new Error('socket hang up'))),
      ),
  ],
];

describe('the use case: a call that outlives gatewayTimeoutInMs is the caller’s error, whatever the port does', () => {
  it.each(ON_ABORT)('listing a target, whose port %s: TargetListUnavailable', async (_, onAbort) => {
    const directory: GatewayDirectory = { listGateways: (_target, options) => onAbort(options?.abortSignal) };
    const { targets } = await expandTargets(directory, [parseTarget(RESOURCE_GROUP) as Target], {
      timeoutInMs: TIMEOUT_IN_MS,
      logger: silentLogger,
    });
    expectReported(targets[0]?.error, LISTING);
    expect(targets[0]?.error?.message).toContain(`no answer within ${TIMEOUT_IN_MS} ms (gatewayTimeoutInMs)`);
    expect(targets[0]?.error?.message).toMatch(/if it persists, raise "gatewayTimeoutInMs"/);
  });

  it.each(ON_ABORT)('reading backend health, whose port %s: BackendHealthUnavailable', async (_, onAbort) => {
    const reader: BackendHealthReader = {
      getBackendHealth: (_gateway, options) => onAbort(options?.abortSignal),
    };
    const { report } = await checkGateway(GATEWAY, {
      reader,
      clock,
      article,
      unhealthyStates: ['Down'],
      gatewayTimeoutInMs: TIMEOUT_IN_MS,
    });
    expectReported(report.error, BACKEND_HEALTH);
    expect(report.error?.message).toContain(`no answer within ${TIMEOUT_IN_MS} ms (gatewayTimeoutInMs)`);
    expect(report.error?.message).toMatch(/if it persists, raise "gatewayTimeoutInMs"/);
  });

  it('the port is told why it was aborted: the signal’s reason is the caller’s error', async () => {
    let reason: unknown;
    const directory: GatewayDirectory = {
      listGateways: (_target, options) =>
        new Promise<never>((_, reject) =>
          options?.abortSignal?.addEventListener('abort', () => {
            reason = options.abortSignal?.reason;
            reject(reason);
          }),
        ),
    };
    await expandTargets(directory, [parseTarget(RESOURCE_GROUP) as Target], {
      timeoutInMs: TIMEOUT_IN_MS,
      logger: silentLogger,
    });
    expect(reportedError(toError(reason))).toMatchObject({ code: 'TargetListUnavailable' });
  });
});

describe('each adapter: no answer in time is reported under its own type (real sockets)', () => {
  let emulator: RunningEmulator | undefined;
  let silent: Server;
  const sockets = new Set<Socket>();
  let port: number;
  let tmp: string;

  beforeAll(async () => {
    // Accepts every connection, reads what is sent, never answers.
    silent = createServer((socket) => sockets.add(socket.on('data', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-time-outs-'));
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await rm(tmp, { recursive: true, force: true });
  });

  /** A storage account whose blob and queue endpoints are the silent server. */
  const silentStorage = () => {
    const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    return (
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${endpoint};QueueEndpoint=${endpoint};`
    );
  };
  const httpOptions = { maxRetries: 0, requestTimeoutInMs: TIMEOUT_IN_MS };
  const silentBlobs = () => connectBlobService({ connectionString: silentStorage() }, { httpOptions });

  async function arm(scenario: ScenarioInput) {
    emulator = await startEmulator({ scenario: scenario as never });
    const clientFor = createArmClientFactory({
      endpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      credential: 'development',
      maxRetries: 0,
      retryDelayInMs: 5,
    });
    return {
      directory: createArmGatewayDirectory(clientFor),
      reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 }),
    };
  }
  const hangOn = (on: 'list' | 'backendHealth' | 'poll') => ({
    gateways: [
      gateway('gw', [{ address: '10.0.0.4', health: 'Down' }], {
        lro: { polls: 1, retryAfterSeconds: 0 },
        faults: [{ on, connection: 'hang', times: 9 }],
      }),
    ],
  });

  it.each<[string, () => Promise<ReportedError | null | undefined>, Expected]>([
    [
      'listing a resource group (ARM hangs on the list)',
      async () => {
        const { directory } = await arm(hangOn('list'));
        const expanded = await expandTargets(directory, [parseTarget(RESOURCE_GROUP) as Target], {
          timeoutInMs: TIMEOUT_IN_MS,
          logger: silentLogger,
        });
        return expanded.targets[0]?.error;
      },
      LISTING,
    ],
    [
      'listing a resource group, cancelled by the caller’s signal (the adapter alone)',
      async () => {
        const { directory } = await arm(hangOn('list'));
        const target = parseTarget(RESOURCE_GROUP) as Target;
        const signal = AbortSignal.timeout(TIMEOUT_IN_MS);
        return reportedError(
          toError(await rejection(directory.listGateways(target, { abortSignal: signal }))),
        );
      },
      LISTING,
    ],
    ...(['backendHealth', 'poll'] as const).map(
      (on): [string, () => Promise<ReportedError | null | undefined>, Expected] => [
        `reading backend health (ARM hangs on the ${on === 'poll' ? 'poll' : 'POST'})`,
        async () => {
          const { reader } = await arm(hangOn(on));
          const { report } = await checkGateway(GATEWAY, {
            reader,
            clock,
            article,
            unhealthyStates: ['Down'],
            gatewayTimeoutInMs: TIMEOUT_IN_MS,
          });
          return report.error;
        },
        BACKEND_HEALTH,
      ],
    ),
    [
      'reading a blob state document',
      async () => {
        const store = createBlobStateStore({
          client: silentBlobs(),
          container: 'state',
          blobName: 'n/gw.json',
        });
        return reportedError(toError(await rejection(store.read())));
      },
      STATE,
    ],
    [
      'writing a blob state document',
      async () => {
        const store = createBlobStateStore({
          client: silentBlobs(),
          container: 'state',
          blobName: 'n/gw.json',
        });
        return reportedError(toError(await rejection(store.write({ version: 1 }, '"etag"'))));
      },
      STATE,
    ],
    [
      'listing the blob state documents',
      async () => {
        const stores = createBlobStateStores({ client: silentBlobs(), container: 'state' });
        return reportedError(toError(await rejection(stores.listKeys())));
      },
      STATE,
    ],
    [
      'writing a state file whose lock another process holds',
      async () => {
        const file = path.join(tmp, 'held.json');
        await writeFile(`${file}.lock`, 'another process');
        const store = createFileStateStore({ file, lockTimeoutInMs: TIMEOUT_IN_MS });
        return reportedError(toError(await rejection(store.write({ version: 1 }, undefined))));
      },
      STATE,
    ],
    [
      'delivering to the blob sink',
      async () => {
        const sink = createBlobSink({ client: silentBlobs(), container: 'insights' });
        const report = { runId: 'r1', gateways: [] } as never;
        return reportedError(toError(await rejection(sink.deliver({ scope: 'run', report, insights: [] }))));
      },
      DELIVERY,
    ],
    [
      'enqueueing the gateways (the Functions work queue)',
      async () => {
        const queue = createStorageWorkQueue({
          connection: { connectionString: silentStorage() },
          queueName: 'work',
          httpOptions,
        });
        const message = { version: 1, runId: 'r1', gatewayId: GATEWAY.id } as const;
        return reportedError(toError(await rejection(queue.enqueue([message]))));
      },
      DELIVERY,
    ],
    [
      'sending a notice to a receiver',
      async () => {
        const notifier = createWebhookNotifier({
          name: 'ops',
          format: 'json',
          url: `http://127.0.0.1:${port}/hook`,
          timeoutInMs: TIMEOUT_IN_MS,
          maxAttempts: 1,
        });
        const result = await notifier.send(sampleNotice());
        expect(result.ok).toBe(false);
        return result.error && { ...result.error };
      },
      DELIVERY,
    ],
  ])('%s', async (_, timeOut, expected) => {
    expectReported(await timeOut(), expected);
  });
});

// A new-user trial: a listing ARM kept answering 503 (with a Retry-After the client waits) until the
// time-out said "no answer … raise gatewayTimeoutInMs", which only waits for more 503s.
describe('a call ARM kept failing (retried) until the time-out: says ARM’s last answer and a failure’s advice (real sockets)', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  // The first 503 comes in milliseconds; its Retry-After outlasts the time-out, whatever the load.
  const timeOutInMs = 2_000;
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-failed-tries-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** The emulator with `fault` on its one gateway, and the ARM adapters over it, retries on. */
  async function armWith(fault: Record<string, unknown>) {
    emulator = await startEmulator({
      scenario: {
        gateways: [
          gateway('gw', [{ address: '10.0.0.4', health: 'Down' }], {
            lro: { polls: 1, retryAfterSeconds: 0 },
            faults: [fault as never],
          }),
        ],
      } as never,
    });
    const clientFor = createArmClientFactory({
      endpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      credential: 'development',
      maxRetries: 3,
    });
    const filter = { ...NO_FILTER, tags: [{ key: 'env', value: 'prod' }] };
    return {
      directory: createArmGatewayDirectory(clientFor),
      graph: createResourceGraphDirectory(createResourceGraphClient(clientFor), clientFor, { filter }),
      reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 }),
      configReader: createArmGatewayConfigReader(clientFor),
    };
  }
  /** `on` answered 503 ServiceUnavailable (Retry-After 10 s) every time. */
  const failing = (on: 'list' | 'resourceGraph' | 'backendHealth' | 'poll' | 'get') =>
    armWith({ on, status: 503, code: 'ServiceUnavailable', retryAfterSeconds: 10, times: 99 });
  const said = (from: string) =>
    new RegExp(
      `: ${from} answered 503 ServiceUnavailable to its last try, \\d+\\.\\d s before the time-out, and asked for 10\\.0 s before the next \\(Retry-After\\): the time-out of ${timeOutInMs} ms \\(gatewayTimeoutInMs\\) came first, so no other try was sent; a gatewayTimeoutInMs of more than \\d+ ms lets it go out\\.`,
    );

  it.each([
    ['ARM', 'list'],
    ['Resource Graph', 'resourceGraph'],
  ] as const)(
    'listing a resource group through %s: TargetListUnavailable, its 503, the advice of a failure',
    async (from, on) => {
      const { directory, graph } = await failing(on);
      const { targets } = await expandTargets(
        on === 'list' ? directory : graph,
        [parseTarget(RESOURCE_GROUP) as Target],
        { timeoutInMs: timeOutInMs, logger: silentLogger },
      );
      expectReported(targets[0]?.error, LISTING);
      expect(targets[0]?.error?.message).toMatch(said(from));
      expect(targets[0]?.error?.message).toMatch(/check the subscription's Activity log and Service health/);
      expect(targets[0]?.error?.message).not.toMatch(/raise "gatewayTimeoutInMs"/);
    },
  );

  it.each(['backendHealth', 'poll'] as const)(
    'reading backend health (503 to the %s): BackendHealthUnavailable, ARM’s 503, the advice of a failure',
    async (on) => {
      const { reader } = await failing(on);
      const { report } = await checkGateway(GATEWAY, {
        reader,
        clock,
        article,
        unhealthyStates: ['Down'],
        gatewayTimeoutInMs: timeOutInMs,
      });
      expectReported(report.error, BACKEND_HEALTH);
      expect(report.error?.message).toMatch(said('ARM'));
      expect(report.error?.message).toMatch(/check the gateway's Resource health/);
      expect(report.error?.message).not.toMatch(/raise "gatewayTimeoutInMs"/);
    },
  );

  // The insight's configuration, and notify's checks of a gateway gone or a server removed, read it so.
  it('reading a gateway’s configuration (503 to its GET): a failed reading of kind unavailable, saying ARM’s 503', async () => {
    const { configReader } = await failing('get');
    const reading = await readConfigurationWithin(configReader, GATEWAY, timeOutInMs, undefined);
    expect(reading).toEqual({
      ok: false,
      kind: 'unavailable',
      detail: expect.stringMatching(
        new RegExp(
          `^ARM answered 503 ServiceUnavailable to its last try, \\d+\\.\\d s before the time-out, and asked for 10\\.0 s before the next \\(Retry-After\\): the time-out of ${timeOutInMs} ms came first, so no other try was sent$`,
        ),
      ),
    });
  });

  // The Functions app's queue function: one step per invocation, bounded by what is left of the time-out.
  it('the queue function’s step (503 to the POST): finished as BackendHealthUnavailable saying ARM’s 503', async () => {
    const { directory: _unused } = await failing('backendHealth');
    const running = emulator as RunningEmulator;
    const config = parseConfig({
      targets: [`/subscriptions/${SUB}`],
      arm: { ...emulatorArm(running), maxRetries: 3 },
      sinks: { dir: path.join(tmp, 'queue-out') },
      state: { dir: path.join(tmp, 'queue-state') },
      gatewayTimeoutInMs: timeOutInMs,
    });
    const services = withLogger(await buildRunServices(config, process.env), recordingLogger());
    const deps = { ...services.deps, queue: memoryWorkQueue('appgw-evaluate') };
    const result = await processQueuedGateway(
      deps,
      { ...services.options, runId: 'run-q' },
      {
        version: 1,
        runId: 'run-q',
        gatewayId: GATEWAY.id,
      },
    );
    expect(result.kind).toBe('finished');
    const { report } = (result as FinishedGateway).processed;
    expectReported(report.error, BACKEND_HEALTH);
    expect(report.error?.message).toMatch(said('ARM'));
    expect(report.error?.message).not.toMatch(/raise "gatewayTimeoutInMs"/);
  });

  it('a hang with no failed answer before it is still "no answer", with the time-out’s advice', async () => {
    const { directory } = await armWith({ on: 'list', connection: 'hang', times: 9 });
    const { targets } = await expandTargets(directory, [parseTarget(RESOURCE_GROUP) as Target], {
      timeoutInMs: 300,
      logger: silentLogger,
    });
    expect(targets[0]?.error?.message).toMatch(
      /could not be listed: no answer within 300 ms \(gatewayTimeoutInMs\)\..*raise "gatewayTimeoutInMs"/,
    );
  });
});
