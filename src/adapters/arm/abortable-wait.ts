/**
 * The ARM adapter's waits (before an operation's poll, for Resource Graph's quota window) and what they
 * throw when the call is aborted: our own AbortError, which errors.ts isCancellation (and so toArmError,
 * "the call was cancelled (time-out)") recognises in any realm. node:timers' own is another realm's
 * under a test runner.
 */

/** An AbortError saying which wait was cut short, e.g. "the wait for the next poll was aborted". */
export function abortedWait(what: string): Error {
  return Object.assign(new Error(`${what} was aborted`), { name: 'AbortError' });
}

/** Waits `ms`, or rejects with abortedWait(`what`) as soon as `signal` aborts (at once if it has). */
export function waitFor(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedWait(what));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedWait(what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
