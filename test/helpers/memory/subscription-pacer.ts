import type { CallOptions, SubscriptionPacer } from '../../../src/ports';

/**
 * A SubscriptionPacer the test steers: every subscription admits freely until `hold`; a held one admits
 * only as many as `grant` gives. Records every admission, in order (subscription ids as asked).
 */
export interface MemorySubscriptionPacer extends SubscriptionPacer {
  readonly admitted: string[];
  /** From now on `subscriptionId` (any case) admits nothing until granted. */
  hold(subscriptionId: string): void;
  /** Lets `count` more of a held subscription's waiters in. */
  grant(subscriptionId: string, count?: number): void;
  /** How many wait to be admitted to `subscriptionId`. */
  waiting(subscriptionId: string): number;
  /** Every admission fails (a broken pacer). */
  failWith(error: Error): void;
}

export function memorySubscriptionPacer(): MemorySubscriptionPacer {
  const held = new Map<string, { tokens: number; waiters: Array<() => void> }>();
  let failure: Error | undefined;
  const keyOf = (id: string) => id.toLowerCase();
  const pacer: MemorySubscriptionPacer = {
    admitted: [],
    hold: (id) => void held.set(keyOf(id), held.get(keyOf(id)) ?? { tokens: 0, waiters: [] }),
    grant(id, count = 1) {
      const gate = held.get(keyOf(id));
      if (!gate) return;
      gate.tokens += count;
      while (gate.tokens > 0 && gate.waiters.length > 0) {
        gate.tokens -= 1;
        (gate.waiters.shift() as () => void)();
      }
    },
    waiting: (id) => held.get(keyOf(id))?.waiters.length ?? 0,
    failWith: (error) => void (failure = error),
    recentThrottle: () => undefined,
    // No 429 ever pauses it: the scheduler's wait for a pause to end never waits.
    resumed: () => Promise.resolve(),
    admit(subscriptionId: string, _kind: 'reads' | 'writes', options?: CallOptions): Promise<void> {
      if (failure) return Promise.reject(failure);
      if (options?.abortSignal?.aborted) return Promise.reject(options.abortSignal.reason);
      const gate = held.get(keyOf(subscriptionId));
      const admit = () => void pacer.admitted.push(subscriptionId);
      if (!gate) {
        admit();
        return Promise.resolve();
      }
      if (gate.tokens > 0) {
        gate.tokens -= 1;
        admit();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) =>
        gate.waiters.push(() => {
          admit();
          resolve();
        }),
      );
    },
  };
  return pacer;
}
