import { createEntraCredential } from '../identity/entra-credential';
import {
  describeStorageFailure,
  endpointOfConnectionString,
  type BlobIdentityOptions,
} from '../storage/blob-client';
import { createStorageQueue } from '../storage/rest/queue-service';
import { createStorageHttp, type StorageHttp, type StorageHttpOptions } from '../storage/rest/storage-http';
import { accountNameProblem, clientIdProblem, serviceUriProblem } from '../../core/input/storage-names';
import { ConfigError, DeliveryError } from '../../errors';
import type { GatewayMessage, WorkQueue } from '../../ports';

type Env = Readonly<Record<string, string | undefined>>;

export type QueueConnection =
  | { readonly connectionString: string; readonly setting?: string }
  | ({ readonly queueServiceUri: string } & BlobIdentityOptions);

/**
 * The queue connection the Functions host uses for a queue trigger with `connection: <prefix>`:
 * `<prefix>` (connection string) or `<prefix>__queueServiceUri` / `<prefix>__accountName` (identity).
 * The identity-based settings follow the rules the blob connection's do (core/input/storage-names.ts):
 * a ConfigError lists every setting that does not, by name, never its value.
 */
export function queueConnectionFromAppSettings(prefix: string, env: Env): QueueConnection {
  const read = (suffix: string) => env[`${prefix}${suffix}`]?.trim() || undefined;
  const connectionString = read('');
  if (connectionString) return { connectionString, setting: prefix };
  const [clientId, credential, uri, account] = [
    '__clientId',
    '__credential',
    '__queueServiceUri',
    '__accountName',
  ].map(read);
  const problems = [
    ['__clientId', clientId === undefined ? undefined : clientIdProblem(clientId)],
    [
      '__credential',
      credential === undefined || credential.toLowerCase() === 'managedidentity'
        ? undefined
        : 'must be "managedidentity" when set',
    ],
    ['__queueServiceUri', uri === undefined ? undefined : serviceUriProblem(uri, 'queue')],
    ['__accountName', uri !== undefined || account === undefined ? undefined : accountNameProblem(account)],
  ] as const;
  const issues = problems.flatMap(([suffix, problem]) => (problem ? [`${prefix}${suffix}: ${problem}`] : []));
  if (issues.length > 0) throw new ConfigError(issues, 'app settings');
  const identity = {
    ...(clientId ? { clientId } : {}),
    ...(credential ? { credential: 'managedidentity' as const } : {}),
  };
  if (uri) return { queueServiceUri: uri, ...identity };
  if (account) return { queueServiceUri: `https://${account}.queue.core.windows.net`, ...identity };
  throw new ConfigError(
    [
      `${prefix}: set a connection string, or ${prefix}__queueServiceUri / ${prefix}__accountName for an identity-based connection`,
    ],
    'app settings',
  );
}

/**
 * Enqueues one message per gateway for the queue-triggered function. Messages are JSON, base64-encoded:
 * the queue trigger's default `messageEncoding`. The timer's messages go over the Queue REST API
 * (src/adapters/storage/rest; the queue is created on first use); a message hidden for a while
 * (`visibleAfterInMs`: a continuation waiting out its operation's Retry-After) goes through
 * `@azure/storage-queue` (`sendMessage` with `visibilityTimeout`, Put Message's `visibilitytimeout` in
 * seconds, at most 7 days), required when first needed, so the REST client does not grow. The queue
 * exists by then: the message being handled came from it.
 */
export function createStorageWorkQueue(options: {
  connection: QueueConnection;
  queueName: string;
  httpOptions?: StorageHttpOptions;
}): WorkQueue {
  const name = `queue[${options.queueName}]`;
  const queue = createStorageQueue(connect(options.connection, options.httpOptions), options.queueName);
  let created: Promise<void> | undefined;
  let sdkQueue: import('@azure/storage-queue').QueueClient | undefined;
  return {
    name,
    async enqueue(messages: readonly GatewayMessage[], enqueueOptions = {}): Promise<void> {
      try {
        if (enqueueOptions.visibleAfterInMs !== undefined) {
          const visibilityTimeout = visibilityTimeoutInSeconds(enqueueOptions.visibleAfterInMs);
          const client = (sdkQueue ??= sdkQueueClient(
            options.connection,
            options.queueName,
            options.httpOptions,
          ));
          for (const message of messages)
            await client.sendMessage(encodeMessage(message), { visibilityTimeout });
          return;
        }
        await (created ??= queue.createIfNotExists().catch((error: unknown) => {
          created = undefined; // try again on the next call
          throw error;
        }));
        for (const message of messages) await queue.sendMessage(encodeMessage(message));
      } catch (error) {
        const failure = describeStorageFailure(error);
        throw new DeliveryError(name, `cannot enqueue: ${failure.detail}`, {
          retryable: failure.retryable,
          ...(failure.statusCode !== undefined ? { status: failure.statusCode } : {}),
          cause: error,
        });
      }
    },
  };
}

function connect(connection: QueueConnection, httpOptions: StorageHttpOptions | undefined): StorageHttp {
  if ('connectionString' in connection) {
    const source = connection.setting ?? 'queue connection';
    const endpoint = endpointOfConnectionString(connection.connectionString, 'queue', source);
    return createStorageHttp(endpoint.url, endpoint.auth, httpOptions);
  }
  const url = connection.queueServiceUri.replace(/\/+$/, '');
  return createStorageHttp(url, { credential: createEntraCredential(connection) }, httpOptions);
}

/** Queue Storage hides a message for whole seconds, up to 7 days (Put Message, `visibilitytimeout`). */
export function visibilityTimeoutInSeconds(ms: number): number {
  return Math.min(7 * 24 * 3600, Math.max(0, Math.ceil(ms / 1000)));
}

/** The official SDK's client for the same queue and connection (the identity's credential shared). */
function sdkQueueClient(
  connection: QueueConnection,
  queueName: string,
  httpOptions: StorageHttpOptions | undefined,
): import('@azure/storage-queue').QueueClient {
  const { QueueClient } = loadStorageQueue();
  const pipeline = { retryOptions: { maxTries: (httpOptions?.maxRetries ?? 3) + 1 } };
  if ('connectionString' in connection)
    return new QueueClient(connection.connectionString, queueName, pipeline);
  const url = `${connection.queueServiceUri.replace(/\/+$/, '')}/${encodeURIComponent(queueName)}`;
  return new QueueClient(url, createEntraCredential(connection), pipeline);
}

/** Lazy CommonJS require: a cold start that queues no continuation does not load the SDK. */
function loadStorageQueue(): typeof import('@azure/storage-queue') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/storage-queue');
}

export function encodeMessage(message: GatewayMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}
