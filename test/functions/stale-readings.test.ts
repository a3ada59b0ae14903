/**
 * A reading of an older run taken after a newer run's (a continuation polled late: deferred for quota,
 * retried by the host, or behind a backlog) decides nothing (core/notice/reading-order.ts). Real Azurite
 * queue and state, real receiver; the older run's body is the emulator's body read at its start, handed
 * back when its continuation is finally polled (ARM keeps an operation's result; the emulator forgets
 * it on serve()). A break trial's repro: a false `recovered`, and a new episode for a deleted gateway.
 */
import { InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { functionServices } from '../../src/app/function-services';
import { processQueuedGateway } from '../../src/pipeline/fan-out';
import { parseGatewayId } from '../../src/core/arm-id';
import type { RunningEmulator } from '../../src/emulator';
import type { Azurite } from '../helpers/azurite';
import { loadFunctionHandlers } from '../helpers/function-handlers';
import { runQueueHost } from '../helpers/functions-host';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import type { GatewayMessage } from '../../src/ports';

const silent = { info() {}, warn() {}, error() {} };
const noTelemetry = { emit() {} };
const BAD = [{ address: '10.7.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }];
const GOOD = [
  { address: '10.7.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];
const AT_ONCE = { lro: { polls: 0, retryAfterSeconds: 0, style: 'location' as const } };

describe('the Functions app: a reading older than one already counted decides nothing', () => {
  let azurite: Azurite;
  let emulator: RunningEmulator;
  let receiver: WebhookReceiver;
  let app: FunctionsAppWorld | undefined;
  beforeAll(async () => {
    app = await startFunctionsApp({
      scenario: { gateways: [gateway('gw-st', GOOD, AT_ONCE)] },
      queue: true,
      receivers: 1,
      settings: ([hook]) => ({
        APPGW_NOTIFY_GROUPING: 'server',
        APPGW_WEBHOOKS: JSON.stringify([{ name: 'ops', url: hook!.url('/hook'), format: 'json' }]),
      }),
    });
    ({ azurite, emulator } = app);
    receiver = app.receivers[0]!;
  }, 60_000);
  afterAll(() => app?.close());
  const notices = () => receiver.requests.map((r) => (JSON.parse(r.body) as { type: string }).type);

  it('run-old (discovered first, read healthy) taken after run-new (read bad): no recovered for a server still bad', async () => {
    const gw = parseGatewayId(gatewayId('gw-st'))!;
    const { deps, options } = await functionServices(silent, noTelemetry);
    // run-old: its operation's result as ARM gave it at its start (healthy then).
    const oldStep = await deps.reader.startBackendHealth(gw, {});
    expect('done' in oldStep).toBe(true);
    const oldDiscovered = new Date(Date.now() - 60_000).toISOString();

    // The server goes bad; run-new (discovered later) is read and notified first.
    emulator.serve({ gateways: [gateway('gw-st', BAD, AT_ONCE)] } as never);
    const { evaluateGateway } = loadFunctionHandlers();
    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await queue.createIfNotExists();
    await poison.createIfNotExists();
    await queue.sendMessage(
      Buffer.from(
        JSON.stringify({
          version: 1,
          runId: 'run-new',
          gatewayId: gw.id,
          discoveredAt: new Date().toISOString(),
        }),
      ).toString('base64'),
    );
    await runQueueHost(queue, evaluateGateway, poison);
    expect(notices()).toEqual(['degraded']);
    // run-new's insight of the bad server is the current one.
    const insights = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const current = async () => {
      const names: string[] = [];
      for await (const blob of insights.listBlobsFlat({ prefix: 'latest/insights/' })) names.push(blob.name);
      return names.sort();
    };
    const currentAfterNew = await current();
    expect(currentAfterNew.filter((n) => n.endsWith('.md'))).toHaveLength(1);

    // run-old's continuation is finally taken (the reader hands back its operation's result).
    const oldMessage: GatewayMessage = {
      version: 1,
      runId: 'run-old',
      gatewayId: gw.id,
      discoveredAt: oldDiscovered,
    };
    const staleReader = {
      ...deps.reader,
      startBackendHealth: async () => oldStep,
      pollBackendHealth: async () => oldStep,
      getBackendHealth: async () => (oldStep as { done: never }).done,
    };
    const r = await processQueuedGateway(
      { ...deps, reader: staleReader },
      { ...options, runId: 'run-old' },
      oldMessage,
    );
    expect(r.kind).toBe('finished');
    expect(r.kind === 'finished' && r.report.notifications?.olderReadings).toHaveLength(1);
    // A server bad at run-new's reading must not be sent as recovered on run-old's older reading.
    expect(notices()).toEqual(['degraded']);
    // Nor its insight removed from the current view (a break trial: run-old's late, healthy result
    // replaced run-new's insights); run-old's result is still under its run.
    expect(await current()).toEqual(currentAfterNew);
    expect(await insights.getBlobClient(`runs/run-old/gateways/${SUB}/rg-test/gw-st.json`).exists()).toBe(
      true,
    );
  }, 60_000);

  it('deleted during its backend-health operation: the timer sends recovered (deleted), and the late bad result opens no new episode', async () => {
    const gw = parseGatewayId(gatewayId('gw-del'))!;
    emulator.serve({
      gateways: [
        gateway('gw-st', GOOD, AT_ONCE),
        gateway(
          'gw-del',
          BAD.map((b) => ({ ...b, address: '10.7.1.4' })),
          AT_ONCE,
        ),
      ],
    } as never);
    const { discoverGateways, evaluateGateway } = loadFunctionHandlers();
    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: '', next: '', lastUpdated: '' },
    };
    const c = (id: string) => new InvocationContext({ invocationId: id, logHandler: () => {} });
    await discoverGateways(timer, c('del-1')).catch(() => {});
    await runQueueHost(queue, evaluateGateway, poison);
    const del = () =>
      receiver.requests
        .map((r) => JSON.parse(r.body) as { type: string; gateway?: { name?: string }; reason?: string })
        .filter((n) => n.gateway?.name === 'gw-del')
        .map((n) => n.type);
    expect(del()).toEqual(['degraded']);
    // Run del-2: its operation is started (the result, still BAD, is kept by ARM)...
    const { deps, options } = await functionServices(silent, { emit() {} });
    const step = await deps.reader.startBackendHealth(gw, {});
    // ...then the gateway is deleted, and the next timer confirms it (GET 404): recovered.
    emulator.serve({ gateways: [gateway('gw-st', GOOD, AT_ONCE)] } as never);
    await discoverGateways(timer, c('del-3')).catch(() => {});
    await runQueueHost(queue, evaluateGateway, poison);
    expect(del()).toEqual(['degraded', 'recovered']);
    // del-2's continuation is taken now and polls its operation's result (BAD, from before the deletion).
    const staleReader = {
      ...deps.reader,
      startBackendHealth: async () => step,
      pollBackendHealth: async () => step,
    };
    await processQueuedGateway(
      { ...deps, reader: staleReader },
      { ...options, runId: 'del-2' },
      {
        version: 1,
        runId: 'del-2',
        gatewayId: gw.id,
        discoveredAt: new Date(Date.now() - 30_000).toISOString(),
      },
    );
    await discoverGateways(timer, c('del-4')).catch(() => {});
    await runQueueHost(queue, evaluateGateway, poison);
    expect(del()).toEqual(['degraded', 'recovered']);
  }, 60_000);
});
