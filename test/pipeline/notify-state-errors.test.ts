import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { connectBlobService } from '../../src/adapters/storage/blob-client';
import { createBlobStateStores, createFileStateStores } from '../../src/adapters/state/keyed-state-stores';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { formatSummary } from '../../src/cli/summary';
import { parseConfig } from '../../src/config/load';
import { startEmulator } from '../../src/emulator';
import { processUntilFinished } from '../helpers/queued-gateway';
import type { ScenarioInput } from '../../src/emulator';
import type { NotifyStateDocument } from '../../src/pipeline/notify/state-document';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import type { StateStores } from '../../src/ports';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { closedPort } from '../helpers/closed-port';
import { emulatorArm } from '../helpers/emulator-settings';
import { notifyRun, recordingLogger, type RecordingLogger } from '../helpers/notify-run';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Issue 11.2: a run never crashes on its own state. Every way a state document or store can fail, for
 * a gateway the run evaluates and for one outside its targets: the run ends, names the document (never
 * a key or SAS), says how to recover, writes its report to the sinks, is not `ok` (exit 2), notifies the
 * other gateways, and leaves the document exactly as it was.
 */
const bad = (address: string) => ({ address, health: 'Unhealthy', healthProbeLog: 'TCP connect error' });
const scenario: ScenarioInput = {
  gateways: [gateway('gw-a', [bad('10.0.0.4')]), gateway('gw-b', [bad('10.0.1.4')])],
};
const AWAY = gatewayId('gw-away', 'rg-elsewhere'); // has state, but is outside the run's targets

const OVERLAP = /kept changing|overlapping/i;
const DOUBLED_WORD = /\b(\w{2,})\s+\1\b/i;

/**
 * A state that failed is not an overlap: neither the log (stderr, Application Insights) nor the
 * summary nor the report says that runs overlapped, and no message repeats a word ("state state").
 */
function expectNoOverlapClaimed(report: RunReport, logger: RecordingLogger): void {
  expect(report.notifications?.contended).toEqual([]);
  const summary = formatSummary(report, []).split('\n');
  const messages = (report.notifications?.stateErrors ?? []).map((e) => e.message);
  expect(messages.length).toBeGreaterThan(0);
  for (const line of [...logger.lines, ...summary, ...messages]) {
    expect(line).not.toMatch(OVERLAP);
    expect(line).not.toMatch(DOUBLED_WORD);
  }
}

const brokenDocuments: Array<[string, string | 'folder', 'StateUnavailable' | 'StateInvalid', RegExp]> = [
  [
    'an unreadable document (a folder where the file should be)',
    'folder',
    'StateUnavailable',
    /EISDIR.*Move that folder away/,
  ],
  ['a document that is an array', '[]\n', 'StateInvalid', /\(root\): is not a JSON object/],
  [
    'a document of version 2',
    '{ "version": 2, "servers": {}, "outbox": {} }\n',
    'StateInvalid',
    /version: is 2/,
  ],
  [
    'an outbox entry that is a string',
    '{ "version": 1, "servers": {}, "outbox": { "webhook[ops]": ["appgw-123"] } }\n',
    'StateInvalid',
    /outbox\.webhook\[ops\]\[0\]/,
  ],
  ['a document that is not JSON', '{ "version": 1, "servers": {', 'StateInvalid', /not valid JSON/],
];

describe('state errors with the file store', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-state-errors-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const config = () => ({
    sinks: {
      dir: path.join(tmp, 'out'),
      webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
    },
    state: { dir: path.join(tmp, 'state') },
  });
  const documentOf = (id: string) => {
    const [, , sub, , rg, , , , name] = id.toLowerCase().split('/');
    return path.join(tmp, 'state', sub ?? '', rg ?? '', `${name}.json`);
  };
  async function plant(file: string, content: string | 'folder'): Promise<void> {
    if (content === 'folder') return void (await mkdir(file, { recursive: true }));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  async function unchanged(file: string, content: string | 'folder'): Promise<void> {
    if (content === 'folder') expect((await stat(file)).isDirectory()).toBe(true);
    else expect(await readFile(file, 'utf8')).toBe(content);
  }
  async function expectReported(
    report: RunReport,
    file: string,
    code: string,
    detail: RegExp,
  ): Promise<void> {
    expect(report.ok).toBe(false);
    expect(runSucceeded(report)).toBe(false);
    const [error, ...others] = report.notifications?.stateErrors ?? [];
    expect(others).toEqual([]);
    expect(error).toMatchObject({ code, document: `state file ${file}` });
    expect(error?.message).toMatch(detail);
    expect(error?.message).toMatch(/Move that folder away|To recover/);
    // The sinks still got the run, with the error in it.
    const written = JSON.parse(await readFile(path.join(tmp, 'out', 'report.json'), 'utf8'));
    expect(written).toMatchObject({
      ok: false,
      notifications: { stateErrors: [expect.objectContaining({ code })] },
    });
  }

  it.each(brokenDocuments)(
    '%s of a gateway the run evaluates: reported, left as it is; the other gateway is notified',
    async (_label, content, code, detail) => {
      const file = documentOf(gatewayId('gw-a'));
      await plant(file, content);
      const logger = recordingLogger();
      const { report } = await notifyRun({ scenario, config: config(), logger });
      await expectReported(report, file, code, detail);
      expectNoOverlapClaimed(report, logger);
      await unchanged(file, content);
      expect(receiver.requests.map((r) => JSON.parse(r.body).server.address)).toEqual(['10.0.1.4']);
      expect(logger.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(`^error: The notify state in state file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        ),
      );
    },
  );

  it.each(brokenDocuments)(
    '%s of a gateway outside the run’s targets: reported, left as it is; the run goes on',
    async (_label, content, code, detail) => {
      const file = documentOf(AWAY);
      await plant(file, content);
      const logger = recordingLogger();
      const { report } = await notifyRun({ scenario, config: config(), logger });
      await expectReported(report, file, code, detail);
      expectNoOverlapClaimed(report, logger);
      await unchanged(file, content);
      expect(receiver.requests).toHaveLength(2);
      expect(report.gateways.every((g) => g.ok)).toBe(true);
    },
  );

  it('a state folder that cannot be listed (a file is in its place) is reported, naming the folder', async () => {
    const stateDir = path.join(tmp, 'state');
    await writeFile(stateDir, 'a file where the state folder should be');
    const logger = recordingLogger();
    const { report } = await notifyRun({
      scenario,
      config: config(),
      targets: [gatewayId('gw-b')],
      logger,
    });
    expect(report.ok).toBe(false);
    expectNoOverlapClaimed(report, logger);
    expect(report.notifications?.stateErrors.map((e) => [e.code, e.document])).toEqual([
      ['StateUnavailable', `state file ${documentOf(gatewayId('gw-b'))}`],
      // The silences beside the state cannot be read either: said, and the run goes on without them.
      ['StateUnavailable', `state file ${path.join(stateDir, 'silences.json')}`],
      ['StateUnavailable', `state folder ${stateDir}`],
    ]);
    expect(JSON.parse(await readFile(path.join(tmp, 'out', 'report.json'), 'utf8')).ok).toBe(false);
    expect(await readFile(stateDir, 'utf8')).toBe('a file where the state folder should be');
  });
});

describe('state errors with the blob store (Azurite)', () => {
  let azurite: Azurite;
  let receiver: WebhookReceiver;
  let tmp: string;
  let n = 0;
  beforeAll(async () => {
    [azurite, receiver] = await Promise.all([startAzurite(), startWebhookReceiver()]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-state-errors-'));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([azurite?.stop(), receiver?.close(), rm(tmp, { recursive: true, force: true })]);
  });

  function stores(connectionString: string, container: string): StateStores<NotifyStateDocument> {
    const client = connectBlobService({ connectionString }, { httpOptions: { maxRetries: 0 } });
    return createBlobStateStores({ client, container, prefix: 'notify/' });
  }
  function sas(permissions: string, resourceTypes = 'sco'): string {
    return generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse(permissions),
        resourceTypes: AccountSASResourceTypes.parse(resourceTypes).toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
  }
  async function run(state: StateStores<NotifyStateDocument>, targets?: string[]) {
    const out = path.join(tmp, `out-${++n}`);
    const from = receiver.requests.length;
    const logger = recordingLogger();
    const { report } = await notifyRun({
      logger,
      scenario,
      config: {
        sinks: { dir: out, webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json' }] },
        state: { blob: { connectionString: azurite.connectionString, container: 'unused' } },
      },
      stores: state,
      ...(targets ? { targets } : {}),
    });
    const written = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(written.ok).toBe(false);
    expect(runSucceeded(report)).toBe(false);
    expectNoOverlapClaimed(report, logger);
    return { report, sent: receiver.requests.length - from };
  }

  it('a storage account that is down: every gateway’s state and the listing are reported, nothing is sent', async () => {
    const down = azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${await closedPort()}`);
    const { report, sent } = await run(stores(down, 'appgw-state'));
    expect(sent).toBe(0);
    expect(report.notifications?.stateErrors.map((e) => [e.code, e.document, e.retryable])).toEqual([
      ['StateUnavailable', `blob appgw-state/notify/${SUB}/rg-test/gw-a.json`, true],
      ['StateUnavailable', `blob appgw-state/notify/${SUB}/rg-test/gw-b.json`, true],
      ['StateUnavailable', 'container appgw-state (blobs under notify/)', true],
    ]);
    expect(report.notifications?.stateErrors[0]?.message).toMatch(/ECONNREFUSED.*is reachable/);
  });

  it('a storage account that hangs: each request times out, reported as unavailable, nothing is sent', async () => {
    const hung = await startWebhookReceiver(); // takes every request and never answers
    hung.setDefault({ hang: true });
    try {
      const connection = azurite.connectionString.replace(/http:\/\/127\.0\.0\.1:\d+/, hung.origin);
      const client = connectBlobService(
        { connectionString: connection },
        { httpOptions: { maxRetries: 0, requestTimeoutInMs: 300 } },
      );
      const { report, sent } = await run(
        createBlobStateStores({ client, container: 'appgw-state', prefix: 'notify/' }),
      );
      expect(sent).toBe(0);
      expect(hung.requests.length).toBeGreaterThan(0);
      expect(report.notifications?.stateErrors.map((e) => [e.code, e.document])).toEqual([
        ['StateUnavailable', `blob appgw-state/notify/${SUB}/rg-test/gw-a.json`],
        ['StateUnavailable', `blob appgw-state/notify/${SUB}/rg-test/gw-b.json`],
        ['StateUnavailable', 'container appgw-state (blobs under notify/)'],
      ]);
    } finally {
      await hung.close();
    }
  });

  it.each([
    [
      'an account key it refuses',
      () => azurite.connectionString.replace(azurite.accountKey, Buffer.from('wrong key').toString('base64')),
      'wrong key',
    ],
    [
      'a SAS it refuses',
      () =>
        `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas('rwdlac').replace(/sig=[^&]+/, 'sig=Zm9yZ2VkLXNpZ25hdHVyZQ%3D%3D')}`,
      'Zm9yZ2VkLXNpZ25hdHVyZQ',
    ],
  ])('%s: 403, reported with what to check, never the secret', async (_label, connection, secret) => {
    const { report, sent } = await run(stores(connection(), 'appgw-state'));
    expect(sent).toBe(0);
    const errors = report.notifications?.stateErrors ?? [];
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'StateUnavailable', retryable: false });
      expect(error.message).toMatch(/HTTP 403.*account key or SAS/);
    }
    expect(inspect(report, { depth: 12 })).not.toContain(secret);
    expect(inspect(report, { depth: 12 })).not.toContain(azurite.accountKey);
  });

  it('a SAS that may not create the state container: the container is named, the run goes on', async () => {
    const { report, sent } = await run(
      // Blobs may be read and written, containers not created (resource type "o" only).
      stores(
        `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas('rwc', 'o')}`,
        `refused-${++n}`,
      ),
    );
    expect(sent).toBe(0);
    expect(report.notifications?.stateErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/create the container refused-\d+ for it: HTTP 403/),
      expect.stringMatching(/create the container refused-\d+ for it: HTTP 403/),
      expect.stringMatching(
        /container refused-\d+ \(blobs under notify\/\) is unavailable: cannot list it: HTTP 403/,
      ),
    ]);
  });

  it.each([
    ['evaluated', gatewayId('gw-a'), undefined],
    ['outside the targets', AWAY, [gatewayId('gw-a'), gatewayId('gw-b')]],
  ])('a version-2 blob of a gateway %s is named and left as it is', async (_label, id, targets) => {
    const container = `invalid-${++n}`;
    const [, , sub, , rg, , , , name] = id.toLowerCase().split('/');
    const blobName = `notify/${sub}/${rg}/${name}.json`;
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      container,
    );
    await blob.create();
    const content = '{ "version": 2, "episodes": [] }';
    await blob.getBlockBlobClient(blobName).upload(content, content.length);
    const { report, sent } = await run(stores(azurite.connectionString, container), targets);
    expect(sent).toBe(id === AWAY ? 2 : 1);
    expect(report.notifications?.stateErrors).toEqual([
      expect.objectContaining({ code: 'StateInvalid', document: `blob ${container}/${blobName}` }),
    ]);
    expect((await blob.getBlobClient(blobName).downloadToBuffer()).toString('utf8')).toBe(content);
  });
});

describe('overlapping runs: only a claim that lost the ETag race every time says so', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-state-overlap-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const stateDir = () => path.join(tmp, 'state');
  const documentOf = (name: string) => path.join(stateDir(), SUB, 'rg-test', `${name}.json`);
  const config = () => ({
    sinks: {
      dir: path.join(tmp, 'out'),
      webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
    },
    state: { dir: stateDir() },
  });

  /**
   * The real file stores, where another run (a second store on the same file) writes `busy`'s document
   * just before each of this run's writes to it: the same content in another key order, so its ETag
   * changes and this run's conditional write loses, every time.
   */
  function overlapped(busy: string): StateStores<NotifyStateDocument> {
    const ours = createFileStateStores<NotifyStateDocument>({ dir: stateDir() });
    const theirs = createFileStateStores<NotifyStateDocument>({ dir: stateDir() });
    return {
      name: ours.name,
      listKeys: () => ours.listKeys(),
      forKey(key) {
        const store = ours.forKey(key);
        if (!key.endsWith(`/${busy}`)) return store;
        const other = theirs.forKey(key);
        return {
          name: store.name,
          read: () => store.read(),
          async write(value, etag) {
            const current = await other.read();
            const reordered = current
              ? (Object.fromEntries(Object.entries(current.value).reverse()) as NotifyStateDocument)
              : value;
            await other.write(reordered, current?.etag);
            return store.write(value, etag);
          },
        };
      },
    };
  }

  it('a document overlapping runs keep writing is named as such (log, summary, report), not as a failure', async () => {
    const logger = recordingLogger();
    const { report } = await notifyRun({ scenario, config: config(), stores: overlapped('gw-a'), logger });
    const document = `state file ${documentOf('gw-a')}`;
    expect(report.notifications).toMatchObject({ claimed: false, contended: [document], stateErrors: [] });
    expect(report.ok).toBe(false);
    const line = `The notify state in ${document} kept changing under this run: overlapping runs wrote it first each time this run tried, so its notices were left to them`;
    expect(logger.lines).toContain(`warning: ${line}`);
    expect(formatSummary(report, [])).toContain(line);
    // The other gateway is notified; gw-a's notices are the other runs' to send.
    expect(receiver.requests.map((r) => JSON.parse(r.body).server.address)).toEqual(['10.0.1.4']);
  });

  it('an overlap and a failed document in one run: each is said once, about its own document', async () => {
    await mkdir(path.dirname(documentOf('gw-b')), { recursive: true });
    await writeFile(documentOf('gw-b'), '[]\n');
    const logger = recordingLogger();
    const { report } = await notifyRun({ scenario, config: config(), stores: overlapped('gw-a'), logger });
    expect(report.notifications?.contended).toEqual([`state file ${documentOf('gw-a')}`]);
    expect(report.notifications?.stateErrors.map((e) => [e.code, e.document])).toEqual([
      ['StateInvalid', `state file ${documentOf('gw-b')}`],
    ]);
    const summary = formatSummary(report, []).split('\n');
    for (const lines of [logger.lines, summary]) {
      const overlaps = lines.filter((l) => OVERLAP.test(l));
      expect(overlaps).toHaveLength(1);
      expect(overlaps[0]).toContain(documentOf('gw-a'));
    }
    expect(summary.filter((l) => l.includes(documentOf('gw-b')))).toEqual([
      expect.stringMatching(/^\s+The notify state in state file .* cannot be read by this version/),
    ]);
    expect(receiver.requests).toHaveLength(0);
  });

  it('in the fan-out, a queue invocation whose document is invalid does not say runs overlapped', async () => {
    await mkdir(path.dirname(documentOf('gw-a')), { recursive: true });
    await writeFile(documentOf('gw-a'), '{ "version": 2 }\n');
    const emulator = await startEmulator({ scenario: scenario as never });
    try {
      const parsed = parseConfig({
        targets: [`/subscriptions/${SUB}`],
        arm: emulatorArm(emulator),
        ...config(),
      });
      const logger = recordingLogger();
      const { deps, options } = withLogger(await buildRunServices(parsed, {}), logger);
      const { report } = await processUntilFinished(
        deps,
        { ...options, runId: 'run-q' },
        { version: 1, runId: 'run-q', gatewayId: gatewayId('gw-a') },
      );
      expect(report.notifications?.stateErrors.map((e) => e.code)).toEqual(['StateInvalid']);
      expectNoOverlapClaimed(report, logger);
    } finally {
      await emulator.close();
    }
  });
});
