import type { AnswerPlace, CallOptions } from '../ports';

/**
 * The longest a gateway keeps its render place (run-checks.ts RUN_RENDERING_GATEWAYS) through a wait
 * that is not the run's own work, in ms: a configuration GET, the gone check's (not notify's sends: a
 * gateway there holds its rendered insights, which the place bounds). ARM answers a GET in well
 * under a second; past this the place goes to another gateway and is taken again once the wait is
 * over. Kept through such waits, 64 configuration GETs that hung held every place, and every other
 * gateway (its clock stopped while it waited for one), for their whole time-out (a break trial: 131 of
 * 300 healthy gateways not done by a 12 s deadline). As the reader's ANSWER_PLACE_HOLD_IN_MS for a poll.
 */
export const PLACE_KEPT_THROUGH_A_WAIT_IN_MS = 3_000;

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
