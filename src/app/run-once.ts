import { createArmClientFactory } from '../adapters/arm/client';
import { createArmBackendHealthReader } from '../adapters/arm/backend-health-reader';
import { createArmGatewayDirectory } from '../adapters/arm/gateway-directory';
import { readArticleTemplate } from '../adapters/articles/article-file';
import { parseArticle } from '../articles';
import { systemClock } from '../adapters/clock/system-clock';
import { createFolderSink } from '../adapters/sinks/folder-sink';
import type { Config } from '../config/schema';
import type { Logger } from '../pipeline/logger';
import { runChecks, type RunOutcome } from '../pipeline/run-checks';

export interface RunOnceOptions {
  readonly logger: Logger;
  readonly runId?: string;
}

/**
 * The composition root: config → real adapters → one run. The CLI's `run`/`demo` and the timer
 * function all come through here, so they cannot drift apart.
 */
export async function runOnce(config: Config, options: RunOnceOptions): Promise<RunOutcome> {
  const clientFor = createArmClientFactory(config.arm);
  // Parsed once per run; an unreadable template fails the run here, naming its line.
  const article = parseArticle(await readArticleTemplate(config.article));
  return runChecks(
    {
      directory: createArmGatewayDirectory(clientFor),
      reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: config.arm.pollIntervalInMs }),
      sinks: [createFolderSink({ dir: config.sinks.dir })],
      clock: systemClock,
      article,
      logger: options.logger,
    },
    {
      targets: config.targets,
      unhealthyStates: config.unhealthyStates,
      concurrency: config.concurrency,
      gatewayTimeoutInMs: config.gatewayTimeoutInMs,
      notifyPolicy: { for: config.notify.for, repeatIntervalInMs: config.notify.repeatInterval },
      ...(options.runId ? { runId: options.runId } : {}),
    },
  );
}
