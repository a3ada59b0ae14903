import type { PageText } from '../core/piece-text';
import { withDeliveryErrors, type GatewayReport, type RunReport } from '../core/run-report';
import type { Insight } from '../insight/insight';
import type { Clock, Delivery, InsightSink } from '../ports';
import { buildRunReport, type RunReportParts } from './build-run-report';
import { deliverToSinks, type SinkDeliveries } from './deliver-to-sinks';
import type { Logger } from './logger';
import type { NotifyOutcome } from './notify/notify-on-change';
import { createSinkFailures, type SinkFailures } from './sink-failures';

/** What deliverRunReport builds and delivers: the report's parts, and what goes with it. */
export interface RunReportDelivery extends RunReportParts {
  /**
   * `gateway`: one gateway, as soon as it is done (direct run, queue function); `report`: a direct run's
   * own report at its end; `run`: everything at once (a fan-out run's discovery). Port: Delivery.
   */
  readonly scope: Delivery['scope'];
  /** The insights delivered with the report (none for a report, a discovery or a poisoned gateway). */
  readonly insights: readonly Insight[];
  /** A fan-out discovery's queued gateway ids (the report's `queued`); absent otherwise. */
  readonly queued?: readonly string[];
  /** The status page, for a run's `report` (or `run`) delivery (Delivery.statusPage). */
  readonly statusPage?: PageText;
  /** The status page goes only where none is published (Delivery.keepPublishedPage). */
  readonly keepPublishedPage?: boolean;
  /** A gateway's reading older than one already taken: its current view is left alone (Delivery.olderReading). */
  readonly olderReading?: boolean;
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
 * another, nothing thrown), and returns it with the sinks' failures in `deliveryErrors`.
 *
 * `failures` is the tally of a run's sink failures over its many deliveries (sink-failures.ts: a direct
 * run passes one for its gateways and its report); a fresh one by default, for a delivery that is all
 * its run or invocation delivers. The sinks get the report naming the failures tallied before this
 * delivery: a sink cannot report its own failure (RunReport.ok), so only the returned report (the
 * CLI's summary and `--json`, telemetry) names this delivery's too, added to the tally.
 */
export async function deliverRunReport(
  deps: { readonly sinks: readonly InsightSink[]; readonly logger: Logger },
  delivery: RunReportDelivery,
  failures: SinkFailures = createSinkFailures(),
): Promise<DeliveredRunReport> {
  const { scope, insights, queued, statusPage, keepPublishedPage, olderReading, ...parts } = delivery;
  // `queued` after the built fields, as report.json has always had it.
  const report: RunReport = {
    ...withDeliveryErrors(buildRunReport(parts), failures.reported()),
    ...(queued ? { queued } : {}),
  };
  const sinks = await deliverToSinks(
    deps.sinks,
    {
      scope,
      report,
      insights,
      ...(statusPage !== undefined ? { statusPage } : {}),
      ...(statusPage !== undefined && keepPublishedPage === true ? { keepPublishedPage } : {}),
      ...(olderReading ? { olderReading } : {}),
    },
    deps.logger,
  );
  // Each failure names what did not go (a sink's own message may not: "HTTP 503").
  const what = deliveredWhat(delivery);
  failures.add(
    sinks.errors.map((error) => (error.document === undefined ? { ...error, document: what } : error)),
  );
  return { report: withDeliveryErrors(report, failures.reported()), sinks };
}

/**
 * What a delivery carried, as its failures name it: `insights and result of gateway <id>` (scope `gateway`: the sinks write both),
 * `report.json` (with `index.html` when it carried the status page), `index.html` (scope `page`).
 */
function deliveredWhat(delivery: RunReportDelivery): string {
  const page = delivery.statusPage !== undefined;
  if (delivery.scope === 'gateway')
    return `insights and result of gateway ${delivery.gateways.map((g) => g.id).join(', ')}`;
  if (delivery.scope === 'page') return 'index.html';
  const insights = delivery.insights.length > 0 ? ', the insights' : '';
  return `report.json${insights}${page ? ' and index.html' : ''}`;
}

/** One gateway's result, as processGateway (or the poison queue) leaves it. */
export interface GatewayResult {
  readonly runId: string;
  /** When the work of this delivery began (the gateway's, or this queue invocation's). */
  readonly startedAt: Date;
  readonly report: GatewayReport;
  readonly insights: readonly Insight[];
  readonly notify?: NotifyOutcome;
  /** Older than a reading of the gateway already taken: its current view is left alone (Delivery.olderReading). */
  readonly olderReading?: boolean;
}

/**
 * One gateway delivered as soon as it is done (scope and mode `gateway`: its insights, and its result
 * under its run), the same way in the direct run, the queue function and the poison queue's. A reading
 * older than one already taken (`olderReading`, or notify's `olderReadings`) leaves the current view
 * alone (Delivery.olderReading).
 */
export function deliverGatewayResult(
  deps: { readonly sinks: readonly InsightSink[]; readonly logger: Logger; readonly clock: Clock },
  result: GatewayResult,
  failures?: SinkFailures,
): Promise<DeliveredRunReport> {
  return deliverRunReport(
    deps,
    {
      scope: 'gateway',
      insights: result.insights,
      runId: result.runId,
      mode: 'gateway',
      startedAt: result.startedAt,
      finishedAt: deps.clock.now(),
      targets: [],
      gateways: [result.report],
      ...(result.notify ? { notify: result.notify } : {}),
      // Notify did not count it (a newer reading of the gateway was counted first), or the caller knows
      // it older (its history holds a newer reading): its current view is left alone.
      ...(result.olderReading === true || (result.notify?.olderReadings?.length ?? 0) > 0
        ? { olderReading: true }
        : {}),
    },
    failures,
  );
}
