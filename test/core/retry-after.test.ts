import fc from 'fast-check';
import { pollWaitInMs, retryAfterInMs } from '../../src/core/retry-after';

const NOW = Date.parse('2026-11-30T03:00:00Z');

describe('retryAfterInMs', () => {
  it.each<[string | undefined, number | undefined]>([
    ['0', 0],
    ['1', 1000],
    [' 30 ', 30_000],
    ['Mon, 30 Nov 2026 03:00:10 GMT', 10_000],
    ['Mon, 30 Nov 2026 02:59:00 GMT', 0], // already past: poll now
    [undefined, undefined],
    ['', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['0x10', undefined],
  ])('%p → %p', (header, expected) => {
    expect(retryAfterInMs(header, NOW)).toBe(expected);
  });

  it('any delay-seconds is that many seconds', () => {
    fc.assert(fc.property(fc.nat(86_400), (s) => retryAfterInMs(String(s), NOW) === s * 1000));
  });
});

describe('pollWaitInMs: Retry-After as said, but repeated 0s back off', () => {
  it.each([
    [1000, 0, 2000, 1000],
    [1000, 5, 2000, 1000],
    [0, 0, 2000, 0],
    [0, 1, 2000, 250],
    [0, 2, 2000, 500],
    [0, 3, 2000, 1000],
    [0, 4, 2000, 2000],
    [0, 40, 2000, 2000],
    [0, 1, 100, 100],
  ])('said %i ms after %i "at once" poll(s), interval %i → %i ms', (said, before, interval, expected) => {
    expect(pollWaitInMs(said, before, interval)).toBe(expected);
  });

  it('never waits longer than the interval for a 0, and never changes a non-zero Retry-After', () => {
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.nat(60),
        fc.integer({ min: 1, max: 600_000 }),
        (said, before, interval) => {
          const wait = pollWaitInMs(said, before, interval);
          if (said > 0) expect(wait).toBe(said);
          else expect(wait).toBeLessThanOrEqual(interval);
        },
      ),
    );
  });
});
