import { AccountSASPermissions, BlobServiceClient } from '@azure/storage-blob';
import { connect, createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { connectBlobService } from '../../../src/adapters/storage/blob-client';
import type { BlobService } from '../../../src/adapters/storage/rest/blob-service';
import { createBlobSink } from '../../../src/adapters/sinks/blob-sink';
import { ConfigError, DeliveryError, isScratchUnavailableError } from '../../../src/errors';
import { gatewayInsightFolder, insightPath, statusInsightPath } from '../../../src/insight/insight-path';
import { startAzurite, type Azurite } from '../../helpers/azurite';
import { withHungContainer } from '../../helpers/hung-container';
import { closedPort } from '../../helpers/closed-port';
import { buildDelivery, finding, gatewayRef, withUnreadableEntry } from '../../helpers/delivery-builder';
import type { Delivery } from '../../../src/ports';

let azurite: Azurite;
let client: BlobService;
/** The official SDK, to check independently what the sink wrote. */
let sdk: BlobServiceClient;
let next = 0;
const freshContainer = () => `insights-${next++}`;

beforeAll(async () => {
  azurite = await startAzurite();
  client = connectBlobService({ connectionString: azurite.connectionString });
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

async function listBlobs(container: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of sdk.getContainerClient(container).listBlobsFlat({ prefix })) names.push(blob.name);
  return names.sort();
}

async function readBlob(container: string, name: string): Promise<string> {
  return (await sdk.getContainerClient(container).getBlobClient(name).downloadToBuffer()).toString('utf8');
}

/** `<root><insight path>.md` and `.html` for each address of `gateway`. */
function insightBlobs(root: string, gateway: ReturnType<typeof gatewayRef>, addresses: readonly string[]) {
  return addresses.flatMap((a) => {
    const stem = insightPath(finding(gateway, a));
    return [`${root}${stem}.html`, `${root}${stem}.md`];
  });
}

const gw = gatewayRef('gw');
const gw2 = gatewayRef('gw-2'); // its folder shares a name prefix with gw's: replacing gw must not touch it
const gwC = gatewayRef('gw-c', 'rg-other');

describe('blob sink: the status page in its own container ($web: the static website)', () => {
  test('writes index.html last, with the current insight pages it links to beside it, replaced like latest/', async () => {
    const container = freshContainer();
    const web = '$web';
    const sink = createBlobSink({ client, container, prefix: 'appgw', statusContainer: web });
    await sink.deliver(
      buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] }], 'gateway'),
    );
    await sink.deliver({ ...buildDelivery('r1', [], 'report'), statusPage: '<!doctype html><p>page 1' });
    // Run 2: .4 recovered; gw-2 could not be read (its pages stay as they were).
    await sink.deliver(buildDelivery('r2', [{ gateway: gw2, unhealthy: ['10.0.1.4'] }], 'gateway'));
    await sink.deliver(buildDelivery('r2', [{ gateway: gw, unhealthy: ['10.0.0.5'] }], 'gateway'));
    await sink.deliver(buildDelivery('r3', [{ gateway: gw2, ok: false }], 'gateway'));
    const receipt = await sink.deliver({
      ...buildDelivery('r2', [], 'report'),
      statusPage: '<!doctype html><p>page 2',
    });

    // The copies at the page's short paths: .4 recovered (gone), gw-2 failed (kept).
    expect(await listBlobs(web)).toEqual(
      [
        'index.html',
        statusInsightPath(finding(gw, '10.0.0.5')),
        statusInsightPath(finding(gw2, '10.0.1.4')),
      ].sort(),
    );
    expect(await readBlob(web, 'index.html')).toBe('<!doctype html><p>page 2');
    const props = await sdk.getContainerClient(web).getBlobClient('index.html').getProperties();
    expect(props.contentType).toBe('text/html; charset=utf-8');
    expect(props.cacheControl).toBe('no-cache');
    // The links resolve, relative to the page: the insight's own HTML, as in latest/.
    expect(await readBlob(web, statusInsightPath(finding(gw, '10.0.0.5')))).toBe(
      await readBlob(container, `appgw/latest/${insightPath(finding(gw, '10.0.0.5'))}.html`),
    );
    expect(await readBlob(web, statusInsightPath(finding(gw, '10.0.0.5')))).toContain('Run r2');
    expect(receipt.locations).toContain(`${azurite.blobEndpoint}/%24web/index.html`);
    // The insights container is as it always was.
    expect(await listBlobs(container, 'appgw/latest/')).toContain('appgw/latest/report.json');
  });

  test('a status page in pieces (a direct run’s, from its temporary files): index.html is their text', async () => {
    const container = freshContainer();
    const web = `web-${next++}`;
    const sink = createBlobSink({ client, container, statusContainer: web });
    const pieces = Array.from({ length: 500 }, (_, i) => `<h2>gw-${i} ✓ é 𝄞</h2>\n`);
    await sink.deliver({
      ...buildDelivery('r1', [], 'report'),
      statusPage: {
        async *pieces() {
          yield* pieces;
        },
      },
    });
    expect(await readBlob(web, 'index.html')).toBe(pieces.join(''));
  });

  test('a report whose entries cannot be read back: the scratch’s error; latest/report.json kept whole, index.html written', async () => {
    const container = freshContainer();
    const web = `web-${next++}`;
    const sink = createBlobSink({ client, container, statusContainer: web });
    await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'report'));
    const before = await readBlob(container, 'latest/report.json');
    // Run r2's report: its second entry cannot be read (a read error on the run's temporary file).
    const whole = buildDelivery('r2', [{ gateway: gw }, { gateway: gw2 }], 'report');
    const error = await sink
      .deliver({ ...withUnreadableEntry(whole, 1), statusPage: '<!doctype html><p>run 2' })
      .catch((e: unknown) => e);
    expect(isScratchUnavailableError(error)).toBe(true);
    expect(await readBlob(container, 'latest/report.json')).toBe(before);
    expect(await listBlobs(container, 'runs/')).not.toContainEqual(
      expect.stringMatching(/r2\/report\.json$/),
    );
    expect(await readBlob(web, 'index.html')).toBe('<!doctype html><p>run 2');
  });

  test('two of the report’s writes refused: one DeliveryError naming each step and why; the third written (break trial)', async () => {
    const container = freshContainer();
    const web = `web-${next++}`;
    const sink = createBlobSink({ client, container, statusContainer: web });
    await sink.deliver({ ...buildDelivery('r1', [{ gateway: gw }], 'report'), statusPage: '<p>run 1' });
    // Another holder's lease on latest/report.json and on index.html: each Put Blob is refused (412).
    for (const [name, blob] of [
      [container, 'latest/report.json'],
      [web, 'index.html'],
    ] as const)
      await sdk.getContainerClient(name).getBlobClient(blob).getBlobLeaseClient().acquireLease(-1);
    const error = await sink
      .deliver({ ...buildDelivery('r2', [{ gateway: gw }], 'report'), statusPage: '<p>run 2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toMatch(
      new RegExp(
        `cannot write latest/report\\.json: HTTP 412 \\w+.*; cannot write index\\.html in container ${web}: HTTP 412 \\w+`,
      ),
    );
    expect(error).toMatchObject({ status: 412, retryable: false });
    expect(JSON.parse(await readBlob(container, 'runs/r2/report.json')).runId).toBe('r2');
  });

  // A trial: the sink's container never answered while `$web` did, and no request reached `$web`: the
  // sink opened its own container before the report's writes and the page's. Each container's writes
  // now go on without the other's; a container that never answers is waited out once (its breaker).
  describe("one container never answers: the other's writes are made all the same", () => {
    const httpOptions = { maxRetries: 0, requestTimeoutInMs: 300 };
    const deliverThrough = async (
      connectionString: string,
      container: string,
      web: string,
      delivery: Delivery,
    ) =>
      createBlobSink({
        client: connectBlobService({ connectionString, setting: 'APPGW_SINKS_BLOB' }, { httpOptions }),
        container,
        statusContainer: web,
      })
        .deliver(delivery)
        .catch((e: unknown) => e);

    test("the sink's container hangs: the report's page is written in $web; the error names the container and what to check", async () => {
      const container = freshContainer();
      const web = `web-${next++}`;
      await withHungContainer(azurite.blobEndpoint, container, async ({ connectionString, requests }) => {
        const error = await deliverThrough(connectionString, container, web, {
          ...buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'report'),
          statusPage: '<p>run 1',
        });
        expect(await readBlob(web, 'index.html')).toBe('<p>run 1');
        expect(error).toBeInstanceOf(DeliveryError);
        expect(error).toMatchObject({ retryable: true });
        expect(error).not.toHaveProperty('status');
        expect((error as Error).message).toMatch(
          new RegExp(
            `^Delivery to blob\\[${container}\\] failed: cannot open container ${container}: no answer in time`,
          ),
        );
        expect((error as Error).message).not.toContain('index.html');
        expect((error as Error).message).toMatch(
          /check that the storage account of \S+ \(sinks\.blob\) is reachable/,
        );
        expect(requests.get(container)).toBe(1); // one wait: nothing more was sent to it
      });
    });

    test("the sink's container hangs: a gateway's status page copies are written in $web, its result is not", async () => {
      const container = freshContainer();
      const web = `web-${next++}`;
      await withHungContainer(azurite.blobEndpoint, container, async ({ connectionString }) => {
        const error = await deliverThrough(
          connectionString,
          container,
          web,
          buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'),
        );
        expect(error).toBeInstanceOf(DeliveryError);
        expect(await listBlobs(web)).toEqual([statusInsightPath(finding(gw, '10.0.0.4'))]);
      });
      await expect(sdk.getContainerClient(container).exists()).resolves.toBe(false);
    });

    test("a whole run, the sink's container hanging: the page's copies and index.html are written", async () => {
      const container = freshContainer();
      const web = `web-${next++}`;
      await withHungContainer(azurite.blobEndpoint, container, async ({ connectionString }) => {
        const error = await deliverThrough(connectionString, container, web, {
          ...buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]),
          statusPage: '<p>whole',
        });
        expect(error).toBeInstanceOf(DeliveryError);
        expect(await listBlobs(web)).toEqual(
          [statusInsightPath(finding(gw, '10.0.0.4')), 'index.html'].sort(),
        );
      });
    });

    test("$web hangs: the report.json files are written, and the error names the page's write", async () => {
      const container = freshContainer();
      const web = `web-${next++}`;
      await withHungContainer(azurite.blobEndpoint, web, async ({ connectionString }) => {
        const error = await deliverThrough(connectionString, container, web, {
          ...buildDelivery('r1', [{ gateway: gw }], 'report'),
          statusPage: '<p>run 1',
        });
        expect((error as Error).message).toMatch(
          new RegExp(`cannot write index\\.html in container ${web}: no answer in time`),
        );
        expect((error as Error).message).not.toContain('report.json');
      });
      expect(JSON.parse(await readBlob(container, 'latest/report.json')).runId).toBe('r1');
      expect(JSON.parse(await readBlob(container, 'runs/r1/report.json')).runId).toBe('r1');
    });

    test("$web hangs: a gateway's insights are written, its result is not (it waits for the page's copies)", async () => {
      const container = freshContainer();
      const web = `web-${next++}`;
      await withHungContainer(azurite.blobEndpoint, web, async ({ connectionString }) => {
        const error = await deliverThrough(
          connectionString,
          container,
          web,
          buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'),
        );
        expect((error as Error).message).toMatch(/cannot write the status page's insights in container/);
      });
      const written = await listBlobs(container);
      expect(written).toEqual(
        [...insightBlobs('runs/r1/', gw, ['10.0.0.4']), ...insightBlobs('latest/', gw, ['10.0.0.4'])].sort(),
      );
    });
  });

  // A break trial: a run that read no gateway and could not list the histories replaced a page of 26
  // gateways with an empty one.
  test.each(['report', 'page'] as const)(
    'keepPublishedPage (%s delivery): index.html written where there is none, a published one kept',
    async (scope) => {
      const container = freshContainer();
      const web = `web-${next++}`;
      const sink = createBlobSink({ client, container, statusContainer: web });
      const delivery = (page: string): Delivery => ({
        ...buildDelivery('r1', [], scope),
        statusPage: {
          async *pieces() {
            yield page;
          },
        },
        keepPublishedPage: true,
      });
      const url = `${azurite.blobEndpoint}/${web}/index.html`;
      const first = await sink.deliver(delivery('<p>nothing shown'));
      expect(await readBlob(web, 'index.html')).toBe('<p>nothing shown');
      expect(first.locations).toContain(url);
      const headers = await sdk.getContainerClient(web).getBlobClient('index.html').getProperties();
      expect([headers.contentType, headers.cacheControl]).toEqual(['text/html; charset=utf-8', 'no-cache']);

      await sdk.getContainerClient(web).getBlockBlobClient('index.html').upload('<p>26 gateways', 14);
      const second = await sink.deliver(delivery('<p>nothing shown again'));
      expect(await readBlob(web, 'index.html')).toBe('<p>26 gateways');
      expect(second.locations).not.toContain(url);

      await sink.deliver({ ...delivery('<p>3 gateways'), keepPublishedPage: false });
      expect(await readBlob(web, 'index.html')).toBe('<p>3 gateways');
    },
  );

  test('a page delivery (fan-out, between discoveries) writes index.html only', async () => {
    const container = freshContainer();
    const web = `web-${next++}`;
    const sink = createBlobSink({ client, container, statusContainer: web });
    const receipt = await sink.deliver({
      ...buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'page'),
      insights: [],
      statusPage: '<!doctype html><p>again',
    });
    expect(await listBlobs(web)).toEqual(['index.html']);
    expect(await readBlob(web, 'index.html')).toBe('<!doctype html><p>again');
    expect(receipt.locations).toEqual([`${azurite.blobEndpoint}/${web}/index.html`]);
    // Nothing in the insights container: no report, no result, no insight.
    await expect(sdk.getContainerClient(container).exists()).resolves.toBe(false);
    // Without a status container, a page delivery writes nothing at all.
    const plain = freshContainer();
    await createBlobSink({ client, container: plain }).deliver({
      ...buildDelivery('r1', [], 'page'),
      statusPage: 'x',
    });
    await expect(sdk.getContainerClient(plain).exists()).resolves.toBe(false);
  });

  test('without a status container, or without a page, nothing goes elsewhere', async () => {
    const container = freshContainer();
    const sink = createBlobSink({ client, container });
    await sink.deliver({
      ...buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]),
      statusPage: 'x',
    });
    expect((await listBlobs(container)).filter((b) => b.endsWith('index.html'))).toEqual([]);
  });

  test.each(['Web', '$root', 'a'])('refuses the status container name %j', (statusContainer) => {
    expect(() => createBlobSink({ client, container: 'ok-name', statusContainer })).toThrow(ConfigError);
  });
});

describe('blob sink', () => {
  test('is named after its container', () => {
    expect(createBlobSink({ client, container: 'ops' }).name).toBe('blob[ops]');
  });

  test.each(['Bad_Name', 'ab', 'a--b', '-ab', `a${'b'.repeat(63)}`])(
    'refuses the container name %j',
    (container) => {
      expect(() => createBlobSink({ client, container })).toThrow(ConfigError);
    },
  );

  test('writes history under runs/<runId>/ and replaces evaluated gateways in latest/, keeping failed ones', async () => {
    const container = freshContainer();
    const sink = createBlobSink({ client, container });
    await sink.deliver(
      buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] },
        { gateway: gw2, unhealthy: ['10.0.1.4'] },
        { gateway: gwC, unhealthy: ['10.0.2.4'] },
      ]),
    );
    // Run 2: on gw, .4 recovered and .6 failed; gw-2 could not be evaluated; gw-c is all healthy again.
    const second = buildDelivery('r2', [
      { gateway: gw, unhealthy: ['10.0.0.5', '10.0.0.6'] },
      { gateway: gw2, ok: false },
      { gateway: gwC, unhealthy: [] },
    ]);
    await sink.deliver(second);

    expect(await listBlobs(container, 'latest/')).toEqual(
      [
        'latest/report.json',
        ...insightBlobs('latest/', gw, ['10.0.0.5', '10.0.0.6']),
        ...insightBlobs('latest/', gw2, ['10.0.1.4']),
      ].sort(),
    );
    expect(await listBlobs(container, 'runs/r1/')).toEqual(
      [
        'runs/r1/report.json',
        ...insightBlobs('runs/r1/', gw, ['10.0.0.4', '10.0.0.5']),
        ...insightBlobs('runs/r1/', gw2, ['10.0.1.4']),
        ...insightBlobs('runs/r1/', gwC, ['10.0.2.4']),
      ].sort(),
    );
    expect(await listBlobs(container, 'runs/r2/')).toEqual(
      ['runs/r2/report.json', ...insightBlobs('runs/r2/', gw, ['10.0.0.5', '10.0.0.6'])].sort(),
    );
    expect(await listBlobs(container)).toHaveLength(
      (await listBlobs(container, 'latest/')).length + (await listBlobs(container, 'runs/')).length,
    );

    // A server still unhealthy has this run's insight; the failed gateway's insight is the last good run's.
    const still = insightPath(finding(gw, '10.0.0.5'));
    expect(await readBlob(container, `latest/${still}.md`)).toContain('Run r2');
    expect(await readBlob(container, `latest/${still}.html`)).toContain('Run r2');
    expect(await readBlob(container, `latest/${insightPath(finding(gw2, '10.0.1.4'))}.md`)).toContain(
      'Run r1',
    );
    expect(await readBlob(container, `runs/r1/${still}.md`)).toContain('Run r1');
    expect(JSON.parse(await readBlob(container, 'latest/report.json'))).toEqual(second.report);
  });

  test('report.json is the run report, and its insight paths resolve under runs/<runId>/ and latest/', async () => {
    const container = freshContainer();
    const delivery = buildDelivery('20250601T100000Z-abc123', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]);
    await createBlobSink({ client, container }).deliver(delivery);
    for (const root of ['runs/20250601T100000Z-abc123/', 'latest/']) {
      const text = await readBlob(container, `${root}report.json`);
      expect(text).toBe(`${JSON.stringify(delivery.report, null, 2)}\n`);
      const [paths] = JSON.parse(text).gateways[0].findings.map(
        (f: { insight: { markdown: string; html: string } }) => f.insight,
      );
      expect(await readBlob(container, `${root}${paths.markdown}`)).toBe(delivery.insights[0]?.markdown);
      expect(await readBlob(container, `${root}${paths.html}`)).toBe(delivery.insights[0]?.html);
    }
  });

  test('sets content types (UTF-8 for text), and no-cache on latest/ only', async () => {
    const container = freshContainer();
    await createBlobSink({ client, container }).deliver(
      buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]),
    );
    const stem = insightPath(finding(gw, '10.0.0.4'));
    const expected: Array<[string, string, string | undefined]> = [
      [`latest/${stem}.md`, 'text/markdown; charset=utf-8', 'no-cache'],
      [`latest/${stem}.html`, 'text/html; charset=utf-8', 'no-cache'],
      ['latest/report.json', 'application/json', 'no-cache'],
      [`runs/r1/${stem}.md`, 'text/markdown; charset=utf-8', undefined],
      [`runs/r1/${stem}.html`, 'text/html; charset=utf-8', undefined],
      ['runs/r1/report.json', 'application/json', undefined],
    ];
    for (const [name, contentType, cacheControl] of expected) {
      const properties = await sdk.getContainerClient(container).getBlobClient(name).getProperties();
      expect([name, properties.contentType, properties.cacheControl]).toEqual([
        name,
        contentType,
        cacheControl,
      ]);
    }
    // UTF-8 survives the trip (the builder's markdown has “quotes” and a dash).
    expect(await readBlob(container, `latest/${stem}.md`)).toContain('— “');
  });

  test('creates the container when missing, honours the prefix, and reports URLs', async () => {
    const container = freshContainer();
    await expect(sdk.getContainerClient(container).exists()).resolves.toBe(false);
    const receipt = await createBlobSink({
      connection: { connectionString: azurite.connectionString },
      container,
      prefix: '/appgw//insights/',
    }).deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
    const names = await listBlobs(container);
    expect(names).toContain('appgw/insights/latest/report.json');
    expect(names).toContain('appgw/insights/runs/r1/report.json');
    expect(names.every((n) => n.startsWith('appgw/insights/'))).toBe(true);
    const base = `${azurite.blobEndpoint}/${container}/appgw/insights`;
    expect(receipt.locations).toEqual([
      `${base}/latest/report.json`,
      `${base}/runs/r1/report.json`,
      `${base}/latest/insights/`,
    ]);
  });

  // A break trial: the sink remembers the containers it made, so one deleted under a running app failed
  // every delivery (ContainerNotFound) until the instance restarted.
  test('a container deleted after its first delivery is made again, and the delivery lands', async () => {
    const container = freshContainer();
    const web = `web-${container}`;
    const sink = createBlobSink({ client, container, statusContainer: web });
    await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'));
    await sdk.getContainerClient(container).delete();
    await sdk.getContainerClient(web).delete();
    // Azurite, as Azure, may refuse a container being deleted for a moment (409 ContainerBeingDeleted).
    const second = buildDelivery('r2', [{ gateway: gw, unhealthy: ['10.0.0.5'] }], 'gateway');
    let receipt: Awaited<ReturnType<typeof sink.deliver>> | undefined;
    for (let tries = 0; receipt === undefined; tries++) {
      receipt = await sink.deliver(second).catch((error: unknown) => {
        if (tries >= 20 || !String(error).includes('ContainerBeingDeleted')) throw error;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 250));
      });
    }
    expect(await listBlobs(container)).toContain(
      `runs/r2/gateways/${gw.subscriptionId}/${gw.resourceGroup}/gw.json`,
    );
    expect(await listBlobs(web)).not.toEqual([]);
  }, 60_000);

  // A break trial's lease on a stored result was said as "another writer changed" it three times over.
  test("a failed gateway's result held by another's lease: said as the lease, not as another writer", async () => {
    const container = freshContainer();
    const sink = createBlobSink({ client, container });
    const failed = buildDelivery('r1', [{ gateway: gw, ok: false }], 'gateway');
    await sink.deliver(failed);
    const [result] = await listBlobs(container, 'runs/r1/gateways/');
    await sdk
      .getContainerClient(container)
      .getBlobClient(result as string)
      .getBlobLeaseClient()
      .acquireLease(-1);
    const error = await sink.deliver(failed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    // The blob itself and the command that breaks its lease, not only the step's folder (a break trial).
    expect((error as Error).message).toContain(
      `HTTP 412 LeaseIdMissing (another holder has a lease on ${result}: release it, or break it with ` +
        `\`az storage blob lease break --blob-endpoint `,
    );
    expect((error as Error).message).toContain(`--container-name ${container} --blob-name ${result}\`)`);
    expect((error as Error).message).not.toContain('another writer');
  });

  test('an unsafe run id stays within one path segment', async () => {
    const container = freshContainer();
    await createBlobSink({ client, container }).deliver(buildDelivery('../x/y z', [{ gateway: gw }]));
    expect(await listBlobs(container, 'runs/')).toEqual(['runs/__x_y_z/report.json']);
  });

  test('a gateway that failed on its first run leaves latest/ without its folder, and others intact', async () => {
    const container = freshContainer();
    await createBlobSink({ client, container }).deliver(
      buildDelivery('r1', [
        { gateway: gw, ok: false },
        { gateway: gw2, unhealthy: ['10.0.1.4'] },
      ]),
    );
    expect(await listBlobs(container, `latest/${gatewayInsightFolder(gw)}/`)).toEqual([]);
    expect(await listBlobs(container, `latest/${gatewayInsightFolder(gw2)}/`)).toHaveLength(2);
  });

  test('a SAS connection string works and its token never appears in the receipt', async () => {
    const container = freshContainer();
    const sasUrl = sdk.generateAccountSasUrl(
      new Date(Date.now() + 3_600_000),
      AccountSASPermissions.parse('rwdlac'),
      'sco',
    );
    const sas = new URL(sasUrl).search.slice(1);
    const receipt = await createBlobSink({
      connection: { connectionString: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}` },
      container,
    }).deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
    expect(await listBlobs(container, 'latest/')).toHaveLength(3);
    expect(receipt.locations.join(' ')).not.toMatch(/sig=|\?/);
  });

  test('linear work: a gateway’s delivery makes the same storage calls, and lists the same names, however many gateways the container holds', async () => {
    const container = freshContainer();
    const calls: string[] = [];
    let listed = 0;
    // The real client against Azurite, with each call counted.
    const counting: BlobService = {
      url: client.url,
      container(name) {
        const real = client.container(name);
        return {
          ...real,
          name: real.name,
          url: real.url,
          createIfNotExists: () => (calls.push('create'), real.createIfNotExists()),
          upload: (...args) => (calls.push('upload'), real.upload(...args)),
          download: (...args) => (calls.push('download'), real.download(...args)),
          deleteBlob: (...args) => (calls.push('delete'), real.deleteBlob(...args)),
          async *listBlobNames(options) {
            calls.push('list');
            for await (const blobName of real.listBlobNames(options)) {
              listed += 1;
              yield blobName;
            }
          },
        };
      },
    };
    const sink = createBlobSink({ client: counting, container, concurrency: 4 });
    const work = async (name: string) => {
      calls.length = 0;
      listed = 0;
      await sink.deliver(
        buildDelivery('run-1', [{ gateway: gatewayRef(name), unhealthy: ['10.0.0.4'] }], 'gateway'),
      );
      return { calls: [...calls].sort(), listed };
    };
    await work('gw-warm-up'); // the container is created once
    const first = await work('gw-0');
    for (let i = 1; i < 30; i++) await work(`gw-${i}`);
    const last = await work('gw-30');
    expect(last).toEqual(first);
    // Its own folder only: 4 uploads (.md, .html under runs/ and latest/), 1 result, 1 listing of 2 names.
    expect(first).toEqual({ calls: ['list', 'upload', 'upload', 'upload', 'upload', 'upload'], listed: 2 });
    // The run's report: two uploads, whatever the run holds.
    calls.length = 0;
    const { report } = buildDelivery(
      'run-1',
      Array.from({ length: 31 }, (_, i) => ({ gateway: gatewayRef(`gw-${i}`), unhealthy: ['10.0.0.4'] })),
    );
    await sink.deliver({ scope: 'report', report, insights: [] });
    expect(calls).toEqual(['upload', 'upload']);
  }, 90_000);

  describe('failures', () => {
    test('a wrong account key: DeliveryError naming the sink and status, never the key or connection string', async () => {
      const wrongKey = Buffer.from('a key that is not the account key at all').toString('base64');
      const connectionString = azurite.connectionString.replace(azurite.accountKey, wrongKey);
      const sink = createBlobSink({ connection: { connectionString }, container: 'denied' });
      const error = await sink
        .deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]))
        .catch((e) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({
        sink: 'blob[denied]',
        code: 'DeliveryFailed',
        retryable: false,
        status: 403,
      });
      expect(error.message).toMatch(/^Delivery to blob\[denied\] failed: cannot .*: HTTP 403 \w+/);
      expect(error.message).not.toContain('is reachable'); // an answer says what is wrong itself
      for (const secret of [wrongKey, connectionString, azurite.accountKey]) {
        expect(error.message).not.toContain(secret);
        expect(inspect(error, { depth: 10 })).not.toContain(secret);
      }
    });

    test('no storage listening: a retryable DeliveryError', async () => {
      const port = await closedPort();
      const unreachable = connectBlobService(
        {
          connectionString: azurite.connectionString.replace(
            azurite.blobEndpoint,
            `http://127.0.0.1:${port}/devstoreaccount1`,
          ),
        },
        { httpOptions: { maxRetries: 0 } },
      );
      const error = await createBlobSink({ client: unreachable, container: 'ccc' })
        .deliver(buildDelivery('r1', [{ gateway: gw }]))
        .catch((e) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ sink: 'blob[ccc]', retryable: true });
      expect(error).not.toHaveProperty('status'); // no HTTP answer
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).toContain('is reachable (account name, endpoint, firewall)');
    });

    /**
     * Runs `use` with a client of a storage account that accepts connections and never answers (each
     * try ends after 200 ms, none retried), and the count of requests it has received.
     */
    async function withSilentStorage(use: (stalled: BlobService, requests: () => number) => Promise<void>) {
      const sockets = new Set<Socket>();
      let requests = 0;
      const silent = createServer((socket) => sockets.add(socket.on('data', () => void requests++)));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        const stalled = connectBlobService(
          {
            connectionString: azurite.connectionString.replace(
              azurite.blobEndpoint,
              `http://127.0.0.1:${port}/devstoreaccount1`,
            ),
          },
          { httpOptions: { maxRetries: 0, requestTimeoutInMs: 200 } },
        );
        await use(stalled, () => requests);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    }

    test('a storage that accepts the connection but never answers: a retryable time-out', async () => {
      await withSilentStorage(async (stalled) => {
        const error = await createBlobSink({ client: stalled, container: 'ccc' })
          .deliver(buildDelivery('r1', [{ gateway: gw }]))
          .catch((e) => e);
        expect(error).toBeInstanceOf(DeliveryError);
        expect(error).toMatchObject({ sink: 'blob[ccc]', retryable: true });
        expect(error.message).toMatch(/cannot open container ccc: no answer in time/);
        // Where and what to look at, as the state's failure says it (a trial's said neither).
        expect(error.message).toMatch(
          /; check that the storage account of http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 \(sinks\.blob\) is reachable \(account name, endpoint, firewall\)\.$/,
        );
      });
    });

    // A break trial: an account that never answered held a run about 2 s a gateway, each of its
    // requests waiting out its own tries. Now one waits; the others fail at once (unanswered-breaker.ts).
    test("a storage that never answers is waited out once: the next gateways' deliveries fail at once, retryable, unsent", async () => {
      await withSilentStorage(async (stalled, requests) => {
        const sink = createBlobSink({ client: stalled, container: 'ccc' });
        await sink.deliver(buildDelivery('r1', [{ gateway: gw }])).catch((e: unknown) => e);
        const sent = requests();
        const later = await Promise.all(
          [gw, gw2].map((g) => sink.deliver(buildDelivery('r1', [{ gateway: g }])).catch((e: unknown) => e)),
        );
        for (const error of later) {
          expect(error).toBeInstanceOf(DeliveryError);
          expect(error).toMatchObject({ sink: 'blob[ccc]', retryable: true });
          expect((error as Error).message).toMatch(
            /not sent: another request to \S+ got no answer in time a moment before/,
          );
        }
        expect(requests()).toBe(sent); // none sent
      });
    });

    test('an unusable connection string: not retryable, names the problem, does not echo the value', async () => {
      const connectionString = 'AccountKey=not-a-key;Foo=bar';
      const error = await createBlobSink({
        connection: { connectionString, setting: 'APPGW_STORAGE' },
        container: 'ccc',
      })
        .deliver(buildDelivery('r1', [{ gateway: gw }]))
        .catch((e) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ retryable: false });
      expect(error.message).toContain('APPGW_STORAGE: is not a storage connection string');
      expect(error.message).not.toContain('not-a-key');
    });

    test('after a failed container creation, the next delivery tries again', async () => {
      const port = await closedPort();
      const endpoint = `http://127.0.0.1:${port}/devstoreaccount1`;
      const sink = createBlobSink({
        client: connectBlobService(
          { connectionString: azurite.connectionString.replace(azurite.blobEndpoint, endpoint) },
          { httpOptions: { maxRetries: 0 } },
        ),
        container: 'came-back',
      });
      const delivery = buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]);
      const first = await sink.deliver(delivery).catch((e) => e);
      expect(first).toBeInstanceOf(DeliveryError);
      expect(first.message).toMatch(/cannot open container came-back: .*ECONNREFUSED/);
      // The storage comes back on that port (a TCP relay to Azurite): the same sink now delivers.
      const relay = await startRelay(port, Number(new URL(azurite.blobEndpoint).port));
      try {
        await expect(sink.deliver(delivery)).resolves.toMatchObject({ locations: expect.any(Array) });
        expect(await listBlobs('came-back', 'latest/')).toHaveLength(3);
      } finally {
        await relay.close();
      }
    });
  });
});

/** Forwards loopback `port` to `target`, byte for byte. */
async function startRelay(port: number, target: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((incoming) => {
    const outgoing = connect(target, '127.0.0.1');
    for (const s of [incoming, outgoing]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    incoming.pipe(outgoing).pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('blob sink: a large report.json and status page go in blocks, from their pieces (issue 14: memory)', () => {
  /** A report over the one-request size (1 Mi characters): 2 000 gateways, one server not healthy each. */
  const large = (runId: string) =>
    buildDelivery(
      runId,
      Array.from({ length: 2_000 }, (_, i) => ({ gateway: gatewayRef(`gw-${i}`), unhealthy: ['10.0.0.4'] })),
      'report',
    );
  const committedBlocks = async (container: string, name: string) =>
    (await sdk.getContainerClient(container).getBlockBlobClient(name).getBlockList('committed'))
      .committedBlocks ?? [];
  /** The sink as a run builds it: from a connection (the REST client and the block uploader). */
  const sinkFor = (container: string, statusContainer?: string) =>
    createBlobSink({
      connection: { connectionString: azurite.connectionString },
      container,
      ...(statusContainer ? { statusContainer } : {}),
    });

  test('report.json is JSON.stringify(report, null, 2) byte for byte, under runs/ and latest/, committed as blocks', async () => {
    const container = freshContainer();
    const delivery = large('r1');
    const expected = `${JSON.stringify(delivery.report, null, 2)}\n`;
    expect(expected.length).toBeGreaterThan(1024 * 1024);
    await sinkFor(container).deliver(delivery);
    for (const name of ['runs/r1/report.json', 'latest/report.json']) {
      expect(await readBlob(container, name)).toBe(expected);
      expect((await committedBlocks(container, name)).length).toBeGreaterThan(1);
    }
    const latest = await sdk
      .getContainerClient(container)
      .getBlobClient('latest/report.json')
      .getProperties();
    expect(latest).toMatchObject({ contentType: 'application/json', cacheControl: 'no-cache' });
  });

  test('a small report stays one Put Blob (no blocks), as before', async () => {
    const container = freshContainer();
    const delivery = buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'report');
    await sinkFor(container).deliver(delivery);
    expect(await readBlob(container, 'latest/report.json')).toBe(
      `${JSON.stringify(delivery.report, null, 2)}\n`,
    );
    expect(await committedBlocks(container, 'latest/report.json')).toEqual([]);
  });

  test('a status page in pieces over 1 Mi characters: index.html whole, in blocks', async () => {
    const container = freshContainer();
    const web = `web-${next++}`;
    const pieces = Array.from({ length: 3_000 }, (_, i) => `<p>server ${i} — “${'x'.repeat(400)}”</p>\n`);
    await sinkFor(container, web).deliver({
      ...buildDelivery('r1', [], 'report'),
      statusPage: {
        async *pieces() {
          yield* pieces;
        },
      },
    });
    expect(await readBlob(web, 'index.html')).toBe(pieces.join(''));
    expect((await committedBlocks(web, 'index.html')).length).toBeGreaterThan(1);
    const page = await sdk.getContainerClient(web).getBlobClient('index.html').getProperties();
    expect(page).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
  });

  test('two runs’ large reports at once, to one container: both delivered, latest/report.json one of them whole (break trial)', async () => {
    const container = freshContainer();
    for (let round = 0; round < 3; round++) {
      const runs = [large(`a${round}`), large(`b${round}`)];
      await Promise.all(runs.map((delivery) => sinkFor(container).deliver(delivery)));
      const latest = await readBlob(container, 'latest/report.json');
      expect(runs.map((d) => `${JSON.stringify(d.report, null, 2)}\n`)).toContain(latest);
    }
  });

  test('a large report whose entries cannot be read back past its first block: the scratch’s error; both report.json kept, index.html written', async () => {
    const container = freshContainer();
    const web = `web-${next++}`;
    const sink = sinkFor(container, web);
    await sink.deliver(large('r1'));
    const before = await readBlob(container, 'latest/report.json');
    // Run r2: entry 1 900 cannot be read, well past the first 1 Mi characters (a disk read error).
    const error = await sink
      .deliver({ ...withUnreadableEntry(large('r2'), 1_900), statusPage: '<!doctype html><p>run 2' })
      .catch((e: unknown) => e);
    expect(isScratchUnavailableError(error)).toBe(true);
    expect(await readBlob(container, 'latest/report.json')).toBe(before);
    expect(await listBlobs(container, 'runs/')).toEqual(['runs/r1/report.json']);
    expect(await readBlob(web, 'index.html')).toBe('<!doctype html><p>run 2');
  });
});
