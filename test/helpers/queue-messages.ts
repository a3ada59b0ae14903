import type { QueueClient } from '@azure/storage-queue';

/** Receives and deletes every visible message with the official SDK; their texts as stored, oldest first. */
export async function drainTexts(queue: QueueClient): Promise<string[]> {
  const texts: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return texts;
    for (const item of receivedMessageItems) {
      texts.push(item.messageText);
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

/** The same, decoded as the queue trigger does (base64 → JSON). */
export async function drainTriggerMessages(queue: QueueClient): Promise<unknown[]> {
  return (await drainTexts(queue)).map((text) => JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
}

/**
 * The next visible messages, decoded, waiting (up to `withinInMs`) while the queue still holds hidden
 * ones (a continuation enqueued with a visibility delay); [] only when the queue is empty.
 */
export async function nextTriggerMessages(queue: QueueClient, withinInMs = 60_000): Promise<unknown[]> {
  const until = Date.now() + withinInMs;
  for (;;) {
    const messages = await drainTriggerMessages(queue);
    if (messages.length > 0) return messages;
    const { approximateMessagesCount } = await queue.getProperties();
    if (!approximateMessagesCount) return [];
    if (Date.now() > until) throw new Error(`${queue.name}: messages still hidden after ${withinInMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
