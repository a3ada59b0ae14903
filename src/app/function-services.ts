import { folderAdvice } from '../config/folder-origin';
import { createStorageWorkQueue, queueConnectionFromAppSettings } from '../adapters/queue/storage-queue';
import { endpointOfConnectionString } from '../adapters/storage/blob-client';
import { appSettingsProblems } from '../config/app-settings';
import { parseConfig } from '../config/load';
import { ConfigError, isConfigError } from '../errors';
import { readAlertDedupWindow, readQueueName } from '../config/functions-settings';
import { readSchedule } from '../config/schedule';
import type { Config } from '../config/schema';
import type { FanOutDependencies, FanOutOptions } from '../pipeline/fan-out';
import type { Logger } from '../pipeline/logger';
import type { StateStores, Telemetry, WorkQueue } from '../ports';
import type { AlertIntakeDependencies, AlertMarks } from '../pipeline/alert-intake';
import { systemClock } from '../adapters/clock/system-clock';
import { buildAlertMarks } from './build-adapters';
import type { Env } from './build-adapters';
import { buildRunServices, withLogger, type RunServices } from './run-services';
import type { RecheckDependencies } from '../pipeline/recheck';
import { buildRecheckDependencies } from './recheck-gateway';

/**
 * The Functions app's composition root. Settings are validated when the worker starts (appStart hook)
 * or at the latest on the first invocation, never at import (no work on the cold-start path); the
 * adapters are then kept for the instance's life, so the hundreds of queue invocations of a run share
 * their ARM and storage clients, containers and tokens. Loggers and telemetry are per invocation.
 */
export interface FunctionSettings {
  readonly config: Config;
  readonly queueName: string;
  /** APPGW_ALERT_DEDUP_WINDOW, in ms (the Azure Monitor alert intake). */
  readonly alertDedupWindowInMs: number;
}

/**
 * Every app setting checked at once: one ConfigError naming each bad setting, the configuration's
 * (configFromAppSettings) and the Functions app's own (the queue, its connection, the schedule).
 */
export function readFunctionSettings(env: Env): FunctionSettings {
  const { raw, problems } = appSettingsProblems(env);
  const queueName = problemsOf(() => readQueueName(env), problems);
  const queue = problemsOf(() => queueConnectionFromAppSettings('AzureWebJobsStorage', env), problems);
  // The host's own connection, read by the one parser now rather than at the first enqueue; said once
  // when the blob storage (the same connection by default) said so already.
  if (queue && 'connectionString' in queue && !problems.some((p) => p.startsWith('AzureWebJobsStorage ')))
    problemsOf(
      () => endpointOfConnectionString(queue.connectionString, 'queue', 'AzureWebJobsStorage'),
      problems,
    );
  problemsOf(() => readSchedule(env), problems);
  const alertDedupWindowInMs = problemsOf(() => readAlertDedupWindow(env), problems);
  if (problems.length || queueName === undefined || alertDedupWindowInMs === undefined)
    throw new ConfigError(problems, 'app settings');
  return { config: parseConfig(raw, 'app settings'), queueName, alertDedupWindowInMs };
}

/** `read()`'s value, or undefined with its ConfigError's issues added to `problems`. */
function problemsOf<T>(read: () => T, problems: string[]): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!isConfigError(error)) throw error;
    problems.push(...error.issues);
    return undefined;
  }
}

interface Shared extends FunctionSettings {
  readonly services: Promise<RunServices>;
  readonly queue: WorkQueue;
}

let shared: Shared | undefined;

/** The settings and adapters of this instance, made on first use. */
export function sharedFunctionServices(env: Env = process.env): Shared {
  if (!shared) {
    const settings = readFunctionSettings(env);
    // App settings only: a folder's failure names APPGW_SINKS_DIR / APPGW_STATE_DIR, never a file's key.
    const services = buildRunServices(settings.config, env, {
      ...folderAdvice({ env }),
      // Its reports and pages are held whole anyway; the bundle leaves @azure/storage-blob out.
      blobBlocks: false,
    });
    services.catch(() => (shared = undefined)); // e.g. a bad article template: read again once fixed
    const queue = createStorageWorkQueue({
      connection: queueConnectionFromAppSettings('AzureWebJobsStorage', env),
      queueName: settings.queueName,
    });
    shared = { ...settings, services, queue };
  }
  return shared;
}

/** The instance's services with this invocation's logger and telemetry (both through its context). */
export async function functionServices(
  logger: Logger,
  telemetry: Telemetry,
  env: Env = process.env,
): Promise<{ deps: FanOutDependencies; options: FanOutOptions; config: Config }> {
  const { config, services, queue } = sharedFunctionServices(env);
  const { deps, options } = withLogger(await services, logger, telemetry);
  return { config, deps: { ...deps, queue }, options: { ...options, runId: '' } };
}

/**
 * `recheck`'s dependencies for one invocation: built from the instance's settings, its logger the
 * invocation's. (Its own ARM client factory and pacer per invocation: a recheck is rare, asked by a
 * person, and its GET and POST are paced within it.)
 */
export function functionRecheckServices(
  logger: Logger,
  invocationId: string,
  env: Env = process.env,
): { deps: RecheckDependencies; config: Config; runId: string } {
  const { config } = sharedFunctionServices(env);
  const { stateFolderAdvice } = folderAdvice({ env });
  return {
    deps: buildRecheckDependencies(config, env, logger, { stateFolderAdvice }),
    config,
    runId: `recheck-${invocationId}`,
  };
}

/**
 * The Azure Monitor alert intake's dependencies for one invocation: the instance's queue, the dedupe
 * marks beside the notify state, the system clock, the invocation's logger. Nothing that reads ARM or
 * the article: the intake only queues.
 */
export function functionAlertServices(
  logger: Logger,
  env: Env = process.env,
): { deps: AlertIntakeDependencies; config: Config; dedupWindowInMs: number } {
  const shared = sharedFunctionServices(env);
  alertMarks ??= buildAlertMarks(shared.config, env);
  return {
    deps: { queue: shared.queue, marks: alertMarks, clock: systemClock, logger },
    config: shared.config,
    dedupWindowInMs: shared.alertDedupWindowInMs,
  };
}

let alertMarks: StateStores<AlertMarks> | undefined;

/** For tests: forget the settings read so far (the host never changes them under a running instance). */
export function resetFunctionServices(): void {
  shared = undefined;
  alertMarks = undefined;
}
