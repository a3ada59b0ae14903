import { MAX_QUOTA_WAIT_IN_MS, quotaWaitInMs, readResetsAfter } from '../../../src/core/discovery/quota';

describe("Resource Graph's quota headers", () => {
  it.each([
    ['00:00:03', 3000],
    ['00:01:00', 60_000],
    ['01:00:00', 3_600_000],
    ['00:00:04.9990000', 4999],
    [' 00:00:00 ', 0],
    ['3', undefined],
    ['00:60:00', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('resets-after %j is %j ms', (text, ms) => {
    expect(readResetsAfter(text)).toBe(ms);
  });

  it.each([
    ['0', '00:00:03', 3000],
    ['-1', '00:00:02', 2000],
    ['1', '00:00:03', 0],
    ['14', '00:00:05', 0],
    [undefined, '00:00:03', 0],
    ['none', '00:00:03', 0],
    ['0', 'soon', 0],
    ['0', '01:00:00', MAX_QUOTA_WAIT_IN_MS],
  ])('remaining %j, resets after %j: wait %i ms', (remaining, resets, wait) => {
    expect(quotaWaitInMs(remaining, resets)).toBe(wait);
  });
});
