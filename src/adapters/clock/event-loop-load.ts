import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessLoad } from '../../ports';

/**
 * The event loop's lag past which the process is taken as not keeping up, in ms. A run waiting on ARM
 * (its operations take seconds) lags a few ms; a CPU-bound one (the bench's 1 s operations against a
 * local emulator) lagged 0.2–5 s with ~1 000 gateways in flight, each holding its requests and
 * connections meanwhile (bench/README.md "Scale").
 */
export const MAX_EVENT_LOOP_LAG_IN_MS = 100;

/** How long one lag reading is reused: admissions in one burst do not each wait for a timer. */
const READING_TTL_IN_MS = 50;

/**
 * ProcessLoad from the event loop's lag: how late a 0 ms timer fires (the work queued before it). Read
 * when asked (no timer runs between questions), a reading reused for READING_TTL_IN_MS. While the
 * lag is over `maxLagInMs`, `ready` reads it again until it is not: each reading waits out the lag it
 * measures, so a busy process is asked no faster than it answers.
 */
export function createEventLoopLoad(maxLagInMs: number = MAX_EVENT_LOOP_LAG_IN_MS): ProcessLoad {
  let last: { readonly at: number; readonly lagInMs: number } | undefined;
  const read = async (): Promise<number> => {
    const asked = performance.now();
    await delay(0);
    const now = performance.now();
    last = { at: now, lagInMs: now - asked };
    return last.lagInMs;
  };
  return {
    async ready(options = {}) {
      const fresh = last && performance.now() - last.at <= READING_TTL_IN_MS ? last.lagInMs : undefined;
      let lag = fresh ?? (await read());
      while (lag > maxLagInMs && !options.abortSignal?.aborted) lag = await read();
    },
  };
}
