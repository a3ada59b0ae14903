import type { ConfigSource } from '../core/follow-up-command';
import { targetsCover } from '../core/arm-id';
import { GatewayNotWatchedError } from '../errors';
import { createArmClientFactory } from '../adapters/arm/client';
import { createArmGatewayConfigReader } from '../adapters/arm/gateway-config-reader';
import { createArmOnDemandProber } from '../adapters/arm/on-demand-prober';
import { createSubscriptionPacer } from '../adapters/arm/subscription-pacer';
import { systemClock } from '../adapters/clock/system-clock';
import type { Config } from '../config/schema';
import type { StateFolderAdvice } from '../adapters/state/file-state-store';
import { causeWithConfiguration } from '../core/notice/notice-cause';
import { exactTitle } from '../core/exact-steps';
import type { GatewayRef } from '../core/model';
import type { RequestLimits } from '../core/pacing/request-limits';
import { notificationsReport } from '../pipeline/build-run-report';
import type { Logger } from '../pipeline/logger';
import {
  recheck,
  type RecheckAsked,
  type RecheckDependencies,
  type RecheckedServer,
  type RecheckInputs,
  type RecheckResult,
} from '../pipeline/recheck';
import type { CallOptions } from '../ports';
import { buildNotify, type Env } from './build-adapters';
import { notifyPolicyOf } from './run-services';

/**
 * What `recheck` needs, built from the run configuration: the same ARM client factory, retries and
 * pacer as a run (the configuration GET a read, the on-demand POST a write, its polls reads), and the
 * run's notify state and receivers (none when `sinks.webhooks` is empty: servers are reported only).
 */
export function buildRecheckDependencies(
  config: Config,
  env: Env,
  logger: Logger,
  options: {
    readonly requestLimits?: RequestLimits;
    /** What a state file's failures advise (config/folder-origin.ts); default the config's state.dir. */
    readonly stateFolderAdvice?: StateFolderAdvice;
  } = {},
): RecheckDependencies {
  const pacer = createSubscriptionPacer(options.requestLimits ? { limits: options.requestLimits } : {});
  const clientFor = createArmClientFactory({ ...config.arm, observer: pacer });
  const notify = buildNotify(config, env, options.stateFolderAdvice);
  return {
    configReader: createArmGatewayConfigReader(clientFor, { pacer }),
    prober: createArmOnDemandProber(clientFor, { pollIntervalInMs: config.arm.pollIntervalInMs, pacer }),
    ...(notify ? { notify: { ...notify, logger } } : {}),
    clock: systemClock,
    logger,
  };
}

/** The CLI's and the HTTP function's recheck: pipeline/recheck.ts with the configuration's policy. */
export function recheckGateway(
  deps: RecheckDependencies,
  config: Config,
  gateway: GatewayRef,
  asked: RecheckAsked,
  runId: string,
  options: CallOptions & {
    /** Where the targets are listed, for the NotWatched message (default APPGW_TARGETS). */
    readonly targetsSetting?: string;
    /** How the request named gateway, pool and setting, for messages (default the CLI's flags). */
    readonly inputs?: RecheckInputs;
    /** Where the configuration came from, for the follow-up commands of the warnings logged. */
    readonly configSource?: ConfigSource;
  } = {},
): Promise<RecheckResult> {
  // The CLI and the HTTP endpoint refuse a gateway outside the targets alike, before asking ARM.
  if (!targetsCover(config.targets, gateway))
    return Promise.reject(new GatewayNotWatchedError(gateway.id, options.targetsSetting ?? 'APPGW_TARGETS'));
  return recheck(deps, gateway, asked, notifyPolicyOf(config), runId, options);
}

/**
 * The result as JSON (CLI `--json`, the HTTP function's answer): servers, and what notify did, as a run
 * reports it (report.json's `notifications`: decided, silenced, pending, undelivered with dead letters,
 * dropped, grouped with `dueAt`/`dueBy`, endedInGroup, awaitingRecovery, heldByConfirmation,
 * openEpisodes, stateErrors, contended, claimed), plus `sent` (how many deliveries were delivered).
 * `deliveries` keep the recheck's own shape: `reason` for a delivery that did not go.
 */
export function recheckReport(result: RecheckResult): Record<string, unknown> {
  const { deliveries: _runShape, ...notifications } = notificationsReport(result.notify);
  return {
    gateway: result.gateway.id,
    backendPool: result.backendPool,
    backendSettings: result.backendSettings,
    servers: result.servers.map((s) => ({
      address: s.address,
      health: s.health,
      state: s.state,
      probeLog: s.probeLog,
      // The steps with the values the gateway's configuration gives (exact-steps.ts), as an insight's.
      ...(s.cause
        ? {
            cause: {
              id: s.cause.id,
              title: exactTitle({
                gateway: result.gateway,
                cause: s.cause,
                ...(s.configuration ? { configuration: s.configuration } : {}),
              }),
              steps: recheckSteps(result, s),
            },
          }
        : {}),
      episodeClosed: s.episodeClosed,
    })),
    notify: {
      ...notifications,
      sent: result.notify.deliveries.filter((d) => d.outcome === 'delivered').length,
      deliveries: result.notify.deliveries.map((d) => ({
        receiver: d.receiver,
        noticeId: d.noticeId,
        type: d.type,
        server: d.server,
        outcome: d.outcome,
        ...(d.reason ? { reason: d.reason } : {}),
        // As a run's report says it (NoticeDeliveryReport): the receiver may hold it twice.
        ...(d.mayHaveReachedBefore ? { mayHaveReachedBefore: true } : {}),
      })),
    },
  };
}

/**
 * A server's cause steps as the recheck knows them, as its notice gives them (notice-cause.ts): what
 * the configuration the recheck read for the server's own probe shows, the exact reproduction, the
 * commands that change what is likely wrong, the cause's own steps made exact (exact-steps.ts); no
 * "confirm with a recheck" (this is one). Empty for a server without a cause.
 */
export function recheckSteps(result: RecheckResult, server: RecheckedServer): string[] {
  if (!server.cause) return [];
  return [
    ...causeWithConfiguration({
      gateway: result.gateway,
      cause: server.cause,
      ...(server.configuration ? { configuration: server.configuration } : {}),
    }).steps,
  ];
}
