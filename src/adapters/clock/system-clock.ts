import { performance } from 'node:perf_hooks';
import type { Clock } from '../../ports';

/** The machine's clock; its monotonic time is `performance.now()`'s. */
export const systemClock: Clock = { now: () => new Date(), monotonicInMs: () => performance.now() };
