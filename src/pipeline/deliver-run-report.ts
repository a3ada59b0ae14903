import type { RunReport } from '../core/run-report';
import type { Insight } from '../insight/insight';
import type { Delivery, InsightSink } from '../ports';
import { buildRunReport, type RunReportParts } from './build-run-report';
import { deliverToSinks, type SinkDeliveries } from './deliver-to-sinks';
import type { Logger } from './logger';

/** What deliverRunReport builds and delivers: the report's parts, and what goes with it. */
export interface RunReportDelivery extends RunReportParts {
  /**
   * `gateway`: one gateway, as soon as it is done (direct run, queue function); `report`: a direct run's
   * own report at its end; `run`: everything at once (`evaluate`, a fan-out run's discovery). Port: Delivery.
   */
  readonly scope: Delivery['scope'];
  /** The insights delivered with the report (none for a report, a discovery or a poisoned gateway). */
  readonly insights: readonly Insight[];
  /** A fan-out discovery's queued gateway ids (the report's `queued`); absent otherwise. */
  readonly queued?: readonly string[];
}

/** The report as delivered, and what each sink did with it. */
export interface DeliveredRunReport {
  /** The report the sinks got, with the sinks that failed to take it added to `deliveryErrors`. */
  readonly report: RunReport;
  readonly sinks: SinkDeliveries;
}

/**
 * The tail of every run and queue invocation: builds the report from its parts (build-run-report.ts),
 * delivers it with its insights to every sink (deliver-to-sinks.ts: one failing sink never stops
 * another, nothing thrown), and returns it with the sinks' failures merged into `deliveryErrors`. The
 * sinks get the report without them: a sink cannot report its own failure (RunReport.ok), so only the
 * returned report (the CLI's summary and `--json`, telemetry) says which sinks failed.
 */
export async function deliverRunReport(
  deps: { readonly sinks: readonly InsightSink[]; readonly logger: Logger },
  delivery: RunReportDelivery,
): Promise<DeliveredRunReport> {
  const { scope, insights, queued, ...parts } = delivery;
  // `queued` after the built fields, as report.json has always had it.
  const report: RunReport = { ...buildRunReport(parts), ...(queued ? { queued } : {}) };
  const sinks = await deliverToSinks(deps.sinks, { scope, report, insights }, deps.logger);
  return { report: { ...report, deliveryErrors: [...report.deliveryErrors, ...sinks.errors] }, sinks };
}
