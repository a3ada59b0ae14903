import type { GatewayRef } from '../core/model';
import type { NotifyPolicy } from '../core/notice/decide';
import { toError } from '../errors';
import { reportedError } from '../core/reported-error';
import { checkGateway, type CheckGatewayOptions, type GatewayOutcome } from './check-gateway';
import { notifyGateway, type NotifyServices } from './notify/notify-gateways';
import { NOTHING_NOTIFIED, type NotifyOutcome } from './notify/notify-on-change';
import { removalCheckFor } from './notify/confirm-removed';
import { goneCheckFor } from './notify/confirm-gone';

export interface ProcessGatewayOptions extends CheckGatewayOptions {
  readonly notify?: NotifyServices;
  readonly notifyPolicy: NotifyPolicy;
  readonly runId: string;
}

export interface ProcessedGateway extends GatewayOutcome {
  readonly notify?: NotifyOutcome;
  /**
   * The run was interrupted (`options.stop`) before this gateway was evaluated: it is not done, not
   * failed. Nothing was decided or sent for it (its notify state is not even read).
   */
  readonly interrupted?: true;
}

/**
 * One gateway, start to finish except the sinks: check it (check-gateway.ts), then notify on change. The unit of work of
 * both the direct run (CLI) and the queue-triggered function (one message per gateway). A gateway whose
 * read the run's `stop` cut short comes back `interrupted`, without notify.
 */
export async function processGateway(
  gateway: GatewayRef,
  options: ProcessGatewayOptions,
): Promise<ProcessedGateway> {
  const outcome = await checkGateway(gateway, options);
  // A read that did not succeed once the run is stopping is "not done", whatever cut it short: its
  // undelivered notices wait for the next run with the rest.
  if (!outcome.report.ok && options.stop?.aborted) return { ...outcome, interrupted: true };
  if (!options.notify) return outcome;
  const confirmRemoved = removalCheckFor(options.configReader, options.gatewayTimeoutInMs, options.stop);
  const confirmGone = goneCheckFor(options, options.gatewayTimeoutInMs, options.stop);
  try {
    const notify = await notifyGateway(
      options.notify,
      outcome,
      gateway,
      options.clock,
      options.notifyPolicy,
      options.runId,
      { ...(confirmRemoved ? { confirmRemoved } : {}), ...(confirmGone ? { confirmGone } : {}) },
    );
    return { ...withUnreadPools(outcome, notify.unreadPools), notify };
  } catch (error) {
    // notifyGateway reports state failures itself; this is a bug, reported the same way, not thrown.
    const reported = reportedError(toError(error));
    options.notify.logger.error(`${gateway.id}: notify on change failed: ${reported.message}`);
    return { ...outcome, notify: { ...NOTHING_NOTIFIED, stateErrors: [reported] } };
  }
}

/**
 * `outcome` with the pools notify found the reading lacked (NotifyOutcome.unreadPools: the servers it
 * kept open) added to its report's `poolsNotRead`: the gateway is said to be read incomplete, not green,
 * when the check had no configuration to tell (a break trial: notify kept the episode open and said the
 * reading was incomplete, while the gateway's line was `✓`).
 */
function withUnreadPools(outcome: GatewayOutcome, pools: readonly string[] | undefined): GatewayOutcome {
  if (!pools?.length) return outcome;
  const said = outcome.report.poolsNotRead ?? [];
  const known = new Set(said.map((p) => p.toLowerCase()));
  const added = pools.filter((p) => !known.has(p.toLowerCase()));
  if (added.length === 0) return outcome;
  return { ...outcome, report: { ...outcome.report, poolsNotRead: [...said, ...added] } };
}
