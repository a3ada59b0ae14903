import type { ReportedError } from '../core/run-report';

/** A run's sink failures over its many deliveries (one per gateway, then the report). */
export interface SinkFailures {
  add(errors: readonly ReportedError[]): void;
  /** One entry per sink that failed: its first error, saying how many of its deliveries failed. */
  reported(): ReportedError[];
}

/**
 * Counts the failures of each sink over a streamed run: a storage account that is down fails every
 * gateway's delivery, and the report names it once (with the count), not once per gateway, so the
 * report stays the size of the run's results. Memory: one entry per sink.
 */
export function createSinkFailures(): SinkFailures {
  const bySink = new Map<string, { first: ReportedError; count: number }>();
  return {
    add(errors) {
      for (const error of errors) {
        const key = error.sink ?? '';
        const seen = bySink.get(key);
        if (seen) seen.count += 1;
        else bySink.set(key, { first: error, count: 1 });
      }
    },
    reported: () =>
      [...bySink.values()].map(({ first, count }) =>
        count === 1
          ? first
          : { ...first, message: `${first.message} (${count} of its deliveries this run failed)` },
      ),
  };
}
