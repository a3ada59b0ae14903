/**
 * The fault matrix's storage rows (README "Fault matrix") that no adapter or pipeline test covered
 * end to end: a blob sink that fails while the run goes on, blob state documents that are not valid,
 * and overlapping runs on the file state store. Real sockets: the emulator, Azurite, a loopback
 * receiver, and a closed port for a storage account that is down.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { connectBlobService } from '../../src/adapters/storage/blob-client';
import { createBlobSink } from '../../src/adapters/sinks/blob-sink';
import { createBlobStateStores } from '../../src/adapters/state/keyed-state-stores';
import { createBlobStateStore } from '../../src/adapters/state/blob-state-store';
import { parseConfig } from '../../src/config/load';
import { startEmulator, type ScenarioInput } from '../../src/emulator';
import { runChecks } from '../../src/pipeline/run-checks';
import { runSucceeded } from '../../src/core/run-report';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { closedPort } from '../helpers/closed-port';
import { emulatorArm } from '../helpers/emulator-settings';
import { notifyRun, recordingLogger } from '../helpers/notify-run';
import { SUB, gateway } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const bad = (address: string) => ({ address, health: 'Unhealthy', healthProbeLog: 'TCP connect error' });
const scenario: ScenarioInput = {
  gateways: [gateway('gw-a', [bad('10.0.0.4')]), gateway('gw-b', [bad('10.0.1.4')])],
};
const addressesOf = (receiver: WebhookReceiver, from = 0) =>
  receiver.requests
    .slice(from)
    .map((r) => JSON.parse(r.body).server.address as string)
    .sort();

let azurite: Azurite;
let receiver: WebhookReceiver;
let tmp: string;
let n = 0;
beforeAll(async () => {
  [azurite, receiver] = await Promise.all([startAzurite(), startWebhookReceiver()]);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-storage-faults-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([azurite?.stop(), receiver?.close(), tmp && rm(tmp, { recursive: true, force: true })]);
});

describe('a blob sink that fails never stops the run', () => {
  const wrongKey = Buffer.from('not the account key').toString('base64');
  it.each([
    [
      'is down (nothing listens)',
      async () => azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${await closedPort()}`),
      true,
      /ECONNREFUSED/,
    ],
    [
      'refuses the account key (403)',
      async () => azurite.connectionString.replace(azurite.accountKey, wrongKey),
      false,
      /HTTP 403/,
    ],
  ])(
    'the blob sink %s: the folder sink and the receiver still get the run; deliveryErrors names blob[insights]',
    async (_label, connection, retryable, reason) => {
      const connectionString = await connection();
      const dir = path.join(tmp, `sink-${++n}`);
      const emulator = await startEmulator({ scenario: scenario as never });
      const from = receiver.requests.length;
      try {
        const config = parseConfig({
          targets: [`/subscriptions/${SUB}`],
          arm: emulatorArm(emulator),
          sinks: {
            dir: path.join(dir, 'out'),
            webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
          },
          state: { dir: path.join(dir, 'state') },
        });
        const { deps, options } = withLogger(await buildRunServices(config, {}), recordingLogger());
        // The blob sink the config would build, without retries (a closed port is retried for seconds).
        const client = connectBlobService({ connectionString }, { httpOptions: { maxRetries: 0 } });
        const blob = createBlobSink({ client, container: 'insights' });
        const { report, receipts } = await runChecks({ ...deps, sinks: [...deps.sinks, blob] }, options);

        // One entry per document that did not go (each gateway's insights, the report and page), all the
        // blob sink's, each saying why.
        expect(report.deliveryErrors.length).toBeGreaterThan(1);
        for (const error of report.deliveryErrors) {
          expect(error).toEqual(
            expect.objectContaining({ code: 'DeliveryFailed', sink: 'blob[insights]', retryable }),
          );
          expect(error.message).toMatch(reason);
        }
        expect(report.deliveryErrors.map((e) => e.document)).toContain('report.json and index.html');
        expect(runSucceeded(report)).toBe(false); // `run` exits 2
        expect(inspect(report, { depth: 12 })).not.toContain(wrongKey);
        // Everything else happened: both gateways evaluated, both notices sent, the folder written.
        expect(report.gateways.every((g) => g.ok)).toBe(true);
        expect(addressesOf(receiver, from)).toEqual(['10.0.0.4', '10.0.1.4']);
        expect(receipts.map((r) => r.sink)).toEqual(['folder']);
        const written = JSON.parse(await readFile(path.join(dir, 'out', 'report.json'), 'utf8'));
        expect(written.summary).toMatchObject({ gateways: 2, findings: 2 });
      } finally {
        await emulator.close();
      }
    },
  );
});

describe('blob state documents that are not valid (Azurite)', () => {
  it.each([
    ['not JSON', '{ "version": 1, "servers": {', /not valid JSON/],
    ['a JSON array', '[]', /\(root\): is not a JSON object/],
    [
      'an outbox entry that is a string',
      '{ "version": 1, "servers": {}, "outbox": { "webhook[ops]": ["appgw-1"] } }',
      /outbox\.webhook\[ops\]\[0\]/,
    ],
  ])(
    'a state blob that is %s: StateInvalid naming the blob, left as it is; the other gateway is notified',
    async (_label, content, detail) => {
      const container = `invalid-${++n}`;
      const blobName = `notify/${SUB}/rg-test/gw-a.json`;
      const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
        container,
      );
      await blobs.create();
      await blobs.getBlockBlobClient(blobName).upload(content, Buffer.byteLength(content));
      const client = connectBlobService(
        { connectionString: azurite.connectionString },
        { httpOptions: { maxRetries: 0 } },
      );
      const from = receiver.requests.length;
      const { report } = await notifyRun({
        scenario,
        config: {
          sinks: {
            dir: path.join(tmp, `out-${n}`),
            webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
          },
          state: { blob: { connectionString: azurite.connectionString, container } },
        },
        stores: createBlobStateStores({ client, container, prefix: 'notify/' }),
      });
      expect(report.notifications?.stateErrors).toEqual([
        expect.objectContaining({ code: 'StateInvalid', document: `blob ${container}/${blobName}` }),
      ]);
      expect(report.notifications?.stateErrors[0]?.message).toMatch(detail);
      expect(report.ok).toBe(false);
      expect(addressesOf(receiver, from)).toEqual(['10.0.1.4']);
      expect((await blobs.getBlobClient(blobName).downloadToBuffer()).toString('utf8')).toBe(content);
    },
  );
});

describe('a state store that never answers', () => {
  it('accepts the connection but never answers: StateUnavailable (retryable) naming the blob, nothing sent, the run goes on', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket.on('data', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const connectionString = azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
      // The time limit of one try (requestTimeoutInMs, 30 s by default), short here; the server never answers.
      const client = connectBlobService(
        { connectionString },
        { httpOptions: { maxRetries: 0, requestTimeoutInMs: 300 } },
      );
      const from = receiver.requests.length;
      const out = path.join(tmp, `silent-${++n}`);
      const { report } = await notifyRun({
        scenario,
        config: {
          sinks: {
            dir: out,
            webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
          },
          state: { blob: { connectionString, container: 'appgw-state' } },
        },
        stores: createBlobStateStores({ client, container: 'appgw-state', prefix: 'notify/' }),
        // The stored silences too (the config's client would wait its default 30 s per try).
        silences: createBlobStateStore({
          client,
          container: 'appgw-state',
          blobName: 'notify/silences.json',
        }),
        history: createBlobStateStores({ client, container: 'appgw-state', prefix: 'history/' }),
      });
      expect(receiver.requests.length).toBe(from);
      // The status page's histories, in the same container, fail the same way: reported, never stopping.
      // One entry per history document that failed, each the status page's, retryable.
      expect(new Set(report.deliveryErrors.map((e) => [e.sink, e.code, e.retryable].join(' ')))).toEqual(
        new Set(['status page StatusHistoryUnavailable true']),
      );
      expect(report.gateways.every((g) => g.ok)).toBe(true);
      expect(report.notifications?.stateErrors.map((e) => [e.code, e.document, e.retryable])).toEqual([
        ['StateUnavailable', `blob appgw-state/notify/${SUB}/rg-test/gw-a.json`, true],
        // The stored silences are read per gateway (the fan-out has no run-wide place), but one
        // document's error is said once in the run's report (notify-gateways.ts onceEachDocument).
        ['StateUnavailable', 'blob appgw-state/notify/silences.json', true],
        ['StateUnavailable', `blob appgw-state/notify/${SUB}/rg-test/gw-b.json`, true],
        ['StateUnavailable', 'container appgw-state (blobs under notify/)', true],
      ]);
      expect(report.notifications?.stateErrors[0]?.message).toMatch(/no answer in time/);
      expect(JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')).ok).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('overlapping runs on the file state store', () => {
  it('three runs racing for the same state files send exactly one notice per bad server between them', async () => {
    const dir = path.join(tmp, `race-${++n}`);
    const from = receiver.requests.length;
    const config = {
      sinks: {
        dir: path.join(dir, 'out'),
        webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
      },
      state: { dir: path.join(dir, 'state') },
    };
    const outcomes = await Promise.all([1, 2, 3].map(() => notifyRun({ scenario, config })));
    expect(addressesOf(receiver, from)).toEqual(['10.0.0.4', '10.0.1.4']);
    expect(outcomes.reduce((sum, o) => sum + (o.report.notifications?.decided ?? 0), 0)).toBe(2);
    // Every run evaluated both gateways; none reports an error about the state.
    for (const { report } of outcomes) {
      expect(report.gateways.every((g) => g.ok)).toBe(true);
      expect(report.notifications?.stateErrors).toEqual([]);
    }
  });
});
