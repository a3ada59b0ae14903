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

/** A stop signal as take's options. */
export const stopOptions = (stop: AbortSignal | undefined): CallOptions =>
  stop ? { abortSignal: stop } : {};
