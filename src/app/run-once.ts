import { createArmBackendHealthReader } from '../adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../adapters/arm/client';
import { createArmGatewayDirectory } from '../adapters/arm/gateway-directory';
import { readArticleTemplate } from '../adapters/articles/article-file';
import { systemClock } from '../adapters/clock/system-clock';
import { parseArticle } from '../articles';
import type { Config } from '../config/schema';
import type { Logger } from '../pipeline/logger';
import { runChecks, type RunOutcome } from '../pipeline/run-checks';
import { buildNotify, buildSinks, type Env } from './build-adapters';

export interface RunOnceOptions {
  readonly logger: Logger;
  readonly runId?: string;
  /** Where `{ "fromEnv": … }` references are looked up; default process.env. */
  readonly env?: Env;
}

/**
 * The composition root: config → real adapters → one run. The CLI's `run`/`demo` and the timer
 * function all come through here, so they cannot drift apart.
 */
export async function runOnce(config: Config, options: RunOnceOptions): Promise<RunOutcome> {
  const env = options.env ?? process.env;
  const clientFor = createArmClientFactory(config.arm);
  // Parsed once per run; an unreadable template fails the run here, naming its line.
  const article = parseArticle(await readArticleTemplate(config.article));
  const notify = buildNotify(config, env, options.logger);
  return runChecks(
    {
      directory: createArmGatewayDirectory(clientFor),
      reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: config.arm.pollIntervalInMs }),
      sinks: buildSinks(config, env),
      ...(notify ? { notify } : {}),
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
