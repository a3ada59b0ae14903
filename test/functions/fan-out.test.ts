import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { drainTriggerMessages } from '../helpers/queue-messages';
import { runQueueHost } from '../helpers/functions-host';
import type { Azurite } from '../helpers/azurite';
import { OTHER_SUB, SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { loadFunctionHandlers } from '../helpers/function-handlers';

/**
 * The Functions app without the host: handlers called with the library's real InvocationContext,
 * messages going through a real queue in Azurite with the encoding the host expects (base64 JSON), the
 * host's retry-then-poison convention played by the test.
 */
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};
const quiet = () => new InvocationContext({ logHandler: () => {} });

describe('Functions app: timer → queue (Azurite) → evaluate → blob + webhook; poison; on-demand HTTP', () => {
  let azurite: Azurite;
  let receiver: WebhookReceiver;

  let app: FunctionsAppWorld | undefined;
  beforeAll(async () => {
    app = await startFunctionsApp({
      scenario: {
        gateways: [
          gateway('gw-good', [
            { address: '10.1.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
            { address: '10.1.0.5', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
          ]),
          gateway('gw-broken', [{ address: '10.2.0.4', health: 'Down' }], {
            faults: [{ on: 'backendHealth', status: 500, times: 99 }],
          }),
        ],
      },
      queue: true,
      receivers: 1,
      settings: ([hook]) => ({
        APPGW_WEBHOOKS: JSON.stringify([
          { name: 'ops', url: hook!.url('/hook'), format: 'json', grouping: 'server' },
        ]),
      }),
    });
    ({ azurite } = app);
    receiver = app.receivers[0]!;
  }, 60_000);
  afterAll(() => app?.close());

  it('fans a run out over the queue, evaluates each gateway, and records the poisoned one in its run', async () => {
    const { discoverGateways, evaluateGateway, recordPoisonedGatewayMessage } = loadFunctionHandlers();
    await discoverGateways(timer, new InvocationContext({ invocationId: 'run-1', logHandler: () => {} }));

    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const messages = await drainTriggerMessages(queue);
    expect(messages).toHaveLength(2);
    expect(messages).toEqual(
      expect.arrayContaining([
        // Each with the configuration its listing gave (issue 14: no GET for its findings).
        ...['gw-good', 'gw-broken'].map((name) => ({
          version: 1,
          runId: 'run-1',
          gatewayId: gatewayId(name),
          discoveredAt: expect.any(String),
          configuration: expect.objectContaining({ properties: expect.any(Object) }),
        })),
      ]),
    );

    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await poison.createIfNotExists();
    // The host: up to 5 tries of each message, then <queue>-poison; continuations as they become visible.
    for (const message of messages)
      await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    await runQueueHost(queue, evaluateGateway, poison);
    for (const message of await drainTriggerMessages(poison))
      await recordPoisonedGatewayMessage(message, quiet());

    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'insights',
    );
    const names: string[] = [];
    for await (const blob of blobs.listBlobsFlat()) names.push(blob.name);
    const read = async (name: string) =>
      JSON.parse((await blobs.getBlobClient(name).downloadToBuffer()).toString('utf8'));
    const manifest = await read('runs/run-1/report.json');
    expect(manifest).toMatchObject({
      mode: 'fan-out',
      queued: expect.arrayContaining([gatewayId('gw-good'), gatewayId('gw-broken')]),
    });

    const good = await read(`runs/run-1/gateways/${SUB}/rg-test/gw-good.json`);
    expect(good.gateways[0]).toMatchObject({
      ok: true,
      findings: [
        expect.objectContaining({
          address: '10.1.0.4',
          cause: expect.objectContaining({ id: 'tcp-connect' }),
          // The invocation that reads the body (after its polls) has the whole pool: .5 is healthy.
          severity: 'warning',
        }),
      ],
    });
    const broken = await read(`runs/run-1/gateways/${SUB}/rg-test/gw-broken.json`);
    expect(broken.gateways[0]).toMatchObject({ ok: false, error: { code: 'Poisoned' } });
    expect(names.filter((n) => n.startsWith('latest/insights/') && n.endsWith('.html'))).toHaveLength(1);

    const events = receiver.requests.map((r) => JSON.parse(r.body));
    expect(events.map((e) => `${e.type} ${e.severity} ${e.server.address}`)).toEqual([
      'degraded warning 10.1.0.4',
    ]);
  });

  it('the timer names a state document it cannot read, still writes its report, and fails visibly', async () => {
    const { discoverGateways } = loadFunctionHandlers();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const state = service.getContainerClient('appgw-state');
    await state.createIfNotExists();
    // The state of a gateway outside the targets, cut off mid-write by hand.
    const blobName = `notify/${OTHER_SUB}/rg-away/gw-away.json`;
    await state.getBlockBlobClient(blobName).upload('{ "version": 1, "servers": {', 28);
    await expect(
      discoverGateways(timer, new InvocationContext({ invocationId: 'run-state', logHandler: () => {} })),
    ).rejects.toThrow(/run run-state/);
    await drainTriggerMessages(new QueueClient(azurite.connectionString, 'appgw-evaluate'));
    const report = JSON.parse(
      (
        await service
          .getContainerClient('insights')
          .getBlobClient('runs/run-state/report.json')
          .downloadToBuffer()
      ).toString('utf8'),
    );
    expect(report).toMatchObject({ mode: 'fan-out', ok: false });
    expect(report.notifications.stateErrors).toEqual([
      expect.objectContaining({ code: 'StateInvalid', document: `blob appgw-state/${blobName}` }),
    ]);
    expect((await state.getBlobClient(blobName).downloadToBuffer()).toString('utf8')).toBe(
      '{ "version": 1, "servers": {',
    );
    await state.deleteBlob(blobName);
  });

  it('serves one gateway now over HTTP, as HTML or JSON, and maps errors to statuses', async () => {
    const { gatewayInsight } = loadFunctionHandlers();
    const request = (name: string, accept = 'text/html', subscription = SUB) =>
      new HttpRequest({
        method: 'GET',
        url: `http://localhost/api/gateways/${subscription}/rg-test/${encodeURIComponent(name)}/insight`,
        params: { subscription, resourceGroup: 'rg-test', name },
        headers: { accept },
      });
    const html = await gatewayInsight(request('gw-good'), quiet());
    expect(html.status).toBe(200);
    expect(String(html.body)).toMatch(/^<!doctype html>/);
    expect(String(html.body)).toContain('10.1.0.4');

    const json = await gatewayInsight(request('gw-good', 'application/json'), quiet());
    expect(json.jsonBody).toMatchObject({
      gateway: { name: 'gw-good', ok: true },
      insights: [expect.objectContaining({ path: expect.stringContaining('gw-good') })],
    });
    expect((await gatewayInsight(request('nope', 'application/json'), quiet())).status).toBe(404);
    expect((await gatewayInsight(request('gw-broken'), quiet())).status).toBe(504);
    expect((await gatewayInsight(request('bad name!'), quiet())).status).toBe(400);
    // The function key opens the watched gateways only (APPGW_TARGETS is this subscription).
    const outside = await gatewayInsight(
      request('gw-good', 'application/json', '99999999-9999-9999-9999-999999999999'),
      quiet(),
    );
    expect(outside).toMatchObject({ status: 404, jsonBody: { error: { code: 'NotWatched' } } });
    // The answer says what to do (GatewayNotWatchedError), as recheck's does, in JSON and in text.
    expect(JSON.stringify(outside.jsonBody)).toContain('add it there, or check the gateway id');
    const text = await gatewayInsight(
      request('gw-good', undefined, '99999999-9999-9999-9999-999999999999'),
      quiet(),
    );
    expect(text).toMatchObject({
      status: 404,
      body: expect.stringMatching(/^NotWatched: .*APPGW_TARGETS.*add it there/),
    });
  });

  it('registers what the README says: schedule, queue names and connection, route and auth level', () => {
    type Options = {
      schedule?: string;
      queueName?: string;
      connection?: string;
      route?: string;
      authLevel?: string;
    };
    let registered: Record<string, Options> = {};
    jest.isolateModules(() => {
      delete process.env['APPGW_SCHEDULE'];
      delete process.env['APPGW_QUEUE_NAME'];
      registered = {
        discover: require('../../functions/discover-gateways').discoverGatewaysOptions,
        evaluate: require('../../functions/evaluate-gateway').evaluateGatewayOptions,
        poison: require('../../functions/record-poisoned-gateway').recordPoisonedGatewayOptions,
        http: require('../../functions/gateway-insight').gatewayInsightOptions,
      };
    });
    expect(registered['discover']?.schedule).toBe('0 */5 * * * *');
    expect(registered['evaluate']).toMatchObject({
      queueName: 'appgw-evaluate',
      connection: 'AzureWebJobsStorage',
    });
    expect(registered['poison']).toMatchObject({
      queueName: 'appgw-evaluate-poison',
      connection: 'AzureWebJobsStorage',
    });
    expect(registered['http']).toMatchObject({
      route: 'gateways/{subscription}/{resourceGroup}/{name}/insight',
      authLevel: 'function',
      methods: ['GET'],
    });
    jest.isolateModules(() => {
      process.env['APPGW_SCHEDULE'] = '0 */15 * * * *';
      process.env['APPGW_QUEUE_NAME'] = 'my-queue';
      expect(require('../../functions/discover-gateways').discoverGatewaysOptions.schedule).toBe(
        '%APPGW_SCHEDULE%',
      );
      expect(require('../../functions/evaluate-gateway').evaluateGatewayOptions.queueName).toBe(
        '%APPGW_QUEUE_NAME%',
      );
      expect(require('../../functions/record-poisoned-gateway').recordPoisonedGatewayOptions.queueName).toBe(
        '%APPGW_QUEUE_NAME%-poison',
      );
    });
    jest.isolateModules(() => {
      process.env['APPGW_SCHEDULE'] = 'sometimes';
      expect(() => require('../../functions/discover-gateways')).toThrow(/APPGW_SCHEDULE/);
    });
    jest.isolateModules(() => {
      delete process.env['APPGW_SCHEDULE'];
      process.env['APPGW_QUEUE_NAME'] = 'Bad_Queue';
      expect(() => require('../../functions/evaluate-gateway')).toThrow(/APPGW_QUEUE_NAME/);
    });
    delete process.env['APPGW_QUEUE_NAME'];
  });
});
