import path from 'node:path';
import type { BlobConnectionOptions } from '../adapters/storage/blob-client';
import { createBlobServiceClient } from '../adapters/storage/blob-client';
import { createBlobSink } from '../adapters/storage/blob-sink';
import { createBlobStateStore } from '../adapters/storage/blob-state-store';
import { createFileStateStore } from '../adapters/storage/file-state-store';
import { createFolderSink } from '../adapters/sinks/folder-sink';
import { resolveWebhookConfigs } from '../adapters/webhooks/resolve-config';
import { createWebhookNotifier } from '../adapters/webhooks/webhook-notifier';
import type { Config } from '../config/schema';
import type { StorageConnectionConfig } from '../config/storage-schema';
import { ConfigError } from '../errors';
import type { Logger } from '../pipeline/logger';
import type { NotifyDependencies } from '../pipeline/notify/notify-stage';
import type { NotifyStateDocument } from '../pipeline/notify/state-document';
import type { InsightSink, StateStore } from '../ports';

export type Env = Readonly<Record<string, string | undefined>>;

/** The sinks the config names: folder and/or blob. */
export function buildSinks(config: Config, env: Env): InsightSink[] {
  const sinks: InsightSink[] = [];
  if (config.sinks.dir) sinks.push(createFolderSink({ dir: config.sinks.dir }));
  const blob = config.sinks.blob;
  if (blob) {
    sinks.push(
      createBlobSink({
        connection: blobConnection(blob, env, 'sinks.blob'),
        container: blob.container,
        ...(blob.prefix ? { prefix: blob.prefix } : {}),
      }),
    );
  }
  return sinks;
}

/** Notify on change, when at least one webhook is configured: its receivers and its state store. */
export function buildNotify(config: Config, env: Env, logger: Logger): NotifyDependencies | undefined {
  if (config.sinks.webhooks.length === 0) return undefined;
  const notifiers = resolveWebhookConfigs(config.sinks.webhooks, env).map((receiver) =>
    createWebhookNotifier(receiver),
  );
  return { notifiers, store: buildStateStore(config, env), logger };
}

function buildStateStore(config: Config, env: Env): StateStore<NotifyStateDocument> {
  const blob = config.state.blob;
  if (blob) {
    const client = createBlobServiceClient(blobConnection(blob, env, 'state.blob'));
    return createBlobStateStore({ client, container: blob.container, blobName: blob.name });
  }
  return createFileStateStore({ file: path.join(config.state.dir ?? '.appgw-state', 'notify-state.json') });
}

/** Config connection → the storage adapter's options, resolving `{ "fromEnv" }` connection strings. */
function blobConnection(config: StorageConnectionConfig, env: Env, where: string): BlobConnectionOptions {
  const identity = {
    ...(config.clientId ? { clientId: config.clientId } : {}),
    ...(config.credential ? { credential: config.credential } : {}),
  };
  if (config.connectionString !== undefined) {
    const ref = config.connectionString;
    const connectionString = typeof ref === 'string' ? ref : env[ref.fromEnv]?.trim();
    if (!connectionString) {
      throw new ConfigError([
        `${where}.connectionString: app setting / environment variable "${typeof ref === 'string' ? '' : ref.fromEnv}" is not set`,
      ]);
    }
    return { connectionString, setting: typeof ref === 'string' ? `${where}.connectionString` : ref.fromEnv };
  }
  if (config.accountName)
    return { accountName: config.accountName, setting: `${where}.accountName`, ...identity };
  return { blobServiceUri: config.blobServiceUri as string, setting: `${where}.blobServiceUri`, ...identity };
}
