import { readRateLimitAnswer, remainingHeaderOf } from '../../../src/core/pacing/rate-limit-answer';
import { requestKindOf } from '../../../src/core/pacing/request-limits';

const NOW = Date.parse('2026-01-05T10:00:00.000Z');
const headers = (values: Record<string, string>) => (name: string) => values[name.toLowerCase()];
const throttleBody = JSON.stringify({ error: { code: 'SubscriptionRequestsThrottled', message: '…' } });

describe('what an ARM answer says about its bucket', () => {
  it.each<[string, Record<string, string>, number | undefined]>([
    ['the principal’s count', { 'x-ms-ratelimit-remaining-subscription-writes': '199' }, 199],
    [
      'the lower of principal and global',
      {
        'x-ms-ratelimit-remaining-subscription-writes': '199',
        'x-ms-ratelimit-remaining-subscription-global-writes': '12',
      },
      12,
    ],
    ['the global count alone', { 'x-ms-ratelimit-remaining-subscription-global-writes': '2999' }, 2999],
    [
      'the other kind’s header is not this kind’s',
      { 'x-ms-ratelimit-remaining-subscription-reads': '5' },
      undefined,
    ],
    ['not a number', { 'x-ms-ratelimit-remaining-subscription-writes': 'many' }, undefined],
    ['negative', { 'x-ms-ratelimit-remaining-subscription-writes': '-1' }, undefined],
    ['fraction', { 'x-ms-ratelimit-remaining-subscription-writes': '1.5' }, undefined],
    ['spaces around', { 'x-ms-ratelimit-remaining-subscription-writes': ' 7 ' }, 7],
    ['none', {}, undefined],
  ])('a write answer with %s: remaining %j', (_name, values, remaining) => {
    expect(readRateLimitAnswer('writes', 202, headers(values), undefined, NOW).remaining).toBe(remaining);
  });

  it.each<[string, Record<string, string>, number | undefined]>([
    ['Retry-After in seconds', { 'retry-after': '2' }, 2000],
    ['Retry-After 0', { 'retry-after': '0' }, 0],
    ['retry-after-ms first', { 'retry-after-ms': '150', 'retry-after': '9' }, 150],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '40' }, 40],
    ['Retry-After as an HTTP date', { 'retry-after': new Date(NOW + 3000).toUTCString() }, 3000],
    ['an HTTP date already past', { 'retry-after': new Date(NOW - 3000).toUTCString() }, 0],
    ['none', {}, undefined],
    ['nonsense', { 'retry-after': 'soon' }, undefined],
  ])('a 429 with %s waits %j ms', (_name, values, wait) => {
    const answer = readRateLimitAnswer('reads', 429, headers(values), throttleBody, NOW);
    expect(answer.throttled).toBe(true);
    expect(answer.retryAfterInMs).toBe(wait);
  });

  it.each<[string, number, string | undefined, boolean]>([
    ['a 429 SubscriptionRequestsThrottled', 429, throttleBody, true],
    ['a 429 without a body', 429, undefined, true],
    ['a 429 whose body is not JSON', 429, 'Too many', true],
    [
      'a 429 RetryableErrorDueToAnotherOperation (a resource locked, not a bucket empty)',
      429,
      JSON.stringify({ error: { code: 'RetryableErrorDueToAnotherOperation' } }),
      false,
    ],
    ['a 503', 503, undefined, false],
    // Issue 14's trial: a provider's 429 for one gateway paused its whole subscription.
    [
      "a 429 whose bucket still holds tokens (a resource provider's own limit)",
      429,
      JSON.stringify({ error: { code: 'TooManyRequests' } }),
      false,
    ],
    ['a 202', 202, undefined, false],
  ])('%s is a throttle: %j', (_name, status, body, throttled) => {
    const left: Record<string, string> = body?.includes('TooManyRequests')
      ? { 'x-ms-ratelimit-remaining-subscription-writes': '120' }
      : {};
    const answer = readRateLimitAnswer('writes', status, headers({ 'retry-after': '1', ...left }), body, NOW);
    expect(answer.throttled).toBe(throttled);
    expect(answer.retryAfterInMs).toBe(throttled ? 1000 : undefined);
  });

  // Whether a 429 is its subscription's empty bucket, by its code and its remaining counts: ARM's own
  // code always is; another (a provider's TooManyRequests) only when no count says tokens are left.
  const LEFT_3 = { 'x-ms-ratelimit-remaining-subscription-writes': '3' };
  it.each<[string, string, Record<string, string>, boolean]>([
    [
      'SubscriptionRequestsThrottled',
      '0 left',
      { 'x-ms-ratelimit-remaining-subscription-writes': '0' },
      true,
    ],
    [
      'SubscriptionRequestsThrottled',
      '0 left globally, 50 for the principal',
      {
        'x-ms-ratelimit-remaining-subscription-writes': '50',
        'x-ms-ratelimit-remaining-subscription-global-writes': '0',
      },
      true,
    ],
    ['SubscriptionRequestsThrottled', 'no count', {}, true],
    // ARM's own code says so whatever the count (another principal's or region's bucket).
    ['SubscriptionRequestsThrottled', '3 left', LEFT_3, true],
    [
      'SubscriptionRequestsThrottled',
      "only the other kind's count",
      { 'x-ms-ratelimit-remaining-subscription-reads': '3' },
      true,
    ],
    ['TooManyRequests', '0 left', { 'x-ms-ratelimit-remaining-subscription-writes': '0' }, true],
    ['TooManyRequests', 'no count', {}, true],
    ['TooManyRequests', '3 left', LEFT_3, false],
  ])('a 429 %s with %s: the bucket is empty: %j', (code, _name, values, throttled) => {
    const body = JSON.stringify({ error: { code } });
    const answer = readRateLimitAnswer('writes', 429, headers({ 'retry-after': '1', ...values }), body, NOW);
    expect(answer.throttled).toBe(throttled);
  });

  it('names the headers as ARM does', () => {
    expect(remainingHeaderOf('reads', 'principal')).toBe('x-ms-ratelimit-remaining-subscription-reads');
    expect(remainingHeaderOf('writes', 'global')).toBe('x-ms-ratelimit-remaining-subscription-global-writes');
  });

  it.each([
    ['GET', 'reads'],
    ['get', 'reads'],
    ['HEAD', 'reads'],
    ['POST', 'writes'],
    ['PUT', 'writes'],
    ['PATCH', 'writes'],
  ])('%s is counted as %s', (method, kind) => {
    expect(requestKindOf(method)).toBe(kind);
  });
});
