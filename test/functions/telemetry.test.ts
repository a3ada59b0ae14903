import { InvocationContext, type Timer } from '@azure/functions';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createStorageWorkQueue } from '../../src/adapters/queue/storage-queue';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import { startFanOut } from '../../src/pipeline/fan-out';
import { silentLogger } from '../../src/pipeline/logger';
import { formatTelemetryRecord, type TelemetryRecord } from '../../src/core/telemetry-records';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import type { RunningEmulator } from '../../src/emulator';
import type { Azurite } from '../helpers/azurite';
import { emulatorArm } from '../helpers/emulator-settings';
import { drainTriggerMessages } from '../helpers/queue-messages';
import { runQueueHost } from '../helpers/functions-host';
import { OTHER_SUB, SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { parseTelemetryLines, readmeTelemetryFields, type ParsedRecord } from '../helpers/telemetry';
import type { WebhookReceiver } from '../helpers/webhook-receiver';
import { startFunctionsApp, type FunctionsAppWorld } from '../helpers/functions-app';
import { loadFunctionHandlers, type FunctionHandlers } from '../helpers/function-handlers';

/**
 * The telemetry a fan-out run leaves in Application Insights, read where the host would take it: the
 * lines each handler logs through its real InvocationContext (timer → Azurite queue → queue handler with
 * the host's tries → poison handler), against the ARM emulator and loopback receivers.
 */
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

interface Logged {
  readonly level: string;
  readonly message: string;
}

/** A real InvocationContext whose log lines (what the worker hands the host) are kept. */
function capturing(
  logged: Logged[],
  init: ConstructorParameters<typeof InvocationContext>[0] = {},
): InvocationContext {
  return new InvocationContext({
    ...init,
    logHandler: (level, ...args) => void logged.push({ level, message: args.map(String).join(' ') }),
  });
}

const HOUR = 3_600_000;

describe('telemetry of a fan-out run (timer → queue → evaluate → poison), as the host receives it', () => {
  let azurite: Azurite;
  let emulator: RunningEmulator;
  let pager: WebhookReceiver;
  let gone: WebhookReceiver;
  const logged: Logged[] = [];
  let handlers: FunctionHandlers;

  /** One fan-out run as the host would drive it: the timer, every message with up to 5 tries, the poison queue. */
  async function fanOut(runId: string): Promise<void> {
    await handlers.discoverGateways(timer, capturing(logged, { invocationId: runId })).catch(() => undefined); // a failed target fails the timer invocation, on purpose
    const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');
    const poison = new QueueClient(azurite.connectionString, 'appgw-evaluate-poison');
    await poison.createIfNotExists();
    // Each message with up to 5 tries, then poison; continuations as they become visible.
    await runQueueHost(queue, handlers.evaluateGateway, poison, {
      context: (dequeueCount) => capturing(logged, { triggerMetadata: { dequeueCount } }),
    });
    for (const message of await drainTriggerMessages(poison))
      await handlers.recordPoisonedGatewayMessage(
        message,
        capturing(logged, { triggerMetadata: { dequeueCount: 1 } }),
      );
  }

  const records = (runId: string): ParsedRecord[] =>
    parseTelemetryLines(logged.map((l) => l.message)).filter((r) => r.fields['runId'] === runId);
  const one = (list: ParsedRecord[], predicate: (r: ParsedRecord) => boolean): ParsedRecord => {
    const found = list.filter(predicate);
    expect(found).toHaveLength(1);
    return found[0] as ParsedRecord;
  };

  let app: FunctionsAppWorld | undefined;
  beforeAll(async () => {
    const hook = (name: string, receiver: WebhookReceiver | undefined) => ({
      name,
      url: receiver!.url(`/hooks/${name}?sig=s3cr3t-${name}`),
      format: 'json',
      timeoutInMs: 2000,
      maxAttempts: 1,
    });
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
          gateway('gw-denied', [{ address: '10.3.0.4', health: 'Down' }], {
            faults: [{ on: 'backendHealth', status: 403, times: 99 }],
          }),
          // The poll reads missing (they sit on the subscription): ARM refuses the operation's poll.
          gateway('gw-poll-denied', [{ address: '10.5.0.4', health: 'Down' }], {
            faults: [{ on: 'poll', status: 403, times: 99 }],
          }),
          // No valid token (the identity endpoint gave none ARM accepts).
          gateway('gw-no-token', [{ address: '10.6.0.4', health: 'Down' }], {
            faults: [{ on: 'backendHealth', status: 401, times: 99 }],
          }),
          gateway(
            'gw-locked',
            [{ address: '10.4.0.4', health: 'Down' }],
            { faults: [{ on: 'list', status: 403, times: 99 }] },
            'rg-locked',
            OTHER_SUB,
          ),
        ],
      },
      queue: true,
      receivers: 3,
      settings: ([ops, pager, gone]) => ({
        APPGW_TARGETS: `/subscriptions/${SUB},/subscriptions/${OTHER_SUB}/resourceGroups/rg-locked`,
        APPGW_WEBHOOKS: JSON.stringify([hook('ops', ops), hook('pager', pager), hook('gone', gone)]),
      }),
    });
    ({ azurite, emulator } = app);
    [, pager, gone] = app.receivers as [WebhookReceiver, WebhookReceiver, WebhookReceiver];
    pager.setDefault({ status: 503, body: 'paging is down' });
    gone.setDefault({ status: 410, body: 'this hook was removed' });
    handlers = loadFunctionHandlers();
    await fanOut('run-1');
  }, 120_000);

  afterAll(() => app?.close());

  it('every record is one information line "<name> <JSON>" with exactly the README\'s fields, and no secret', () => {
    const documented = readmeTelemetryFields();
    expect(Object.keys(documented).sort()).toEqual([
      'appgw.gateway',
      'appgw.notify',
      'appgw.run',
      'appgw.server',
      'appgw.target',
    ]);
    const lines = logged.filter((l) => /^appgw\.[a-z]+ \{/.test(l.message));
    expect(lines.length).toBeGreaterThan(10);
    expect(new Set(lines.map((l) => l.level))).toEqual(new Set(['information']));
    expect(new Set(records('run-1').map((r) => r.name))).toEqual(new Set(Object.keys(documented)));
    for (const record of records('run-1')) {
      expect([record.name, Object.keys(record.fields).sort()]).toEqual([
        record.name,
        [...documented[record.name]].sort(),
      ]);
      expect(record.fields).toMatchObject({ v: 1, runId: 'run-1', mode: 'fan-out' });
    }
    const all = lines.map((l) => l.message).join('\n');
    for (const secret of ['s3cr3t', '127.0.0.1', 'AccountKey', azurite.connectionString, '/hooks/'])
      expect(all).not.toContain(secret);
  });

  it('the discovery: each target (the locked one AuthorizationFailed) and one completed appgw.run', () => {
    const run1 = records('run-1');
    const discover = run1.filter((r) => r.fields['step'] === 'discover');
    expect(discover.filter((r) => r.name === 'appgw.target').map((r) => r.fields)).toEqual([
      expect.objectContaining({ target: `/subscriptions/${SUB}`, ok: true, errorCode: '', gateways: 5 }),
      expect.objectContaining({
        target: `/subscriptions/${OTHER_SUB}/resourceGroups/rg-locked`,
        ok: false,
        errorCode: 'AuthorizationFailed',
        gateways: 0,
      }),
    ]);
    expect(one(discover, (r) => r.name === 'appgw.run').fields).toMatchObject({
      step: 'discover',
      ok: false,
      targets: 2,
      targetsFailed: 1,
      gateways: 5,
      gatewaysFailed: 0,
      sinkErrors: 0,
      durationInMs: expect.any(Number),
    });
  });

  it('each queue invocation: its gateway, its unhealthy servers by cause, its receivers', () => {
    const evaluate = records('run-1').filter((r) => r.fields['step'] === 'evaluate');
    expect(
      one(evaluate, (r) => r.name === 'appgw.gateway' && r.fields['gateway'] === 'gw-good').fields,
    ).toMatchObject({
      gatewayId: gatewayId('gw-good'),
      resourceGroup: 'rg-test',
      subscriptionId: SUB,
      ok: true,
      errorCode: '',
      attempt: 1,
      retrying: false,
      servers: 2,
      unhealthyServers: 1,
      stateErrors: 0,
      sinkErrors: 0,
    });
    expect(evaluate.filter((r) => r.name === 'appgw.server').map((r) => r.fields)).toEqual([
      expect.objectContaining({
        gatewayId: gatewayId('gw-good'),
        gateway: 'gw-good',
        backendPool: 'pool-a',
        backendSettings: 'settings-a',
        address: '10.1.0.4',
        health: 'Unhealthy',
        causeId: 'tcp-connect',
      }),
    ]);
    const notify = evaluate.filter((r) => r.name === 'appgw.notify');
    expect(Object.fromEntries(notify.map((r) => [r.fields['receiver'], r.fields]))).toEqual({
      'webhook[ops]': expect.objectContaining({ gatewayId: gatewayId('gw-good'), sent: 1, pending: 0 }),
      'webhook[pager]': expect.objectContaining({
        sent: 0,
        failed: 1,
        pending: 1,
        waiting: 1,
        deadLetters: 0,
      }),
      'webhook[gone]': expect.objectContaining({ sent: 0, parked: 1, pending: 1, deadLetters: 1 }),
    });
    const pagerRecord = notify.find((r) => r.fields['receiver'] === 'webhook[pager]');
    expect(Date.parse(String(pagerRecord?.fields['oldestUndeliveredAt']))).not.toBeNaN();
    expect(pagerRecord?.fields['oldestUndeliveredAgeInMs']).toBeLessThan(HOUR);
  });

  it.each([
    ['gw-denied', 'AuthorizationFailed'],
    ['gw-poll-denied', 'AuthorizationFailed'],
    ['gw-no-token', 'AuthenticationFailed'],
  ])('%s, refused by ARM: %s, final (not retried)', (name, code) => {
    const denied = records('run-1').filter((r) => r.name === 'appgw.gateway' && r.fields['gateway'] === name);
    expect(denied.map((r) => r.fields)).toEqual([
      expect.objectContaining({
        step: 'evaluate',
        ok: false,
        errorCode: code,
        retryable: false,
        attempt: 1,
        retrying: false,
      }),
    ]);
  });

  it('a discovery that cannot queue its gateways (the queue refuses the app) completes no run: no appgw.run', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-noqueue-'));
    try {
      const config = parseConfig({
        targets: [`/subscriptions/${SUB}`],
        arm: emulatorArm(emulator),
        sinks: { dir: out },
      });
      const emitted: ParsedRecord[] = [];
      const telemetry = {
        emit: (r: TelemetryRecord) => void emitted.push(...parseTelemetryLines([formatTelemetryRecord(r)])),
      };
      const { deps, options } = withLogger(
        await buildRunServices(config, process.env),
        silentLogger,
        telemetry,
      );
      // A key the queue does not take: what a lost Storage Queue Data Contributor role looks like (403).
      const queue = createStorageWorkQueue({
        connection: {
          connectionString: azurite.connectionString.replace(
            /AccountKey=[^;]+/,
            `AccountKey=${Buffer.from('wrong key').toString('base64')}`,
          ),
        },
        queueName: 'appgw-evaluate',
        httpOptions: { maxRetries: 0 },
      });
      await expect(startFanOut({ ...deps, queue }, { ...options, runId: 'run-noqueue' })).rejects.toThrow(
        /cannot enqueue/,
      );
      expect(emitted.filter((r) => r.name === 'appgw.run')).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('a gateway failing in passing: one record per try (retrying), then the poisoned message', () => {
    const broken = records('run-1').filter(
      (r) => r.name === 'appgw.gateway' && r.fields['gateway'] === 'gw-broken',
    );
    expect(broken.map((r) => [r.fields['step'], r.fields['attempt'], r.fields['retrying']])).toEqual([
      ['evaluate', 1, true],
      ['evaluate', 2, true],
      ['evaluate', 3, true],
      ['evaluate', 4, true],
      ['evaluate', 5, true],
      ['poison', 1, false],
    ]);
    expect(broken.slice(0, 5).every((r) => r.fields['retryable'] === true && r.fields['ok'] === false)).toBe(
      true,
    );
    expect(broken[5]?.fields).toMatchObject({
      ok: false,
      errorCode: 'Poisoned',
      gatewayId: gatewayId('gw-broken'),
    });
  });

  it('a notice undelivered for two hours shows its age on the next run; the dead letter stays counted', async () => {
    const state = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'appgw-state',
    );
    const blob = state.getBlockBlobClient(`notify/${SUB}/rg-test/gw-good.json`);
    const doc = JSON.parse((await blob.downloadToBuffer()).toString('utf8'));
    // As if the pager had been down for two hours: its waiting notice was decided then, no run holds it.
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR).toISOString();
    for (const entry of doc.outbox['webhook[pager]']) {
      entry.queuedAt = twoHoursAgo;
      delete entry.lease;
    }
    const text = JSON.stringify(doc);
    await blob.upload(text, Buffer.byteLength(text));

    await fanOut('run-2');
    const pagerRecord = one(
      records('run-2'),
      (r) => r.name === 'appgw.notify' && r.fields['receiver'] === 'webhook[pager]',
    );
    expect(pagerRecord.fields).toMatchObject({
      step: 'evaluate',
      gatewayId: gatewayId('gw-good'),
      failed: 1,
      pending: 1,
      oldestUndeliveredAt: twoHoursAgo,
    });
    expect(pagerRecord.fields['oldestUndeliveredAgeInMs']).toBeGreaterThan(2 * HOUR - 60_000);
    expect(
      one(records('run-2'), (r) => r.name === 'appgw.notify' && r.fields['receiver'] === 'webhook[gone]')
        .fields,
    ).toMatchObject({ sent: 0, parked: 0, deadLetters: 1, pending: 1 });
    // The run still completed its discovery: the "no discovery run" alert stays quiet.
    expect(
      records('run-2').filter((r) => r.name === 'appgw.run' && r.fields['step'] === 'discover'),
    ).toHaveLength(1);
  }, 60_000);
});
