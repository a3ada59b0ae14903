import { AppGwInsightsError, StateInvalidError, StateUnavailableError } from '../errors';
import type { ReportedError } from './report';

/**
 * An error as the report shows it: our stable code (or "Unexpected" for anything we did not map) and
 * whether trying again later can help (an unexpected failure may pass, so it counts as retryable).
 */
export function reportedError(error: Error, sink?: string): ReportedError {
  const ours = error instanceof AppGwInsightsError;
  return {
    code: ours ? error.code : 'Unexpected',
    message: error.message,
    retryable: ours ? error.retryable : true,
    ...(sink ? { sink } : {}),
    ...(error instanceof StateUnavailableError || error instanceof StateInvalidError
      ? { document: error.document }
      : {}),
  };
}
