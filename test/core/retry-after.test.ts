import fc from 'fast-check';
import { retryAfterInMs } from '../../src/core/retry-after';

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
