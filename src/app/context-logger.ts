import type { InvocationContext } from '@azure/functions';
import type { Logger } from '../pipeline/logger';

/** Logs through the invocation, so each line is tied to it in Application Insights. */
export function contextLogger(context: InvocationContext): Logger {
  return { info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) };
}
