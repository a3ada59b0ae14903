/** What both state-store adapters share; the port itself is in src/ports.ts. */
import { jsonErrorReason } from '../../core/input/json-text';
import { StateInvalidError } from '../../errors';
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

/**
 * The stored document read back; a text that is not JSON throws StateInvalidError naming `document`
 * (the file or blob), without quoting the text.
 */
export function parseDocument<T>(text: string, etag: string, document: string): StoredDocument<T> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { value: JSON.parse(body) as T, etag };
  } catch (error) {
    throw new StateInvalidError(document, [`not valid JSON (${jsonErrorReason(error)})`], {
      cause: error,
      notJson: true,
    });
  }
}
