import {
  CLOCK_SKEW_IN_MS,
  leaseInMs,
  LEASE_SLACK_IN_MS,
  sendFitsLease,
} from '../../../src/pipeline/notify/lease';

describe('leaseInMs: two send budgets and slack', () => {
  it.each([
    [1_000, 12_000],
    [58_500, 127_000], // the default webhook (10 s × 5 attempts and back-off): about two minutes
    [0, LEASE_SLACK_IN_MS],
  ])('a send budget of %i ms → a lease of %i ms', (budget, lease) => {
    expect(leaseInMs(budget)).toBe(lease);
  });
});

describe('sendFitsLease: a send starts only if it ends, with clock skew to spare, before the lease', () => {
  const until = 100_000;
  const budget = 10_000;
  it.each([
    ['with time to spare', 0, true],
    ['ending exactly at the lease less the skew', until - budget - CLOCK_SKEW_IN_MS, true],
    ['1 ms later', until - budget - CLOCK_SKEW_IN_MS + 1, false],
    ['within the skew of the end', until - budget, false],
    ['after the lease', until + 1, false],
  ])('starting %s: %s', (_label, now, fits) => {
    expect(sendFitsLease(now, budget, until)).toBe(fits);
  });

  it('a lease always leaves room for the first send, started at once', () => {
    for (const budget of [0, 1, 1_000, 58_500, 600_000])
      expect(sendFitsLease(0, budget, leaseInMs(budget))).toBe(true);
  });
});
