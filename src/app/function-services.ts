import { createArmBackendHealthReader } from '../adapters/arm/backend-health-reader';
import { createArmClientFactory, type ArmClientFactory } from '../adapters/arm/client';
import { createArmGatewayDirectory } from '../adapters/arm/gateway-directory';
import { readArticleTemplate } from '../adapters/articles/article-file';
import { systemClock } from '../adapters/clock/system-clock';
import { createStorageWorkQueue, queueConnectionFromAppSettings } from '../adapters/queue/storage-queue';
import { parseArticle, type ParsedArticle } from '../articles';
import { configFromAppSettings } from '../config/app-settings';
import { readQueueName } from '../config/functions-settings';
import type { Config } from '../config/schema';
import type { FanOutDependencies, FanOutOptions } from '../pipeline/fan-out';
import type { Logger } from '../pipeline/logger';
import { buildNotify, buildSinks, type Env } from './build-adapters';

/**
 * The Functions app's composition root. Settings are validated and the article parsed on the first
 * invocation (not at import: no work on the cold-start path), then kept for the instance's life, as
 * are the SDK clients. Loggers are per invocation.
 */
interface Shared {
  readonly config: Config;
  readonly queueName: string;
  readonly clientFor: ArmClientFactory;
  readonly article: Promise<ParsedArticle>;
}

let shared: Shared | undefined;

function sharedServices(env: Env): Shared {
  if (!shared) {
    const config = configFromAppSettings(env);
    const queueName = readQueueName(env);
    const article = readArticleTemplate(config.article).then(parseArticle);
    article.catch(() => (shared = undefined)); // a bad template is re-read once fixed
    shared = { config, queueName, clientFor: createArmClientFactory(config.arm), article };
  }
  return shared;
}

export async function functionServices(
  logger: Logger,
  env: Env = process.env,
): Promise<{ deps: FanOutDependencies; options: FanOutOptions; config: Config }> {
  const { config, queueName, clientFor, article } = sharedServices(env);
  const notify = buildNotify(config, env, logger);
  return {
    config,
    deps: {
      directory: createArmGatewayDirectory(clientFor),
      reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: config.arm.pollIntervalInMs }),
      queue: createStorageWorkQueue({
        connection: queueConnectionFromAppSettings('AzureWebJobsStorage', env),
        queueName,
      }),
      sinks: buildSinks(config, env),
      ...(notify ? { notify } : {}),
      clock: systemClock,
      article: await article,
      logger,
    },
    options: {
      targets: config.targets,
      unhealthyStates: config.unhealthyStates,
      concurrency: config.concurrency,
      gatewayTimeoutInMs: config.gatewayTimeoutInMs,
      notifyPolicy: { for: config.notify.for, repeatIntervalInMs: config.notify.repeatInterval },
      runId: '',
    },
  };
}

/** For tests: forget the settings read so far (the host never changes them under a running instance). */
export function resetFunctionServices(): void {
  shared = undefined;
}
