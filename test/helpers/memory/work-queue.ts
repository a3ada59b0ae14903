import type { GatewayMessage, WorkQueue } from '../../../src/ports';

/** A WorkQueue that keeps the messages put on it. */
export interface MemoryWorkQueue extends WorkQueue {
  /** Every message enqueued, in order (enqueued's messages). */
  readonly messages: readonly GatewayMessage[];
  /** The same, each with the `visibleAfterInMs` it was enqueued with (absent: visible at once). */
  readonly enqueued: Array<{ readonly message: GatewayMessage; readonly visibleAfterInMs?: number }>;
  /** Thrown by the next enqueue instead of taking the messages; unset to heal. */
  failure?: Error;
}

export function memoryWorkQueue(name = 'memory-queue'): MemoryWorkQueue {
  const queue: MemoryWorkQueue = {
    name,
    get messages() {
      return queue.enqueued.map((e) => e.message);
    },
    enqueued: [],
    async enqueue(messages, options = {}) {
      if (queue.failure) throw queue.failure;
      const { visibleAfterInMs } = options;
      for (const message of messages)
        queue.enqueued.push({ message, ...(visibleAfterInMs !== undefined ? { visibleAfterInMs } : {}) });
    },
  };
  return queue;
}
