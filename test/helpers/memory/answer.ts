import type { CallOptions } from '../../../src/ports';

/**
 * How an in-memory port answers one call: a value; an Error (thrown); `UNTIL_ABORTED` (no answer until
 * the call's abort signal fires, then the signal's reason is thrown, as the Azure SDK does); `NEVER` (no
 * answer at all, the signal ignored: an adapter that does not honour it); or a function of the call's
 * options, for anything else (a promise the test settles, a non-Error thrown, a clock moved).
 */
export type Answer<T> =
  T | Error | typeof UNTIL_ABORTED | typeof NEVER | ((options: CallOptions | undefined) => Promise<T>);

export const UNTIL_ABORTED: unique symbol = Symbol('no answer until aborted');
export const NEVER: unique symbol = Symbol('no answer, abort ignored');

/** Plays `answer` for one call. */
export function play<T>(answer: Answer<T>, options: CallOptions | undefined): Promise<T> {
  if (answer === NEVER) return new Promise<T>(() => {});
  if (answer === UNTIL_ABORTED) {
    return new Promise<T>((_, reject) => {
      const signal = options?.abortSignal;
      if (!signal) return;
      // Rejects in the abort event itself: the earliest any adapter can, so callers' time-outs are
      // tested against the worst case.
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
  if (answer instanceof Error) return Promise.reject(answer);
  if (typeof answer === 'function') return (answer as (o: CallOptions | undefined) => Promise<T>)(options);
  return Promise.resolve(answer);
}

/** A promise the test settles by hand (a call still in flight while the test looks). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
