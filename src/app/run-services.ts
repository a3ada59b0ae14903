import { createArmBackendHealthReader } from '../adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../adapters/arm/client';
import { createDiscoveryDirectory } from '../adapters/arm/discovery-directory';
import { createArmGatewayDirectory } from '../adapters/arm/gateway-directory';
import { createResourceGraphClient } from '../adapters/arm/resource-graph-client';
import { createResourceGraphDirectory } from '../adapters/arm/resource-graph-directory';
import { readArticleTemplate } from '../adapters/articles/article-file';
import { systemClock } from '../adapters/clock/system-clock';
import { parseArticle } from '../articles';
import type { Config } from '../config/schema';
import type { Logger } from '../pipeline/logger';
import type { NotifyServices } from '../pipeline/notify/notify-gateways';
import type { RunDependencies, RunOptions } from '../pipeline/run-checks';
import { noTelemetry } from '../pipeline/emit-telemetry';
import type { Telemetry } from '../ports';
import { buildNotify, buildSinks, type Env } from './build-adapters';

/**
 * Everything a run needs, built from the config once: the ARM clients, sinks, receivers and state
 * stores keep their connections, containers and tokens across runs (the Functions app keeps one set per
 * instance). Only the logger and the telemetry belong to a run or an invocation: see `withLogger`.
 */
export interface RunServices {
  readonly deps: Omit<RunDependencies, 'logger' | 'notify' | 'telemetry'> & {
    readonly notify?: Omit<NotifyServices, 'logger'>;
  };
  readonly options: RunOptions;
}

/** Reads and parses the article (an unreadable template fails here, naming its line), builds the adapters. */
export async function buildRunServices(config: Config, env: Env): Promise<RunServices> {
  const clientFor = createArmClientFactory(config.arm);
  const article = parseArticle(await readArticleTemplate(config.article));
  const notify = buildNotify(config, env);
  const { tags, names: namePatterns, locations } = config.discovery;
  const filter = { tags, namePatterns, locations };
  return {
    deps: {
      directory: createDiscoveryDirectory({
        arm: createArmGatewayDirectory(clientFor),
        graph: createResourceGraphDirectory(createResourceGraphClient(clientFor, config.arm), clientFor, {
          filter,
        }),
        filter,
      }),
      reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: config.arm.pollIntervalInMs }),
      sinks: buildSinks(config, env),
      ...(notify ? { notify } : {}),
      clock: systemClock,
      article,
    },
    options: {
      targets: config.targets,
      unhealthyStates: config.unhealthyStates,
      concurrency: config.concurrency,
      gatewayTimeoutInMs: config.gatewayTimeoutInMs,
      ...(config.runDeadlineInMs !== undefined ? { runDeadlineInMs: config.runDeadlineInMs } : {}),
      notifyPolicy: { for: config.notify.for, repeatIntervalInMs: config.notify.repeatInterval },
    },
  };
}

/** The services with this run's (or invocation's) logger and telemetry; no telemetry by default. */
export function withLogger(
  services: RunServices,
  logger: Logger,
  telemetry: Telemetry = noTelemetry,
): { deps: RunDependencies; options: RunOptions } {
  const { notify, ...deps } = services.deps;
  return {
    deps: { ...deps, ...(notify ? { notify: { ...notify, logger } } : {}), logger, telemetry },
    options: services.options,
  };
}
