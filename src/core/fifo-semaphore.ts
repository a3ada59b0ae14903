/** Places given out one at a time, in the order asked for (fifoSemaphore). */
export interface FifoSemaphore {
  /**
   * Resolves once a place is held; with `abortSignal`, rejects with its reason when it fires before
   * (at once when it has), and leaves the line without a place.
   */
  acquire(options?: { readonly abortSignal?: AbortSignal }): Promise<void>;
  /** Takes a place when one is free and nobody is in line for it (true); else takes nothing (false). */
  tryAcquire(): boolean;
  /** Gives a held place to the next in line, or back to the free ones. */
  release(): void;
}

/**
 * `size` places, given out in the order asked for. `acquire` with an abort signal rejects with its
 * reason when it fires before a place is given (at once when it has), and leaves the line.
 */
export function fifoSemaphore(size: number): FifoSemaphore {
  let free = size;
  // In the order asked; a Set, so a waiter that leaves (its signal fired) goes in O(1): a stopped run's
  // thousands leave together.
  const waiting = new Set<() => void>();
  return {
    acquire(options = {}) {
      const signal = options.abortSignal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const given = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          waiting.delete(given);
          reject(signal?.reason);
        };
        waiting.add(given);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    tryAcquire() {
      if (free === 0 || waiting.size > 0) return false;
      free -= 1;
      return true;
    },
    release() {
      const next = waiting.values().next();
      if (next.done) {
        free += 1;
        return;
      }
      waiting.delete(next.value);
      next.value();
    },
  };
}

/**
 * One holder's hold on a place of `places`: taken once however often `take` or `tryTake` is called
 * while held, given back once however often `giveBack` is called (a gateway gives its places back on
 * every way out). Field terms: a gateway's render place, its starting place, its spare place.
 */
export interface PlaceHold {
  /** Whether the place is held now. */
  readonly held: boolean;
  /** Resolves once held (at once when it is); rejects as FifoSemaphore.acquire does, holding nothing. */
  take(options?: { readonly abortSignal?: AbortSignal }): Promise<void>;
  /** Holds a place when one is free and nobody is in line (FifoSemaphore.tryAcquire); true while held. */
  tryTake(): boolean;
  /** Gives the place back when held; else nothing. */
  giveBack(): void;
}

/** A PlaceHold on `places` (see PlaceHold), holding nothing at first. */
export function placeHold(places: FifoSemaphore): PlaceHold {
  let held = false;
  return {
    get held() {
      return held;
    },
    async take(options) {
      if (held) return;
      await places.acquire(options);
      held = true;
    },
    tryTake() {
      held ||= places.tryAcquire();
      return held;
    },
    giveBack() {
      if (!held) return;
      held = false;
      places.release();
    },
  };
}
