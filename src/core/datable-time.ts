/**
 * The times this product takes from a queue message or a stored document: years 0000 to 9999 (UTC),
 * the ISO 8601 four-digit years it writes. A time JavaScript can hold may still not be datable: the
 * range is ±8.64e15 ms (ECMA-262, "Time Values and Time Range"), and arithmetic near its ends (a
 * retention subtracted, a window added) leaves it, so `toISOString` throws RangeError "Invalid time
 * value" (a break trial: a poison message dated the year -271821 threw on every try, and its gateway
 * was never recorded). Pure.
 */

/** 0000-01-01T00:00:00.000Z, in ms since the epoch. */
export const EARLIEST_DATABLE_IN_MS = -62_167_219_200_000;
/** 9999-12-31T23:59:59.999Z, in ms since the epoch. */
export const LATEST_DATABLE_IN_MS = 253_402_300_799_999;

/**
 * `text` read as a time (Date.parse: ISO 8601, or the RFC 7231 form) in ms since the epoch, or
 * undefined when it is not a string, not a time, or outside years 0000 to 9999.
 */
export function datableTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = Date.parse(text);
  return ms >= EARLIEST_DATABLE_IN_MS && ms <= LATEST_DATABLE_IN_MS ? ms : undefined;
}

/** `text` as datableTime reads it, written as ISO 8601 in UTC (`2026-11-30T03:00:00.000Z`), or undefined. */
export function datableIso(text: unknown): string | undefined {
  const ms = datableTime(text);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
