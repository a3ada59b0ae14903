import { QueueClient } from '@azure/storage-queue';
import { inspect } from 'node:util';
import {
  createStorageWorkQueue,
  encodeMessage,
  queueConnectionFromAppSettings,
  visibilityTimeoutInSeconds,
  type QueueConnection,
} from '../../../src/adapters/queue/storage-queue';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, DeliveryError } from '../../../src/errors';
import type { GatewayContinuation, GatewayMessage } from '../../../src/ports';
import { drainTexts } from '../../helpers/queue-messages';
import { startAzurite, type Azurite } from '../../helpers/azurite';
import { closedPort } from '../../helpers/closed-port';
import { captureError, rejection } from '../../helpers/failures';
import { startHttpsRecorder, startTokenEndpoint } from '../../helpers/loopback-identity';

const P = 'AzureWebJobsStorage';
const CLIENT_ID = '0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const messages: GatewayMessage[] = [
  {
    version: 1,
    runId: 'r1',
    gatewayId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/a',
  },
  {
    version: 1,
    runId: 'r1',
    gatewayId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/b',
  },
];

describe('queueConnectionFromAppSettings', () => {
  test.each<[string, Record<string, string>, QueueConnection]>([
    [
      'a connection string',
      { [P]: 'UseDevelopmentStorage=true' },
      { connectionString: 'UseDevelopmentStorage=true', setting: P },
    ],
    [
      'a queue service URI with a user-assigned identity',
      {
        [`${P}__queueServiceUri`]: 'https://acct.queue.core.windows.net',
        [`${P}__credential`]: 'ManagedIdentity',
        [`${P}__clientId`]: CLIENT_ID,
      },
      {
        queueServiceUri: 'https://acct.queue.core.windows.net',
        credential: 'managedidentity',
        clientId: CLIENT_ID,
      },
    ],
    [
      'an account name',
      { [`${P}__accountName`]: 'acct' },
      { queueServiceUri: 'https://acct.queue.core.windows.net' },
    ],
  ])('%s', (_, env, expected) => {
    expect(queueConnectionFromAppSettings(P, env)).toEqual(expected);
  });

  test('nothing set: a ConfigError naming the settings', () => {
    expect(() => queueConnectionFromAppSettings(P, {})).toThrow(ConfigError);
    expect(() => queueConnectionFromAppSettings(P, {})).toThrow(/AzureWebJobsStorage__queueServiceUri/);
  });
});

test('an unusable connection string is a ConfigError naming the setting, never the value', () => {
  const connectionString = 'AccountKey=c2VjcmV0;Foo=bar';
  const error = captureError(() =>
    createStorageWorkQueue({ connection: { connectionString, setting: P }, queueName: 'q' }),
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).toMatch(/AzureWebJobsStorage: is not a usable storage connection string/);
  expect(error.message).not.toContain('c2VjcmV0');
});

test("identity-based (the deployed app's settings): the host's managed identity signs in, with its client id", async () => {
  const idp = await startTokenEndpoint();
  const server = await startHttpsRecorder();
  const saved = { ...process.env };
  Object.assign(process.env, { IDENTITY_ENDPOINT: idp.url, IDENTITY_HEADER: 'h' });
  try {
    const connection = queueConnectionFromAppSettings(P, {
      [`${P}__queueServiceUri`]: server.url,
      [`${P}__credential`]: 'managedidentity',
      [`${P}__clientId`]: CLIENT_ID,
    });
    const queue = createStorageWorkQueue({
      connection,
      queueName: 'appgw-evaluate',
      httpOptions: { tlsOptions: { ca: server.ca }, maxRetries: 0 },
    });
    await queue.enqueue(messages);
    expect(server.requests.map((r) => `${r.method} ${r.url} ${r.authorization}`)).toEqual([
      'PUT /appgw-evaluate Bearer mi-token',
      'POST /appgw-evaluate/messages Bearer mi-token',
      'POST /appgw-evaluate/messages Bearer mi-token',
    ]);
    expect(idp.requests[0]?.searchParams.get('resource')).toBe('https://storage.azure.com');
    expect(idp.requests[0]?.searchParams.get('client_id')).toBe(CLIENT_ID);
  } finally {
    process.env = saved;
    await Promise.all([idp.close(), server.close()]);
  }
});

describe('storage work queue against Azurite', () => {
  let azurite: Azurite;
  let next = 0;
  beforeAll(async () => {
    azurite = await startAzurite({ queue: true });
  });
  afterAll(() => azurite?.stop());

  test('creates the queue and enqueues base64 JSON, one message per gateway, as the trigger expects', async () => {
    const queueName = `work-${next++}`;
    const queue = createStorageWorkQueue({
      connection: { connectionString: azurite.connectionString },
      queueName,
    });
    expect(queue.name).toBe(`queue[${queueName}]`);
    await queue.enqueue(messages);
    await queue.enqueue([]); // the queue exists now; nothing more to send
    const texts = await drainTexts(new QueueClient(azurite.connectionString, queueName));
    expect(texts).toEqual(messages.map(encodeMessage));
    expect(texts.map((t) => JSON.parse(Buffer.from(t, 'base64').toString('utf8')))).toEqual(messages);
  });

  test('a wrong key: a DeliveryError that is not retryable and holds no secret', async () => {
    const wrongKey = Buffer.from('not the account key at all').toString('base64');
    const connectionString = azurite.connectionString.replace(azurite.accountKey, wrongKey);
    const queue = createStorageWorkQueue({
      connection: { connectionString },
      queueName: `work-${next++}`,
      httpOptions: { maxRetries: 0 },
    });
    const error = await rejection(queue.enqueue(messages));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, status: 403 });
    expect((error as Error).message).toMatch(/cannot enqueue: HTTP 403/);
    expect(inspect(error, { depth: 10 })).not.toContain(wrongKey);
  });

  test('no storage listening: a retryable DeliveryError', async () => {
    const port = await closedPort();
    const queue = createStorageWorkQueue({
      connection: {
        connectionString: azurite.connectionString.replace(
          azurite.queueEndpoint ?? '',
          `http://127.0.0.1:${port}/devstoreaccount1`,
        ),
      },
      queueName: `work-${next++}`,
      httpOptions: { maxRetries: 0 },
    });
    const error = await rejection(queue.enqueue(messages));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
  const continuation: GatewayContinuation = {
    version: 2,
    runId: 'r1',
    gatewayId: messages[0]!.gatewayId,
    operation: { location: 'https://management.azure.com/subscriptions/s/providers/Microsoft.Network/x' },
    startedAt: '2026-11-30T03:00:00.000Z',
    polls: 0,
    invocations: 1,
    handlerActiveInMs: 40,
  };

  test('a continuation hidden for visibleAfterInMs (the SDK, Put Message visibilitytimeout): not seen before it', async () => {
    const queueName = `work-${next++}`;
    const client = new QueueClient(azurite.connectionString, queueName);
    await client.create(); // a continuation's queue exists: its message came from it
    const queue = createStorageWorkQueue({
      connection: { connectionString: azurite.connectionString },
      queueName,
    });
    const before = Date.now();
    await queue.enqueue([continuation], { visibleAfterInMs: 3000 });
    expect((await client.getProperties()).approximateMessagesCount).toBe(1);
    let texts: string[] = [];
    while (texts.length === 0) {
      texts = await drainTexts(client);
      if (texts.length === 0) await sleep(100);
    }
    // Seen no sooner than 3 s after the enqueue began (less Azurite's whole-second granularity); a busy
    // machine only sees it later.
    expect(Date.now() - before).toBeGreaterThanOrEqual(2000);
    expect(texts).toEqual([encodeMessage(continuation)]);
  });

  test('a hidden enqueue with a wrong key: a DeliveryError that is not retryable and holds no secret', async () => {
    const wrongKey = Buffer.from('not the account key at all').toString('base64');
    const queueName = `work-${next++}`;
    await new QueueClient(azurite.connectionString, queueName).create();
    const queue = createStorageWorkQueue({
      connection: { connectionString: azurite.connectionString.replace(azurite.accountKey, wrongKey) },
      queueName,
      httpOptions: { maxRetries: 0 },
    });
    const error = await rejection(queue.enqueue([continuation], { visibleAfterInMs: 1000 }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, status: 403 });
    expect(inspect(error, { depth: 10 })).not.toContain(wrongKey);
  });
});

test.each<[number, number]>([
  [0, 0],
  [1, 1],
  [1000, 1],
  [1001, 2],
  [30_000, 30],
  [8 * 24 * 3600 * 1000, 7 * 24 * 3600],
])('visibilityTimeoutInSeconds(%p ms) = %p s (whole seconds, up, at most 7 days)', (ms, seconds) => {
  expect(visibilityTimeoutInSeconds(ms)).toBe(seconds);
});
