/**
 * Stops the time-out's clock while a wait that is not the work's own runs (a direct run's wait for a
 * place to render: run-checks.ts): `paused(wait)` resolves or rejects as `wait` does, and the time it
 * took is not counted. Overlapping pauses stop the clock once.
 */
export type PauseClock = <T>(wait: Promise<T>) => Promise<T>;

/**
 * Runs `work` with an abort signal that fires after `timeoutInMs`, and stops waiting at that moment
 * even if the work ignores the signal: one slow gateway or target never holds up a run. On time-out it
 * rejects with `expired(timeoutInMs)`: the caller's error type (a listing is not a backend-health call),
 * whatever the work does on the abort. That error is also the signal's `reason`. The time the work spent
 * in `paused` waits is not counted (PauseClock).
 *
 * `stop` (the run's interruption: a stop signal or its deadline) cuts the work short the same way, at
 * once, rejecting with the stop's own reason (a RunInterruptedError), so the caller can tell "not done"
 * from "failed".
 */
export async function withTimeout<T>(
  timeoutInMs: number,
  work: (abortSignal: AbortSignal, paused: PauseClock) => Promise<T>,
  expired: (timeoutInMs: number) => Error,
  stop?: AbortSignal,
): Promise<T> {
  // Already stopped: the work is not started (it could answer at once and be taken as done).
  if (stop?.aborted) throw stop.reason;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  let fire: () => void = () => undefined;
  // What is left of timeoutInMs, and since when the clock has run (undefined while paused).
  let leftInMs = timeoutInMs;
  let runningSince: number | undefined = Date.now();
  let pauses = 0;
  let settled = false;
  const timedOut = new Promise<never>((_, reject) => {
    fire = () => {
      const error = expired(timeoutInMs);
      // Settled before the abort: work that rejects at once when aborted (with its own AbortError, or
      // a failure of the call cut short) would otherwise win the race and be reported instead.
      reject(error);
      controller.abort(error);
    };
    timer = setTimeout(fire, timeoutInMs);
    if (!stop) return;
    onStop = () => {
      reject(stop.reason);
      controller.abort(stop.reason);
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
  const paused: PauseClock = async (wait) => {
    if (pauses++ === 0 && runningSince !== undefined && !settled && !controller.signal.aborted) {
      clearTimeout(timer);
      leftInMs -= Date.now() - runningSince;
      runningSince = undefined;
    }
    try {
      return await wait;
    } finally {
      if (--pauses === 0 && runningSince === undefined && !settled && !controller.signal.aborted) {
        runningSince = Date.now();
        timer = setTimeout(fire, Math.max(0, leftInMs));
      }
    }
  };
  try {
    return await Promise.race([work(controller.signal, paused), timedOut]);
  } finally {
    // A pause ending after the race is over must not set the timer again.
    settled = true;
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener('abort', onStop);
  }
}

/** "no answer within 300000 ms (gatewayTimeoutInMs)": the detail every time-out error gives. */
export const noAnswerWithin = (timeoutInMs: number): string =>
  `no answer within ${timeoutInMs} ms (gatewayTimeoutInMs)`;
