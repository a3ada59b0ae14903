import type { GatewayMessage, WorkQueue } from '../../../src/ports';

/** A WorkQueue that keeps the messages put on it. */
export interface MemoryWorkQueue extends WorkQueue {
  /** Every message enqueued, in order. */
  readonly messages: GatewayMessage[];
  /** Thrown by the next enqueue instead of taking the messages; unset to heal. */
  failure?: Error;
}

export function memoryWorkQueue(name = 'memory-queue'): MemoryWorkQueue {
  const queue: MemoryWorkQueue = {
    name,
    messages: [],
    async enqueue(messages) {
      if (queue.failure) throw queue.failure;
      queue.messages.push(...messages);
    },
  };
  return queue;
}
