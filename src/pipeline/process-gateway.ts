import { targetCovers, type Target } from '../core/arm-id';
import type { GatewayRef } from '../core/model';
import type { NotifyPolicy } from '../core/notice/decide';
import {
  BackendHealthUnavailableError,
  GatewayDeletedError,
  GatewayNotFoundError,
  GatewayNotFoundSinceListedError,
  toError,
} from '../errors';
import type { ReportedError } from '../core/run-report';
import { reportedError } from '../core/reported-error';
import { checkGateway, type CheckGatewayOptions, type GatewayOutcome } from './check-gateway';
import { givenBackWhileWaiting, keptAtMost, stopOptions, type SparePlace } from './held-place';
import type { AnswerPlace } from '../ports';
import { notifyGateway, type NotifyServices } from './notify/notify-gateways';
import { NOTHING_NOTIFIED, type NotifyOutcome } from './notify/notify-on-change';
import { removalCheckFor } from './notify/confirm-removed';
import { goneCheckFor, type GoneAnswer } from './notify/confirm-gone';

export interface ProcessGatewayOptions extends CheckGatewayOptions {
  /**
   * The run's targets: a gateway none names by id was found by a listing of its scope this run, so a
   * 404 to its backend-health call and its GET is left to the next run's listing to confirm
   * (askWhetherGone). Absent: such a 404 pair is a deletion.
   */
  readonly targets?: readonly Target[];
  readonly notify?: NotifyServices;
  readonly notifyPolicy: NotifyPolicy;
  readonly runId: string;
  /**
   * When this reading began, for notify's time order (Observation.readAt): the queue function's as its
   * run dates it (fan-out.ts readingTime). Absent: `startedAt`, else when this call began (a direct run).
   */
  readonly readAt?: Date;
  /**
   * A direct run's spare place (run-checks.ts RUN_GATEWAYS_WAITING_ON_RECEIVERS): while notify waits
   * for another send to find out whether a receiver answers (a receiver that hangs: up to that send's
   * budget) past PLACE_KEPT_THROUGH_A_WAIT_IN_MS, the gateway takes it when one is free and
   * gives its render place back for good (held-place.ts givenBackWhileWaiting); the caller gives it back
   * when the gateway is done. Absent: the render place is kept through the wait.
   */
  readonly receiverWaitPlace?: SparePlace;
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
  const readAt = options.readAt ?? options.startedAt ?? options.clock.now();
  const outcome = await checkGateway(gateway, options);
  // A read that did not succeed once the run is stopping is "not done", whatever cut it short: its
  // undelivered notices wait for the next run with the rest.
  if (!outcome.report.ok && options.stop?.aborted) return { ...outcome, interrupted: true };
  const goneAskedAt = options.clock.now();
  // Its GET (a failed reading's: nothing rendered) keeps the gateway's render place a while only
  // (held-place.ts); stopped while it waits to take it again, it goes on without one (delivered, not
  // lost). Notify's sends keep it, and so do its waits for a receiver known to be up; its waits for a
  // receiver's first answer keep it unless a spare place is free (receiverWaitPlace). A gateway that
  // gave it back kept its rendered insights: behind a receiver that hung, 1 290 of them piled up (539
  // MB at 3 000 gateways; a break trial); kept, one receiver that hung held every place, and every
  // other gateway waited for its send budget (another).
  const place = options.renderPlace;
  const kept = <T>(wait: Promise<T>) =>
    keptAtMost(place, wait, () =>
      (place as AnswerPlace).take(stopOptions(options.stop)).catch(() => undefined),
    );
  const gone = await kept(askWhetherGone(gateway, outcome, options));
  const checked = gone ? withGoneAnswer(gateway, outcome, gone) : outcome;
  if (!options.notify) return checked;
  // The GET this check made, when it made one, answers the removal check too (removalCheckFor says when).
  const confirmRemoved = removalCheckFor(
    options.configReader,
    options.gatewayTimeoutInMs,
    options.stop,
    outcome.configurationAnswer,
  );
  try {
    const notify = await notifyGateway(
      options.notify,
      checked,
      gateway,
      options.clock,
      options.notifyPolicy,
      options.runId,
      // A gateway ARM still has is a failed reading, as any other: no deletion to confirm or deny; nor
      // is one this run's listing found (its entry says the next listing tells: not an unconfirmed
      // deletion, which fails the run).
      {
        ...(confirmRemoved ? { confirmRemoved } : {}),
        ...(gone && (gone.gone || !(gone.exists || gone.listed)) ? { gone } : {}),
        ...(options.stop ? { stop: options.stop } : {}),
        ...(place && options.receiverWaitPlace
          ? {
              whileProbed: (probe: Promise<void>) =>
                givenBackWhileWaiting(place, options.receiverWaitPlace, probe),
            }
          : {}),
        // A deletion ARM confirmed is a reading as of its check (a result read before it counts no more).
        // A failed reading decides nothing, so it carries no time: dated, it made the next result taken,
        // an older run's good reading, count for nothing (a break trial: a 400 on the newer run).
        ...(gone?.gone ? { readAt: goneAskedAt } : checked.report.error === null ? { readAt } : {}),
      },
    );
    return { ...withUnreadPools(checked, notify.unreadPools), notify };
  } catch (error) {
    // notifyGateway reports state failures itself; this is a bug, reported the same way, not thrown.
    const reported = reportedError(toError(error));
    options.notify.logger.error(`${gateway.id}: notify on change failed: ${reported.message}`);
    return { ...checked, notify: { ...NOTHING_NOTIFIED, stateErrors: [reported] } };
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

/**
 * ARM's word on a gateway whose backend-health call answered 404 (GatewayNotFoundError): one GET
 * (confirm-gone.ts), asked whether or not notify is on, so the report, the summary and the status page
 * say what ARM confirmed (a new-user trial: a gateway confirmed deleted was still counted on the status
 * page, its note saying its episodes would end "once ARM confirms it"). Undefined for any other outcome,
 * or without a configuration reader.
 */
async function askWhetherGone(
  gateway: GatewayRef,
  outcome: GatewayOutcome,
  options: ProcessGatewayOptions,
): Promise<GoneAnswer | undefined> {
  if (!outcome.notFound) return undefined;
  const confirmGone = goneCheckFor(options, options.gatewayTimeoutInMs, options.stop);
  const answer = confirmGone ? await confirmGone(gateway) : undefined;
  return answer?.gone && options.targets !== undefined && !namedById(options.targets, gateway)
    ? LISTED_NOT_GONE
    : answer;
}

/**
 * A gateway a listing of its scope found this run (the run's, or the timer's discovery that queued it),
 * whose backend-health call and GET then answered 404: not yet a deletion. A gateway deleted during the
 * run is confirmed by the next run's listing (it lacks it; its GET answers 404 again: notify-gateways.ts
 * notifyUnvisited), one schedule later; a 404 of ARM's not yet agreeing with itself ended a told
 * episode at once, past `notify.recoverAfter`, and the next run opened a second incident (a break trial).
 * Only a gateway named by id in the targets, which no listing ever shows, is taken as gone on its 404s.
 */
const LISTED_NOT_GONE: GoneAnswer = {
  gone: false,
  listed: true,
  reason:
    "its GET answered 404 too, but this run's listing of its scope found it: the next run's listing confirms a deletion",
};

/** Whether a target names the gateway itself (a `gateway` target, found by no listing). */
function namedById(targets: readonly Target[], gateway: GatewayRef): boolean {
  return targets.some((t) => t.kind === 'gateway' && targetCovers(t, gateway));
}

/**
 * `outcome` (a 404 to the backend-health call) with its error as ARM's GET answered: gone, a
 * GatewayDeletedError; found (200), a failed reading, never "does not exist" beside "ARM still has it" (a
 * new-user trial); neither, the 404's message with why the deletion is not confirmed.
 */
function withGoneAnswer(gateway: GatewayRef, outcome: GatewayOutcome, gone: GoneAnswer): GatewayOutcome {
  const detail = outcome.notFound?.detail;
  if (!detail) return outcome;
  const replaced: ReportedError = gone.gone
    ? reportedError(new GatewayDeletedError(gateway.id))
    : gone.exists
      ? reportedError(
          new BackendHealthUnavailableError(
            gateway.id,
            `its backend-health call: ${detail}, yet its GET finds the gateway (200): it was not read, and is not taken as deleted`,
            { unreadableAnswer: true },
          ),
        )
      : gone.listed
        ? reportedError(new GatewayNotFoundSinceListedError(gateway.id))
        : reportedError(new GatewayNotFoundError(gateway.id, detail, { unconfirmed: gone.reason }));
  return { ...outcome, report: { ...outcome.report, error: replaced } };
}
