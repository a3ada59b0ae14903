import { randomBytes } from 'node:crypto';
import type { ParsedArticle } from '../articles';
import { gatewayKey, type Target } from '../core/arm-id';
import type { ConfigurableState } from '../core/health';
import type { NotifyPolicy } from '../core/notice/decide';
import type { Insight } from '../insight/insight';
import type { BackendHealthReader, Clock, DeliveryReceipt, GatewayDirectory, InsightSink } from '../ports';
import { mapBounded } from './bounded';
import { deliverToSinks } from './deliver-to-sinks';
import { evaluateGateway } from './evaluate-gateway';
import { expandTargets } from './expand-targets';
import type { Logger } from './logger';
import { notifyOnChange, type NotifyDependencies, type NotifyOutcome } from './notify/notify-stage';
import type { NotificationsReport, RunReport } from './report';

export interface RunDependencies {
  readonly directory: GatewayDirectory;
  readonly reader: BackendHealthReader;
  readonly sinks: readonly InsightSink[];
  /** Notify on change (webhooks + state); absent when no receiver is configured. */
  readonly notify?: NotifyDependencies;
  readonly clock: Clock;
  readonly article: ParsedArticle;
  readonly logger: Logger;
}

export interface RunOptions {
  readonly targets: readonly Target[];
  readonly unhealthyStates: readonly ConfigurableState[];
  readonly concurrency: number;
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
 * The use case shared by the CLI and the Functions app: expand targets → evaluate every gateway
 * (concurrently, bounded, each with its own time-out) → notify on change → deliver the run to every
 * sink. Nothing here throws for one gateway, target, receiver or sink: failures are recorded in the
 * report and the rest carry on.
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

  const outcomes = await mapBounded(expanded.gateways, options.concurrency, (gateway) =>
    evaluateGateway(gateway, { ...deps, ...options }),
  );
  for (const { report } of outcomes)
    if (report.error) deps.logger.warn(`${report.id}: ${report.error.message}`);
  const gatewayReports = outcomes.map((o) => o.report);
  const insights = outcomes.flatMap((o) => o.insights);

  const notifications = deps.notify
    ? notificationsReport(
        await notifyOnChange(
          deps.notify,
          {
            now: deps.clock.now(),
            evaluated: new Map(
              outcomes.flatMap((o) => (o.listed ? [[gatewayKey(o.report.id), o.listed] as const] : [])),
            ),
            bad: insights.map((insight) => ({ finding: insight.finding, insight })),
            isGone: expanded.isGone,
          },
          options.notifyPolicy,
          runId,
        ),
      )
    : undefined;

  const report: RunReport = {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    ok: expanded.targets.every((t) => t.ok) && gatewayReports.every((g) => g.ok),
    summary: {
      gateways: gatewayReports.length,
      failedGateways: gatewayReports.filter((g) => !g.ok).length,
      servers: gatewayReports.reduce((n, g) => n + g.servers, 0),
      findings: insights.length,
    },
    targets: expanded.targets,
    gateways: gatewayReports,
    ...(notifications ? { notifications } : {}),
    deliveryErrors: [],
  };
  const { receipts, errors } = await deliverToSinks(deps.sinks, report, insights, deps.logger);
  return { report: { ...report, deliveryErrors: errors }, insights, receipts };
}

function notificationsReport(outcome: NotifyOutcome): NotificationsReport {
  return {
    decided: outcome.decided,
    claimed: outcome.claimed,
    deliveries: outcome.deliveries.map((d) => ({
      receiver: d.receiver,
      noticeId: d.noticeId,
      type: d.type,
      server: d.server,
      outcome: d.delivered === undefined ? 'not-tried' : d.delivered ? 'delivered' : 'queued',
      attempts: d.result?.attempts ?? [],
      ...(d.result?.error ? { error: d.result.error.message } : {}),
    })),
    pending: outcome.pending,
  };
}

/** Sortable and unique enough: `20261126T042718Z-3f9a1c`. */
export function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
