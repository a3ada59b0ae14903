/** What both state-store adapters share; the port itself is in src/ports.ts. */
import type { StoredDocument } from '../../ports';

export type { StateStore, StoredDocument } from '../../ports';
export { StateConflictError } from '../../errors';

/** The JSON text a store writes for `value`; throws TypeError when `value` is not JSON-serialisable. */
export function serialiseDocument(value: unknown): string {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  if (text === undefined)
    throw new TypeError('A state document must be a JSON value (got undefined/function).');
  return `${text}\n`;
}

/** The stored document read back; a text that is not JSON is an error naming `what` (the file or blob). */
export function parseDocument<T>(text: string, etag: string, what: string): StoredDocument<T> {
  try {
    return { value: JSON.parse(text) as T, etag };
  } catch (error) {
    throw new Error(`${what} is not valid JSON (${(error as Error).message}); fix or delete it.`, {
      cause: error,
    });
  }
}
