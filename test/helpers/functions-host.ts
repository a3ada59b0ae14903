import { InvocationContext } from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { setTimeout as sleep } from 'node:timers/promises';
import { drainTriggerMessages } from './queue-messages';

type QueueHandler = (message: unknown, context: InvocationContext) => Promise<void>;

/**
 * The Functions host for one queue, played by a test: each visible message is handed to `handler` with
 * a real InvocationContext, up to `maxDequeueCount` tries (its `dequeueCount` in the trigger metadata),
 * then moved to `poison`; messages the handler queues (continuations, hidden for their Retry-After) are
 * taken once they become visible, until the queue holds none, visible or hidden.
 */
export async function runQueueHost(
  queue: QueueClient,
  handler: QueueHandler,
  poison: QueueClient,
  options: {
    readonly maxDequeueCount?: number;
    /** The invocation's context for a try (default: one that logs nowhere). */
    readonly context?: (dequeueCount: number) => InvocationContext;
  } = {},
): Promise<void> {
  const maxDequeueCount = options.maxDequeueCount ?? 5;
  const contextFor =
    options.context ??
    ((dequeueCount: number) =>
      new InvocationContext({ logHandler: () => {}, triggerMetadata: { dequeueCount } }));
  for (;;) {
    const messages = await drainTriggerMessages(queue);
    if (messages.length === 0) {
      if ((await queue.getProperties()).approximateMessagesCount === 0) return;
      await sleep(100); // a continuation still hidden
      continue;
    }
    for (const message of messages) {
      let attempt = 1;
      for (; attempt <= maxDequeueCount; attempt++) {
        const failed = await handler(message, contextFor(attempt)).then(
          () => false,
          () => true,
        );
        if (!failed) break;
      }
      if (attempt > maxDequeueCount)
        await poison.sendMessage(Buffer.from(JSON.stringify(message)).toString('base64'));
    }
  }
}
