import { STATUS_PAGE_SINK, type ReportedError } from '../core/run-report';

/** Failed deliveries listed per sink in a run's `deliveryErrors`; the rest are counted in one closing entry. */
export const DELIVERY_ERRORS_PER_SINK = 10;

/** A run's sink failures over its many deliveries (one per gateway, then the report). */
export interface SinkFailures {
  add(errors: readonly ReportedError[]): void;
  /**
   * Per sink that failed, one entry per failed delivery or document (each naming it), the first
   * DELIVERY_ERRORS_PER_SINK of them; when it had more, one closing entry "and N more …" with `omitted`
   * N, so a run of 5 000 gateways against a storage account that is down reports 11 entries, not 5 000.
   */
  reported(): ReportedError[];
}

/**
 * Collects the failures of each sink over a streamed run: each failed delivery is named (the folder's
 * file, the history document, the gateway whose insights did not go), up to DELIVERY_ERRORS_PER_SINK
 * per sink, and the rest counted, so the report names what failed and stays the size of the run's
 * results. Memory: at most DELIVERY_ERRORS_PER_SINK entries and a count per sink.
 */
export function createSinkFailures(): SinkFailures {
  const bySink = new Map<
    string,
    { listed: ReportedError[]; omitted: number; firstOmitted?: ReportedError }
  >();
  return {
    add(errors) {
      for (const error of errors) {
        const key = error.sink ?? '';
        const seen = bySink.get(key) ?? { listed: [], omitted: 0 };
        bySink.set(key, seen);
        if (seen.listed.length < DELIVERY_ERRORS_PER_SINK) seen.listed.push(error);
        else {
          seen.omitted += 1;
          seen.firstOmitted ??= error;
        }
      }
    },
    reported: () =>
      [...bySink.values()].flatMap(({ listed, omitted, firstOmitted }) =>
        firstOmitted === undefined ? listed : [...listed, omittedEntry(firstOmitted, listed.length, omitted)],
      ),
  };
}

/** The closing entry of a sink with more failures than are listed: how many more, and where they are. */
function omittedEntry(first: ReportedError, listed: number, omitted: number): ReportedError {
  const sink = first.sink ?? 'delivery';
  // The status page's own reads and writes (its histories) are not deliveries to a sink (a trial).
  const what =
    sink === STATUS_PAGE_SINK
      ? "failures of the status page's own reads and writes"
      : `failed deliveries to ${sink}`;
  return {
    code: first.code,
    message:
      `and ${omitted} more ${what} this run (${listed + omitted} in all; the first ` +
      `${listed} are listed, each one is in the run's log), the first of them: ${first.message}`,
    retryable: first.retryable,
    ...(first.sink !== undefined ? { sink: first.sink } : {}),
    omitted,
  };
}
