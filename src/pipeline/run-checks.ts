import { randomBytes } from 'node:crypto';
import { gatewayKey, type Target } from '../core/arm-id';
import type { ConfigurableState } from '../core/health';
import type { GatewayRef } from '../core/model';
import type { ParsedArticle } from '../articles';
import { toError } from '../errors';
import type { Insight } from '../insight/insight';
import type { BackendHealthReader, Clock, DeliveryReceipt, GatewayDirectory, InsightSink } from '../ports';
import { mapBounded } from './bounded';
import { evaluateGateway } from './evaluate-gateway';
import type { Logger } from './logger';
import type { ReportedError, RunReport, TargetReport } from './report';
import { reportedError } from './reported-error';
import { withTimeout } from './timeout';

export interface RunDependencies {
  readonly directory: GatewayDirectory;
  readonly reader: BackendHealthReader;
  readonly sinks: readonly InsightSink[];
  readonly clock: Clock;
  readonly article: ParsedArticle;
  readonly logger: Logger;
}

export interface RunOptions {
  readonly targets: readonly Target[];
  readonly unhealthyStates: readonly ConfigurableState[];
  readonly concurrency: number;
  readonly gatewayTimeoutInMs: number;
  readonly runId?: string;
}

export interface RunOutcome {
  readonly report: RunReport;
  readonly insights: readonly Insight[];
  readonly receipts: ReadonlyArray<{ readonly sink: string; readonly receipt: DeliveryReceipt }>;
}

/**
 * The use case shared by the CLI and the Functions app: expand targets → evaluate every gateway
 * (concurrently, bounded, each with its own time-out) → deliver to every sink. Nothing here throws for
 * one gateway, target or sink: failures are recorded in the report and the rest carry on.
 */
export async function runChecks(deps: RunDependencies, options: RunOptions): Promise<RunOutcome> {
  const startedAt = deps.clock.now();
  const runId = options.runId ?? newRunId(startedAt);
  const { targets, gateways } = await expandTargets(deps, options);
  deps.logger.info(`run ${runId}: ${gateways.length} gateway(s) from ${targets.length} target(s)`);

  const outcomes = await mapBounded(gateways, options.concurrency, (gateway) =>
    evaluateGateway(gateway, { ...deps, ...options }),
  );
  for (const { report } of outcomes) {
    if (report.error) deps.logger.warn(`${report.id}: ${report.error.message}`);
  }
  const gatewayReports = outcomes.map((o) => o.report);
  const insights = outcomes.flatMap((o) => o.insights);
  const baseReport: RunReport = {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.clock.now().toISOString(),
    ok: targets.every((t) => t.ok) && gatewayReports.every((g) => g.ok),
    summary: {
      gateways: gatewayReports.length,
      failedGateways: gatewayReports.filter((g) => !g.ok).length,
      servers: gatewayReports.reduce((n, g) => n + g.servers, 0),
      findings: insights.length,
    },
    targets,
    gateways: gatewayReports,
    deliveryErrors: [],
  };

  const deliveryErrors: ReportedError[] = [];
  const receipts: Array<{ sink: string; receipt: DeliveryReceipt }> = [];
  await Promise.all(
    deps.sinks.map(async (sink) => {
      try {
        receipts.push({ sink: sink.name, receipt: await sink.deliver({ report: baseReport, insights }) });
      } catch (error) {
        const reported = reportedError(toError(error), sink.name);
        deliveryErrors.push(reported);
        deps.logger.error(reported.message);
      }
    }),
  );
  return { report: { ...baseReport, deliveryErrors }, insights, receipts };
}

async function expandTargets(
  deps: RunDependencies,
  options: RunOptions,
): Promise<{ targets: TargetReport[]; gateways: GatewayRef[] }> {
  const expanded = await mapBounded(options.targets, options.concurrency, async (target) => {
    try {
      const found = await withTimeout(target.id, options.gatewayTimeoutInMs, (abortSignal) =>
        deps.directory.listGateways(target, { abortSignal }),
      );
      return { report: { id: target.id, ok: true, error: null, gateways: found.length }, found };
    } catch (error) {
      const reported = reportedError(toError(error));
      deps.logger.warn(`${target.id}: ${reported.message}`);
      return { report: { id: target.id, ok: false, error: reported, gateways: 0 }, found: [] };
    }
  });
  // A gateway named by two targets (its id and its resource group) is evaluated once.
  const unique = new Map<string, GatewayRef>();
  for (const gateway of expanded.flatMap((e) => e.found)) {
    if (!unique.has(gatewayKey(gateway.id))) unique.set(gatewayKey(gateway.id), gateway);
  }
  return { targets: expanded.map((e) => e.report), gateways: [...unique.values()] };
}

/** Sortable and unique enough: `20261126T042718Z-3f9a1c`. */
export function newRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
