import type { QueueClient } from '@azure/storage-queue';
import { createEntraCredential } from '../identity/entra-credential';
import type { BlobIdentityOptions } from '../storage/blob-client';
import { ConfigError, DeliveryError } from '../../errors';
import type { GatewayMessage, WorkQueue } from '../../ports';

type Env = Readonly<Record<string, string | undefined>>;

export type QueueConnection =
  { readonly connectionString: string } | ({ readonly queueServiceUri: string } & BlobIdentityOptions);

/**
 * The queue connection the Functions host uses for a queue trigger with `connection: <prefix>`:
 * `<prefix>` (connection string) or `<prefix>__queueServiceUri` / `<prefix>__accountName` (identity).
 */
export function queueConnectionFromAppSettings(prefix: string, env: Env): QueueConnection {
  const read = (suffix: string) => env[`${prefix}${suffix}`]?.trim() || undefined;
  const connectionString = read('');
  if (connectionString) return { connectionString };
  const identity = {
    ...(read('__clientId') ? { clientId: read('__clientId') as string } : {}),
    ...(read('__credential') === 'managedidentity' ? { credential: 'managedidentity' as const } : {}),
  };
  const uri = read('__queueServiceUri');
  if (uri) return { queueServiceUri: uri, ...identity };
  const account = read('__accountName');
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
 * the queue trigger's default `messageEncoding` (the SDK itself sends text as given).
 */
export function createStorageWorkQueue(options: {
  connection: QueueConnection;
  queueName: string;
}): WorkQueue {
  let queue: Promise<QueueClient> | undefined;
  const client = () =>
    (queue ??= (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { QueueClient } = require('@azure/storage-queue') as typeof import('@azure/storage-queue');
      const q =
        'connectionString' in options.connection
          ? new QueueClient(options.connection.connectionString, options.queueName)
          : new QueueClient(
              `${options.connection.queueServiceUri.replace(/\/+$/, '')}/${options.queueName}`,
              createEntraCredential(options.connection),
            );
      await q.createIfNotExists();
      return q;
    })().catch((error: unknown) => {
      queue = undefined;
      throw error;
    }));
  const name = `queue[${options.queueName}]`;
  return {
    name,
    async enqueue(messages: readonly GatewayMessage[]): Promise<void> {
      try {
        const q = await client();
        for (const message of messages) await q.sendMessage(encodeMessage(message));
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        throw new DeliveryError(
          name,
          `cannot enqueue (${status ? `HTTP ${status}` : (error as Error).name})`,
          true,
          { cause: error },
        );
      }
    },
  };
}

export function encodeMessage(message: GatewayMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}
