import * as z from './zod';

/**
 * A zod field for a whole number from `min` to `max`, every refusal saying the range and what the
 * number means, e.g. `notify.recoverAfter: 0` → "must be a whole number from 1 to 100 (consecutive
 * healthy runs before `recovered` is sent; 1 = at the first)": not zod's "Too small: expected number
 * to be >=1".
 */
export function wholeNumber(min: number, max: number, meaning: string) {
  const message = `must be a whole number from ${min} to ${max} (${meaning})`;
  return z.int({ error: message }).check(z.gte(min, message), z.lte(max, message));
}
