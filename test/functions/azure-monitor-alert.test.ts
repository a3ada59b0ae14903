import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { createStorageWorkQueue } from '../../src/adapters/queue/storage-queue';
import { createFileStateStores } from '../../src/adapters/state/keyed-state-stores';
import { systemClock } from '../../src/adapters/clock/system-clock';
import { azureMonitorAlertResponse } from '../../src/app/azure-monitor-alert-response';
import { resetFunctionServices } from '../../src/app/function-services';
import { parseTarget, type Target } from '../../src/core/arm-id';
import { silentLogger } from '../../src/pipeline/logger';
import type { AlertMarks } from '../../src/pipeline/alert-intake';
import { DELETE, withEdits } from '../helpers/json-edits';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { closedPort } from '../helpers/closed-port';
import { emulatorArmSettings } from '../helpers/emulator-settings';
import { loadFunctionHandlers, loadFunctionModule } from '../helpers/function-handlers';
import { runQueueHost } from '../helpers/functions-host';
import { drainTriggerMessages } from '../helpers/queue-messages';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Azure Monitor alert in (the common alert schema, as an action group's webhook posts it) → the
 * gateway's evaluation queued (Azurite) → the queue function evaluates it against the emulator → its
 * insight in the blob sink, with the alert as its trigger, and a notice at a loopback receiver. The
 * handlers are called with the library's real HttpRequest and InvocationContext, as the host calls them.
 * Payloads: test/fixtures/azure-monitor-alerts (Microsoft's published samples, see its README).
 */
type Handler = (
  r: HttpRequest,
  c: InvocationContext,
) => Promise<{
  status?: number;
  headers?: Record<string, string>;
  jsonBody?: unknown;
}>;

function loadHandler(): { handler: Handler; options: Record<string, unknown> } {
  const mod = loadFunctionModule('azure-monitor-alert');
  return { handler: mod.azureMonitorAlert as Handler, options: { ...mod.azureMonitorAlertOptions } };
}

const FIXTURES = path.join(__dirname, '../fixtures/azure-monitor-alerts');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const context = (invocationId: string) => new InvocationContext({ invocationId, logHandler: () => {} });
const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/alerts/azure-monitor?code=k',
    headers,
    body: { string: body },
  });
// The alert writes ids in lower case; the scenario's gateway is `GW-Alerted` in `RG-Test`.
const ALERTED = `/subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.Network/applicationGateways/gw-alerted`;
const unhealthy = [{ address: '10.1.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }];
const healthy = [
  { address: '10.1.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];

describe('POST /api/alerts/azure-monitor: common alert schema in → evaluation queued → insight and notice out', () => {
  let azurite: Azurite;
  let emulator: RunningEmulator;
  let receiver: WebhookReceiver;
  let queue: QueueClient;
  let poison: QueueClient;
  const savedEnv = { ...process.env };
  const scenario = (servers: typeof unhealthy) => ({
    gateways: [gateway('GW-Alerted', servers, {}, 'RG-Test'), gateway('gw-quiet', healthy)],
  });

  beforeAll(async () => {
    [azurite, receiver] = await Promise.all([startAzurite({ queue: true }), startWebhookReceiver()]);
    emulator = await startEmulator({ scenario: scenario(unhealthy) as never });
    Object.assign(process.env, {
      AzureWebJobsStorage: azurite.connectionString,
      APPGW_TARGETS: `/subscriptions/${SUB}`,
      ...emulatorArmSettings(emulator),
      APPGW_BLOB_CONTAINER: 'insights',
      APPGW_WEBHOOKS: JSON.stringify([{ name: 'ops', url: receiver.url('/hook'), format: 'json' }]),
      // Grouped per gateway (the default), with no interval to wait out between this test's messages:
      // the recovered of the last case would otherwise be held for the group's next message.
      APPGW_NOTIFY_GROUP_INTERVAL: '0s',
    });
    delete process.env['APPGW_ALERT_DEDUP_WINDOW'];
    resetFunctionServices();
    queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await Promise.all([queue.createIfNotExists(), poison.createIfNotExists()]);
  }, 60_000);
  afterAll(async () => {
    process.env = savedEnv;
    resetFunctionServices();
    await Promise.all([azurite?.stop(), emulator?.close(), receiver?.close()]);
  });

  const blobs = () => BlobServiceClient.fromConnectionString(azurite.connectionString);
  const readBlob = async (container: string, name: string) =>
    JSON.parse(
      (await blobs().getContainerClient(container).getBlobClient(name).downloadToBuffer()).toString('utf8'),
    );
  const evaluateQueued = async (messages: unknown[]) => {
    const { evaluateGateway } = loadFunctionHandlers();
    for (const message of messages)
      await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    await runQueueHost(queue, evaluateGateway, poison);
    expect(await drainTriggerMessages(poison)).toEqual([]);
  };
  /** The per-server events the receiver got, from inside each grouped message (gateway.group.v1). */
  const events = () =>
    receiver.requests.flatMap((r) => {
      const body = JSON.parse(r.body);
      expect(body.type).toBe('gateway.group.v1');
      return body.notices;
    });

  it('Fired: 202 at once, one evaluation queued (the message discovery sends, with the alert as trigger); evaluated: insight, trigger in the result, a degraded notice', async () => {
    const { handler } = loadHandler();
    const armCalls = emulator.requests.length;
    const answer = await handler(post(fixture('metric-static-fired.json')), context('inv-fired'));
    expect(answer).toMatchObject({
      status: 202,
      jsonBody: {
        status: 'accepted',
        alert: { rule: 'agw-unhealthy-hosts-gw-alerted', monitorCondition: 'Fired' },
        queued: [{ gateway: ALERTED, runId: 'alert-inv-fired' }],
        duplicates: [],
      },
    });
    expect(emulator.requests.length).toBe(armCalls); // never waits on ARM
    const messages = await drainTriggerMessages(queue);
    expect(messages).toEqual([
      {
        version: 1,
        runId: 'alert-inv-fired',
        gatewayId: ALERTED,
        discoveredAt: expect.any(String),
        trigger: {
          kind: 'azure-monitor-alert',
          alertId: `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e`,
          alertRule: 'agw-unhealthy-hosts-gw-alerted',
          severity: 'Sev1',
          monitorCondition: 'Fired',
          firedAt: '2026-11-30T09:58:24.371Z',
          backendSettingsPools: ['pool-a~settings-a'],
        },
      },
    ]);

    await evaluateQueued(messages);
    const result = await readBlob('insights', `runs/alert-inv-fired/gateways/${SUB}/rg-test/gw-alerted.json`);
    expect(result.gateways[0]).toMatchObject({
      ok: true,
      trigger: {
        kind: 'azure-monitor-alert',
        alertRule: 'agw-unhealthy-hosts-gw-alerted',
        monitorCondition: 'Fired',
      },
      findings: [
        expect.objectContaining({
          address: '10.1.0.4',
          cause: expect.objectContaining({ id: 'tcp-connect' }),
        }),
      ],
    });
    expect(events().map((e) => `${e.type} ${e.server.address} ${e.gateway.id}`)).toEqual([
      `degraded 10.1.0.4 ${ALERTED}`,
    ]);
    // The dedupe mark, beside the notify state.
    expect(await readBlob('appgw-state', `alerts/${SUB}/rg-test/gw-alerted.json`)).toMatchObject({
      version: 1,
      queued: { Fired: { runId: 'alert-inv-fired', alertRule: 'agw-unhealthy-hosts-gw-alerted' } },
    });
  }, 60_000);

  it('the same gateway alerted again within the window (a retry, another pool, a dynamic rule) queues nothing more', async () => {
    const { handler } = loadHandler();
    for (const [name, id] of [
      ['metric-static-fired.json', 'inv-again'],
      ['metric-dynamic-fired.json', 'inv-dynamic'],
    ] as const) {
      const answer = await handler(post(fixture(name)), context(id));
      expect(answer).toMatchObject({
        status: 202,
        jsonBody: { queued: [], duplicates: [{ gateway: ALERTED, runId: 'alert-inv-fired' }] },
      });
    }
    expect(await drainTriggerMessages(queue)).toEqual([]);
  });

  it("Resolved: evaluated now too, but a server still bad sends no recovered on the alert's word; once read healthy, recovered goes out", async () => {
    const { handler } = loadHandler();
    const before = receiver.requests.length;
    const still = await handler(post(fixture('metric-static-resolved.json')), context('inv-resolved'));
    expect(still).toMatchObject({
      status: 202,
      jsonBody: {
        alert: { monitorCondition: 'Resolved' },
        queued: [{ gateway: ALERTED }],
        note: expect.stringContaining('never on the alert alone'),
      },
    });
    await evaluateQueued(await drainTriggerMessages(queue));
    expect(receiver.requests.length).toBe(before); // still Unhealthy: no notice at all
    const result = await readBlob(
      'insights',
      `runs/alert-inv-resolved/gateways/${SUB}/rg-test/gw-alerted.json`,
    );
    expect(result.gateways[0]).toMatchObject({
      trigger: { monitorCondition: 'Resolved' },
      findings: [expect.anything()],
    });

    // The server recovers; a Resolved within the window is a duplicate, so with the window off:
    emulator.serve(scenario(healthy) as never);
    process.env['APPGW_ALERT_DEDUP_WINDOW'] = '0';
    resetFunctionServices();
    try {
      const again = await loadHandler().handler(
        post(fixture('metric-static-resolved.json')),
        context('inv-resolved-2'),
      );
      expect(again).toMatchObject({ status: 202, jsonBody: { queued: [{ gateway: ALERTED }] } });
      await evaluateQueued(await drainTriggerMessages(queue));
    } finally {
      delete process.env['APPGW_ALERT_DEDUP_WINDOW'];
      resetFunctionServices();
    }
    expect(
      events()
        .slice(before)
        .map((e) => `${e.type} ${e.server.address}`),
    ).toEqual(['recovered 10.1.0.4']);
  }, 60_000);

  const GW = `/subscriptions/${SUB}/resourcegroups/rg-test/providers/microsoft.network/applicationgateways/gw-alerted`;
  const edited = (edits: Record<string, unknown>) =>
    JSON.stringify(withEdits(JSON.parse(fixture('metric-static-fired.json')), edits));
  it.each(
    [
      ['not JSON', 'alert!', 400, 'InvalidAlert'],
      ['the docs sample (a VM)', fixture('docs-sample-vm-cpu-resolved.json'), 422, 'NotApplicationGateway'],
      ['no schemaId', edited({ schemaId: DELETE }), 400, 'NotCommonAlertSchema'],
      ['a log alert', edited({ 'data.essentials.signalType': 'Log' }), 422, 'NotMetricAlert'],
      [
        'another metric',
        edited({ 'data.alertContext.condition.allOf.0.metricName': 'CpuUtilization' }),
        422,
        'MetricNotSupported',
      ],
      [
        'a gateway outside APPGW_TARGETS',
        edited({
          'data.essentials.alertTargetIDs': [GW.replace(SUB, '99999999-9999-9999-9999-999999999999')],
        }),
        422,
        'NotWatched',
      ],
      [
        'more than 256 KiB',
        edited({ 'data.essentials.description': 'x'.repeat(300 * 1024) }),
        413,
        'PayloadTooLarge',
      ],
    ].map(
      ([name, body, status, code]) => [String(name), Number(status), String(code), String(body)] as const,
    ),
  )('%s → %i %s, nothing queued', async (_name, status, code, body) => {
    const answer = await loadHandler().handler(post(body), context('inv-refused'));
    expect(answer).toMatchObject({ status, jsonBody: { error: { code, message: expect.any(String) } } });
    expect(await drainTriggerMessages(queue)).toEqual([]);
  });

  // A gateway of the watched subscription not yet alerted in this file (no dedupe mark), and one outside it.
  const OTHER_WATCHED = GW.replace('gw-alerted', 'gw-quiet');
  const UNWATCHED = GW.replace(SUB, '99999999-9999-9999-9999-999999999999');
  const VM = `/subscriptions/${SUB}/resourcegroups/rg-test/providers/microsoft.compute/virtualmachines/vm-1`;

  it('a multi-resource alert: each watched gateway queued; the targets not watched or not gateways listed in the 202, never blocking the others', async () => {
    const { handler } = loadHandler();
    const answer = await handler(
      post(
        edited({
          'data.alertContext.conditionType': 'MultipleResourceMultipleMetricCriteria',
          'data.essentials.alertTargetIDs': [UNWATCHED, VM, OTHER_WATCHED],
        }),
      ),
      context('inv-multi'),
    );
    expect(answer).toMatchObject({
      status: 202,
      jsonBody: {
        status: 'accepted',
        queued: [{ gateway: expect.stringMatching(/gw-quiet$/i), runId: 'alert-inv-multi' }],
        duplicates: [],
        notTaken: [
          { target: VM, code: 'NotApplicationGateway', message: expect.stringContaining('vm-1') },
          {
            target: expect.stringMatching(/^\/subscriptions\/99999999-.*gw-alerted$/i),
            code: 'NotWatched',
            message: expect.stringContaining('APPGW_TARGETS'),
          },
        ],
      },
    });
    const messages = await drainTriggerMessages(queue);
    expect(messages.map((m) => (m as { gatewayId: string }).gatewayId.toLowerCase())).toEqual([
      OTHER_WATCHED,
    ]);
    // And evaluated: the watched gateway's result, with the alert as its trigger.
    await evaluateQueued(messages);
    const result = await readBlob('insights', `runs/alert-inv-multi/gateways/${SUB}/rg-test/gw-quiet.json`);
    expect(result.gateways[0]).toMatchObject({ ok: true, trigger: { kind: 'azure-monitor-alert' } });
  }, 60_000);

  it.each([
    [
      'a gateway not watched and a VM',
      [UNWATCHED, VM],
      'NotWatched',
      /99999999.*not among.*vm-1|vm-1.*99999999.*not among/s,
    ],
    [
      'two resources, neither a gateway',
      [VM, VM.replace('vm-1', 'vm-2')],
      'NotApplicationGateway',
      /vm-1.*vm-2/s,
    ],
  ])('refused (422) only when no target can be evaluated: %s', async (_name, targets, code, says) => {
    const answer = await loadHandler().handler(
      post(edited({ 'data.essentials.alertTargetIDs': targets })),
      context('inv-none'),
    );
    expect(answer).toMatchObject({
      status: 422,
      jsonBody: { error: { code, message: expect.stringMatching(says) } },
    });
    expect(await drainTriggerMessages(queue)).toEqual([]);
  });

  it('a rule on UnhealthyHostCount and another metric (allOf): taken, the gateway queued with its own pools', async () => {
    const answer = await loadHandler().handler(
      post(
        edited({
          'data.essentials.alertTargetIDs': [GW.replace('gw-alerted', 'gw-two-metrics')],
          'data.alertContext.condition.allOf.1': {
            metricName: 'FailedRequests',
            metricNamespace: 'Microsoft.Network/applicationGateways',
            operator: 'GreaterThan',
            threshold: '0',
            timeAggregation: 'Total',
            dimensions: [{ name: 'BackendSettingsPool', value: 'pool-z~settings-z' }],
            metricValue: 3,
          },
        }),
      ),
      context('inv-two-metrics'),
    );
    expect(answer).toMatchObject({
      status: 202,
      jsonBody: { queued: [{ gateway: expect.stringMatching(/gw-two-metrics$/i) }], notTaken: [] },
    });
    expect(await drainTriggerMessages(queue)).toMatchObject([
      {
        gatewayId: expect.stringMatching(/gw-two-metrics$/i),
        trigger: { backendSettingsPools: ['pool-a~settings-a'] },
      },
    ]);
  });

  it('415 for a body with no Content-Type (an action group always sends application/json), nothing queued', async () => {
    const bare = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/alerts/azure-monitor?code=k',
      // Bytes, not a string: the library would add text/plain for a string body.
      body: { bytes: Buffer.from(fixture('metric-static-fired.json')) },
    });
    expect(bare.headers.get('content-type')).toBeNull();
    const answer = await loadHandler().handler(bare, context('inv-no-type'));
    expect(answer).toMatchObject({
      status: 415,
      jsonBody: {
        error: { code: 'UnsupportedMediaType', message: expect.stringContaining('no Content-Type header') },
      },
    });
    expect(await drainTriggerMessages(queue)).toEqual([]);
  });

  it('415 for a body that is not JSON by its content type; 413 from a declared Content-Length before reading', async () => {
    const { handler } = loadHandler();
    const form = await handler(
      post(fixture('metric-static-fired.json'), { 'content-type': 'text/plain' }),
      context('inv-415'),
    );
    expect(form).toMatchObject({ status: 415, jsonBody: { error: { code: 'UnsupportedMediaType' } } });
    const big = await handler(
      post('{}', { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) }),
      context('inv-413'),
    );
    expect(big).toMatchObject({ status: 413 });
    expect(await drainTriggerMessages(queue)).toEqual([]);
  });

  it('is registered as the README says: POST, function key, the route; a bad APPGW_ALERT_DEDUP_WINDOW is named', async () => {
    expect(loadHandler().options).toMatchObject({
      methods: ['POST'],
      authLevel: 'function',
      route: 'alerts/azure-monitor',
    });
    process.env['APPGW_ALERT_DEDUP_WINDOW'] = 'soon';
    resetFunctionServices();
    try {
      await expect(
        loadHandler().handler(post(fixture('metric-static-fired.json')), context('inv-bad')),
      ).rejects.toThrow(/APPGW_ALERT_DEDUP_WINDOW: "soon" is not a duration/);
    } finally {
      delete process.env['APPGW_ALERT_DEDUP_WINDOW'];
      resetFunctionServices();
    }
  });
});

describe('the intake when storage does not answer', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'alert-marks-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('503 with Retry-After within the budget (an action group retries 503), and the mark is put back so the retry queues it', async () => {
    const port = await closedPort();
    const marks = createFileStateStores<AlertMarks>({ dir });
    const deps = {
      queue: createStorageWorkQueue({
        connection: {
          connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};QueueEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
          setting: 'AzureWebJobsStorage',
        },
        queueName: 'appgw-evaluate',
        httpOptions: { maxRetries: 0 },
      }),
      marks,
      clock: systemClock,
      logger: silentLogger,
    };
    const targets = [parseTarget(`/subscriptions/${SUB}`) as Target];
    const answer = await azureMonitorAlertResponse(
      { text: fixture('metric-static-fired.json') },
      'application/json',
      {
        deps,
        config: { targets },
        dedupWindowInMs: 300_000,
        runId: 'alert-down',
        budgetInMs: 20_000,
      },
    );
    expect(answer).toMatchObject({
      status: 503,
      headers: { 'retry-after': '5' },
      jsonBody: { error: { code: 'IntakeUnavailable' } },
    });
    // No fresh mark stands: the action group's retry is not taken as a duplicate.
    const stored = await marks.forKey(gatewayId('gw-alerted').toLowerCase()).read();
    expect(stored?.value.queued.Fired).toBeUndefined();
  }, 60_000);
});
