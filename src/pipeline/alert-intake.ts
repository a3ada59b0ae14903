import { gatewayKey } from '../core/arm-id';
import { alertTrigger } from '../core/alerts/alert-trigger';
import type { GatewayAlert, MonitorCondition } from '../core/alerts/common-alert-schema';
import type { GatewayRef } from '../core/model';
import { isStateConflictError, isStateInvalidError } from '../errors';
import type { Clock, GatewayEvaluation, StateStore, StateStores, WorkQueue } from '../ports';
import type { Logger } from './logger';
import { typedStateStore } from './notify/typed-stores';

/**
 * The intake of an Azure Monitor alert on a gateway's UnhealthyHostCount: one evaluation of each gateway
 * it names, queued on the fan-out queue as the timer's own message (GatewayEvaluation, version 1, with
 * the alert as its `trigger`), so the queue function evaluates, notifies and delivers it by the normal
 * path. Nothing here waits on ARM: the HTTP function answers 202 once the message is queued.
 *
 * Fired and Resolved alike queue an evaluation now. A Resolved alert is only a reason to look: the
 * evaluation's findings decide (a `recovered` notice goes out when the servers are read healthy, after
 * `notify.recoverAfter` runs, as for the timer's runs), never the alert's word alone.
 *
 * Deduplication: the same gateway alerted again with the same condition within `dedupWindowInMs` of
 * the evaluation queued for it queues nothing more. Per gateway and condition, not per alert instance:
 * a rule split by BackendSettingsPool fires one alert per pool at once, and one evaluation reads every
 * pool; an action group retries a webhook it got no answer from (up to 5 times within about 75 s:
 * learn.microsoft.com/azure/azure-monitor/alerts/action-groups, "Webhook retry behavior"). The marks
 * are one small JSON document per gateway beside the notify state (`alerts/<sub>/<rg>/<gateway>.json`
 * in the state container, or under `<state.dir>/alerts/`), written with the store's ETag condition, so
 * two instances taking two alerts of one gateway at once queue one evaluation: the one whose write
 * lost re-reads the mark and finds it fresh.
 */
export interface AlertIntakeDependencies {
  readonly queue: WorkQueue;
  /** One AlertMarks document per gateway key (gatewayKey). */
  readonly marks: StateStores<AlertMarks>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface AlertIntakeOptions {
  /** Run id of the queued messages (`alert-<invocation id>`): their results are filed under it. */
  readonly runId: string;
  /** Within this long of a queued evaluation, the same gateway and condition queue nothing; 0: never deduplicated. */
  readonly dedupWindowInMs: number;
}

/** The dedupe marks of one gateway: the last evaluation queued for each condition. */
export interface AlertMarks {
  readonly version: 1;
  readonly queued: Partial<Record<MonitorCondition, AlertMark>>;
}

export interface AlertMark {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly alertId: string;
  readonly alertRule: string;
  readonly runId: string;
}

/** What the intake did for each gateway of the alert. */
export interface AlertIntakeResult {
  readonly queued: readonly { readonly gateway: string; readonly runId: string }[];
  /** Alerted again within the window: the evaluation already queued (when, under which run) covers it. */
  readonly duplicates: readonly {
    readonly gateway: string;
    readonly queuedAt: string;
    readonly runId: string;
  }[];
}

const MAX_CONFLICT_RETRIES = 3;

/**
 * Queues one evaluation per gateway of `alert` not alerted with the same condition within the window.
 * Throws when a mark cannot be read or written (StateUnavailableError; a mark that is not JSON is
 * replaced, see below) or the queue does not take the message (DeliveryError): the caller answers 503,
 * and the action group retries. A message that could not be queued leaves no fresh mark behind (it is
 * put back as it was), so the retry queues it.
 */
export async function takeGatewayAlert(
  deps: AlertIntakeDependencies,
  alert: GatewayAlert,
  options: AlertIntakeOptions,
): Promise<AlertIntakeResult> {
  const queued: { gateway: string; runId: string }[] = [];
  const duplicates: { gateway: string; queuedAt: string; runId: string }[] = [];
  for (const gateway of alert.gateways) {
    const decision = await claim(deps, gateway, alert, options);
    if (decision.kind === 'duplicate') {
      duplicates.push({ gateway: gateway.id, queuedAt: decision.mark.at, runId: decision.mark.runId });
      deps.logger.info(
        `${gateway.id}: alert ${JSON.stringify(alert.alertRule)} (${alert.monitorCondition}) within ${options.dedupWindowInMs} ms of the evaluation queued at ${decision.mark.at} (run ${decision.mark.runId}): nothing more queued`,
      );
      continue;
    }
    const message: GatewayEvaluation = {
      version: 1,
      runId: options.runId,
      gatewayId: gateway.id,
      discoveredAt: deps.clock.now().toISOString(),
      trigger: alertTrigger(alert),
    };
    try {
      await deps.queue.enqueue([message]);
    } catch (error) {
      await decision
        .release()
        .catch((undo: unknown) =>
          deps.logger.warn(`${gateway.id}: the dedupe mark could not be put back: ${String(undo)}`),
        );
      throw error;
    }
    queued.push({ gateway: gateway.id, runId: options.runId });
    deps.logger.info(
      `${gateway.id}: evaluation queued on ${deps.queue.name} (run ${options.runId}) for alert ${JSON.stringify(alert.alertRule)} (${alert.monitorCondition})`,
    );
  }
  return { queued, duplicates };
}

type Claim =
  | { readonly kind: 'duplicate'; readonly mark: AlertMark }
  | { readonly kind: 'claimed'; release(): Promise<void> };

/** Writes this alert's mark unless a fresh one is there; on a lost ETag race, decides again. */
async function claim(
  deps: AlertIntakeDependencies,
  gateway: GatewayRef,
  alert: GatewayAlert,
  options: AlertIntakeOptions,
): Promise<Claim> {
  // Typed as notify's stores are: a failure the store does not type is still the state unavailable (503).
  const store: StateStore<AlertMarks> = typedStateStore(deps.marks.forKey(gatewayKey(gateway.id)));
  for (let attempt = 0; ; attempt++) {
    const now = deps.clock.now();
    const stored = await readMarks(store, deps.logger);
    // Not marks (cut off mid-write, or foreign): no dedupe for this gateway until one is written by hand
    // or the document is removed; the alert is still taken (a mark only saves work).
    if (stored === 'unreadable') return { kind: 'claimed', release: async () => {} };
    const previous = stored?.value.queued[alert.monitorCondition];
    if (previous && isFresh(previous, now, options.dedupWindowInMs))
      return { kind: 'duplicate', mark: previous };
    const before = stored?.value ?? { version: 1 as const, queued: {} };
    const mark: AlertMark = {
      at: now.toISOString(),
      alertId: alert.alertId,
      alertRule: alert.alertRule,
      runId: options.runId,
    };
    try {
      const etag = await store.write(
        { version: 1, queued: { ...before.queued, [alert.monitorCondition]: mark } },
        stored?.etag,
      );
      return {
        kind: 'claimed',
        // Back as it was, unless someone wrote since (then theirs stands).
        release: async () => {
          await store.write(before, etag);
        },
      };
    } catch (error) {
      if (!isStateConflictError(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

/** A mark is fresh from its time up to the window's end; a mark dated in the future (a skewed clock) too. */
function isFresh(mark: AlertMark, now: Date, windowInMs: number): boolean {
  const at = Date.parse(mark.at);
  return windowInMs > 0 && !Number.isNaN(at) && now.getTime() - at < windowInMs;
}

/**
 * The stored marks; JSON of another shape is read as no marks (and replaced by the next write); a
 * document that is not JSON is `unreadable` (no etag to replace it by): a mark only saves work, and
 * losing one costs one extra evaluation.
 */
async function readMarks(
  store: StateStore<AlertMarks>,
  logger: Logger,
): Promise<{ value: AlertMarks; etag: string } | undefined | 'unreadable'> {
  let stored;
  try {
    stored = await store.read();
  } catch (error) {
    if (!isStateInvalidError(error)) throw error;
    logger.warn(
      `${store.name}: not a dedupe mark document, so this alert is not deduplicated; remove it (${error.message})`,
    );
    return 'unreadable';
  }
  if (!stored) return undefined;
  const value = stored.value as unknown;
  const ok =
    typeof value === 'object' &&
    value !== null &&
    (value as { version?: unknown }).version === 1 &&
    typeof (value as { queued?: unknown }).queued === 'object' &&
    (value as { queued?: unknown }).queued !== null;
  return { value: ok ? stored.value : { version: 1, queued: {} }, etag: stored.etag };
}
