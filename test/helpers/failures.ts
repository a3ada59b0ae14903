import { isRestError, type RestError } from '@azure/core-rest-pipeline';
import { ConfigError } from '../../src/errors';

/** What a promise rejected with; throws (failing the test) when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  if (!outcome) throw new Error('expected a rejection, the promise resolved');
  return outcome.error;
}

/** The RestError a promise rejected with; fails the test for anything else. */
export async function restError(promise: Promise<unknown>): Promise<RestError> {
  const error = await rejection(promise);
  expect(isRestError(error)).toBe(true);
  return error as RestError;
}

/** What `fn` threw; throws (failing the test) when it returned. */
export function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** The issues of the ConfigError `fn` threw; [] when it returned; anything else it threw fails the test. */
export function configIssues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}
