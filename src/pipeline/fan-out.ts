import { datableIso } from '../core/datable-time';
import { counted } from '../core/counted';
import { orderReading } from '../core/notice/reading-order';
import { gatewayKey, parseGatewayId, targetsMayCover } from '../core/arm-id';
import { globMatches } from '../core/notice/silence';
import {
  BackendHealthUnavailableError,
  DeliveryError,
  GatewayNotWatchedError,
  isBackendHealthUnavailableError,
  PoisonedMessageError,
} from '../errors';
import type {
  BackendHealthStep,
  GatewayContinuation,
  QueuedDeferrals,
  GatewayEvaluation,
  GatewayMessage,
  SteppedBackendHealthReader,
  WorkQueue,
} from '../ports';
import type { SinkDeliveries } from './deliver-to-sinks';
import { deliverGatewayResult, deliverRunReport } from './deliver-run-report';
import { expandTargets } from './expand-targets';
import { mergeNotifyOutcomes, notifyUnvisited } from './notify/notify-gateways';
import { goneCheckFor, UNREAD_CHECK_TIMEOUT_IN_MS } from './notify/confirm-gone';
import { logNotifyProblems } from './notify/undelivered-summary';
import { gatewayWarnings } from './gateway-warnings';
import { processGateway, type ProcessedGateway } from './process-gateway';
import { gatewayFields, withDeliveryErrors, type RunReport } from '../core/run-report';
import type { RunDependencies, RunOptions } from './run-checks';
import { reportedError } from '../core/reported-error';
import { emitRunTelemetry } from './emit-telemetry';
import { failedThenNoAnswer, lastFailedAttempt, type FailedBeforeTimeOut } from './timed-out';
import { noAnswerWithin, withTimeout } from './timeout';
import { createSinkFailures, type SinkFailures } from './sink-failures';
import {
  readingSucceeded,
  recordDeletion,
  recordDeliveryOutcome,
  recordHistory,
  undeliveredSinks,
} from './status/record-history';
import { makeDiscoveryPage, refreshStatusPage } from './status/fan-out-page';
import type { GatewayOutcome } from './check-gateway';
import {
  DELIVERY_NOT_KNOWN,
  withDeliveryOutcome,
  type HistoryDocument,
  type UndeliveredSink,
} from '../core/status/history';
import type { GatewayRef } from '../core/model';
import { readAlertTrigger, triggerText } from '../core/alerts/alert-trigger';
import {
  failedTries,
  MAX_FAILED_TRIES,
  notAfter,
  pollPastTimeOut,
  putBack,
  type DeferredGateway,
} from './queue-deferral';
import { startDelaysInMs } from '../core/pacing/start-spread';
import { ARM_REQUEST_LIMITS, type RequestLimits } from '../core/pacing/request-limits';
import type { ConfigurationResource } from '../core/gateway-config';
import {
  carried,
  configurationOf,
  readCarriedConfiguration,
  withinQueueMessage,
} from './carried-configuration';

/**
 * The Functions app spreads a run over a storage queue: the timer lists the gateways and enqueues one
 * message each (`startFanOut`); the queue function takes one step of one gateway (`processQueuedGateway`:
 * it starts the backend-health operation, or polls it from a continuation message it queued itself,
 * hidden for the operation's Retry-After, so no instance waits on ARM); a message the host gave up on
 * lands in `<queue>-poison` and is recorded as a failed gateway of its run (`recordPoisonedGateway`).
 * Once the body is in, the same `processGateway` unit runs as in the CLI's direct path.
 *
 * The status page (with `status` services that have a page schedule): each finished try adds its
 * gateway's reading to the gateway's history, dated by the run's discovery (so a retried message
 * replaces its run's reading, never adds a second); the timer makes the page at each discovery from
 * every history, and between discoveries a queue invocation makes it again when it is due
 * (status/fan-out-page.ts, src/core/status/page-schedule.ts).
 */
export interface FanOutDependencies extends RunDependencies {
  readonly queue: WorkQueue;
  /** In steps: the queue function starts the operation and polls it from continuation messages. */
  readonly reader: SteppedBackendHealthReader;
}

/** As a direct run's options, but the run id is the timer invocation's. */
export interface FanOutOptions extends RunOptions {
  readonly runId: string;
  /**
   * The buckets the timer spreads a subscription's starts over (start-spread.ts): ARM's unless given
   * (tests give smaller ones).
   */
  readonly requestLimits?: RequestLimits;
}

/**
 * Timer: targets → one queue message per gateway, each target's queued as soon as its listing ends (carrying the configuration its listing gave, when
 * short enough: carried-configuration.ts; those past their subscription's burst of ARM writes
 * hidden until its bucket should have refilled for them: start-spread.ts), plus the run's own report (mode `fan-out`) and, with
 * `status`, the status page of every stored history (the previous run, whole), this discovery recorded
 * in the page schedule. A history or schedule that fails is the report's delivery error (sink "status
 * page"), as a sink's is.
 */
export async function startFanOut(
  deps: FanOutDependencies,
  options: FanOutOptions,
): Promise<{ report: RunReport; sinks: SinkDeliveries }> {
  const startedAt = deps.clock.now();
  // What the listings gave of each gateway's configuration, carried by its message (carried-configuration.ts).
  const configurations = new Map<string, ConfigurationResource>();
  const writes = (options.requestLimits ?? ARM_REQUEST_LIMITS).writes;
  // Starts of each subscription queued so far: a later target's share its bucket (start-spread.ts).
  const startsBefore = new Map<string, number>();
  const queuedIds = new Map<string, string>();
  let hidden = 0;
  let last = 0;
  // Each group's delay counts from when the first was queued, not from its own put: the host takes
  // the first ones while the timer goes on queuing (1 000 puts took 4 to 12 s in bench:scale), so a
  // later group hidden for its whole delay would start that much behind the bucket's refill.
  // Monotonic: a wall-clock step forward would show every later group at once, one back hide them
  // for as long (a break trial). A group due during a slow put shows at once, as the bucket refilled
  // meanwhile for it (at most its burst).
  const elapsedClock = () => deps.clock.monotonicInMs?.() ?? deps.clock.now().getTime();
  let firstQueuedAt: number | undefined;
  /** One target's gateways, each a message, hidden until its subscription's bucket should have a place. */
  const queueListed = async (gateways: readonly GatewayRef[]): Promise<void> => {
    const messages = gateways.map((g) =>
      withinQueueMessage({
        version: 1,
        runId: options.runId,
        gatewayId: g.id,
        discoveredAt: startedAt.toISOString(),
        ...carried(configurations.get(gatewayKey(g.id))),
      }),
    );
    for (const g of gateways) configurations.delete(gatewayKey(g.id));
    // Each hidden until its subscription's writes bucket should have a place for its POST (as ARM
    // publishes the bucket): a message past the burst, taken at once, would only be put back.
    const delays = startDelaysInMs(
      gateways.map((g) => g.subscriptionId),
      writes,
      startsBefore,
    );
    const bySecond = new Map<number, GatewayEvaluation[]>();
    messages.forEach((m, i) => {
      const second = Math.ceil((delays[i] ?? 0) / 1000); // the queue's unit
      bySecond.set(second, [...(bySecond.get(second) ?? []), m]);
    });
    for (const [second, group] of [...bySecond].sort(([a], [b]) => a - b)) {
      const now = elapsedClock();
      firstQueuedAt ??= now;
      const elapsed = Math.max(0, now - firstQueuedAt);
      const hiddenInMs = Math.max(0, second * 1000 - elapsed);
      // Not caught: a run whose work cannot be queued has failed, and the timer invocation should say so.
      await deps.queue.enqueue(group, hiddenInMs > 0 ? { visibleAfterInMs: hiddenInMs } : {});
      // As hidden: a later target's group already due shows at once (a break trial: logged as hidden).
      if (hiddenInMs > 0) {
        hidden += group.length;
        last = Math.max(last, Math.ceil(hiddenInMs / 1000));
      }
    }
    for (const g of gateways) queuedIds.set(gatewayKey(g.id), g.id);
  };
  // Each target's gateways are queued as soon as its listing ends: a listing that hangs until its
  // time-out holds back no other target's (as in the direct run: run-checks.ts). One batch at a time,
  // in the order the listings end; a failed put fails the rest and, at the end, the invocation.
  let queuing: Promise<void> = Promise.resolve();
  // Held, not left rejected while the listings go on (an unhandled rejection ends the process).
  let queueFailure: { readonly error: unknown } | undefined;
  const expanded = await expandTargets(deps.directory, options.targets, {
    timeoutInMs: options.gatewayTimeoutInMs,
    logger: deps.logger,
    keepConfigurations: async (listed) => {
      for (const [key, resource] of listed) if (!configurations.has(key)) configurations.set(key, resource);
    },
    onListed: (gateways) => {
      if (gateways.length > 0)
        queuing = queuing
          .then(() => (queueFailure ? undefined : queueListed(gateways)))
          .catch((error: unknown) => {
            queueFailure ??= { error };
          });
    },
  });
  await queuing;
  if (queueFailure) throw queueFailure.error;
  configurations.clear();
  // Nothing to queue: the queue is still asked (a run whose queue is missing fails, and says so).
  if (queuedIds.size === 0) await deps.queue.enqueue([]);
  deps.logger.info(
    `run ${options.runId}: queued ${counted(queuedIds.size, 'gateway')} on ${deps.queue.name}` +
      (hidden > 0
        ? `, ${hidden} of them hidden for up to ${last} s: past their subscription's burst of ARM writes, they start as its bucket refills`
        : ''),
  );
  // Deleted gateways and stranded notices are the timer's: no queue message will visit them.
  const unvisited = await notifyUnvisited(
    deps.notify,
    expanded,
    deps.clock,
    options.notifyPolicy,
    options.runId,
    goneCheckFor(deps, options.gatewayTimeoutInMs),
    goneCheckFor(deps, Math.min(options.gatewayTimeoutInMs, UNREAD_CHECK_TIMEOUT_IN_MS)),
  );
  const notify = deps.notify ? mergeNotifyOutcomes(unvisited) : undefined;
  if (notify) logNotifyProblems(notify, deps.logger);
  const failures = createSinkFailures();
  // Gateways no queue message visits that ARM confirmed deleted: their page sections say so.
  if (deps.status)
    for (const gone of unvisited.flatMap((o) => o.deletedGateways ?? [])) {
      const recorded = await recordDeletion(deps.status, gone, deps.clock.now());
      if (recorded.error) failures.add([recorded.error]);
    }
  const statusPage = deps.status ? await makeDiscoveryPage(deps.status, deps.clock, startedAt) : undefined;
  if (statusPage) failures.add(statusPage.errors);
  const { report, sinks } = await deliverRunReport(
    deps,
    {
      scope: 'run',
      insights: [],
      runId: options.runId,
      mode: 'fan-out',
      startedAt,
      finishedAt: deps.clock.now(),
      targets: expanded.targets,
      gateways: [],
      ...(notify ? { notify } : {}),
      // In the order the targets list them, whichever listing ended first.
      queued: expanded.gateways.flatMap((g) => queuedIds.get(gatewayKey(g.id)) ?? []),
      ...(statusPage ? { statusPage: statusPage.html } : {}),
      ...(statusPage?.keepPublished === true ? { keepPublishedPage: true } : {}),
    },
    failures,
  );
  // The completed discovery (`appgw.run`, step `discover`) the "no discovery run" alert looks for.
  emitRunTelemetry(deps.telemetry, report, { step: 'discover' });
  return { report, sinks };
}

/** The longest an operation URL in a continuation may be (ARM's are about 250 characters). */
const MAX_OPERATION_URL = 2048;

/**
 * The longest run id a message may carry: the app makes them from invocation ids (a GUID, `alert-…`,
 * `recheck-…`); one past this is not ours, and would be copied into every state record it counts in
 * (ServerRecord.countedReading), log line and telemetry record.
 */
const MAX_RUN_ID = 256;

const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
/** A time in ms as a message may carry it: up to MAX_SAFE_INTEGER, so sums of them stay finite and exact. */
const milliseconds = (n: unknown): n is number =>
  typeof n === 'number' && n >= 0 && n <= Number.MAX_SAFE_INTEGER;

/**
 * Reads a queue message as the host hands it over (already JSON-parsed); undefined when malformed. A
 * continuation's operation is only checked for shape here: the reader refuses a URL off the ARM
 * endpoint before any request (src/adapters/arm/arm-operation.ts refuseElsewhere).
 */
export function readGatewayMessage(message: unknown): GatewayMessage | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const fields = message as Record<string, unknown>;
  const { version, runId, gatewayId, discoveredAt } = fields;
  if (typeof runId !== 'string' || runId === '' || runId.length > MAX_RUN_ID) return undefined;
  if (typeof gatewayId !== 'string' || !parseGatewayId(gatewayId)) return undefined;
  const discoveredIso = datableIso(discoveredAt);
  if (discoveredAt !== undefined && discoveredIso === undefined) return undefined;
  const discovered = discoveredIso !== undefined ? { discoveredAt: discoveredIso } : {};
  // An alert's trigger that is not one is a malformed message: what asked for it cannot be said.
  const trigger = fields['trigger'] !== undefined ? readAlertTrigger(fields['trigger']) : undefined;
  if (fields['trigger'] !== undefined && !trigger) return undefined;
  const deferred = readDeferred(fields);
  if (!deferred) return undefined;
  // A configuration that is not one is left behind, not the message: the GET reads it instead.
  const configuration = readCarriedConfiguration(fields['configuration']);
  const extra = {
    ...discovered,
    ...(trigger ? { trigger } : {}),
    ...deferred.fields,
    ...(configuration ? { configuration } : {}),
  };
  if (version === 1) return { version, runId, gatewayId, ...extra };
  if (version !== 2) return undefined;
  const { operation, startedAt, polls, invocations, handlerActiveInMs } = fields;
  const startedIso = datableIso(startedAt);
  const { location, atOnceBefore } = (operation ?? {}) as { location?: unknown; atOnceBefore?: unknown };
  if (
    typeof location !== 'string' ||
    (atOnceBefore !== undefined && !count(atOnceBefore)) ||
    location.length > MAX_OPERATION_URL ||
    startedIso === undefined ||
    !count(polls) ||
    !count(invocations) ||
    !milliseconds(handlerActiveInMs)
  )
    return undefined;
  return {
    version,
    runId,
    gatewayId,
    ...extra,
    operation: { location, ...(atOnceBefore !== undefined ? { atOnceBefore } : {}) },
    startedAt: startedIso,
    polls,
    invocations,
    handlerActiveInMs,
  };
}

/** A message's `deferrals` and `deferredSince` (either version), checked; undefined when malformed. */
function readDeferred(
  fields: Record<string, unknown>,
): { readonly fields: Pick<GatewayEvaluation, 'deferrals' | 'deferredSince'> } | undefined {
  const { deferrals, deferredSince } = fields;
  const read: { deferrals?: QueuedDeferrals; deferredSince?: string } = {};
  if (deferrals !== undefined) {
    const { count: n, handlerActiveInMs, failedTries: failed } = (deferrals ?? {}) as Record<string, unknown>;
    if (typeof deferrals !== 'object' || !count(n) || !milliseconds(handlerActiveInMs)) return undefined;
    if (failed !== undefined && !count(failed)) return undefined;
    read.deferrals = {
      count: n,
      handlerActiveInMs,
      ...(failed !== undefined ? { failedTries: failed } : {}),
    };
  }
  if (deferredSince !== undefined) {
    const sinceIso = datableIso(deferredSince);
    if (sinceIso === undefined) return undefined;
    read.deferredSince = sinceIso;
  }
  return { fields: read };
}

/**
 * What an invocation came to: the gateway finished (its result delivered), continued in the queue
 * (its operation running), or deferred (its step put back for its subscription's quota).
 */
export type QueuedGatewayResult = FinishedGateway | ContinuedGateway | DeferredGateway | NotWatchedGateway;

/**
 * A message whose gateway no target holds (the targets narrowed while it waited in the queue, or a
 * message put there by hand): dropped, nothing asked of ARM, read or written. `error` says why.
 */
export interface NotWatchedGateway {
  readonly kind: 'notWatched';
  readonly error: GatewayNotWatchedError;
}
export type { DeferredGateway } from './queue-deferral';

export interface FinishedGateway {
  readonly kind: 'finished';
  readonly processed: ProcessedGateway;
  readonly report: RunReport;
  /** True when the failure may pass (throttling, time-out, 5xx): the queue function lets the host retry. */
  readonly retryable: boolean;
}

export interface ContinuedGateway {
  readonly kind: 'continued';
  /** The message enqueued to poll the operation next. */
  readonly continuation: GatewayContinuation;
  /** How long it stays hidden: the operation's Retry-After, cut to what is left of the gateway time-out. */
  readonly visibleAfterInMs: number;
}

/** Which try of its queue message an invocation is (the host retries a message that fails). */
export interface QueueTry {
  /** The message's `dequeueCount`: 1 on the first try. */
  readonly attempt: number;
}

/** What the queue function needs: a run's, with the reader in steps and the queue for continuations. */
export type QueuedGatewayDependencies = Omit<FanOutDependencies, 'directory'>;

type Step = BackendHealthStep | { readonly failed: unknown };

/**
 * Queue function: one step of one gateway, without waiting on ARM. A version-1 message starts the
 * backend-health operation; a continuation (version 2) polls it once. While the operation runs, a
 * continuation is enqueued, hidden for its `Retry-After`, and the invocation ends (`continued`). When
 * the body arrives, or the step fails, the gateway is finished as the direct run does it: evaluated,
 * notified and delivered as its run's `gateway` result, with its telemetry records (`retrying` when the
 * result is `retryable`: the caller throws it back to the host, which tries this message again: the
 * start, or the same poll). The gateway time-out (`gatewayTimeoutInMs`) counts from the first start: a
 * continuation past it finishes with the BackendHealthUnavailable a direct run reports, not retried
 * (a retry of it could only time out again; the next scheduled run starts afresh).
 *
 * Nor does an invocation wait for its subscription's ARM quota: the step is taken with `deferWaits`,
 * and one the instance's pacer has no place for soon, or that ARM answers 429, comes back `deferred`.
 * The same message is then enqueued again, its deferral counted, hidden until its turn, and the
 * invocation ends (`deferred`: nothing evaluated, recorded or delivered). A step is put back for at most
 * `gatewayTimeoutInMs` from its first deferral (a poll no longer than its operation's time-out); past
 * that the gateway finishes as Throttled, not retried by the host.
 *
 * With `status`, a finished try (read, or failed, retryable or not) adds the gateway's reading to its
 * history, dated by the run's discovery (`discoveredAt`): a retry's successful reading replaces the
 * try's before it, a failure never replaces a reading of the run. Then the status page is made again
 * when due (status/fan-out-page.ts). A continuation or a deferral records nothing. A history or page failure is in
 * the result's delivery errors (sink "status page") and never makes the message retried.
 *
 * Notify takes the reading as of the same time: one taken after a newer reading of the gateway was
 * counted (a continuation polled late, the gateway's deletion confirmed meanwhile) decides nothing, and
 * its result says so (`notifications.olderReadings`; older-readings.ts).
 */
export async function processQueuedGateway(
  deps: QueuedGatewayDependencies,
  options: Omit<FanOutOptions, 'concurrency'>,
  message: GatewayMessage,
  queueTry: QueueTry = { attempt: 1 },
): Promise<QueuedGatewayResult> {
  const gateway = parseGatewayId(message.gatewayId);
  if (!gateway) throw new Error(`unreachable: message ${message.gatewayId} was validated`);
  // Refused as the HTTP functions refuse it (NotWatched), before anything is asked of ARM: evaluated,
  // it notified of a gateway nobody watches and opened an episode no run would close (break trials:
  // targets narrowed, and APPGW_DISCOVERY_NAMES set, while messages waited in the queue).
  const outsideTargets = !targetsMayCover(options.targets, gateway);
  const nameLeftOut =
    !outsideTargets &&
    (options.discoveryNames?.length ?? 0) > 0 &&
    !options.discoveryNames?.some((pattern) => globMatches(pattern, gateway.name));
  if (outsideTargets || nameLeftOut) {
    const error = new GatewayNotWatchedError(
      gateway.id,
      outsideTargets ? 'APPGW_TARGETS' : 'APPGW_DISCOVERY_NAMES, which its name matches none of',
      `Its queue message (run ${message.runId}) is dropped: nothing was asked of ARM, nothing read or written.`,
    );
    deps.logger.warn(error.message);
    return { kind: 'notWatched', error };
  }
  const invokedAt = deps.clock.now();
  const continued = message.version === 2 ? message : undefined;
  // Never later than now: a start or first deferral dated in the future (another instance's clock, a
  // tampered message) would otherwise push its time-out or deferral bound back without end.
  const startedAt = continued ? notAfter(new Date(continued.startedAt), invokedAt) : invokedAt;
  const left = options.gatewayTimeoutInMs - (invokedAt.getTime() - startedAt.getTime());
  /**
   * The operation's time-out; `extra`: a clause the message ends with (pollPastTimeOut's); `failed`:
   * this step's last try ARM failed (5xx, retried) before it, said first, with a failure's advice.
   */
  const expired = (extra = '', failed?: FailedBeforeTimeOut) =>
    failed
      ? new BackendHealthUnavailableError(
          gateway.id,
          `${failedThenNoAnswer(options.gatewayTimeoutInMs, failed)}${extra}`,
        )
      : new BackendHealthUnavailableError(
          gateway.id,
          `${noAnswerWithin(options.gatewayTimeoutInMs)}${extra}`,
          {
            timedOut: true,
          },
        );
  // This very step put back before (its message has `deferredSince`; a continuation does not carry it
  // on) goes ahead of fresh ones: behind them it lost every place until its deferrals ran out (a
  // break trial).
  const stepOptions = { deferWaits: true, putBackBefore: message.deferredSince !== undefined } as const;
  let step: Step;
  if (left <= 0) {
    const times = { invokedAt, startedAt, attempt: queueTry.attempt };
    step = { failed: pollPastTimeOut(message, times, options.gatewayTimeoutInMs, expired) };
  } else {
    const failed = lastFailedAttempt();
    try {
      step = await withTimeout(
        left,
        (abortSignal) => {
          const callOptions = { abortSignal, onFailedAttempt: failed.tell, ...stepOptions };
          return continued
            ? deps.reader.pollBackendHealth(gateway, continued.operation, callOptions)
            : deps.reader.startBackendHealth(gateway, callOptions);
        },
        () => expired('', failed.last()),
      );
    } catch (error) {
      step = { failed: error };
    }
  }
  const activeSoFar = () =>
    (continued?.handlerActiveInMs ?? 0) + deps.clock.now().getTime() - invokedAt.getTime();
  const polls = (continued?.polls ?? -1) + 1; // polls made once this invocation's step is done
  const deferrals = message.deferrals ?? { count: 0, handlerActiveInMs: 0 };
  let deferralsRanOut = false;
  if ('deferred' in step) {
    const put = await putBack(deps, options, message, step.deferred, {
      invokedAt,
      startedAt,
      leftInMs: left,
      attempt: queueTry.attempt,
    });
    if ('kind' in put) return put;
    deferralsRanOut = put.ranOut;
    step = { failed: put.failed };
  }
  if ('pending' in step) {
    const continuation: GatewayContinuation = withinQueueMessage({
      version: 2,
      runId: message.runId,
      gatewayId: message.gatewayId,
      ...(message.discoveredAt !== undefined ? { discoveredAt: message.discoveredAt } : {}),
      ...(message.trigger ? { trigger: message.trigger } : {}),
      operation: step.pending.operation,
      startedAt: startedAt.toISOString(),
      polls,
      invocations: (continued?.invocations ?? 0) + 1,
      handlerActiveInMs: activeSoFar(),
      ...(message.deferrals ? { deferrals: message.deferrals } : {}),
      ...(message.configuration ? { configuration: message.configuration } : {}),
    });
    // Never hidden past the time-out: the continuation then reports it (it polls no more).
    const visibleAfterInMs = Math.min(step.pending.retryAfterInMs, Math.max(0, left));
    try {
      await deps.queue.enqueue([continuation], { visibleAfterInMs });
      deps.logger.info(
        `${gateway.id}: backend-health operation running; poll ${polls + 1} queued on ${deps.queue.name} in ${visibleAfterInMs} ms`,
      );
      return { kind: 'continued', continuation, visibleAfterInMs };
    } catch (error) {
      // The operation cannot be handed on: the gateway fails this try, and the host tries it again.
      step = { failed: error };
    }
  }
  const outcome = step;
  // The body (or the failure) is in: checked as a direct run checks it, by a reader that answers with it.
  if (message.trigger) deps.logger.info(`${gateway.id}: evaluated now, ${triggerText(message.trigger)}`);
  const processed = await processGateway(gateway, {
    ...deps,
    ...options,
    runId: message.runId,
    startedAt,
    // Dated as its history reading is: a result taken after a newer run's counts for nothing (notify).
    readAt: readingTime(message, startedAt),
    listedConfiguration: () => configurationOf(message),
    reader: {
      getBackendHealth: async () => {
        if ('done' in outcome) return outcome.done;
        throw outcome.failed;
      },
    },
  });
  // As the direct run says them (a queue invocation said none: a failed or incomplete reading was in
  // telemetry only).
  for (const warning of gatewayWarnings(processed.report)) deps.logger.warn(warning);
  if (processed.notify) logNotifyProblems(processed.notify, deps.logger);
  const fanOut = {
    invocations: (continued?.invocations ?? 0) + 1 + deferrals.count,
    polls: 'done' in outcome ? polls : (continued?.polls ?? 0),
    handlerActiveInMs: activeSoFar() + deferrals.handlerActiveInMs,
    ...(deferrals.count > 0 ? { deferrals: deferrals.count } : {}),
  };
  // What asked for this evaluation, when an alert did: in the gateway's result beside fanOut.
  const asked = message.trigger ? { trigger: message.trigger } : {};
  const failures = createSinkFailures();
  const readAt = readingTime(message, startedAt);
  const written = await recordReading(deps, gateway, processed, readAt, failures);
  // Its history holds a newer reading (a late result of an earlier run): as notify's olderReadings, but
  // also without notify (a break trial: run-old's late insights replaced run-new's).
  const newest = written.written.get(gatewayKey(gateway.id))?.lastReadAt;
  const olderInHistory = !orderReading(newest, readAt.toISOString()).counts;
  // Said, as notify's olderReadings are (a break trial: the current view stayed, with no word of why).
  if (olderInHistory && !(processed.notify?.olderReadings?.length ?? 0))
    deps.logger.warn(
      `reading of ${gateway.id} from ${readAt.toISOString()} is older than the one its status history has from ${newest}: its result is under its run (${message.runId}); the current insights stay the newer reading's`,
    );
  const delivered = await deliverGatewayResult(
    deps,
    {
      ...processed,
      report: { ...processed.report, fanOut, ...asked },
      runId: message.runId,
      startedAt: invokedAt,
      ...(olderInHistory ? { olderReading: true } : {}),
    },
    failures,
  );
  const { sinks } = delivered;
  // Only a try that read the gateway delivered that reading's insights: a failed read's delivery (its
  // result alone) says nothing of them. A retry whose read failed cleared the mark an earlier try of the
  // same reading had left, the folder still refusing (a break trial).
  const recorded =
    olderInHistory || !readingSucceeded(processed)
      ? written
      : await markDelivery(deps, gateway, readAt, undeliveredSinks(sinks.errors), written, failures);
  const report = await refreshPage(deps, delivered.report, recorded, failures);
  const error = processed.report.error;
  const pastTimeout =
    continued !== undefined && deps.clock.now().getTime() - startedAt.getTime() >= options.gatewayTimeoutInMs;
  // A notify state that failed is not retried through the host: the gateway was evaluated (a retry
  // that ends in the poison queue would report it as not), and the next scheduled run claims again.
  // Nor one whose quota never had a place for it: its retries would find the same bound passed.
  // Nor one whose tries failed MAX_FAILED_TRIES times in all, counting those before its put-backs (each
  // a new message to the host, its count at 1 again): it finishes with its own error, rather than going
  // round for ever (a break trial: 500 and 429 in turn).
  // A message never put back is left to the host's own count (maxDequeueCount, then the poison queue).
  const triesRanOut =
    (message.deferrals?.failedTries ?? 0) > 0 &&
    failedTries(message.deferrals, queueTry.attempt) + 1 >= MAX_FAILED_TRIES;
  // Nor one ARM answered with something that is not backend health: the same step gets the same
  // answer (a break trial: polled 5 times, then poisoned). The next scheduled run tries again.
  const sameAnswerAgain =
    'failed' in outcome && isBackendHealthUnavailableError(outcome.failed) && outcome.failed.unreadableAnswer;
  // A failure that may pass, within the time-out and the quota's bound: handed back unless one of the
  // two above stops it, which is then said.
  const mayPass = error?.retryable === true && !pastTimeout && !deferralsRanOut;
  if (mayPass && triesRanOut)
    deps.logger.warn(
      `${gateway.id}: ${MAX_FAILED_TRIES} tries of its queue messages failed (put back ones counted); not tried again this run: ${error.message}`,
    );
  else if (mayPass && sameAnswerAgain)
    deps.logger.warn(
      `${gateway.id}: not tried again this run: ARM's answer is not a backend-health read, and the same ${continued ? 'poll' : 'start'} would get the same answer; the next run tries again`,
    );
  // A sink failure that passes (a 5xx, a time-out) is tried again; one that does not (a permission, a
  // folder in the way) would fail each try the same way, each sending the step to ARM again (a break
  // trial): it is reported and logged, not handed back.
  const retryable = (mayPass && !triesRanOut && !sameAnswerAgain) || sinks.errors.some((e) => e.retryable);
  emitRunTelemetry(deps.telemetry, report, {
    step: 'evaluate',
    attempt: queueTry.attempt,
    retrying: retryable,
    ...(olderInHistory ? { olderReading: true } : {}),
  });
  return {
    kind: 'finished',
    processed: { ...processed, report: { ...processed.report, fanOut, ...asked } },
    report,
    retryable,
  };
}

/**
 * Poison queue function: the host gave up on this gateway; its run records it as failed (and, with
 * `status`, in its history when no try of the message recorded the run's reading: a try's own error
 * says more than the poison queue's). The sinks never write the record over a result of the run that
 * read the gateway, and over a try's failure they keep that result with both errors said
 * (core/kept-gateway-result.ts).
 *
 * @throws DeliveryError (retryable) when a sink could not record it for a reason that may pass (a
 *   5xx, a time-out), after the others did: the host tries the poison message again (up to its
 *   maxDequeueCount). A failure that cannot pass is logged, not thrown.
 */
export async function recordPoisonedGateway(
  deps: Pick<FanOutDependencies, 'sinks' | 'clock' | 'logger' | 'telemetry' | 'status'>,
  message: GatewayMessage,
  queueTry: QueueTry = { attempt: 1 },
): Promise<RunReport> {
  const gateway = parseGatewayId(message.gatewayId);
  if (!gateway) throw new Error(`unreachable: message ${message.gatewayId} was validated`);
  const now = deps.clock.now();
  const poisoned = new PoisonedMessageError(message.gatewayId);
  deps.logger.error(poisoned.message);
  const outcome: GatewayOutcome = {
    report: {
      ...gatewayFields(gateway),
      ok: false,
      error: reportedError(poisoned),
      durationInMs: 0,
      servers: 0,
      findings: [],
    },
    insights: [],
  };
  const failures = createSinkFailures();
  const readAt = readingTime(message, now);
  const recorded = await recordReading(deps, gateway, outcome, readAt, failures);
  // A try read the gateway at this reading's time (its run's discovery), and none said what its delivery
  // did: they all stopped before (a time-out, a scale-in), so its insight pages may never have been
  // written. Said so, until a delivered reading (a break trial: the page took its links for good).
  const doc = recorded.written.get(gatewayKey(gateway.id));
  const unmarkedRead =
    message.discoveredAt !== undefined &&
    doc?.lastReadAt === readAt.toISOString() &&
    doc.undelivered?.at !== readAt.toISOString();
  const written = unmarkedRead
    ? await markDelivery(deps, gateway, readAt, [DELIVERY_NOT_KNOWN_MARK], recorded, failures)
    : recorded;
  const delivered = await deliverGatewayResult(
    deps,
    { ...outcome, runId: message.runId, startedAt: now },
    failures,
  );
  const report = await refreshPage(deps, delivered.report, written, failures);
  emitRunTelemetry(deps.telemetry, report, { step: 'poison', attempt: queueTry.attempt });
  // Not recorded where the run's results are (a storage outage, the likeliest cause of the poisoning
  // itself): thrown, so the host tries the poison message again, rather than deleting it with the
  // gateway's failure in logs only (a break trial).
  // One that cannot pass (a permission, a folder in the way) would fail each try the same way: logged
  // (deliverToSinks), the message let go.
  const first = delivered.sinks.errors.find((e) => e.retryable);
  if (first)
    throw new DeliveryError(
      first.sink ?? 'a sink',
      `the failure of ${gateway.name}, whose queue message the host gave up on, was not recorded (${first.message}); the host tries the poison message again`,
      { retryable: true },
    );
  return report;
}

/**
 * When a try's reading is dated, in its gateway's history and for notify's time order (a result of an
 * older run taken after a newer run's counts for nothing: reading-order.ts): its run's discovery (every
 * try alike, so runs are ordered as they were started), or, for a message without it,
 * `fallback` (the operation's first start, or for the poison queue now); never after `fallback`: a discovery dated in the future (another
 * instance's clock, a tampered message) would put a reading ahead of the ones still to come.
 */
function readingTime(message: GatewayMessage, fallback: Date): Date {
  return message.discoveredAt !== undefined ? notAfter(new Date(message.discoveredAt), fallback) : fallback;
}

/**
 * Adds the reading to the gateway's history: its document as written (or, when its history failed, of
 * this reading alone, the gateway then named in `withoutHistory`), its failure in `failures`.
 */
async function recordReading(
  deps: Pick<FanOutDependencies, 'status' | 'clock'>,
  gateway: GatewayRef,
  outcome: GatewayOutcome,
  at: Date,
  failures: SinkFailures,
): Promise<ThisReading> {
  if (!deps.status) return { written: new Map(), withoutHistory: [] };
  const recorded = await recordHistory(deps.status, gateway, outcome, at, { writtenAt: deps.clock.now() });
  // Its history failed: the page (when made now) shows this reading alone, and says so.
  if (recorded.error) failures.add([recorded.error]);
  return {
    written: new Map([[gatewayKey(gateway.id), recorded.doc]]),
    withoutHistory: recorded.error ? [gateway.name] : [],
  };
}

/**
 * The reading recorded before its delivery, marked in its history with what the delivery did
 * (recordDeliveryOutcome): not delivered to the sinks that failed to take it, so the page says its
 * links may open nothing there; or delivered, clearing a mark an earlier try of it left. `written`
 * with the document as marked, or as it was when nothing changed or the mark could not be written
 * (its failure then in `failures`).
 */
async function markDelivery(
  deps: Pick<FanOutDependencies, 'status'>,
  gateway: GatewayRef,
  at: Date,
  sinks: readonly UndeliveredSink[],
  reading: ThisReading,
  failures: SinkFailures,
): Promise<ThisReading> {
  if (!deps.status) return reading;
  const key = gatewayKey(gateway.id);
  const doc = reading.written.get(key);
  // Nothing to write: delivered everywhere, and no earlier try's mark on this reading.
  if (sinks.length === 0 && doc?.undelivered?.at !== at.toISOString()) return reading;
  // The page made now shows this reading as delivered or not, even when its history cannot say it (a
  // history that failed: the page has this reading alone; a break trial found it unmarked there).
  const inMemory = (): ThisReading =>
    doc
      ? { ...reading, written: new Map([[key, withDeliveryOutcome(doc, at.toISOString(), sinks)]]) }
      : reading;
  // Its history failed already (said once, in `failures`): not asked again.
  if (reading.withoutHistory.length > 0) return inMemory();
  const marked = await recordDeliveryOutcome(deps.status, gateway, at, sinks);
  if (marked.error) {
    failures.add([marked.error]);
    return inMemory();
  }
  if (!marked.doc) return reading;
  return { ...reading, written: new Map([[key, marked.doc]]) };
}

/** What the poison queue marks a reading with whose every try stopped before its delivery was known. */
const DELIVERY_NOT_KNOWN_MARK: UndeliveredSink = {
  sink: DELIVERY_NOT_KNOWN,
  message: 'every try of its queue message stopped before its delivery was done',
};

interface ThisReading {
  readonly written: ReadonlyMap<string, HistoryDocument>;
  readonly withoutHistory: readonly string[];
}

/** The status page made again when due; `report` with its failures added to its delivery errors. */
async function refreshPage(
  deps: Pick<FanOutDependencies, 'status' | 'sinks' | 'clock' | 'logger'>,
  report: RunReport,
  { written, withoutHistory }: ThisReading,
  failures: SinkFailures,
): Promise<RunReport> {
  if (!deps.status?.schedule) return report;
  const refreshed = await refreshStatusPage(
    { ...deps, status: deps.status },
    report,
    written,
    withoutHistory,
  );
  if (refreshed.errors.length === 0) return report;
  failures.add(refreshed.errors);
  return withDeliveryErrors(report, failures.reported());
}
