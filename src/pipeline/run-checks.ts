import { randomBytes } from 'node:crypto';
import type { ParsedArticle } from '../articles';
import type { Target } from '../core/arm-id';
import type { ConfigurableState } from '../core/health';
import type { NotifyPolicy } from '../core/notice/decide';
import type { Insight } from '../insight/insight';
import type {
  BackendHealthReader,
  Clock,
  DeliveryReceipt,
  GatewayDirectory,
  InsightSink,
  SubscriptionPacer,
  Telemetry,
} from '../ports';
import { deliverRunReport } from './deliver-run-report';
import { expandTargets } from './expand-targets';
import type { Logger } from './logger';
import { mergeNotifyOutcomes, notifyUnvisited, type NotifyServices } from './notify/notify-gateways';
import { logNotifyProblems } from './notify/undelivered-summary';
import { processGateway } from './process-gateway';
import type { RunReport } from '../core/run-report';
import { emitRunTelemetry } from './emit-telemetry';
import { scheduleGateways, type Concurrency } from './schedule-gateways';

export interface RunDependencies {
  readonly directory: GatewayDirectory;
  readonly reader: BackendHealthReader;
  readonly sinks: readonly InsightSink[];
  /** Notify on change (webhooks + state); absent when no receiver is configured. */
  readonly notify?: NotifyServices;
  readonly clock: Clock;
  readonly article: ParsedArticle;
  readonly logger: Logger;
  /** Where the run's telemetry records go (Application Insights in the Functions app). */
  readonly telemetry: Telemetry;
  /** Paces gateways by their subscription's ARM write bucket (schedule-gateways.ts); absent: unpaced. */
  readonly pacer?: SubscriptionPacer;
}

export interface RunOptions {
  readonly targets: readonly Target[];
  readonly unhealthyStates: readonly ConfigurableState[];
  /** `"auto"`: as many gateways as ARM's limits admit (schedule-gateways.ts), or at most this many. */
  readonly concurrency: Concurrency;
  readonly gatewayTimeoutInMs: number;
  readonly notifyPolicy: NotifyPolicy;
  readonly runId?: string;
}

export interface RunOutcome {
  readonly report: RunReport;
  readonly insights: readonly Insight[];
  readonly receipts: ReadonlyArray<{ readonly sink: string; readonly receipt: DeliveryReceipt }>;
}

/**
 * The direct run (CLI, no queue): expand targets → process every gateway (evaluate + notify,
 * concurrently, paced per subscription by ARM's limits and bounded, each with its own time-out
 * from its admission) → notify for deleted gateways → deliver the run to
 * every sink → its telemetry records (core/telemetry-records.ts). Nothing here throws for one gateway, target,
 * receiver or sink: failures are recorded in the report and the rest carry on. The Functions app runs
 * the same steps spread over a queue.
 */
export async function runChecks(deps: RunDependencies, options: RunOptions): Promise<RunOutcome> {
  const startedAt = deps.clock.now();
  const runId = options.runId ?? newRunId(startedAt);
  const expanded = await expandTargets(deps.directory, options.targets, {
    concurrency: options.concurrency,
    timeoutInMs: options.gatewayTimeoutInMs,
    logger: deps.logger,
  });
  deps.logger.info(
    `run ${runId}: ${expanded.gateways.length} gateway(s) from ${expanded.targets.length} target(s)`,
  );

  const processed = await scheduleGateways(
    expanded.gateways,
    { concurrency: options.concurrency, ...(deps.pacer ? { pacer: deps.pacer } : {}) },
    (gateway) => processGateway(gateway, { ...deps, ...options, runId }),
  );
  for (const { report } of processed)
    if (report.error) deps.logger.warn(`${report.id}: ${report.error.message}`);
  const unvisited = await notifyUnvisited(deps.notify, expanded, deps.clock, options.notifyPolicy, runId);
  const notify = deps.notify
    ? mergeNotifyOutcomes([...processed.flatMap((p) => (p.notify ? [p.notify] : [])), ...unvisited])
    : undefined;
  if (notify) logNotifyProblems(notify, deps.logger);

  const insights = processed.flatMap((p) => p.insights);
  const { report, sinks } = await deliverRunReport(deps, {
    scope: 'run',
    insights,
    runId,
    startedAt,
    finishedAt: deps.clock.now(),
    targets: expanded.targets,
    gateways: processed.map((p) => p.report),
    ...(notify ? { notify } : {}),
  });
  emitRunTelemetry(deps.telemetry, report, { step: 'run' });
  return { report, insights, receipts: sinks.receipts };
}

/** Sortable and unique enough: `20261126T042718Z-3f9a1c`. */
export function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
