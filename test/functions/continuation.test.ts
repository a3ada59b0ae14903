/**
 * No instance waits on ARM (issue 14.5): the queue function starts the backend-health operation and
 * hands the wait to the queue (a continuation hidden for Retry-After), against Azurite and the emulator,
 * handlers called with the library's real InvocationContext (the host played by the test). The same
 * gateways through the direct run (the CLI's) give the same result: report, insights and notices.
 */
import { InvocationContext, type Timer } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import type { GatewayReport } from '../../src/core/run-report';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { runChecks } from '../../src/pipeline/run-checks';
import type { GatewayContinuation } from '../../src/ports';
import type { Azurite } from '../helpers/azurite';
import { emulatorArm } from '../helpers/emulator-settings';
import { runQueueHost } from '../helpers/functions-host';
import { drainTriggerMessages } from '../helpers/queue-messages';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { loadFunctionHandlers } from '../helpers/function-handlers';

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const quiet = (invocationId?: string) =>
  new InvocationContext({ logHandler: () => {}, ...(invocationId ? { invocationId } : {}) });
const silentLogger = { info() {}, warn() {}, error() {} };

const RETRY_AFTER_S = 3;
const servers = [
  { address: '10.1.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
  { address: '10.1.0.5', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];
// Each operation ends before its first Retry-After has passed: one poll, so one continuation each.
const SCENARIO = {
  gateways: [
    gateway('gw-location', servers, { lro: { runsForMs: 1000, retryAfterSeconds: RETRY_AFTER_S } }),
    gateway('gw-async', servers, {
      lro: { runsForMs: 1000, retryAfterSeconds: RETRY_AFTER_S, style: 'azure-async-operation' },
    }),
    gateway('gw-polls', servers, { lro: { polls: 3, retryAfterSeconds: 0 } }),
  ],
};
const NAMES = ['gw-location', 'gw-async', 'gw-polls'];

/** What must match between the paths: the report without times and the fan-out's own figures. */
const comparable = ({ durationInMs: _d, fanOut: _f, ...rest }: GatewayReport) => rest;
/** An insight's text without the time it was rendered. */
const untimed = (text: string) =>
  text.replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?/g, '<time>');
/** A notice as a receiver saw it, without its id and times. */
const noticeOf = (body: string) => {
  const e = JSON.parse(body);
  return `${e.type} ${e.gateway?.name} ${e.server?.address} ${e.cause?.id}`;
};

async function blobText(container: ContainerClient, name: string): Promise<string> {
  return (await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
}

describe('Functions app: the backend-health wait handed to the queue', () => {
  let azurite: Azurite;
  let emulator: RunningEmulator;
  let fanOutReceiver: WebhookReceiver;
  let directReceiver: WebhookReceiver;
  let tmp: string;
  let app: FunctionsAppWorld | undefined;

  beforeAll(async () => {
    app = await startFunctionsApp({
      scenario: SCENARIO,
      queue: true,
      receivers: 2,
      settings: ([fanOut]) => ({
        APPGW_WEBHOOKS: JSON.stringify([{ name: 'ops', url: fanOut!.url('/hook'), format: 'json' }]),
      }),
    });
    ({ azurite, emulator } = app);
    [fanOutReceiver, directReceiver] = app.receivers as [WebhookReceiver, WebhookReceiver];
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-continuation-'));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('delivers what the direct run delivers (report, insights, notices), each wait spent in the queue', async () => {
    const { discoverGateways, evaluateGateway } = loadFunctionHandlers();
    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await poison.createIfNotExists();
    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );

    await discoverGateways(timer, quiet('run-c'));
    const [first, ...others] = await drainTriggerMessages(queue);
    // Issue 14: the configuration its listing gave rides with it, so its findings need no GET.
    expect(first).toEqual({
      version: 1,
      runId: 'run-c',
      gatewayId: gatewayId('gw-location'),
      discoveredAt: expect.any(String),
      configuration: expect.objectContaining({
        properties: expect.objectContaining({ sku: expect.any(Object) }),
      }),
    });

    // One invocation: the POST, then a continuation hidden for Retry-After; no result yet.
    const invokedAt = Date.now();
    await evaluateGateway(first, quiet());
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
    const names: string[] = [];
    for await (const blob of insights.listBlobsFlat({ prefix: 'runs/run-c/gateways/' }))
      names.push(blob.name);
    expect(names).toEqual([]);
    let continuation: GatewayContinuation[] = [];
    while (continuation.length === 0) {
      continuation = (await drainTriggerMessages(queue)) as GatewayContinuation[];
      if (continuation.length === 0) await sleep(100);
    }
    // Visible no sooner than Retry-After after the invocation began (less Azurite's whole seconds).
    expect(Date.now() - invokedAt).toBeGreaterThanOrEqual((RETRY_AFTER_S - 1) * 1000);
    expect(continuation).toEqual([
      {
        version: 2,
        runId: 'run-c',
        gatewayId: gatewayId('gw-location'),
        discoveredAt: (first as { discoveredAt: string }).discoveredAt, // handed on: one reading per run
        operation: { location: expect.stringMatching(new RegExp(`^${emulator.url}/subscriptions/${SUB}/`)) },
        startedAt: expect.any(String),
        polls: 0,
        invocations: 1,
        handlerActiveInMs: expect.any(Number),
        configuration: (first as { configuration: unknown }).configuration, // handed on
      },
    ]);

    // The host takes the rest as it would: the continuation, the other gateways and theirs.
    for (const message of [...continuation, ...others])
      await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    await runQueueHost(queue, evaluateGateway, poison);
    expect(await drainTriggerMessages(poison)).toEqual([]);
    // Every gateway has a finding, and none cost a GET of its configuration: 2 requests each at one poll.
    const configurationGets = () =>
      emulator.requests.filter((r) => r.method === 'GET' && /\/applicationGateways\/[^/]+$/i.test(r.path))
        .length;
    expect(configurationGets()).toBe(0);

    // The direct run (the CLI's) of the same gateways, with its own state, folder and receiver.
    const config = parseConfig({
      targets: [`/subscriptions/${SUB}`],
      arm: emulatorArm(emulator),
      sinks: {
        dir: path.join(tmp, 'out'),
        webhooks: [{ name: 'ops', url: directReceiver.url('/hook'), format: 'json' }],
      },
      state: { dir: path.join(tmp, 'state') },
    });
    const services = withLogger(await buildRunServices(config, {}), silentLogger);
    const direct = await runChecks(services.deps, { ...services.options, runId: 'run-d' });
    expect(configurationGets()).toBe(0);

    for (const name of NAMES) {
      const fanOut = JSON.parse(await blobText(insights, `runs/run-c/gateways/${SUB}/rg-test/${name}.json`));
      const viaQueue = fanOut.gateways[0] as GatewayReport;
      const inProcess = direct.report.gateways.find((g) => g.name === name) as GatewayReport;
      expect(comparable(viaQueue)).toEqual(comparable(inProcess));
      expect(viaQueue).toMatchObject({
        ok: true,
        findings: [expect.objectContaining({ address: '10.1.0.4' })],
      });
      // Each poll its own invocation; the handler-active time is theirs, summed (s14-bench reads it).
      expect(viaQueue.fanOut).toEqual({
        invocations: name === 'gw-polls' ? 5 : 2,
        polls: name === 'gw-polls' ? 4 : 1,
        handlerActiveInMs: expect.any(Number),
      });
      if (name !== 'gw-polls')
        expect(viaQueue.durationInMs).toBeGreaterThanOrEqual((RETRY_AFTER_S - 1) * 1000);
      for (const finding of viaQueue.findings) {
        const fromBlob = await blobText(insights, `latest/${finding.insight.markdown}`);
        const fromFolder = await readFile(path.join(tmp, 'out', finding.insight.markdown), 'utf8');
        expect(untimed(fromBlob)).toEqual(untimed(fromFolder));
      }
    }
    const notices = (receiver: WebhookReceiver) => receiver.requests.map((r) => noticeOf(r.body)).sort();
    expect(notices(fanOutReceiver)).toEqual(notices(directReceiver));
    expect(notices(fanOutReceiver)).toHaveLength(3);
  }, 60_000);

  it('a message whose configuration does not read (changed on the way): the GET reads it, the insight has its probe', async () => {
    const { evaluateGateway } = loadFunctionHandlers();
    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await poison.createIfNotExists();
    const isGet = (r: { method: string; path: string }) =>
      r.method === 'GET' && /\/applicationGateways\/gw-polls$/i.test(r.path);
    const before = emulator.requests.filter(isGet).length;
    const message = {
      version: 1,
      runId: 'run-odd',
      gatewayId: gatewayId('gw-polls'),
      configuration: { properties: { sku: { name: 'Standard_v2' }, probes: 'not a list' } },
    };
    await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    await runQueueHost(queue, evaluateGateway, poison);
    expect(await drainTriggerMessages(poison)).toEqual([]);
    expect(emulator.requests.filter(isGet).length - before).toBe(1);
    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const result = JSON.parse(await blobText(insights, `runs/run-odd/gateways/${SUB}/rg-test/gw-polls.json`));
    const report = result.gateways[0] as GatewayReport;
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]?.generalSteps).toBeUndefined();
  }, 60_000);

  it('a tampered operation URL is refused: no request leaves, the gateway is reported, not retried', async () => {
    const { evaluateGateway } = loadFunctionHandlers();
    const elsewhere = await startEmulator({ scenario: SCENARIO as never });
    try {
      const before = emulator.requests.length;
      const tampered: GatewayContinuation = {
        version: 2,
        runId: 'run-t',
        gatewayId: gatewayId('gw-location'),
        operation: {
          location: `${elsewhere.url}/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope/operationResults/x?api-version=2026-01-01`,
        },
        startedAt: new Date().toISOString(),
        polls: 0,
        invocations: 1,
        handlerActiveInMs: 10,
      };
      await evaluateGateway(tampered, quiet()); // resolves: nothing for the host to retry
      expect(elsewhere.requests).toEqual([]);
      expect(emulator.requests.length).toBe(before);
      const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
        'insights',
      );
      const report = JSON.parse(
        await blobText(insights, `runs/run-t/gateways/${SUB}/rg-test/gw-location.json`),
      );
      expect(report.gateways[0]).toMatchObject({
        ok: false,
        error: {
          code: 'BackendHealthUnavailable',
          retryable: false,
          message: expect.stringMatching(/refused to poll its operation/),
        },
      });
    } finally {
      await elsewhere.close();
    }
  });

  // A fan-out trial: the 404 was thrown back to the host, which polled the same operation 5 times, and the
  // poison handler then recorded a bare "poisoned" where the direct run says what ARM answered.
  it('a continuation whose operation ARM no longer knows (404): polled once, the gateway reported with that, not retried', async () => {
    const { evaluateGateway } = loadFunctionHandlers();
    const before = emulator.requests.length;
    const unknown: GatewayContinuation = {
      version: 2,
      runId: 'run-404',
      gatewayId: gatewayId('gw-location'),
      operation: {
        location: `${emulator.url}/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope/operationResults/no-such-operation?api-version=2025-07-01`,
      },
      startedAt: new Date().toISOString(),
      polls: 0,
      invocations: 1,
      handlerActiveInMs: 10,
    };
    await evaluateGateway(unknown, quiet()); // resolves: nothing for the host to retry
    const polled = emulator.requests.slice(before);
    expect(polled.map((r) => r.status)).toEqual([404]);
    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const report = JSON.parse(
      await blobText(insights, `runs/run-404/gateways/${SUB}/rg-test/gw-location.json`),
    );
    expect(report.gateways[0]).toMatchObject({
      ok: false,
      error: {
        code: 'BackendHealthUnavailable',
        retryable: false,
        message: expect.stringMatching(/operation is no longer known to ARM \(ARM answered 404/),
      },
    });
  });

  it('a continuation past the gateway time-out (from the first start) is the direct run’s time-out, not retried', async () => {
    const { evaluateGateway, recordPoisonedGatewayMessage } = loadFunctionHandlers();
    const before = emulator.requests.length;
    const late: GatewayContinuation = {
      version: 2,
      runId: 'run-late',
      gatewayId: gatewayId('gw-async'),
      operation: {
        location: `${emulator.url}/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope/operationResults/x?api-version=2026-01-01`,
      },
      startedAt: new Date(Date.now() - 3_600_000).toISOString(),
      polls: 9,
      invocations: 10,
      handlerActiveInMs: 400,
    };
    await evaluateGateway(late, quiet());
    expect(emulator.requests.length).toBe(before);
    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const name = `runs/run-late/gateways/${SUB}/rg-test/gw-async.json`;
    const report = JSON.parse(await blobText(insights, name));
    expect(report.gateways[0]).toMatchObject({
      ok: false,
      error: {
        code: 'BackendHealthUnavailable',
        message: expect.stringMatching(/no answer within 300000 ms/),
      },
      fanOut: { invocations: 11, polls: 9 },
    });
    expect(report.gateways[0].durationInMs).toBeGreaterThanOrEqual(3_600_000);

    // A continuation the host gave up on is recorded in its run like any message.
    await recordPoisonedGatewayMessage(late, quiet());
    expect(JSON.parse(await blobText(insights, name)).gateways[0]).toMatchObject({
      ok: false,
      error: { code: 'Poisoned' },
    });
  });
});
