/**
 * Runs `work` with an abort signal that fires after `timeoutInMs`, and stops waiting at that moment
 * even if the work ignores the signal: one slow gateway or target never holds up a run. On time-out it
 * rejects with `expired(timeoutInMs)`: the caller's error type (a listing is not a backend-health call).
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
      // Reject before aborting: work that rejects in the abort event itself would otherwise settle the
      // race first, with the signal's bare AbortError (reported as Unexpected) instead of `expired`.
      reject(expired(timeoutInMs));
      controller.abort();
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
