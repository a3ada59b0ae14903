import { parseGatewayId, parseTarget, type Target } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import type { QuotaWait, RecentThrottle } from '../../src/ports';
import {
  backendHealthTimedOut,
  ownQuotaWaits,
  targetListTimedOut,
  type FailedBeforeTimeOut,
  type OwnQuotaWait,
} from '../../src/pipeline/timed-out';
import { gatewayId, SUB } from '../helpers/scenario-builder';

const GW = parseGatewayId(gatewayId('gw')) as GatewayRef;
const throttledOnce = (throttle: RecentThrottle | undefined) => ({
  asked: [] as Array<[string, number]>,
  recentThrottle(subscriptionId: string, withinLastInMs: number) {
    this.asked.push([subscriptionId, withinLastInMs]);
    return throttle;
  },
});
/**
 * One 429's pause, answered `agoInMs` before a time-out of `waitInMs`, as the pacer reports it: the
 * part of its pause within the wait (pausedInMs), the pause it alone.
 */
const onePause = (
  kind: 'reads' | 'writes',
  agoInMs: number,
  retryAfterInMs: number,
  waitInMs = 8_000,
): RecentThrottle => ({
  kind,
  agoInMs,
  retryAfterInMs,
  // On a line ending now (0): the pause from -ago to -ago + retryAfter, the wait from -waitInMs to 0.
  pausedInMs: Math.max(0, Math.min(0, retryAfterInMs - agoInMs) - Math.max(-waitInMs, -agoInMs)),
  pauses: 1,
});
const THROTTLE: RecentThrottle = onePause('reads', 2_500, 20_000);
/** A call that waited on its subscription's quota `waitedInMs` in all (ArmCallOptions.onQuotaWait). */
const waited = (waitedInMs: number, waitingFor?: QuotaWait): OwnQuotaWait => ({
  waitedInMs,
  ...(waitingFor ? { waitingFor } : {}),
});
/** A call whose tries were all out with ARM: none of its time was the quota's. */
const NEVER_HELD = waited(0);
/** A call whose polls waited through every pause it met (the whole of each within its wait). */
const throughPauses = (throttle: RecentThrottle | undefined) => waited(throttle?.pausedInMs ?? 0);

describe('backendHealthTimedOut: what a read that ran out of gatewayTimeoutInMs is reported as', () => {
  it.each<[string, RecentThrottle | undefined | 'no pacer', string, RegExp]>([
    [
      'no pacer',
      'no pacer',
      'BackendHealthUnavailable',
      /no answer within 8000 ms \(gatewayTimeoutInMs\).*raise "gatewayTimeoutInMs"/,
    ],
    ['no 429 during the wait', undefined, 'BackendHealthUnavailable', /no answer within 8000 ms/],
    [
      'a 429 for its subscription during the wait',
      THROTTLE,
      'Throttled',
      /^ARM throttled the subscription of \S+\/gw \(429 for its reads 2\.5 s before the time-out, Retry-After 20\.0 s; its own requests waited 2\.5 s of it for the quota; no answer within 8000 ms \(gatewayTimeoutInMs\)\)\. The gateway's requests waited for subscription 1{8}-1{4}-1{4}-1{4}-1{12}'s quota; it is tried again on the next run\./,
    ],
  ])('%s: %s', (_, throttle, code, message) => {
    const pacer = throttle === 'no pacer' ? undefined : throttledOnce(throttle);
    const own = throttle === 'no pacer' ? NEVER_HELD : throughPauses(throttle);
    const error = backendHealthTimedOut(GW, 8_000, pacer, own) as Error & {
      code: string;
      retryable: boolean;
    };
    expect([error.code, error.retryable]).toEqual([code, true]);
    expect(error.message).toMatch(message);
    // Only a 429 within the gateway's own wait (the time-out's length back from now), and only when
    // the quota held the gateway itself.
    if (pacer) expect(pacer.asked).toEqual(own.waitedInMs > 0 ? [[SUB, 8_000]] : []);
  });
});

describe("only 429 pauses that held a good part of the gateway's own wait explain it", () => {
  it.each<[string, RecentThrottle, number, string]>([
    [
      'a 1 s pause 280 s before a 300 s time-out (a break trial)',
      onePause('writes', 280_000, 1_000, 300_000),
      300_000,
      'BackendHealthUnavailable',
    ],
    [
      'a 20 s pause from before the wait began, still in force through it',
      onePause('reads', 9_000, 20_000),
      8_000,
      'Throttled',
    ],
    [
      'a 2 s pause in the middle of an 8 s wait: a quarter',
      onePause('reads', 5_000, 2_000),
      8_000,
      'Throttled',
    ],
    ['a 1 s pause in an 8 s wait', onePause('reads', 5_000, 1_000), 8_000, 'BackendHealthUnavailable'],
    [
      // A break trial: five 10 s pauses in a 60 s wait, the last alone a sixth of it: "no answer".
      'five 10 s pauses in a 60 s wait, the last 8 s before the time-out',
      { kind: 'reads', agoInMs: 8_000, retryAfterInMs: 10_000, pausedInMs: 50_000, pauses: 5 },
      60_000,
      'Throttled',
    ],
    [
      'two 1 s pauses in an 8 s wait',
      { kind: 'reads', agoInMs: 2_000, retryAfterInMs: 1_000, pausedInMs: 1_900, pauses: 2 },
      8_000,
      'BackendHealthUnavailable',
    ],
  ])('%s: %s', (_, throttle, timeoutInMs, code) => {
    const error = backendHealthTimedOut(GW, timeoutInMs, throttledOnce(throttle), throughPauses(throttle));
    expect((error as Error & { code: string }).code).toBe(code);
  });

  it('after several pauses, the message says how many and how long they held the wait, then the last', () => {
    const error = backendHealthTimedOut(
      GW,
      60_000,
      throttledOnce({ kind: 'reads', agoInMs: 8_000, retryAfterInMs: 10_000, pausedInMs: 50_000, pauses: 5 }),
      waited(41_250),
    );
    expect(error.message).toMatch(
      /^ARM throttled the subscription of \S+\/gw \(429s paused it 5 times, 50\.0 s of the 60\.0 s; the last for its reads 8\.0 s before the time-out, Retry-After 10\.0 s; its own requests waited 41\.3 s of it for the quota; no answer within 60000 ms \(gatewayTimeoutInMs\)\)\. /,
    );
  });
});

// A break trial (issue 14): a gateway whose poll ARM never answered was `Throttled` because other
// gateways' 429s paused its subscription meanwhile; its poll, already sent, never waited on them.
describe("the subscription's pauses explain a time-out only where they held the call itself", () => {
  const FIVE_PAUSES: RecentThrottle = {
    kind: 'reads',
    agoInMs: 8_000,
    retryAfterInMs: 10_000,
    pausedInMs: 50_000,
    pauses: 5,
  };
  it.each<[string, RecentThrottle | undefined, OwnQuotaWait, string]>([
    [
      '50 s of pauses in 60 s, its poll out with ARM all along',
      FIVE_PAUSES,
      NEVER_HELD,
      'BackendHealthUnavailable',
    ],
    [
      '50 s of pauses, its poll held 14.9 s of the 60 s',
      FIVE_PAUSES,
      waited(14_900),
      'BackendHealthUnavailable',
    ],
    ['50 s of pauses, its poll held 15 s of the 60 s: a quarter', FIVE_PAUSES, waited(15_000), 'Throttled'],
    [
      // Its place in the estimate, not a pause, held it: the subscription was throttled all the same.
      'one 1 s pause, its poll held 20 s by the estimate',
      onePause('reads', 30_000, 1_000, 60_000),
      waited(20_000),
      'Throttled',
    ],
    [
      'a 429 answered to its own poll 1 s before the time-out, its Retry-After still running',
      onePause('reads', 1_000, 30_000, 60_000),
      waited(1_000, 'throttled'),
      'Throttled',
    ],
    [
      'waiting for its place in the estimate at the time-out, 1 s of it',
      onePause('reads', 1_000, 30_000, 60_000),
      waited(1_000, 'paced'),
      'BackendHealthUnavailable',
    ],
    ['held 40 s by the estimate, no 429 at all', undefined, waited(40_000), 'BackendHealthUnavailable'],
    [
      // A break trial: its poll held 6.1 s by the quota, then out with ARM 13.9 s, never answered.
      'its poll held 16 s, then out with ARM 30 s without an answer',
      FIVE_PAUSES,
      { waitedInMs: 16_000, outForInMs: 30_000 },
      'BackendHealthUnavailable',
    ],
    [
      'its poll held 40 s, then out with ARM 20 s (the operation still running)',
      FIVE_PAUSES,
      { waitedInMs: 40_000, outForInMs: 20_000 },
      'Throttled',
    ],
    [
      // A break trial: 60 s waiting on a 429's pause, then its poll out 39 s, never answered.
      'its poll held 40 s, then its last try out 20 s without an answer',
      FIVE_PAUSES,
      { waitedInMs: 40_000, outForInMs: 20_000, unansweredForInMs: 20_000 },
      'BackendHealthUnavailable',
    ],
    [
      'its poll held 40 s, its last try out 5.1 s without an answer: longer than ARM takes',
      FIVE_PAUSES,
      { waitedInMs: 40_000, outForInMs: 20_000, unansweredForInMs: 5_100 },
      'BackendHealthUnavailable',
    ],
    [
      'its poll held 40 s, its last try out 4.9 s: ARM may yet answer it',
      FIVE_PAUSES,
      { waitedInMs: 40_000, outForInMs: 20_000, unansweredForInMs: 4_900 },
      'Throttled',
    ],
  ])('%s: %s', (_, throttle, own, code) => {
    const gateway = backendHealthTimedOut(GW, 60_000, throttledOnce(throttle), own) as Error & {
      code: string;
    };
    const target = parseTarget(`/subscriptions/${SUB}`) as Target;
    const listing = targetListTimedOut(target, 60_000, throttledOnce(throttle), own) as Error & {
      code: string;
    };
    expect([gateway.code, listing.code]).toEqual([
      code,
      code === 'Throttled' ? 'Throttled' : 'TargetListUnavailable',
    ]);
  });
});

// A break trial: a gateway ARM answered 429 on every try, its subscription's quota left (a resource
// provider's limit), was "no answer within 15000 ms … raise gatewayTimeoutInMs".
describe('429s answered to the call itself that paused nothing: its last answer, Throttled', () => {
  const TOO_MANY: FailedBeforeTimeOut = {
    attempt: { from: 'ARM', status: 429, code: 'TooManyRequests', retryAfterInMs: 4_000 },
    agoInMs: 1_500,
  };
  it.each<[string, OwnQuotaWait, FailedBeforeTimeOut, string]>([
    ['waiting out its Retry-After at the time-out', waited(9_000, 'throttled'), TOO_MANY, 'Throttled'],
    [
      'a 429 long before, then a try out with ARM all along',
      { waitedInMs: 1_000, outForInMs: 12_000 },
      { ...TOO_MANY, agoInMs: 13_000 },
      'BackendHealthUnavailable',
    ],
  ])('%s: %s', (_, own, failed, code) => {
    const error = backendHealthTimedOut(GW, 15_000, throttledOnce(undefined), own, failed) as Error & {
      code: string;
    };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(
      /ARM answered 429 TooManyRequests to its last try, \d+\.\d s before the time-out/,
    );
    if (code === 'Throttled') {
      expect(error.message).toMatch(/^ARM throttled the requests of \S+\/gw \(/);
      expect(error.message).toMatch(/without pausing the subscription/);
      const target = parseTarget(`/subscriptions/${SUB}`) as Target;
      const listing = targetListTimedOut(target, 15_000, throttledOnce(undefined), own, failed) as Error & {
        code: string;
      };
      expect([listing.code, listing.message]).toEqual([
        'Throttled',
        expect.stringMatching(/could not be listed: ARM throttled the listing's requests \(ARM answered 429/),
      ]);
    }
  });
});

// A break trial: a management group's listing held by Resource Graph's 429s was told of a resource
// provider's limit and the resource's Activity log.
it("a management group's listing held by Resource Graph's 429s: Throttled, with Resource Graph's advice", () => {
  const group = parseTarget('/providers/Microsoft.Management/managementGroups/mg') as Target;
  const failed: FailedBeforeTimeOut = {
    attempt: { from: 'Resource Graph', status: 429, code: 'RateLimiting', retryAfterInMs: 5_000 },
    agoInMs: 1_000,
  };
  const error = targetListTimedOut(
    group,
    15_000,
    throttledOnce(undefined),
    waited(4_000, 'throttled'),
    failed,
  ) as Error & {
    code: string;
  };
  expect(error.code).toBe('Throttled');
  expect(error.message).toMatch(
    /Resource Graph throttled the listing's requests \(Resource Graph answered 429 RateLimiting/,
  );
  expect(error.message).toMatch(/Resource Graph limits each identity's queries/);
  expect(error.message).not.toMatch(/resource provider|Activity log/);
});

describe("ownQuotaWaits: a call's waits on its quota, as its time-out weighs them", () => {
  let now = 0;
  beforeEach(() => {
    now = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('adds each wait from its start to the try sent, and counts the one under way', () => {
    const quota = ownQuotaWaits();
    expect(quota.waited()).toEqual({ waitedInMs: 0 });
    quota.tell(undefined); // its POST sent: no wait yet
    expect(quota.waited()).toEqual({ waitedInMs: 0 });
    now = 1_000;
    quota.tell('paced');
    now = 3_000;
    quota.tell(undefined); // its poll sent after 2 s
    now = 10_000;
    quota.tell('throttled'); // a 429 answered to it
    now = 14_000;
    expect(quota.waited()).toEqual({ waitedInMs: 6_000, waitingFor: 'throttled' });
    quota.tell('paced'); // straight on to its place in the estimate
    now = 15_000;
    quota.tell(undefined);
    now = 20_000;
    expect(quota.waited()).toEqual({ waitedInMs: 7_000, outForInMs: 5_000 });
    quota.tell(undefined); // told twice: nothing added
    expect(quota.waited()).toEqual({ waitedInMs: 7_000, outForInMs: 5_000 });
  });

  it('tells how long the try out with ARM has had no answer, while one is out', () => {
    const quota = ownQuotaWaits();
    quota.tell(undefined);
    quota.tryOut(true); // its POST sent
    now = 500;
    expect(quota.waited()).toEqual({ waitedInMs: 0, unansweredForInMs: 500 });
    quota.tryOut(false); // answered
    now = 1_000;
    quota.tell('paced');
    expect(quota.waited()).toEqual({ waitedInMs: 0, waitingFor: 'paced' });
    now = 3_000;
    quota.tell(undefined);
    quota.tryOut(true); // its poll sent after 2 s
    now = 42_000;
    expect(quota.waited()).toEqual({ waitedInMs: 2_000, outForInMs: 39_000, unansweredForInMs: 39_000 });
  });
});

describe('a time-out whose last try ARM left unanswered says so, after the quota it waited on', () => {
  const own: OwnQuotaWait = { waitedInMs: 60_000, outForInMs: 39_000, unansweredForInMs: 39_000 };
  const throttle = onePause('reads', 40_000, 60_000, 100_000);
  it('a read', () => {
    const error = backendHealthTimedOut(GW, 100_000, throttledOnce(throttle), own) as Error & {
      code: string;
    };
    expect([error.code, error.message]).toEqual([
      'BackendHealthUnavailable',
      expect.stringContaining(
        "no answer within 100000 ms (gatewayTimeoutInMs): its last try had no answer for 39.0 s, after its requests waited 60.0 s for the subscription's quota",
      ),
    ]);
  });
  it('a listing', () => {
    const target = parseTarget(`/subscriptions/${SUB}`) as Target;
    const error = targetListTimedOut(target, 100_000, throttledOnce(throttle), own) as Error & {
      code: string;
    };
    expect([error.code, error.message]).toEqual([
      'TargetListUnavailable',
      expect.stringContaining('its last try had no answer for 39.0 s, after its requests waited 60.0 s'),
    ]);
  });
  it('without waits on the quota: how long its last try had no answer, nothing of the quota', () => {
    const error = backendHealthTimedOut(GW, 100_000, throttledOnce(throttle), {
      waitedInMs: 0,
      unansweredForInMs: 99_000,
    });
    expect(error.message).toMatch(
      /no answer within 100000 ms \(gatewayTimeoutInMs\): its last try had no answer for 99\.0 s\. /,
    );
    expect(error.message).not.toMatch(/quota/);
  });

  // A break trial: a POST answered 429, whose retry then hung 25 s, was "ARM answered 429 … to its last
  // try, and its retries had no answer", with the advice of a failure ARM answered.
  it('a try answered 429, then a retry out unanswered: that retry said, then the answer before it', () => {
    const failed: FailedBeforeTimeOut = {
      attempt: { from: 'ARM', status: 429, code: 'SubscriptionRequestsThrottled', retryAfterInMs: 15_000 },
      agoInMs: 40_000,
    };
    const own: OwnQuotaWait = { waitedInMs: 15_000, outForInMs: 25_000, unansweredForInMs: 25_000 };
    const error = backendHealthTimedOut(GW, 40_000, throttledOnce(undefined), own, failed) as Error & {
      code: string;
    };
    expect([error.code, error.message]).toEqual([
      'BackendHealthUnavailable',
      expect.stringContaining(
        "no answer within 40000 ms (gatewayTimeoutInMs): its last try had no answer for 25.0 s, after its requests waited 15.0 s for the subscription's quota; ARM answered 429 SubscriptionRequestsThrottled to a try before it, 40.0 s before the time-out",
      ),
    ]);
    // A new-user trial: a poll answered 429, its retry out 5 s (not yet "hung") at the time-out.
    const shortly = backendHealthTimedOut(
      GW,
      8_000,
      throttledOnce(undefined),
      { waitedInMs: 2_000, outForInMs: 5_000, unansweredForInMs: 5_000 },
      { ...failed, agoInMs: 7_000 },
    );
    expect(shortly.message).toContain(
      "no answer within 8000 ms (gatewayTimeoutInMs): its last try had no answer for 5.0 s, after its requests waited 2.0 s for the subscription's quota; ARM answered 429 SubscriptionRequestsThrottled to a try before it, 7.0 s before the time-out",
    );
    // A retry just sent (under a second) may be on its way: the failed answer is still its last.
    const justSent = backendHealthTimedOut(
      GW,
      8_000,
      throttledOnce(undefined),
      { waitedInMs: 2_000, outForInMs: 500, unansweredForInMs: 500 },
      { ...failed, agoInMs: 3_000 },
    );
    expect(justSent.message).toMatch(
      /ARM answered 429 SubscriptionRequestsThrottled to its last try, 3\.0 s before/,
    );
    // The failed answer after the last try was sent is still what it met last.
    const answeredLast = backendHealthTimedOut(
      GW,
      40_000,
      throttledOnce(undefined),
      { waitedInMs: 0, unansweredForInMs: 6_000 },
      {
        attempt: { from: 'ARM', status: 500, code: 'InternalServerError' },
        agoInMs: 2_000,
      },
    );
    expect(answeredLast.message).toMatch(
      /ARM answered 500 InternalServerError to its last try, 2\.0 s before the time-out/,
    );
  });

  // A break trial: two runs of 600 gateways with one identity; a block of gateways that waited 17 of
  // their 20 s for their places in the quota, no 429 answered meanwhile, said only "no answer".
  it('held by the estimate of the quota, no 429 in the wait: says so (a read, a subscription listing, a management group listing)', () => {
    const own: OwnQuotaWait = { waitedInMs: 17_000, outForInMs: 300 };
    const read = backendHealthTimedOut(GW, 20_000, throttledOnce(undefined), own) as Error & { code: string };
    expect([read.code, read.message]).toEqual([
      'BackendHealthUnavailable',
      expect.stringContaining(
        "no answer within 20000 ms (gatewayTimeoutInMs): its requests waited 17.0 s of it for their places in the estimate of the subscription's quota, with no 429 in that time",
      ),
    ]);
    const group = parseTarget('/providers/Microsoft.Management/managementGroups/mg') as Target;
    expect(targetListTimedOut(group, 20_000, throttledOnce(undefined), own).message).toContain(
      "for their places in the estimate of Resource Graph's quota",
    );
    // Less than a quarter of the wait: not what held it.
    expect(
      backendHealthTimedOut(GW, 20_000, throttledOnce(undefined), { waitedInMs: 4_000 }).message,
    ).not.toMatch(/estimate/);
  });
});

describe('targetListTimedOut: a listing that ran out of time', () => {
  it.each<[string, string, string]>([
    ['a subscription', `/subscriptions/${SUB}`, 'Throttled'],
    ['a resource group', `/subscriptions/${SUB}/resourceGroups/rg-test`, 'Throttled'],
    ['a gateway', gatewayId('gw'), 'Throttled'],
    // Resource Graph's quota is the tenant's: a subscription's 429 says nothing of it.
    ['a management group', '/providers/Microsoft.Management/managementGroups/mg-1', 'TargetListUnavailable'],
  ])('%s, its subscription throttled during the wait: %s', (_, id, code) => {
    const target = parseTarget(id);
    if ('error' in target) throw new Error(target.error);
    const error = targetListTimedOut(
      target,
      8_000,
      throttledOnce(THROTTLE),
      throughPauses(THROTTLE),
    ) as Error & {
      code: string;
    };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(
      code === 'Throttled'
        ? /^The gateways of \S+ could not be listed: ARM throttled its subscription \(429 for its reads/
        : /could not be listed: no answer within 8000 ms/,
    );
  });

  it('no 429 during the wait: no answer, as before', () => {
    const target = parseTarget(`/subscriptions/${SUB}`);
    if ('error' in target) throw new Error(target.error);
    expect(
      (targetListTimedOut(target, 8_000, throttledOnce(undefined), waited(8_000)) as Error & { code: string })
        .code,
    ).toBe('TargetListUnavailable');
  });
});

// A new-user trial: ARM answered 503 to every try until the time-out, and the error said "no answer …
// raise gatewayTimeoutInMs".
describe('a time-out after tries ARM failed (FailedBeforeTimeOut): its last answer, and a failure’s advice', () => {
  const target = parseTarget(`/subscriptions/${SUB}/resourceGroups/rg`) as Target;
  it.each<[string, FailedBeforeTimeOut, RegExp]>([
    [
      'a 503 with its code and Retry-After',
      {
        attempt: { from: 'ARM', status: 503, code: 'ServiceUnavailable', retryAfterInMs: 60_000 },
        agoInMs: 4_000,
      },
      // A new-user trial: "its retries had no answer" of a retry ARM's Retry-After kept from being sent.
      /: ARM answered 503 ServiceUnavailable to its last try, 4\.0 s before the time-out, and asked for 60\.0 s before the next \(Retry-After\): the time-out of 8000 ms \(gatewayTimeoutInMs\) came first, so no other try was sent; a gatewayTimeoutInMs of more than 64000 ms lets it go out\. /,
    ],
    [
      'a 503 whose Retry-After had passed: its retry was sent, and had no answer',
      {
        attempt: { from: 'ARM', status: 503, code: 'ServiceUnavailable', retryAfterInMs: 1_000 },
        agoInMs: 4_000,
      },
      /: ARM answered 503 ServiceUnavailable to its last try, 4\.0 s before the time-out \(Retry-After 1\.0 s\), and its retries had no answer within 8000 ms \(gatewayTimeoutInMs\)\. /,
    ],
    [
      'a 500 without either, from Resource Graph',
      { attempt: { from: 'Resource Graph', status: 500 }, agoInMs: 1_234 },
      /: Resource Graph answered 500 to its last try, 1\.2 s before the time-out, and its retries had no answer within 8000 ms \(gatewayTimeoutInMs\)\. /,
    ],
  ])('%s', (_, failed, said) => {
    const read = backendHealthTimedOut(GW, 8_000, undefined, NEVER_HELD, failed) as Error & {
      code: string;
      retryable: boolean;
    };
    const listed = targetListTimedOut(target, 8_000, undefined, NEVER_HELD, failed) as Error & {
      code: string;
      retryable: boolean;
    };
    expect([read.code, read.retryable, listed.code, listed.retryable]).toEqual([
      'BackendHealthUnavailable',
      true,
      'TargetListUnavailable',
      true,
    ]);
    for (const error of [read, listed]) {
      expect(error.message).toMatch(said);
      expect(error.message).not.toMatch(/raise "gatewayTimeoutInMs"/);
    }
    expect(read.message).toMatch(/check the gateway's Resource health/);
    expect(listed.message).toMatch(/check the subscription's Activity log and Service health/);
  });

  it('a 429 whose pause held the wait still wins: Throttled', () => {
    const failed = { attempt: { from: 'ARM', status: 503 }, agoInMs: 1_000 };
    const error = backendHealthTimedOut(
      GW,
      8_000,
      throttledOnce(THROTTLE),
      waited(2_000),
      failed,
    ) as Error & {
      code: string;
    };
    expect(error.code).toBe('Throttled');
  });
});
