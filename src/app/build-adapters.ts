import { receiverConfigName } from '../core/notice/receiver-name';
import path from 'node:path';
import type { BlobConnectionOptions } from '../adapters/storage/blob-client';
import { connectBlobService } from '../adapters/storage/blob-client';
import type { BlobService } from '../adapters/storage/rest/blob-service';
import { createBlobSink } from '../adapters/sinks/blob-sink';
import { createBlobStateStores, createFileStateStores } from '../adapters/state/keyed-state-stores';
import { createFolderSink, type FolderSinkAdvice } from '../adapters/sinks/folder-sink';
import { resolveWebhookConfig, resolveWebhookConfigs } from '../adapters/webhooks/resolve-config';
import { createWebhookNotifier, type WebhookNotifier } from '../adapters/webhooks/webhook-notifier';
import { DEFAULT_STATE_DIR, type Config } from '../config/schema';
import type { StorageConnectionConfig } from '../config/storage-schema';
import { resolveFromEnv } from '../core/input/from-env';
import { ConfigError } from '../errors';
import type { NotifyServices } from '../pipeline/notify/notify-gateways';
import { createReceiverBreakers } from '../pipeline/notify/receiver-breaker';
import type { NotifyStateDocument } from '../pipeline/notify/state-document';
import type { HistoryDocument } from '../core/status/history';
import type { PageSchedule } from '../core/status/page-schedule';
import type { StatusServices } from '../pipeline/status/status-services';
import type { AlertMarks } from '../pipeline/alert-intake';
import type { InsightSink, StateStore, StateStores } from '../ports';
import type { SilenceDocument } from '../pipeline/notify/silence-store';
import { createBlobStateStore } from '../adapters/state/blob-state-store';
import { createFileStateStore, type StateFolderAdvice } from '../adapters/state/file-state-store';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The sinks the config names: folder and/or blob. `folderAdvice`: FolderSinkOptions.advice (the demo's);
 * `blobBlocks`: BlobSinkOptions.inBlocks (default true).
 */
export function buildSinks(
  config: Config,
  env: Env,
  options: { readonly folderAdvice?: FolderSinkAdvice; readonly blobBlocks?: boolean } = {},
): InsightSink[] {
  const { folderAdvice } = options;
  const sinks: InsightSink[] = [];
  if (config.sinks.dir)
    sinks.push(
      createFolderSink({ dir: config.sinks.dir, ...(folderAdvice ? { advice: folderAdvice } : {}) }),
    );
  const blob = config.sinks.blob;
  if (blob) {
    sinks.push(
      createBlobSink({
        connection: blobConnection(blob, env, 'sinks.blob'),
        inBlocks: options.blobBlocks ?? true,
        container: blob.container,
        ...(blob.prefix ? { prefix: blob.prefix } : {}),
        statusContainer: config.statusPage.container,
      }),
    );
  }
  return sinks;
}

/**
 * Notify on change, when at least one webhook is configured: its receivers and its state stores (the
 * logger is the caller's, per run or invocation).
 */
export function buildNotify(
  config: Config,
  env: Env,
  /** What a state file's failures advise (default: the config's state.dir). */
  advice?: StateFolderAdvice,
): Omit<NotifyServices, 'logger'> | undefined {
  if (config.sinks.webhooks.length === 0) return undefined;
  const notifiers = resolveWebhookConfigs(config.sinks.webhooks, env).map((receiver) =>
    createWebhookNotifier(receiver),
  );
  return {
    notifiers,
    stores: buildStateStores(config, env, advice),
    // One registry per process: the CLI's run, or a Function App instance's invocations of each run.
    breakers: createReceiverBreakers(),
    outboxLimit: config.notify.outboxLimit,
    silences: buildSilenceStore(config, env, advice),
  };
}

/**
 * The silences `appgw-insights silence add` stores, with the notify state: `<state.dir>/silences.json`
 * or the blob `<prefix>silences.json` (prefix `notify/` by default) in the state container. Neither is
 * a name a gateway's document can have (those are `<sub>/<rg>/<gateway>.json`), so listing skips it.
 */
export function buildSilenceStore(
  config: Pick<Config, 'state'>,
  env: Env,
  advice?: StateFolderAdvice,
): StateStore<SilenceDocument> {
  const blob = config.state.blob;
  if (blob) {
    const client = stateBlobService(blob, env);
    return createBlobStateStore({
      client,
      container: blob.container,
      blobName: `${blob.prefix ?? 'notify/'}silences.json`,
    });
  }
  return createFileStateStore({
    file: path.join(config.state.dir ?? DEFAULT_STATE_DIR, 'silences.json'),
    // No listing tidies the top of state.dir (only beside the gateways' documents): its writes do.
    tidiesAfterWrite: true,
    ...(advice ? { advice } : {}),
  });
}

/**
 * The receiver named `name` (`ops` or `webhook[ops]`) in `sinks.webhooks`, as a run would send to it
 * (`appgw-insights notify test`): undefined when the config has no receiver of that name. Throws
 * ConfigError when its URL or secrets do not resolve from `env`.
 */
export function buildReceiver(
  config: Pick<Config, 'sinks'>,
  env: Env,
  name: string,
): WebhookNotifier | undefined {
  const wanted = receiverConfigName(name);
  const index = config.sinks.webhooks.findIndex((receiver) => receiver.name === wanted);
  const raw = config.sinks.webhooks[index];
  return raw ? createWebhookNotifier(resolveWebhookConfig(raw, env, `sinks.webhooks[${index}]`)) : undefined;
}

/** One state document per gateway: `<dir>/<sub>/<rg>/<gateway>.json`, or the same names under a prefix in a container. */
export function buildStateStores(
  config: Pick<Config, 'state'>,
  env: Env,
  advice?: StateFolderAdvice,
): StateStores<NotifyStateDocument> {
  return keyedStateStores(config, env, { blobPrefix: config.state.blob?.prefix }, advice);
}

/**
 * One document per key beside the notify state: blobs under `place.blobPrefix` in the state container
 * (createBlobStateStores' `notify/` when undefined), or files under `<state.dir>/<place.folder>`.
 */
function keyedStateStores<T>(
  config: Pick<Config, 'state'>,
  env: Env,
  place: { readonly blobPrefix: string | undefined; readonly folder?: string },
  advice?: StateFolderAdvice,
): StateStores<T> {
  const blob = config.state.blob;
  if (blob) {
    const client = stateBlobService(blob, env);
    return createBlobStateStores<T>({ client, container: blob.container, prefix: place.blobPrefix });
  }
  return createFileStateStores<T>({
    dir: path.join(config.state.dir ?? DEFAULT_STATE_DIR, place.folder ?? ''),
    ...(advice ? { advice } : {}),
  });
}

/**
 * The status page's histories, beside the notify state: `<state.dir>/history/<sub>/<rg>/<gateway>.json`,
 * or blobs under `history/` in the state container (notify's are under `notify/`), and beside them the
 * Functions app's page schedule (`history/status-page.json`).
 */
export function buildStatus(
  config: Config,
  env: Env,
  /** What a state file's failures advise (default: the config's state.dir). */
  advice?: StateFolderAdvice,
): Omit<StatusServices, 'logger'> {
  const stores = <T>(): StateStores<T> =>
    keyedStateStores<T>(config, env, { blobPrefix: HISTORY_PREFIX, folder: 'history' }, advice);
  return {
    history: stores<HistoryDocument>(),
    // One name, not a gateway's three: never listed as a history.
    schedule: stores<PageSchedule>().forKey(PAGE_SCHEDULE_KEY),
    retentionInMs: config.statusPage.retention,
  };
}

/**
 * The Azure Monitor alert intake's dedupe marks, beside the notify state: blobs under `alerts/` in the
 * state container (`alerts/<sub>/<rg>/<gateway>.json`), or `<state.dir>/alerts/…` (src/pipeline/alert-intake.ts).
 */
export function buildAlertMarks(config: Config, env: Env): StateStores<AlertMarks> {
  return keyedStateStores<AlertMarks>(config, env, { blobPrefix: ALERT_MARKS_PREFIX, folder: 'alerts' });
}

/** Where the alert intake's dedupe marks are in the state container. */
export const ALERT_MARKS_PREFIX = 'alerts/';

/** The fan-out's page schedule: `history/status-page.json`. */
export const PAGE_SCHEDULE_KEY = 'status-page';

/** Where the histories are in the state container. */
export const HISTORY_PREFIX = 'history/';

const stateServices = new WeakMap<
  StorageConnectionConfig,
  { readonly env: Env; readonly service: BlobService }
>();

/**
 * The state container's account, connected once per config and env: the notify state, the silences,
 * the histories and the alert marks are documents of one container, so they share one client (one
 * credential and its token, one connection pool) rather than one each.
 */
function stateBlobService(blob: StorageConnectionConfig, env: Env): BlobService {
  const known = stateServices.get(blob);
  if (known?.env === env) return known.service;
  const service = connectBlobService(blobConnection(blob, env, 'state.blob'));
  stateServices.set(blob, { env, service });
  return service;
}

/** Config connection → the storage adapter's options, resolving `{ "fromEnv" }` connection strings. */
function blobConnection(config: StorageConnectionConfig, env: Env, where: string): BlobConnectionOptions {
  const identity = {
    ...(config.clientId ? { clientId: config.clientId } : {}),
    ...(config.credential ? { credential: config.credential } : {}),
  };
  if (config.connectionString !== undefined) {
    const ref = config.connectionString;
    if (typeof ref === 'string') return { connectionString: ref, setting: `${where}.connectionString` };
    const resolved = resolveFromEnv(ref, env);
    if ('problem' in resolved) throw new ConfigError([`${where}.connectionString: ${resolved.problem}`]);
    return { connectionString: resolved.value, setting: ref.fromEnv };
  }
  if (config.accountName)
    return { accountName: config.accountName, setting: `${where}.accountName`, ...identity };
  return { blobServiceUri: config.blobServiceUri as string, setting: `${where}.blobServiceUri`, ...identity };
}
