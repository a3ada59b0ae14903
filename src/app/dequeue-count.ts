import type { InvocationContext } from '@azure/functions';

/**
 * Which try of a queue message this invocation is: the storage queue trigger's `dequeueCount` metadata
 * (1 on the first try; the host moves the message to `<queue>-poison` after host.json
 * `maxDequeueCount` tries). 1 when the host gave none.
 */
export function dequeueCount(context: InvocationContext): number {
  const value = Number(context.triggerMetadata?.['dequeueCount']);
  return Number.isSafeInteger(value) && value > 0 ? value : 1;
}
