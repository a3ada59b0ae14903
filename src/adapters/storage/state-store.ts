/** What both state-store adapters share; the port itself is in src/ports.ts. */
export type { StateStore, StoredDocument } from '../../ports';
export { StateConflictError } from '../../errors';

/** The JSON text a store writes for `value`; throws TypeError when `value` is not JSON-serialisable. */
export function serialiseDocument(value: unknown): string {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  if (text === undefined)
    throw new TypeError('A state document must be a JSON value (got undefined/function).');
  return `${text}\n`;
}
