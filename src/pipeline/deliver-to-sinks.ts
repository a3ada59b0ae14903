import { toError } from '../errors';
import type { Delivery, DeliveryReceipt, InsightSink } from '../ports';
import type { Logger } from './logger';
import type { ReportedError } from '../core/run-report';
import { reportedError } from '../core/reported-error';

export interface SinkDeliveries {
  readonly receipts: Array<{ readonly sink: string; readonly receipt: DeliveryReceipt }>;
  readonly errors: ReportedError[];
}

/** Every sink gets the run at once; one that fails is recorded and never stops another. */
export async function deliverToSinks(
  sinks: readonly InsightSink[],
  delivery: Delivery,
  logger: Logger,
): Promise<SinkDeliveries> {
  const result: SinkDeliveries = { receipts: [], errors: [] };
  await Promise.all(
    sinks.map(async (sink) => {
      try {
        result.receipts.push({ sink: sink.name, receipt: await sink.deliver(delivery) });
      } catch (error) {
        const reported = reportedError(toError(error), sink.name);
        result.errors.push(reported);
        logger.error(reported.message);
      }
    }),
  );
  return result;
}
