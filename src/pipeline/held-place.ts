import type { PlaceHold } from '../core/fifo-semaphore';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../core/place-kept';
import type { AnswerPlace, CallOptions } from '../ports';

/**
 * `wait`'s result (or its error), `place` kept at most PLACE_KEPT_THROUGH_A_WAIT_IN_MS meanwhile: past
 * it given back, then taken again by `retake` once `wait` has settled, before this returns. `retake`
 * may throw (a stop: the caller's RunInterruptedError); its throw wins over `wait`'s result. Without a
 * place, `wait` as it is.
 */
export async function keptAtMost<T>(
  place: AnswerPlace | undefined,
  wait: Promise<T>,
  retake: () => Promise<void>,
): Promise<T> {
  if (!place) return wait;
  let gaveBack = false;
  const timer = setTimeout(() => {
    gaveBack = true;
    place.giveBack();
  }, PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
  try {
    return await wait;
  } finally {
    clearTimeout(timer);
    if (gaveBack) await retake();
  }
}

/**
 * A place of a small run-wide pool, taken only when one is free (run-checks.ts
 * RUN_GATEWAYS_WAITING_ON_RECEIVERS): what a gateway holds instead of its render place while it waits
 * on a receiver. Its holder gives it back once, when the gateway is done.
 */
export type SparePlace = Pick<PlaceHold, 'tryTake' | 'giveBack'>;

/**
 * `wait`'s result (or its error); past PLACE_KEPT_THROUGH_A_WAIT_IN_MS (and every as long again while
 * `wait` runs) `place` is given back for good once `spare` can be taken: the gateway goes on without a
 * render place, holding the spare one until it is done. Not taken again: what it waits for (a receiver's
 * turn) may be held by a gateway that waits for a render place, and a gateway waiting on a receiver
 * with its place, behind sends waiting to take one again, never moved (a deadlock). Without either
 * place, `wait` as it is.
 */
export async function givenBackWhileWaiting<T>(
  place: AnswerPlace | undefined,
  spare: SparePlace | undefined,
  wait: Promise<T>,
): Promise<T> {
  if (!place || !spare) return wait;
  const timer = setInterval(() => {
    if (!spare.tryTake()) return;
    clearInterval(timer);
    place.giveBack();
  }, PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
  try {
    return await wait;
  } finally {
    clearInterval(timer);
  }
}

/** A stop signal as take's options. */
export const stopOptions = (stop: AbortSignal | undefined): CallOptions =>
  stop ? { abortSignal: stop } : {};
