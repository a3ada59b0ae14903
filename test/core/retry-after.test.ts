import fc from 'fast-check';
import { pollWaitInMs, retryAfterInMs, throttleRetryAfterInMs } from '../../src/core/retry-after';

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

// What the Azure SDK's throttling strategy waits before retrying a 429 (retry.ts retries what it does not;
// the pacer pauses the subscription as long): its reading, looser than the RFC's above.
describe('throttleRetryAfterInMs: a 429’s wait as the Azure SDK reads it', () => {
  const date = (ms: number) => new Date(NOW + ms).toUTCString();
  it.each<[string, Record<string, string>, number | undefined]>([
    ['Retry-After in seconds', { 'retry-after': '2' }, 2000],
    ['Retry-After 0', { 'retry-after': '0' }, 0],
    ['Retry-After in fractional seconds (the strict reading refuses it)', { 'retry-after': '1.5' }, 1500],
    ['retry-after-ms first', { 'retry-after-ms': '150', 'retry-after': '9' }, 150],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '40' }, 40],
    ['a header that is not a number: the next one', { 'retry-after-ms': 'soon', 'retry-after': '2' }, 2000],
    ['a negative number: at once', { 'retry-after-ms': '-5', 'retry-after': '2' }, 0],
    ['Retry-After as an HTTP date', { 'retry-after': date(3000) }, 3000],
    ['an HTTP date already past', { 'retry-after': date(-3000) }, 0],
    ['a date in retry-after-ms (read in Retry-After only)', { 'retry-after-ms': date(3000) }, undefined],
    ['an endless wait', { 'retry-after': 'Infinity' }, undefined],
    ['an empty header', { 'retry-after': '' }, undefined],
    ['nonsense', { 'retry-after': 'soon' }, undefined],
    ['none', {}, undefined],
  ])('%s: %j', (_name, headers, expected) => {
    expect(throttleRetryAfterInMs((name) => headers[name], NOW)).toBe(expected);
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
