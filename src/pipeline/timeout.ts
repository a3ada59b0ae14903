import { BackendHealthUnavailableError } from '../errors';

/**
 * Runs `work` with an abort signal that fires after `timeoutInMs`, and stops waiting at that moment
 * even if the work ignores the signal: one slow gateway never holds up a run.
 */
export async function withTimeout<T>(
  resourceId: string,
  timeoutInMs: number,
  work: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new BackendHealthUnavailableError(
          resourceId,
          `no answer within ${timeoutInMs} ms (gatewayTimeoutInMs)`,
        ),
      );
    }, timeoutInMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
