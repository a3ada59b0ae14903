import { createStorageWorkQueue, queueConnectionFromAppSettings } from '../adapters/queue/storage-queue';
import { configFromAppSettings } from '../config/app-settings';
import { readQueueName } from '../config/functions-settings';
import { readSchedule } from '../config/schedule';
import type { Config } from '../config/schema';
import type { FanOutDependencies, FanOutOptions } from '../pipeline/fan-out';
import type { Logger } from '../pipeline/logger';
import type { Telemetry, WorkQueue } from '../ports';
import type { Env } from './build-adapters';
import { buildRunServices, withLogger, type RunServices } from './run-services';

/**
 * The Functions app's composition root. Settings are validated when the worker starts (appStart hook)
 * or at the latest on the first invocation, never at import (no work on the cold-start path); the
 * adapters are then kept for the instance's life, so the hundreds of queue invocations of a run share
 * their ARM and storage clients, containers and tokens. Loggers and telemetry are per invocation.
 */
export interface FunctionSettings {
  readonly config: Config;
  readonly queueName: string;
}

/** Every app setting checked at once: one ConfigError naming each bad setting. */
export function readFunctionSettings(env: Env): FunctionSettings {
  const settings = { config: configFromAppSettings(env), queueName: readQueueName(env) };
  readSchedule(env);
  return settings;
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
    const services = buildRunServices(settings.config, env);
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

/** For tests: forget the settings read so far (the host never changes them under a running instance). */
export function resetFunctionServices(): void {
  shared = undefined;
}
