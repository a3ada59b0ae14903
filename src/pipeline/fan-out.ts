import { parseGatewayId } from '../core/arm-id';
import { PoisonedMessageError } from '../errors';
import type { GatewayMessage, WorkQueue } from '../ports';
import type { SinkDeliveries } from './deliver-to-sinks';
import { deliverRunReport } from './deliver-run-report';
import { expandTargets } from './expand-targets';
import { mergeNotifyOutcomes, notifyUnvisited } from './notify/notify-gateways';
import { logNotifyProblems } from './notify/undelivered-summary';
import { processGateway, type ProcessedGateway } from './process-gateway';
import { gatewayFields, type RunReport } from '../core/run-report';
import type { RunDependencies, RunOptions } from './run-checks';
import { reportedError } from '../core/reported-error';
import { emitRunTelemetry } from './emit-telemetry';

/**
 * The Functions app spreads a run over a storage queue: the timer lists the gateways and enqueues one
 * message each (`startFanOut`); the queue function processes one (`processQueuedGateway`); a message
 * the host gave up on lands in `<queue>-poison` and is recorded as a failed gateway of its run
 * (`recordPoisonedGateway`). The same `processGateway` unit runs in the CLI's direct path.
 */
export interface FanOutDependencies extends RunDependencies {
  readonly queue: WorkQueue;
}

/** As a direct run's options, but the run id is the timer invocation's. */
export interface FanOutOptions extends RunOptions {
  readonly runId: string;
}

/** Timer: targets → one queue message per gateway, plus the run's own report (mode `fan-out`). */
export async function startFanOut(
  deps: FanOutDependencies,
  options: FanOutOptions,
): Promise<{ report: RunReport; sinks: SinkDeliveries }> {
  const startedAt = deps.clock.now();
  const expanded = await expandTargets(deps.directory, options.targets, {
    concurrency: options.concurrency,
    timeoutInMs: options.gatewayTimeoutInMs,
    logger: deps.logger,
  });
  const messages: GatewayMessage[] = expanded.gateways.map((g) => ({
    version: 1,
    runId: options.runId,
    gatewayId: g.id,
  }));
  // Not caught: a run whose work cannot be queued has failed, and the timer invocation should say so.
  await deps.queue.enqueue(messages);
  deps.logger.info(`run ${options.runId}: queued ${messages.length} gateway(s) on ${deps.queue.name}`);
  // Deleted gateways and stranded notices are the timer's: no queue message will visit them.
  const unvisited = await notifyUnvisited(
    deps.notify,
    expanded,
    deps.clock,
    options.notifyPolicy,
    options.runId,
  );
  const notify = deps.notify ? mergeNotifyOutcomes(unvisited) : undefined;
  if (notify) logNotifyProblems(notify, deps.logger);
  const { report, sinks } = await deliverRunReport(deps, {
    scope: 'run',
    insights: [],
    runId: options.runId,
    mode: 'fan-out',
    startedAt,
    finishedAt: deps.clock.now(),
    targets: expanded.targets,
    gateways: [],
    ...(notify ? { notify } : {}),
    queued: messages.map((m) => m.gatewayId),
  });
  // The completed discovery (`appgw.run`, step `discover`) the "no discovery run" alert looks for.
  emitRunTelemetry(deps.telemetry, report, { step: 'discover' });
  return { report, sinks };
}

/** Reads a queue message as the host hands it over (already JSON-parsed); undefined when malformed. */
export function readGatewayMessage(message: unknown): GatewayMessage | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { version, runId, gatewayId } = message as Record<string, unknown>;
  if (
    version !== 1 ||
    typeof runId !== 'string' ||
    typeof gatewayId !== 'string' ||
    !parseGatewayId(gatewayId)
  )
    return undefined;
  return { version, runId, gatewayId };
}

export interface QueuedGatewayResult {
  readonly processed: ProcessedGateway;
  readonly report: RunReport;
  /** True when the failure may pass (throttling, time-out, 5xx): the queue function lets the host retry. */
  readonly retryable: boolean;
}

/** Which try of its queue message an invocation is (the host retries a message that fails). */
export interface QueueTry {
  /** The message's `dequeueCount`: 1 on the first try. */
  readonly attempt: number;
}

/**
 * Queue function: one gateway, evaluated, notified and delivered as its run's `gateway` result, and
 * its telemetry records (`retrying` when the result is `retryable`: the caller throws it back to the host).
 */
export async function processQueuedGateway(
  deps: Omit<FanOutDependencies, 'directory' | 'queue'>,
  options: Omit<FanOutOptions, 'targets' | 'concurrency'>,
  message: GatewayMessage,
  queueTry: QueueTry = { attempt: 1 },
): Promise<QueuedGatewayResult> {
  const gateway = parseGatewayId(message.gatewayId);
  if (!gateway) throw new Error(`unreachable: message ${message.gatewayId} was validated`);
  const startedAt = deps.clock.now();
  const processed = await processGateway(gateway, { ...deps, ...options, runId: message.runId });
  if (processed.notify) logNotifyProblems(processed.notify, deps.logger);
  const { report, sinks } = await deliverRunReport(deps, {
    scope: 'gateway',
    insights: processed.insights,
    runId: message.runId,
    mode: 'gateway',
    startedAt,
    finishedAt: deps.clock.now(),
    targets: [],
    gateways: [processed.report],
    ...(processed.notify ? { notify: processed.notify } : {}),
  });
  const error = processed.report.error;
  // A notify state that failed is not retried through the host: the gateway was evaluated (a retry
  // that ends in the poison queue would report it as not), and the next scheduled run claims again.
  const retryable = error?.retryable === true || sinks.errors.length > 0;
  emitRunTelemetry(deps.telemetry, report, {
    step: 'evaluate',
    attempt: queueTry.attempt,
    retrying: retryable,
  });
  return { processed, report, retryable };
}

/** Poison queue function: the host gave up on this gateway; its run records it as failed. */
export async function recordPoisonedGateway(
  deps: Pick<FanOutDependencies, 'sinks' | 'clock' | 'logger' | 'telemetry'>,
  message: GatewayMessage,
  queueTry: QueueTry = { attempt: 1 },
): Promise<RunReport> {
  const gateway = parseGatewayId(message.gatewayId);
  if (!gateway) throw new Error(`unreachable: message ${message.gatewayId} was validated`);
  const now = deps.clock.now();
  const poisoned = new PoisonedMessageError(message.gatewayId);
  deps.logger.error(poisoned.message);
  const { report } = await deliverRunReport(deps, {
    scope: 'gateway',
    insights: [],
    runId: message.runId,
    mode: 'gateway',
    startedAt: now,
    finishedAt: now,
    targets: [],
    gateways: [
      {
        ...gatewayFields(gateway),
        ok: false,
        error: reportedError(poisoned),
        durationInMs: 0,
        servers: 0,
        findings: [],
      },
    ],
  });
  emitRunTelemetry(deps.telemetry, report, { step: 'poison', attempt: queueTry.attempt });
  return report;
}
