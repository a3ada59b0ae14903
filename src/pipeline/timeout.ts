/**
 * Runs `work` with an abort signal that fires after `timeoutInMs`, and stops waiting at that moment
 * even if the work ignores the signal: one slow gateway or target never holds up a run. On time-out it
 * rejects with `expired(timeoutInMs)`: the caller's error type (a listing is not a backend-health call),
 * whatever the work does on the abort. That error is also the signal's `reason`.
 */
export async function withTimeout<T>(
  timeoutInMs: number,
  work: (abortSignal: AbortSignal) => Promise<T>,
  expired: (timeoutInMs: number) => Error,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = expired(timeoutInMs);
      // Settled before the abort: work that rejects at once when aborted (with its own AbortError, or
      // a failure of the call cut short) would otherwise win the race and be reported instead.
      reject(error);
      controller.abort(error);
    }, timeoutInMs);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** "no answer within 300000 ms (gatewayTimeoutInMs)": the detail every time-out error gives. */
export const noAnswerWithin = (timeoutInMs: number): string =>
  `no answer within ${timeoutInMs} ms (gatewayTimeoutInMs)`;
