import type { Clock } from '../../ports';

/** The machine's clock; its monotonic time is `performance.now()`'s (the pacer's default clock too). */
export const systemClock: Clock = { now: () => new Date(), monotonicInMs: () => performance.now() };
