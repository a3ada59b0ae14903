import { createArmBackendHealthReader } from '../adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../adapters/arm/client';
import { createArmGatewayConfigReader } from '../adapters/arm/gateway-config-reader';
import { createSubscriptionPacer } from '../adapters/arm/subscription-pacer';
import { createEventLoopLoad } from '../adapters/clock/event-loop-load';
import { createDiscoveryDirectory } from '../adapters/arm/discovery-directory';
import { createArmGatewayDirectory } from '../adapters/arm/gateway-directory';
import { createResourceGraphClient } from '../adapters/arm/resource-graph-client';
import { createResourceGraphDirectory } from '../adapters/arm/resource-graph-directory';
import { readArticleTemplate } from '../adapters/articles/article-file';
import { systemClock } from '../adapters/clock/system-clock';
import { parseArticle } from '../articles';
import type { Config } from '../config/schema';
import type { NotifyPolicy } from '../core/notice/decide';
import type { Logger } from '../pipeline/logger';
import type { NotifyServices } from '../pipeline/notify/notify-gateways';
import type { RunDependencies, RunOptions } from '../pipeline/run-checks';
import { noTelemetry } from '../pipeline/emit-telemetry';
import type { BackendHealthReader, SteppedBackendHealthReader, Telemetry } from '../ports';
import { buildNotify, buildSinks, buildStatus, type Env } from './build-adapters';
import type { StatusServices } from '../pipeline/status/status-services';
import type { RequestLimits } from '../core/pacing/request-limits';
import type { FolderSinkAdvice } from '../adapters/sinks/folder-sink';
import type { StateFolderAdvice } from '../adapters/state/file-state-store';

/**
 * Everything a run needs, built from the config once: the ARM clients, sinks, receivers and state
 * stores keep their connections, containers and tokens across runs (the Functions app keeps one set per
 * instance). Only the logger and the telemetry belong to a run or an invocation: see `withLogger`.
 */
export interface RunServices<R extends BackendHealthReader = SteppedBackendHealthReader> {
  readonly deps: Omit<RunDependencies, 'logger' | 'notify' | 'telemetry' | 'reader' | 'status'> & {
    readonly notify?: Omit<NotifyServices, 'logger'>;
    /** The status page's histories (its logger is the run's). */
    readonly status?: Omit<StatusServices, 'logger'>;
    /** ARM's: in steps too (the Functions app's queue function hands the operation's waits to its queue). */
    readonly reader: R;
  };
  readonly options: RunOptions;
}

/** What a run's services may be built with besides the config. */
export interface RunServicesOptions {
  /**
   * The request buckets the subscription pacer assumes (default ARM's): the emulator scenario's when
   * its `limits` are not ARM's (tests, the demo).
   */
  readonly requestLimits?: RequestLimits;
  /**
   * What a state file's failures advise, when the state folder is not the config's `state.dir` to the
   * user (the demo's `<--out>/.appgw-state`); default the config's.
   */
  readonly stateFolderAdvice?: StateFolderAdvice;
  /** What the folder sink's failures advise (the demo's: another --out); default sinks.dir's. */
  readonly sinkFolderAdvice?: FolderSinkAdvice;
  /**
   * Whether the blob sink writes a large report.json or status page in blocks from its pieces (default
   * true: a direct run's report at 20 000 gateways is tens of MB). The Functions app says false: its
   * reports and pages are held whole anyway, and its bundle leaves out @azure/storage-blob
   * (scripts/bundle.js).
   */
  readonly blobBlocks?: boolean;
}

/**
 * Reads and parses the article (an unreadable template fails here, naming its line), builds the
 * adapters. One subscription pacer for the whole set: every ARM client's answers feed it, and the
 * direct run's scheduler admits gateways by it. In the Functions app it is the instance's: each queue
 * invocation's backend-health step asks it for a place and, without one soon, goes back on the queue
 * for the turn it books (src/pipeline/fan-out.ts); instances share no memory, each learns the buckets
 * from ARM's answers.
 */
export async function buildRunServices(
  config: Config,
  env: Env,
  options: RunServicesOptions = {},
): Promise<RunServices> {
  const pacer = createSubscriptionPacer(options.requestLimits ? { limits: options.requestLimits } : {});
  const clientFor = createArmClientFactory({ ...config.arm, observer: pacer });
  const article = parseArticle(await readArticleTemplate(config.article));
  const notify = buildNotify(config, env, options.stateFolderAdvice);
  const { tags, names: namePatterns, locations } = config.discovery;
  const filter = { tags, namePatterns, locations };
  return {
    deps: {
      directory: createDiscoveryDirectory({
        arm: createArmGatewayDirectory(clientFor),
        graph: createResourceGraphDirectory(createResourceGraphClient(clientFor), clientFor, {
          filter,
        }),
        filter,
      }),
      reader: createArmBackendHealthReader(clientFor, {
        pollIntervalInMs: config.arm.pollIntervalInMs,
        pacer,
      }),
      // One GET of the gateway for a gateway with findings: the insight's real probe values and commands.
      configReader: createArmGatewayConfigReader(clientFor, { pacer }),
      sinks: buildSinks(config, env, {
        ...(options.sinkFolderAdvice ? { folderAdvice: options.sinkFolderAdvice } : {}),
        blobBlocks: options.blobBlocks ?? true,
      }),
      ...(notify ? { notify } : {}),
      status: buildStatus(config, env, options.stateFolderAdvice),
      clock: systemClock,
      article,
      pacer,
      load: createEventLoopLoad(),
    },
    options: {
      targets: config.targets,
      unhealthyStates: config.unhealthyStates,
      concurrency: config.concurrency,
      gatewayTimeoutInMs: config.gatewayTimeoutInMs,
      ...(config.runDeadlineInMs !== undefined ? { runDeadlineInMs: config.runDeadlineInMs } : {}),
      ...(namePatterns.length > 0 ? { discoveryNames: namePatterns } : {}),
      notifyPolicy: notifyPolicyOf(config),
    },
  };
}

/** The services with this run's (or invocation's) logger and telemetry; no telemetry by default. */
export function withLogger<R extends BackendHealthReader>(
  services: RunServices<R>,
  logger: Logger,
  telemetry: Telemetry = noTelemetry,
): { deps: RunDependencies & { readonly reader: R }; options: RunOptions } {
  const { notify, status, ...deps } = services.deps;
  return {
    deps: {
      ...deps,
      ...(notify ? { notify: { ...notify, logger } } : {}),
      ...(status ? { status: { ...status, logger } } : {}),
      logger,
      telemetry,
    },
    options: services.options,
  };
}

/** The config's notify policy (core/notice/decide.ts NotifyPolicy), for runs and rechecks alike. */
export function notifyPolicyOf(config: Pick<Config, 'notify'>): NotifyPolicy {
  return {
    for: config.notify.for,
    repeatIntervalInMs: config.notify.repeatInterval,
    recoverAfter: config.notify.recoverAfter,
    silences: config.notify.silences,
    grouping: config.notify.grouping,
    groupTiming: {
      groupWaitInMs: config.notify.groupWait,
      groupIntervalInMs: config.notify.groupInterval,
    },
    inhibit: config.notify.inhibit,
  };
}
