import {
  processQueuedGateway,
  type FinishedGateway,
  type QueuedGatewayDependencies,
  type QueueTry,
} from '../../src/pipeline/fan-out';
import type { GatewayMessage, WorkQueue } from '../../src/ports';
import { memoryWorkQueue } from './memory/work-queue';

/**
 * The queue function as the host runs it for one gateway: the message, then each continuation it
 * queues (at once: these tests do not wait out Retry-After, the functions tests do), until the gateway
 * finishes. Continuations go to `deps.queue` when given, else to a queue of their own.
 */
export async function processUntilFinished(
  deps: Omit<QueuedGatewayDependencies, 'queue'> & { readonly queue?: WorkQueue },
  options: Parameters<typeof processQueuedGateway>[1],
  message: GatewayMessage,
  queueTry?: QueueTry,
): Promise<FinishedGateway> {
  const withQueue = { ...deps, queue: deps.queue ?? memoryWorkQueue('continuations') };
  let result = await processQueuedGateway(withQueue, options, message, queueTry);
  while (result.kind !== 'finished') {
    if (result.kind === 'notWatched') throw result.error;
    result = await processQueuedGateway(
      withQueue,
      options,
      result.kind === 'continued' ? result.continuation : result.message,
    );
  }
  return result;
}
