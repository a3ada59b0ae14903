import type { RunReport } from '../../src/core/run-report';
import type { RunOutcome } from '../../src/pipeline/run-checks';

/**
 * `outcome`'s report as plain values (its gateways read from the run's temporary files, report-entries.ts),
 * then the outcome disposed: for a test that looks at a CLI-style run's report after its temp folder is gone.
 */
export async function settledReport(outcome: RunOutcome): Promise<RunReport> {
  try {
    return JSON.parse(JSON.stringify(outcome.report)) as RunReport;
  } finally {
    await outcome.dispose();
  }
}
