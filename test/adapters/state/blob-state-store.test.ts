import { BlobServiceClient } from '@azure/storage-blob';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { connectBlobService } from '../../../src/adapters/storage/blob-client';
import type { BlobService } from '../../../src/adapters/storage/rest/blob-service';
import { createBlobStateStore } from '../../../src/adapters/state/blob-state-store';
import { createBlobStateStores } from '../../../src/adapters/state/keyed-state-stores';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from '@azure/storage-blob';
import { StateConflictError, StateInvalidError, StateUnavailableError } from '../../../src/errors';
import { closedPort } from '../../helpers/closed-port';
import { rejection } from '../../helpers/failures';
import { startAzurite, type Azurite } from '../../helpers/azurite';
import { describeStateStoreContract } from './contract/state-store.contract';

let azurite: Azurite;
let client: BlobService;
/** The official SDK, to check independently what the store wrote. */
let sdk: BlobServiceClient;
let next = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  client = connectBlobService({ connectionString: azurite.connectionString });
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

/** An account SAS for Azurite's well-known account with `permissions` (e.g. "rl": read and list). */
function accountSas(permissions: string): string {
  return generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 3_600_000),
      permissions: AccountSASPermissions.parse(permissions),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
    },
    new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
  ).toString();
}

function sasClient(sas: string): BlobService {
  return connectBlobService(
    { connectionString: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}` },
    { httpOptions: { maxRetries: 0 } },
  );
}

describeStateStoreContract('blob (Azurite)', () =>
  createBlobStateStore({ client, container: 'contract', blobName: `state/doc-${next++}.json` }),
);

describe('blob state store', () => {
  test('creates the container on the first write; reading before that gives undefined', async () => {
    const container = `state-${next++}`;
    const store = createBlobStateStore<{ a: number }>({ client, container, blobName: 'notices.json' });
    await expect(sdk.getContainerClient(container).exists()).resolves.toBe(false);
    await expect(store.read()).resolves.toBeUndefined();
    const etag = await store.write({ a: 1 }, undefined);
    await expect(sdk.getContainerClient(container).exists()).resolves.toBe(true);
    await expect(store.read()).resolves.toEqual({ value: { a: 1 }, etag });
  });

  test('stores JSON with content type application/json; the etag is the blob ETag', async () => {
    const container = `state-${next++}`;
    const store = createBlobStateStore({ client, container, blobName: 'a/b.json' });
    const etag = await store.write({ counter: 3 }, undefined);
    const blob = sdk.getContainerClient(container).getBlobClient('a/b.json');
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe('application/json');
    expect(properties.etag).toBe(etag);
    expect((await blob.downloadToBuffer()).toString('utf8')).toBe('{\n  "counter": 3\n}\n');
  });

  test('a write based on a read loses to a write made in between by another client', async () => {
    const container = `state-${next++}`;
    const mine = createBlobStateStore<{ by: string }>({ client, container, blobName: 's.json' });
    const theirs = createBlobStateStore<{ by: string }>({
      client: connectBlobService({ connectionString: azurite.connectionString }),
      container,
      blobName: 's.json',
    });
    await mine.write({ by: 'seed' }, undefined);
    const read = await mine.read();
    await theirs.write({ by: 'them' }, (await theirs.read())?.etag);
    await expect(mine.write({ by: 'me' }, read?.etag)).rejects.toBeInstanceOf(StateConflictError);
    await expect(mine.read()).resolves.toMatchObject({ value: { by: 'them' } });
  });

  // A break trial: a lease on a state document was said as "another run wrote it first" five times over.
  test("another holder's lease on the document: StateUnavailable saying so and how to end it, not a conflict", async () => {
    const container = `state-${next++}`;
    const store = createBlobStateStore({ client, container, blobName: 's.json' });
    const etag = await store.write({ counter: 1 }, undefined);
    await sdk.getContainerClient(container).getBlobClient('s.json').getBlobLeaseClient().acquireLease(-1);
    const error = await rejection(store.write({ counter: 2 }, etag));
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect((error as Error).message).toMatch(
      /cannot write it: HTTP 412 LeaseIdMissing \(another holder has a lease on s\.json: release it, or break it with `az storage blob lease break --blob-endpoint http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 --container-name state-\d+ --blob-name s\.json`\)\. This app takes no lease on its state: writes to the document fail until that lease ends or is broken/,
    );
    await expect(store.read()).resolves.toMatchObject({ value: { counter: 1 } });
  });

  test('a deleted document makes an etag write a conflict', async () => {
    const container = `state-${next++}`;
    const store = createBlobStateStore({ client, container, blobName: 's.json' });
    const etag = await store.write({ counter: 1 }, undefined);
    await sdk.getContainerClient(container).deleteBlob('s.json');
    await expect(store.write({ counter: 2 }, etag)).rejects.toBeInstanceOf(StateConflictError);
  });

  test('a refused key is a StateUnavailableError naming the blob and what to do, without the key', async () => {
    const wrongKey = Buffer.from('not the account key, but base64 of something else').toString('base64');
    const bad = connectBlobService(
      { connectionString: azurite.connectionString.replace(azurite.accountKey, wrongKey) },
      { httpOptions: { maxRetries: 0 } },
    );
    const store = createBlobStateStore({ client: bad, container: 'contract', blobName: 'x.json' });
    for (const error of [
      await rejection(store.write({ counter: 1 }, undefined)),
      await rejection(store.read()),
    ]) {
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({
        code: 'StateUnavailable',
        document: 'blob contract/x.json',
        retryable: false,
      });
      expect((error as Error).message).toMatch(
        /^The notify state in blob contract\/x\.json is unavailable: cannot (write|read) it: HTTP 403 .*Check the state\.blob connection/,
      );
      expect((error as Error).message).toMatch(/account key or SAS/);
      expect(inspect(error, { depth: 8 })).not.toContain(wrongKey);
    }
  });

  test('a SAS the service rejects is a StateUnavailableError without the signature', async () => {
    const sas = accountSas('rwdlac');
    const forged = sas.replace(
      /sig=[^&]+/,
      `sig=${encodeURIComponent(Buffer.from('forged signature 32 bytes long!!').toString('base64'))}`,
    );
    const store = createBlobStateStore({
      client: sasClient(forged),
      container: 'contract',
      blobName: 'x.json',
    });
    const error = await rejection(store.read());
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect((error as Error).message).toMatch(/HTTP 403/);
    const signature = /sig=([^&]+)/.exec(forged)?.[1] ?? 'missing';
    expect(inspect(error, { depth: 8 })).not.toContain(signature);
    expect(inspect(error, { depth: 8 })).not.toContain(decodeURIComponent(signature));
  });

  test('a SAS that may read but not create the container: the first write is refused, naming the container', async () => {
    const container = `state-${next++}`;
    const store = createBlobStateStore({
      client: sasClient(accountSas('rl')),
      container,
      blobName: 'x.json',
    });
    await expect(store.read()).resolves.toBeUndefined();
    const error = await rejection(store.write({ counter: 1 }, undefined));
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(error).not.toBeInstanceOf(StateConflictError);
    expect((error as Error).message).toMatch(
      new RegExp(`cannot (create the container ${container} for|write) it: HTTP 403`),
    );
    await expect(sdk.getContainerClient(container).exists()).resolves.toBe(false);
  });

  test('a storage account that is down is a retryable StateUnavailableError saying to check it is reachable', async () => {
    const down = connectBlobService(
      {
        connectionString: azurite.connectionString.replace(
          /127\.0\.0\.1:\d+/,
          `127.0.0.1:${await closedPort()}`,
        ),
      },
      { httpOptions: { maxRetries: 0 } },
    );
    const store = createBlobStateStore({ client: down, container: 'contract', blobName: 'x.json' });
    for (const error of [
      await rejection(store.read()),
      await rejection(store.write({ counter: 1 }, undefined)),
    ]) {
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toMatch(/ECONNREFUSED.*is reachable/);
    }
  });

  // A break trial: an account that accepted connections and never answered held a run about 2 s a
  // gateway, each document's calls waiting out their own tries (300 gateways: 11 min 35 s).
  test('an account that never answers is waited out once: the other documents, their list too, fail at once', async () => {
    const seen: string[] = [];
    const server = http.createServer((req) => void seen.push(`${req.method} ${req.url}`)); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const hung = connectBlobService(
        { connectionString: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`) },
        { httpOptions: { maxRetries: 0, requestTimeoutInMs: 300 } },
      );
      const stores = createBlobStateStores<{ counter: number }>({ client: hung, container: 'state' });
      const first = await rejection(stores.forKey('s/rg/gw-0').read());
      expect((first as Error).message).toMatch(/no answer in time/);
      const others = [
        await rejection(stores.forKey('s/rg/gw-1').read()),
        await rejection(stores.forKey('s/rg/gw-2').write({ counter: 1 }, undefined)),
        await rejection(stores.listKeys()),
        // Another family of documents on the same account (the histories beside the notify state).
        await rejection(
          createBlobStateStore({ client: hung, container: 'state', blobName: 'history/x.json' }).read(),
        ),
      ];
      for (const error of others) {
        expect(error).toBeInstanceOf(StateUnavailableError);
        expect(error).toMatchObject({ retryable: true });
        expect((error as Error).message).toMatch(
          new RegExp(
            `not sent: another request to http://127\\.0\\.0\\.1:${port}/\\S+ got no answer in time a moment before`,
          ),
        );
        expect((error as Error).message).toMatch(/is reachable/);
      }
      expect(seen).toHaveLength(1); // none of the others was sent: none waited out a try
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('a container the service is deleting (409 ContainerBeingDeleted) is unavailable, not a conflict to retry', async () => {
    // A loopback stand-in answers as Blob Storage does while a container is being deleted.
    const server = http.createServer((req, res) => {
      req.resume();
      const creating = req.url?.includes('restype=container');
      res.writeHead(creating ? 409 : 404, {
        'x-ms-error-code': creating ? 'ContainerBeingDeleted' : 'ContainerNotFound',
      });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const deleting = connectBlobService(
        {
          connectionString: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`),
        },
        { httpOptions: { maxRetries: 0 } },
      );
      const store = createBlobStateStore({ client: deleting, container: 'going', blobName: 'x.json' });
      const error = await rejection(store.write({ counter: 1 }, undefined));
      expect(error).not.toBeInstanceOf(StateConflictError);
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect((error as Error).message).toMatch(
        /create the container going for it: HTTP 409 ContainerBeingDeleted/,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** A loopback stand-in answering every request with `status`, `headers` and `body`. */
  async function answering(
    status: number,
    headers: Record<string, string>,
    body: string,
    use: (client: BlobService) => Promise<void>,
  ) {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(status, headers).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const connectionString = azurite.connectionString.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`);
      await use(connectBlobService({ connectionString }, { httpOptions: { maxRetries: 0 } }));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  test.each([
    [
      'a read answered 200 without an ETag',
      (c: BlobService) => state(c).read(),
      'reading it returned no ETag',
    ],
    [
      'a write answered 201 without an ETag',
      (c: BlobService) => state(c).write({ counter: 1 }, '"0x1"'),
      'writing it returned no ETag',
    ],
    [
      'a listing answered 200 with what is not a blob listing',
      (c: BlobService) => createBlobStateStores({ client: c, container: 'state' }).listKeys(),
      'without an EnumerationResults document',
    ],
  ])('%s: StateUnavailable naming the document, never Unexpected', async (_, call, detail) => {
    await answering(200, { 'content-type': 'text/html' }, '<html>a proxy page</html>', async (client) => {
      const error = await rejection(call(client));
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({ code: 'StateUnavailable', document: expect.stringMatching(/state/) });
      expect((error as Error).message).toContain(detail);
      expect((error as Error).message).not.toContain('a proxy page');
    });
  });
  const state = (client: BlobService) =>
    createBlobStateStore({ client, container: 'state', blobName: 'notify/s/rg/gw.json' });

  describe('a 404 is "nothing stored" only when Blob storage says so (BlobNotFound, ContainerNotFound)', () => {
    const answering404 = (code: string | undefined, use: (client: BlobService) => Promise<void>) =>
      answering(404, code ? { 'x-ms-error-code': code } : {}, '', use);
    const store = (client: BlobService) =>
      createBlobStateStore({ client, container: 'state', blobName: 'notify/s/rg/gw.json' });
    const stores = (client: BlobService) => createBlobStateStores({ client, container: 'state' });

    test.each([
      ['BlobNotFound', 'read', (c: BlobService) => store(c).read(), undefined],
      ['ContainerNotFound', 'read', (c: BlobService) => store(c).read(), undefined],
      ['ContainerNotFound', 'listKeys', (c: BlobService) => stores(c).listKeys(), []],
    ])('%s on %s: nothing stored yet', async (code, _, call, nothing) => {
      await answering404(code, async (client) => {
        await expect(call(client)).resolves.toEqual(nothing);
      });
    });

    test.each([
      ['without an error code (not the Blob service: a proxy, another endpoint)', undefined],
      ['ResourceNotFound (a wrong account or service URL)', 'ResourceNotFound'],
    ])('a 404 %s: StateUnavailable on every call, not "nothing stored" nor a conflict', async (_, code) => {
      await answering404(code, async (client) => {
        const document = 'blob state/notify/s/rg/gw.json';
        const failures = [
          [await rejection(store(client).read()), document],
          [await rejection(store(client).write({ counter: 1 }, '"0x1"')), document],
          [await rejection(stores(client).listKeys()), 'container state (blobs under notify/)'],
        ] as const;
        for (const [error, named] of failures) {
          expect(error).toBeInstanceOf(StateUnavailableError);
          expect(error).toMatchObject({ document: named, retryable: false });
          expect((error as Error).message).toContain(`HTTP 404${code ? ` ${code}` : ''}`);
        }
      });
    });
  });

  test('a blob that is not JSON is a StateInvalidError naming the blob; it stays as it is', async () => {
    const container = `state-${next++}`;
    await sdk.getContainerClient(container).create();
    await sdk.getContainerClient(container).getBlockBlobClient('x.json').upload('[1, 2', 5);
    const store = createBlobStateStore({ client, container, blobName: 'x.json' });
    const error = await rejection(store.read());
    expect(error).toBeInstanceOf(StateInvalidError);
    expect(error).toMatchObject({ document: `blob ${container}/x.json` });
    const blob = await sdk.getContainerClient(container).getBlobClient('x.json').downloadToBuffer();
    expect(blob.toString('utf8')).toBe('[1, 2');
  });
});
