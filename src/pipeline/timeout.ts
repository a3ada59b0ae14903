/**
 * Runs `work` with an abort signal that fires after `timeoutInMs`, and stops waiting at that moment
 * even if the work ignores the signal: one slow gateway or target never holds up a run. On time-out it
 * rejects with `expired(timeoutInMs)`: the caller's error type (a listing is not a backend-health call),
 * whatever the work does on the abort. That error is also the signal's `reason`.
 *
 * `stop` (the run's interruption: a stop signal or its deadline) cuts the work short the same way, at
 * once, rejecting with the stop's own reason (a RunInterruptedError), so the caller can tell "not done"
 * from "failed".
 */
export async function withTimeout<T>(
  timeoutInMs: number,
  work: (abortSignal: AbortSignal) => Promise<T>,
  expired: (timeoutInMs: number) => Error,
  stop?: AbortSignal,
): Promise<T> {
  // Already stopped: the work is not started (it could answer at once and be taken as done).
  if (stop?.aborted) throw stop.reason;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired(timeoutInMs);
      // Settled before the abort: work that rejects at once when aborted (with its own AbortError, or
      // a failure of the call cut short) would otherwise win the race and be reported instead.
      reject(error);
      controller.abort(error);
    }, timeoutInMs);
    if (!stop) return;
    onStop = () => {
      reject(stop.reason);
      controller.abort(stop.reason);
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener('abort', onStop);
  }
}

/** "no answer within 300000 ms (gatewayTimeoutInMs)": the detail every time-out error gives. */
export const noAnswerWithin = (timeoutInMs: number): string =>
  `no answer within ${timeoutInMs} ms (gatewayTimeoutInMs)`;
