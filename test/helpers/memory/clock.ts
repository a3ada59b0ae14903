import type { Clock } from '../../../src/ports';

/** A Clock that says `at` (ms since the epoch) until the test moves it (its monotonic time too). */
export interface FakeClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function fakeClock(at: number): FakeClock {
  let now = at;
  return {
    now: () => new Date(now),
    monotonicInMs: () => now,
    set: (ms) => void (now = ms),
    advance: (ms) => void (now += ms),
  };
}
