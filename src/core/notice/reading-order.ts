/**
 * Readings in time order: a gateway's reading older than the newest one already counted for it decides
 * nothing. The Functions app reads one gateway over several queue invocations (continuations), and
 * takes a result late (hidden for Retry-After, put back for quota, retried by the host): by then a
 * newer run (the next timer round, an alert) may have read the same gateway and notified. Counted
 * after it, the older result undid what the newer one saw (a break trial: a server bad at the newer
 * reading sent `recovered` on the older healthy one, then `degraded` again; a gateway confirmed deleted
 * got a new `degraded` from a result read before its deletion). Pure.
 */

/** What one reading is to notify: counted (the newest time to keep), or older than one already counted. */
export type ReadingOrder =
  | {
      readonly counts: true;
      /** ISO: the newest counted reading's time once this one counts (undefined: still not known). */
      readonly newestAt?: string;
    }
  | {
      readonly counts: false;
      /** ISO: the newer reading's time, already counted. */
      readonly newerAt: string;
    };

/**
 * Whether a reading that began at `readAt` (ISO) counts, given the newest reading counted for its
 * gateway began at `newestAt` (ISO). Both are the product's clock's (when a run's read began, or a
 * deletion was confirmed), never ARM's, and equal times count (two instances' clocks a little apart,
 * one run's message delivered twice). Either unknown or not a time (a document of an earlier release,
 * a reading with no time: a recheck) counts, as before this rule: absent `readAt` keeps `newestAt`.
 */
export function orderReading(newestAt: string | undefined, readAt: string | undefined): ReadingOrder {
  const read = readAt === undefined ? NaN : Date.parse(readAt);
  const newest = newestAt === undefined ? NaN : Date.parse(newestAt);
  if (Number.isNaN(read)) return Number.isNaN(newest) ? { counts: true } : { counts: true, newestAt };
  if (Number.isNaN(newest) || read >= newest) return { counts: true, newestAt: readAt };
  return { counts: false, newerAt: newestAt as string };
}
