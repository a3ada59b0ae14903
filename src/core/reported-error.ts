import { VALUE_CAPS } from './caps';
import { clipMessage } from './text-clip';
import {
  isAppGwInsightsError,
  isStateInvalidError,
  isStateUnavailableError,
  isStoredSilenceInvalidError,
} from '../errors';
import type { ReportedError } from './run-report';

/**
 * An error as the report shows it: our stable code (or "Unexpected" for anything we did not map) and
 * whether trying again later can help (an unexpected failure may pass, so it counts as retryable).
 */
export function reportedError(error: Error, sink?: string): ReportedError {
  const ours = isAppGwInsightsError(error);
  return {
    code: ours ? error.code : 'Unexpected',
    // Messages may quote what ARM, storage or a receiver answered: bounded like every network value,
    // keeping the end, where our messages say what to do.
    message: clipMessage(error.message, VALUE_CAPS.errorMessage),
    retryable: ours ? error.retryable : true,
    ...(sink ? { sink } : {}),
    ...(isStateUnavailableError(error) || isStateInvalidError(error) || isStoredSilenceInvalidError(error)
      ? { document: error.document }
      : {}),
  };
}
