import { BlobServiceClient } from '@azure/storage-blob';
import { inspect } from 'node:util';
import { createBlobService } from '../../../src/adapters/storage/blob-client';
import type { BlobService } from '../../../src/adapters/storage/rest/blob-service';
import { createBlobStateStore } from '../../../src/adapters/storage/blob-state-store';
import { StateConflictError } from '../../../src/errors';
import { startAzurite, type Azurite } from '../../helpers/azurite';
import { describeStateStoreContract } from './contract/state-store.contract';

let azurite: Azurite;
let client: BlobService;
/** The official SDK, to check independently what the store wrote. */
let sdk: BlobServiceClient;
let next = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  client = createBlobService({ connectionString: azurite.connectionString });
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

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
      client: createBlobService({ connectionString: azurite.connectionString }),
      container,
      blobName: 's.json',
    });
    await mine.write({ by: 'seed' }, undefined);
    const read = await mine.read();
    await theirs.write({ by: 'them' }, (await theirs.read())?.etag);
    await expect(mine.write({ by: 'me' }, read?.etag)).rejects.toBeInstanceOf(StateConflictError);
    await expect(mine.read()).resolves.toMatchObject({ value: { by: 'them' } });
  });

  test('a deleted document makes an etag write a conflict', async () => {
    const container = `state-${next++}`;
    const store = createBlobStateStore({ client, container, blobName: 's.json' });
    const etag = await store.write({ counter: 1 }, undefined);
    await sdk.getContainerClient(container).deleteBlob('s.json');
    await expect(store.write({ counter: 2 }, etag)).rejects.toBeInstanceOf(StateConflictError);
  });

  test('a refused request is an error without the key, not a conflict', async () => {
    const wrongKey = Buffer.from('not the account key, but base64 of something else').toString('base64');
    const bad = createBlobService(
      { connectionString: azurite.connectionString.replace(azurite.accountKey, wrongKey) },
      { httpOptions: { maxRetries: 0 } },
    );
    const store = createBlobStateStore({ client: bad, container: 'contract', blobName: 'x.json' });
    const error = await store.write({ counter: 1 }, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StateConflictError);
    expect((error as Error).message).toMatch(/^Cannot write the state blob contract\/x\.json: HTTP 403/);
    expect((error as Error).message).not.toContain(wrongKey);
    expect(inspect(error, { depth: 8 })).not.toContain(wrongKey);
  });
});
