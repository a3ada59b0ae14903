import { DeliveryError, isAppGwInsightsError } from '../errors';
import type { Delivery, DeliveryReceipt, InsightSink } from '../ports';
import type { Logger } from './logger';
import type { ReportedError } from '../core/run-report';
import { reportedError } from '../core/reported-error';
import { clipMessage, firstLineOf } from '../core/text-clip';

export interface SinkDeliveries {
  readonly receipts: Array<{ readonly sink: string; readonly receipt: DeliveryReceipt }>;
  readonly errors: ReportedError[];
}

/**
 * Every sink gets the run at once; one that fails is recorded and never stops another. A sink's failure
 * is a DeliveryFailed naming the sink, also when the sink did not type it (a bug in it: the message
 * says so), never `Unexpected`. Receipts and errors are in the sinks' order, whichever finished first,
 * so the summary lists the same run the same way every time.
 */
export async function deliverToSinks(
  sinks: readonly InsightSink[],
  delivery: Delivery,
  logger: Logger,
): Promise<SinkDeliveries> {
  const outcomes = await Promise.all(
    sinks.map(async (sink) => {
      try {
        return { receipt: { sink: sink.name, receipt: await sink.deliver(delivery) } };
      } catch (error) {
        const reported = reportedError(typedDeliveryError(sink.name, error), sink.name);
        logger.error(reported.message);
        return { error: reported };
      }
    }),
  );
  return {
    receipts: outcomes.flatMap((o) => (o.receipt ? [o.receipt] : [])),
    errors: outcomes.flatMap((o) => (o.error ? [o.error] : [])),
  };
}

function typedDeliveryError(sink: string, error: unknown): Error {
  if (isAppGwInsightsError(error)) return error;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The first line (the rest may be a dump), its start and its end, the cut marker between.
  const line = clipMessage(firstLineOf(text).trim(), 300);
  return new DeliveryError(
    sink,
    `the sink failed without saying why (${line}); the next run tries again, and if it persists, ` +
      'please report it (a bug in the sink)',
    { retryable: true, cause: error },
  );
}
