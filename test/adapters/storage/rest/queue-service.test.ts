import { QueueServiceClient } from '@azure/storage-queue';
import { inspect } from 'node:util';
import { parseConnectionString } from '../../../../src/adapters/storage/rest/connection-string';
import { createStorageQueue, type StorageQueue } from '../../../../src/adapters/storage/rest/queue-service';
import { createStorageHttp } from '../../../../src/adapters/storage/rest/storage-http';
import { drainTexts } from '../../../helpers/queue-messages';
import { startAzurite, type Azurite } from '../../../helpers/azurite';
import { restError } from '../../../helpers/failures';

let azurite: Azurite;
/** The official SDK, to check independently what ours did. */
let sdk: QueueServiceClient;
let next = 0;

function queue(name: string, connectionString = azurite.connectionString): StorageQueue {
  const { url, auth } = parseConnectionString(connectionString, 'queue');
  return createStorageQueue(createStorageHttp(url, auth, { maxRetries: 0 }), name);
}

beforeAll(async () => {
  azurite = await startAzurite({ queue: true });
  sdk = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

describe('storage queue against Azurite', () => {
  test('the connection string points at the queue service', () => {
    expect(parseConnectionString(azurite.connectionString, 'queue').url).toBe(azurite.queueEndpoint);
  });

  test('createIfNotExists creates the queue, and a second call is fine', async () => {
    const name = `rest-${next++}`;
    const ours = queue(name);
    expect(ours.name).toBe(name);
    await expect(sdk.getQueueClient(name).exists()).resolves.toBe(false);
    await ours.createIfNotExists();
    await expect(sdk.getQueueClient(name).exists()).resolves.toBe(true);
    await expect(ours.createIfNotExists()).resolves.toBeUndefined();
    await expect(sdk.getQueueClient(name).exists()).resolves.toBe(true);
  });

  test('createIfNotExists accepts a queue that exists with other metadata (409 QueueAlreadyExists)', async () => {
    const name = `rest-${next++}`;
    await sdk.getQueueClient(name).create({ metadata: { owner: 'someone-else' } });
    await expect(queue(name).createIfNotExists()).resolves.toBeUndefined();
    const properties = await sdk.getQueueClient(name).getProperties();
    expect(properties.metadata).toEqual({ owner: 'someone-else' });
  });

  const texts = [
    'plain',
    '<xml attr="1">a & b</xml>',
    `"double" and 'single' quotes`,
    '&amp; is not decoded twice; nor is &#60;',
    ']]> and <![CDATA[',
    'ünïcødé 日本語 😀',
    '  spaced\tout  ',
    'line 1\nline 2',
    Buffer.from(JSON.stringify({ gateway: 'agw-1', note: 'ü & <>' }), 'utf8').toString('base64'),
  ];

  test('sendMessage: the SDK receives each text verbatim, in order', async () => {
    const name = `rest-${next++}`;
    const ours = queue(name);
    await ours.createIfNotExists();
    for (const text of texts) await ours.sendMessage(text);
    await expect(drainTexts(sdk.getQueueClient(name))).resolves.toEqual(texts);
  });

  test('sendMessage to a missing queue: 404 QueueNotFound', async () => {
    const error = await restError(queue(`never-${next++}`).sendMessage('x'));
    expect(error).toMatchObject({ statusCode: 404, code: 'QueueNotFound' });
  });

  test('a wrong account key is refused with 403: Azurite checks our shared-key signature', async () => {
    const wrongKey = Buffer.from('not the account key, but base64 of something else').toString('base64');
    const name = `rest-${next++}`;
    const bad = queue(name, azurite.connectionString.replace(azurite.accountKey, wrongKey));
    const created = await restError(bad.createIfNotExists());
    expect(created.statusCode).toBe(403);
    expect(created.code).toBe('AuthenticationFailed');
    await expect(sdk.getQueueClient(name).exists()).resolves.toBe(false);

    await sdk.getQueueClient(name).create();
    const sent = await restError(bad.sendMessage('must not arrive'));
    expect(sent.statusCode).toBe(403);
    expect(String(sent)).not.toContain(wrongKey);
    expect(inspect(sent, { depth: 8 })).not.toContain(wrongKey);
    await expect(drainTexts(sdk.getQueueClient(name))).resolves.toEqual([]);
  });
});
