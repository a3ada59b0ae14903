import { AppGwInsightsError } from '../errors';
import type { ReportedError } from './report';

/** An error as the report shows it: our stable code, or "Unexpected" for anything we did not map. */
export function reportedError(error: Error, sink?: string): ReportedError {
  const code = error instanceof AppGwInsightsError ? error.code : 'Unexpected';
  return { code, message: error.message, ...(sink ? { sink } : {}) };
}
