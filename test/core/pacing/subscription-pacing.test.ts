/**
 * The pacing model against ARM's own bucket, as the emulator keeps it (src/emulator/limits.ts, on a
 * clock the test moves): whatever the order in which requests go out, reach ARM and come back, what
 * the model admits never empties the bucket.
 */
import fc from 'fast-check';
import { readRateLimitAnswer } from '../../../src/core/pacing/rate-limit-answer';
import type { RequestKind, RequestLimits } from '../../../src/core/pacing/request-limits';
import { ARM_REQUEST_LIMITS } from '../../../src/core/pacing/request-limits';
import {
  MAX_THROTTLE_PAUSE_IN_MS,
  MIN_RATE_SHARE,
  PROBE_BOOKING_IN_MS,
  RATE_GAIN_PER_ANSWER,
  PROBE_PATIENCE_IN_MS,
  RESERVATION_TTL_IN_MS,
  SubscriptionPacing,
} from '../../../src/core/pacing/subscription-pacing';
import { SubscriptionLimiter } from '../../../src/emulator/limits';

const A = '11111111-1111-1111-1111-111111111111';
const B = '22222222-2222-2222-2222-222222222222';
const NOW = 1_000_000;
const answer = (remaining?: number, extra: { throttled?: boolean; retryAfterInMs?: number } = {}) => ({
  ...(remaining === undefined ? {} : { remaining }),
  throttled: extra.throttled ?? false,
  ...(extra.retryAfterInMs === undefined ? {} : { retryAfterInMs: extra.retryAfterInMs }),
});
const small = (burst: number, perSecond: number): RequestLimits => ({
  reads: { burst, perSecond },
  writes: { burst, perSecond },
});

/** Admits and sends one request as soon as the model admits it, moving the time (`moveTo`) to then. */
function admitAndSendWhenAdmitted(
  pacing: SubscriptionPacing,
  sub: string,
  now: number,
  moveTo: (t: number) => void,
) {
  for (let t = now; ; t += 1) {
    if (pacing.tryAdmit(sub, 'writes', t).admitted) {
      pacing.sent(sub, 'writes', t);
      moveTo(t);
      return;
    }
  }
}

/** Admits and sends one request now; throws when the model does not admit it. */
function admitAndSend(pacing: SubscriptionPacing, sub: string, kind: RequestKind, now: number) {
  const admission = pacing.tryAdmit(sub, kind, now);
  if (!admission.admitted) throw new Error(`not admitted: ${JSON.stringify(admission)}`);
  pacing.sent(sub, kind, now);
}

describe('the estimate, step by step', () => {
  it('uses ARM’s documented defaults (the emulator serves the same constant)', () => {
    expect(ARM_REQUEST_LIMITS).toEqual({
      reads: { burst: 250, perSecond: 25 },
      writes: { burst: 200, perSecond: 10 },
    });
  });

  it('lets one request of a kind out until its answer tells the level (a probe), then the rest', () => {
    const pacing = new SubscriptionPacing(small(10, 1));
    expect(pacing.tryAdmit(A, 'writes', NOW)).toEqual({ admitted: true });
    expect(pacing.tryAdmit(A, 'writes', NOW)).toEqual({ admitted: false, retryInMs: RESERVATION_TTL_IN_MS });
    pacing.sent(A, 'writes', NOW);
    expect(pacing.tryAdmit(A, 'writes', NOW + 5)).toEqual({
      admitted: false,
      retryInMs: PROBE_PATIENCE_IN_MS - 5,
    });
    // Another run left 3 in the bucket: 2 after this request.
    pacing.answered(A, 'writes', NOW + 10, answer(2));
    expect(pacing.tryAdmit(A, 'writes', NOW + 10)).toEqual({ admitted: true });
    expect(pacing.tryAdmit(A, 'writes', NOW + 10)).toEqual({ admitted: true });
    expect(pacing.tryAdmit(A, 'writes', NOW + 10)).toEqual({ admitted: false, retryInMs: 1000 });
  });

  it('a probe sent and never answered (ARM hangs) holds the others back PROBE_PATIENCE_IN_MS, not its time-out', () => {
    const pacing = new SubscriptionPacing(small(10, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    expect(pacing.tryAdmit(A, 'writes', NOW + PROBE_PATIENCE_IN_MS - 1)).toEqual({
      admitted: false,
      retryInMs: 1,
    });
    // Another probe; and the one after it waits for its patience in turn (one at a time still).
    expect(pacing.tryAdmit(A, 'writes', NOW + PROBE_PATIENCE_IN_MS)).toEqual({ admitted: true });
    pacing.sent(A, 'writes', NOW + PROBE_PATIENCE_IN_MS);
    expect(pacing.tryAdmit(A, 'writes', NOW + PROBE_PATIENCE_IN_MS + 1)).toEqual({
      admitted: false,
      retryInMs: PROBE_PATIENCE_IN_MS - 1,
    });
    expect(pacing.peek(A, 'writes', NOW + PROBE_PATIENCE_IN_MS)).toMatchObject({
      inFlight: 2,
      answered: false,
    });
    // Twice as many each patience without an answer: 4 out after 2 of them, not one more every 2 s.
    const later = NOW + 2 * PROBE_PATIENCE_IN_MS;
    for (let i = 0; i < 2; i++) {
      expect(pacing.tryAdmit(A, 'writes', later)).toEqual({ admitted: true });
      pacing.sent(A, 'writes', later);
    }
    expect(pacing.tryAdmit(A, 'writes', later)).toEqual({ admitted: false, retryInMs: PROBE_PATIENCE_IN_MS });
    // An answer ends probing as before.
    pacing.answered(A, 'writes', later + 10, answer(9));
    expect(pacing.tryAdmit(A, 'writes', later + 10)).toEqual({ admitted: true });
  });

  it('a probe admitted but never sent (its call failed first) holds the others back only for a while', () => {
    const pacing = new SubscriptionPacing(small(10, 1));
    expect(pacing.tryAdmit(A, 'writes', NOW)).toEqual({ admitted: true });
    expect(pacing.tryAdmit(A, 'writes', NOW + RESERVATION_TTL_IN_MS - 1)).toEqual({
      admitted: false,
      retryInMs: 1,
    });
    // The next admission is the probe in its place; the abandoned token stays spent.
    expect(pacing.tryAdmit(A, 'writes', NOW + RESERVATION_TTL_IN_MS)).toEqual({ admitted: true });
    expect(pacing.peek(A, 'writes', NOW + RESERVATION_TTL_IN_MS)).toMatchObject({
      answered: false,
      reserved: 1,
    });
    // Probing goes on: nothing told the level yet (another run may have emptied the bucket), so one
    // request at a time still, until an answer comes.
    expect(pacing.tryAdmit(A, 'writes', NOW + RESERVATION_TTL_IN_MS)).toEqual({
      admitted: false,
      retryInMs: RESERVATION_TTL_IN_MS,
    });
    pacing.sent(A, 'writes', NOW + RESERVATION_TTL_IN_MS);
    pacing.answered(A, 'writes', NOW + RESERVATION_TTL_IN_MS + 10, answer(5));
    expect(pacing.tryAdmit(A, 'writes', NOW + RESERVATION_TTL_IN_MS + 10)).toEqual({ admitted: true });
  });

  it('an answer without headers still ends the probe (ARM’s seed is kept)', () => {
    const pacing = new SubscriptionPacing(small(3, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW + 1, answer());
    expect(pacing.peek(A, 'writes', NOW + 1)).toMatchObject({ level: 2, answered: true });
  });

  it('a connection that failed (no answer) does not end the probe', () => {
    const pacing = new SubscriptionPacing(small(3, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW + 1, undefined);
    expect(pacing.peek(A, 'writes', NOW + 1)).toMatchObject({ answered: false, inFlight: 0 });
    expect(pacing.tryAdmit(A, 'writes', NOW + 1)).toEqual({ admitted: true });
  });

  it('counts every request still out against the remaining count (as if charged after it)', () => {
    const pacing = new SubscriptionPacing(small(10, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(9));
    for (let i = 0; i < 3; i++) admitAndSend(pacing, A, 'writes', NOW);
    // The second's answer says 8: the two others still out may take 2 more.
    pacing.answered(A, 'writes', NOW, answer(8));
    expect(pacing.peek(A, 'writes', NOW).level).toBe(6);
  });

  it('raises the estimate to an answer whose request was alone in flight: its count is exact (a run left 13–25 write tokens a subscription unspent)', () => {
    const pacing = new SubscriptionPacing(small(10, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(9));
    // Five out together; their answers' counts overtaken by each other: lowered, never raised.
    for (let i = 0; i < 5; i++) admitAndSend(pacing, A, 'writes', NOW);
    for (const remaining of [2, 4, 3, 5, 6]) pacing.answered(A, 'writes', NOW, answer(remaining));
    expect(pacing.peek(A, 'writes', NOW).level).toBe(-2); // 2 less the 4 still out when it came
    // One alone: every charge of this process is in its count.
    admitAndSend(pacing, A, 'writes', NOW + 5000);
    expect(pacing.peek(A, 'writes', NOW + 5000).level).toBe(2);
    pacing.answered(A, 'writes', NOW + 5000, answer(6));
    expect(pacing.peek(A, 'writes', NOW + 5000).level).toBe(6);
    // Alone, with one admitted and not sent yet: that one's token is still spoken for.
    admitAndSend(pacing, A, 'writes', NOW + 5000);
    expect(pacing.tryAdmit(A, 'writes', NOW + 5000)).toEqual({ admitted: true });
    pacing.answered(A, 'writes', NOW + 5000, answer(5));
    expect(pacing.peek(A, 'writes', NOW + 5000).level).toBe(4);
    // Not alone: another went out before its answer came.
    const other = new SubscriptionPacing(small(10, 1));
    admitAndSend(other, A, 'writes', NOW);
    other.answered(A, 'writes', NOW, answer(2));
    admitAndSend(other, A, 'writes', NOW + 10);
    admitAndSend(other, A, 'writes', NOW + 10);
    other.answered(A, 'writes', NOW + 10, answer(9));
    other.answered(A, 'writes', NOW + 10, answer(9));
    expect(other.peek(A, 'writes', NOW + 10).level).toBeCloseTo(0.01, 5);
  });

  it('never raises the estimate from an answer overtaken by a later one (it says more)', () => {
    const pacing = new SubscriptionPacing(small(10, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(9));
    admitAndSend(pacing, A, 'writes', NOW);
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(7));
    pacing.answered(A, 'writes', NOW, answer(8));
    expect(pacing.peek(A, 'writes', NOW).level).toBe(6); // 7 less the one still out when it came
  });

  it('a request sent without admission (a poll, a retry) takes its token when sent', () => {
    const pacing = new SubscriptionPacing(small(5, 1));
    admitAndSend(pacing, A, 'reads', NOW);
    pacing.answered(A, 'reads', NOW, answer(4));
    pacing.sent(A, 'reads', NOW);
    pacing.sent(A, 'reads', NOW);
    expect(pacing.peek(A, 'reads', NOW)).toMatchObject({ level: 2, inFlight: 2 });
  });

  it('refills at the bucket’s rate, up to the burst less what is still out', () => {
    const pacing = new SubscriptionPacing(small(4, 2));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(0));
    expect(pacing.tryAdmit(A, 'writes', NOW)).toEqual({ admitted: false, retryInMs: 500 });
    expect(pacing.peek(A, 'writes', NOW + 250).level).toBeCloseTo(0.5);
    admitAndSend(pacing, A, 'writes', NOW + 500);
    expect(pacing.peek(A, 'writes', NOW + 60_000)).toMatchObject({ level: 3, inFlight: 1 });
  });

  it('a 429 pauses the kind until Retry-After; its one token then is the SDK’s retry’s', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW + 10, answer(0, { throttled: true, retryAfterInMs: 2000 }));
    expect(pacing.tryAdmit(A, 'writes', NOW + 10)).toEqual({ admitted: false, retryInMs: 2000 });
    expect(pacing.tryAdmit(A, 'writes', NOW + 2009)).toEqual({ admitted: false, retryInMs: 1 });
    // Whether the retry goes before or after this asks, the bucket's one token is the retry's; the
    // refill is now estimated at half the rate (2.5 a second: 400 ms a token).
    expect(pacing.peek(A, 'writes', NOW + 2010).perSecond).toBe(2.5);
    expect(pacing.tryAdmit(A, 'writes', NOW + 2010)).toEqual({ admitted: false, retryInMs: 400 });
    pacing.sent(A, 'writes', NOW + 2010); // the SDK's retry
    expect(pacing.tryAdmit(A, 'writes', NOW + 2010)).toEqual({ admitted: false, retryInMs: 400 });
    expect(pacing.tryAdmit(A, 'writes', NOW + 2410)).toEqual({ admitted: true });
    expect(pacing.tryAdmit(A, 'writes', NOW + 2410)).toEqual({ admitted: false, retryInMs: 400 });
    // Reads are another bucket: not paused.
    expect(pacing.tryAdmit(A, 'reads', NOW + 10)).toEqual({ admitted: true });
  });

  it('each 429 pause halves the estimated refill rate (down to a floor); each answer not throttled wins some back', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    let now = NOW;
    const throttle = () => {
      admitAndSendWhenAdmitted(pacing, A, now, (t) => (now = t));
      pacing.answered(A, 'writes', now, answer(0, { throttled: true, retryAfterInMs: 1000 }));
      now += 1000;
    };
    throttle();
    expect(pacing.peek(A, 'writes', now).perSecond).toBe(2.5);
    // Two 429s of one pause (requests that were out together) halve it once.
    admitAndSendWhenAdmitted(pacing, A, now, (t) => (now = t));
    admitAndSendWhenAdmitted(pacing, A, now, (t) => (now = t));
    pacing.answered(A, 'writes', now, answer(0, { throttled: true, retryAfterInMs: 1000 }));
    pacing.answered(A, 'writes', now, answer(0, { throttled: true, retryAfterInMs: 1000 }));
    expect(pacing.peek(A, 'writes', now).perSecond).toBe(1.25);
    now += 1000;
    // 429s of requests out together, answered a millisecond apart while the first one's pause runs:
    // one pause, lengthened to the last one's Retry-After, one halving.
    for (let i = 0; i < 8; i++) admitAndSendWhenAdmitted(pacing, A, now, (t) => (now = t));
    for (let i = 0; i < 8; i++)
      pacing.answered(A, 'writes', now + i, answer(0, { throttled: true, retryAfterInMs: 1000 }));
    expect(pacing.peek(A, 'writes', now + 8).perSecond).toBe(0.625);
    expect(pacing.peek(A, 'writes', now + 8).pausedUntil).toBe(now + 7 + 1000);
    now += 1007;
    for (let i = 0; i < 20; i++) throttle();
    expect(pacing.peek(A, 'writes', now).perSecond).toBe(5 * MIN_RATE_SHARE);
    pacing.answered(A, 'writes', now, answer(5));
    expect(pacing.peek(A, 'writes', now).perSecond).toBeCloseTo(
      5 * MIN_RATE_SHARE * (1 + RATE_GAIN_PER_ANSWER),
    );
    for (let i = 0; i < 200; i++) pacing.answered(A, 'writes', now, answer(5));
    expect(pacing.peek(A, 'writes', now).perSecond).toBe(5); // never above the bucket's
  });

  it('a subscription whose bucket refills slower than ARM’s default costs a 429 now and then, not one per request', () => {
    // The real bucket (the emulator's): 5 burst, 1 a second; the estimate starts from ARM's 200 / 10.
    let now = 0;
    const limiter = new SubscriptionLimiter(
      { ...ARM_REQUEST_LIMITS, writes: { burst: 5, perSecond: 1 } },
      {
        now: () => now,
      },
    );
    const pacing = new SubscriptionPacing();
    let throttled = 0;
    let done = 0;
    const retries: number[] = []; // when the SDK sends a throttled request again
    while (done < 120 && now < 3_600_000) {
      const retry = retries.length > 0 && (retries[0] as number) <= now;
      if (retry) retries.shift();
      if (!retry && !pacing.tryAdmit(A, 'writes', now).admitted) {
        now += 10;
        continue;
      }
      pacing.sent(A, 'writes', now);
      const charge = limiter.take(A, 'dev', 'writes');
      const headers: Record<string, string> = {
        ...charge.headers,
        ...(charge.throttled ? { 'retry-after': String(charge.retryAfterSeconds) } : {}),
      };
      const status = charge.throttled ? 429 : 200;
      pacing.answered(
        A,
        'writes',
        now,
        readRateLimitAnswer('writes', status, (n) => headers[n], undefined, now),
      );
      if (charge.throttled) {
        throttled += 1;
        retries.push(now + charge.retryAfterSeconds * 1000);
      } else done += 1;
    }
    expect(done).toBe(120);
    // Estimating ARM's 10 a second throughout, 104 of the 120 met a 429 first.
    expect(throttled).toBeLessThanOrEqual(15);
  });

  // A break trial: SubscriptionRequestsThrottled on polls whose answers still counted 249 reads. Taken
  // for an empty bucket, each resumed the subscription one request at a time at half the rate, so each
  // throttled poll came after the last pause, alone, and ten paused it ten times over.
  it.each<RequestKind>(['reads', 'writes'])(
    'a %s 429 whose own headers still count tokens (another limit’s): paused as long, then the level those headers give, at the same rate',
    (kind) => {
      const throttledWith = (remaining: number) => {
        const pacing = new SubscriptionPacing(small(10, 5));
        admitAndSend(pacing, A, kind, NOW); // the probe
        pacing.answered(A, kind, NOW, answer(9));
        for (let i = 0; i < 3; i++) admitAndSend(pacing, A, kind, NOW);
        pacing.answered(A, kind, NOW + 10, answer(remaining, { throttled: true, retryAfterInMs: 2000 }));
        return pacing;
      };
      const other = throttledWith(6);
      expect(other.tryAdmit(A, kind, NOW + 10)).toEqual({ admitted: false, retryInMs: 2000 });
      // At its end, the 6 its headers counted less the two still out and the throttled one's retry,
      // with no refill counted through the pause (a break trial: a bucket slower than ARM's, refilled
      // at ARM's rate through a 5 s pause, met 49 429s): 3 go at once, then one per refill at 5 a second.
      expect(other.peek(A, kind, NOW + 2010)).toMatchObject({
        perSecond: 5,
        level: 3,
        inFlight: 2,
        reserved: 1,
      });
      for (let i = 0; i < 3; i++) expect(other.tryAdmit(A, kind, NOW + 2010)).toEqual({ admitted: true });
      expect(other.tryAdmit(A, kind, NOW + 2010)).toEqual({ admitted: false, retryInMs: 200 });
      // The same 429 with the bucket's count at 0 is the bucket's: one token after the pause (the
      // retry's), at half the rate.
      const empty = throttledWith(0);
      expect(empty.peek(A, kind, NOW + 2010)).toMatchObject({ perSecond: 2.5 });
      expect(empty.tryAdmit(A, kind, NOW + 2010).admitted).toBe(false);
    },
  );

  // The next trial: the same 429 (3 left, Retry-After 5 s) from a bucket of 5 refilled at 2 a second,
  // estimated at ARM's 25: the estimate counted 25 a second through the pause and let every waiting poll
  // out at its end, into the 5 the bucket held; 49 429s, and 9 of 20 gateways ran out of retries.
  it('after a 429 with tokens left, no refill is counted through its pause: at its end, no more go at once than its headers counted', () => {
    let now = 0;
    const limiter = new SubscriptionLimiter(
      { ...ARM_REQUEST_LIMITS, reads: { burst: 5, perSecond: 2 } },
      { now: () => now },
    );
    const pacing = new SubscriptionPacing(); // ARM's limits: 25 reads a second
    const sendAndAnswer = (status?: number, code?: string) => {
      const charge = limiter.take(A, 'dev', 'reads');
      pacing.answered(
        A,
        'reads',
        now,
        readRateLimitAnswer(
          'reads',
          status ?? (charge.throttled ? 429 : 200),
          (n) => ({ ...charge.headers, 'retry-after': '5' })[n],
          code ? JSON.stringify({ error: { code } }) : undefined,
          now,
        ),
      );
    };
    admitAndSend(pacing, A, 'reads', now); // the list: a probe, 4 left
    sendAndAnswer();
    now = 10;
    admitAndSend(pacing, A, 'reads', now); // a poll another limit throttles, 3 left
    sendAndAnswer(429, 'SubscriptionRequestsThrottled');
    expect(pacing.peek(A, 'reads', now)).toMatchObject({ pausedUntil: 5010 });
    now = 5010;
    let atOnce = 0;
    while (atOnce < 20 && pacing.tryAdmit(A, 'reads', now).admitted) atOnce += 1;
    // 3 counted, less the throttled poll's retry (the SDK sends it at the pause's end): 2. Counting
    // ARM's refill through the pause, all 20 waiting.
    expect(atOnce).toBe(2);
  });

  it('pausedWithin: how long 429s paused a subscription (either kind, overlaps once) within a window', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    expect(pacing.pausedWithin(A, NOW, 60_000)).toEqual({ pausedInMs: 0, pauses: 0 });
    pacing.answered(A, 'reads', NOW, answer(0, { throttled: true, retryAfterInMs: 10_000 }));
    // Answered during the pause: the same pause, lengthened.
    pacing.answered(A, 'reads', NOW + 5_000, answer(0, { throttled: true, retryAfterInMs: 10_000 }));
    pacing.answered(A, 'writes', NOW + 12_000, answer(0, { throttled: true, retryAfterInMs: 5_000 }));
    pacing.answered(A, 'reads', NOW + 30_000, answer(3, { throttled: true, retryAfterInMs: 10_000 }));
    // Reads [0, 15 s) and [30 s, 40 s), writes [12 s, 17 s): 17 s + 10 s, asked at 40 s.
    expect(pacing.pausedWithin(A.toUpperCase(), NOW + 40_000, 60_000)).toEqual({
      pausedInMs: 27_000,
      pauses: 3,
    });
    expect(pacing.pausedWithin(A, NOW + 40_000, 30_000)).toEqual({ pausedInMs: 17_000, pauses: 3 });
    expect(pacing.pausedWithin(A, NOW + 40_000, 5_000)).toEqual({ pausedInMs: 5_000, pauses: 1 });
    expect(pacing.pausedWithin(B, NOW + 40_000, 60_000)).toEqual({ pausedInMs: 0, pauses: 0 });
  });

  it('a 429 without Retry-After pauses for 1 s', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(undefined, { throttled: true }));
    expect(pacing.peek(A, 'writes', NOW).pausedUntil).toBe(NOW + 1000);
  });

  it('a 429 that is not a throttle (a resource locked by another operation) pauses nothing', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    admitAndSend(pacing, A, 'writes', NOW);
    const locked = readRateLimitAnswer(
      'writes',
      429,
      (name) => (name === 'retry-after' ? '30' : undefined),
      JSON.stringify({ error: { code: 'RetryableErrorDueToAnotherOperation' } }),
      NOW,
    );
    pacing.answered(A, 'writes', NOW, locked);
    expect(pacing.tryAdmit(A, 'writes', NOW)).toEqual({ admitted: true });
  });

  it('one subscription’s throttling never holds up another’s; ids in any case are one subscription', () => {
    const pacing = new SubscriptionPacing(small(2, 1));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(0, { throttled: true, retryAfterInMs: 5000 }));
    expect(pacing.tryAdmit(A.toUpperCase(), 'writes', NOW).admitted).toBe(false);
    expect(pacing.tryAdmit(B, 'writes', NOW)).toEqual({ admitted: true });
  });
});

/** One request on its way: admitted (not sent), sent (not charged), or charged (answer on its way back). */
interface Request {
  readonly sub: string;
  readonly kind: RequestKind;
  /** Let out before any answer of its kind came back: the one request that may find the bucket empty. */
  readonly probe: boolean;
  readonly admittedAt: number;
  retryAfterInMs?: number;
  stage: 'admitted' | 'sent' | 'charged';
  headers?: Readonly<Record<string, string>>;
  status?: number;
}

type Step =
  | { readonly op: 'wait'; readonly ms: number }
  | { readonly op: 'admit'; readonly sub: number; readonly kind: RequestKind; readonly times: number }
  | { readonly op: 'send' | 'charge' | 'answer'; readonly pick: number; readonly all: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('wait' as const),
    ms: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1000, max: 30_000 })),
  }),
  fc.record({
    op: fc.constant('admit' as const),
    sub: fc.integer({ min: 0, max: 1 }),
    kind: fc.constantFrom<RequestKind>('writes', 'writes', 'reads'),
    times: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({
    op: fc.constantFrom('send' as const, 'charge' as const, 'answer' as const),
    pick: fc.nat(),
    all: fc.boolean(),
  }),
  fc.record({
    op: fc.constantFrom('send' as const, 'charge' as const, 'answer' as const),
    pick: fc.constant(0),
    all: fc.constant(true),
  }),
);

/**
 * Plays `steps` against the model and the emulator's bucket (each subscription's first `drained[i]`
 * tokens taken by another client before): false as soon as a request the model admitted is throttled,
 * but for a probe into a bucket another client emptied.
 */
function neverEmptiesTheBucket(
  bucket: { readonly burst: number; readonly perSecond: number },
  drained: readonly number[],
  steps: readonly Step[],
): boolean {
  let now = 0;
  const limiter = new SubscriptionLimiter({ reads: bucket, writes: bucket }, { now: () => now });
  const subs = [A, B, '33333333-3333-3333-3333-333333333333'];
  // Another client used part of each bucket before this run, then stopped.
  subs.forEach((sub, i) => {
    for (let n = 0; n < Math.min(drained[i] ?? 0, bucket.burst); n++) {
      limiter.take(sub, 'dev', 'reads');
      limiter.take(sub, 'dev', 'writes');
    }
  });
  const pacing = new SubscriptionPacing({ reads: bucket, writes: bucket });
  const out: Request[] = [];
  const picked = (stage: Request['stage'], s: { pick: number; all: boolean }): Request[] => {
    const candidates = out.filter((r) => r.stage === stage);
    const one = candidates[s.pick % Math.max(1, candidates.length)];
    return s.all ? candidates : one ? [one] : [];
  };
  const answeredKinds = new Set<string>();
  for (const s of steps) {
    if (s.op === 'wait') {
      now += s.ms;
      // What the model assumes: an admission unsent for RESERVATION_TTL_IN_MS was abandoned
      // (its call failed before sending); the scheduler's calls send at once.
      for (const r of out.filter((r) => r.stage === 'admitted'))
        if (r.admittedAt + RESERVATION_TTL_IN_MS <= now) out.splice(out.indexOf(r), 1);
    } else if (s.op === 'admit') {
      const sub = subs[s.sub] as string;
      for (let n = 0; n < s.times; n++) {
        const key = `${sub}/${s.kind}`;
        // A probe: let out before any answer of its kind came back (one at a time, or more once the
        // probes out have gone unanswered for PROBE_PATIENCE_IN_MS: the level is not known yet).
        const probe = !answeredKinds.has(key);
        if (!pacing.tryAdmit(sub, s.kind, now).admitted) break;
        out.push({ sub, kind: s.kind, stage: 'admitted', probe, admittedAt: now });
      }
    } else if (s.op === 'send') {
      for (const r of picked('admitted', s)) {
        pacing.sent(r.sub, r.kind, now);
        r.stage = 'sent';
      }
    } else if (s.op === 'charge') {
      for (const r of picked('sent', s)) {
        const charge = limiter.take(r.sub, 'dev', r.kind);
        // The property: never, but for a probe into a bucket another client emptied.
        if (charge.throttled && !r.probe) return false;
        r.stage = 'charged';
        r.headers = charge.headers;
        r.status = charge.throttled ? 429 : 200;
        if (charge.throttled) r.retryAfterInMs = charge.retryAfterSeconds * 1000;
      }
    } else {
      for (const r of picked('charged', s)) {
        out.splice(out.indexOf(r), 1);
        answeredKinds.add(`${r.sub}/${r.kind}`);
        const headers: Record<string, string> = {
          ...r.headers,
          ...(r.retryAfterInMs === undefined ? {} : { 'retry-after': String(r.retryAfterInMs / 1000) }),
        };
        pacing.answered(
          r.sub,
          r.kind,
          now,
          readRateLimitAnswer(r.kind, r.status ?? 200, (name) => headers[name], undefined, now),
        );
      }
    }
  }
  return true;
}

describe('what the estimate admits never empties the bucket (ARM’s, as the emulator keeps it)', () => {
  it('in any order of sending, charging and answering, from any starting level (a probe first), in any subscription', () => {
    fc.assert(
      fc.property(
        fc.record({
          burst: fc.integer({ min: 1, max: 12 }),
          perSecond: fc.constantFrom(0.5, 1, 2, 5, 10, 25),
        }),
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 3, maxLength: 3 }),
        fc.array(step, { minLength: 1, maxLength: 80 }),
        neverEmptiesTheBucket,
      ),
      { numRuns: 1000 },
    );
  });

  // Counterexamples fast-check found, kept so they are tried on every run.
  it.each<[string, { burst: number; perSecond: number }, number[], Step[]]>([
    [
      // seed -1580849998: the probe was abandoned unsent; the model took that as the end of probing and
      // let out the seed's full burst (2) into a bucket another client had emptied (1 token refilled).
      'a probe abandoned unsent, then the seed trusted in a bucket another client emptied',
      { burst: 2, perSecond: 0.5 },
      [6, 0, 0],
      [
        { op: 'admit', sub: 0, kind: 'writes', times: 1 },
        { op: 'wait', ms: 2000 },
        { op: 'admit', sub: 0, kind: 'writes', times: 2 },
        { op: 'send', pick: 0, all: true },
        { op: 'charge', pick: 0, all: true },
        { op: 'wait', ms: 1000 },
      ],
    ],
    [
      // Written for the alone-in-flight rule (an exact count may raise the estimate): two out together,
      // ARM charged the second first; its answer, the last to come, is not alone though none is out
      // then, and says one more than the bucket holds.
      'the last answer of two out together, charged before the other, is not taken as exact',
      { burst: 4, perSecond: 0.5 },
      [0, 0, 0],
      [
        { op: 'admit', sub: 0, kind: 'writes', times: 1 },
        { op: 'send', pick: 0, all: true },
        { op: 'charge', pick: 0, all: true },
        { op: 'answer', pick: 0, all: true },
        { op: 'admit', sub: 0, kind: 'writes', times: 2 },
        { op: 'send', pick: 0, all: true },
        { op: 'charge', pick: 1, all: false },
        { op: 'charge', pick: 0, all: false },
        { op: 'answer', pick: 0, all: false },
        { op: 'answer', pick: 0, all: false },
        { op: 'admit', sub: 0, kind: 'writes', times: 2 },
        { op: 'send', pick: 0, all: true },
        { op: 'charge', pick: 0, all: true },
      ],
    ],
  ])('%s', (_name, bucket, drained, steps) => {
    expect(neverEmptiesTheBucket(bucket, drained, steps)).toBe(true);
  });

  it('many subscriptions proceed in parallel: each gets its own burst at once', () => {
    const pacing = new SubscriptionPacing(small(5, 1));
    const subs = Array.from(
      { length: 50 },
      (_, i) => `${String(i).padStart(8, '0')}-0000-0000-0000-000000000000`,
    );
    for (const sub of subs) {
      admitAndSend(pacing, sub, 'writes', NOW);
      pacing.answered(sub, 'writes', NOW, answer(4));
    }
    const admitted = subs.map((sub) => {
      let n = 0;
      while (pacing.tryAdmit(sub, 'writes', NOW).admitted) n++;
      return n;
    });
    expect(admitted).toEqual(subs.map(() => 4));
  });
});

describe('booking a turn (a step the Functions app hands to the queue instead of waiting)', () => {
  it('admits at once while the estimate has a token (0), as tryAdmit does', () => {
    const pacing = new SubscriptionPacing(small(2, 10));
    pacing.answered(A, 'writes', NOW, answer(2)); // the probe's answer: the level is known
    expect(pacing.book(A, 'writes', NOW)).toBe(0);
    expect(pacing.peek(A, 'writes', NOW)).toMatchObject({ reserved: 1 });
  });

  it('books requests asking together one refill apart, from when the next token is due', () => {
    const pacing = new SubscriptionPacing(small(2, 10));
    pacing.answered(A, 'writes', NOW, answer(0)); // empty: a token every 100 ms
    expect([1, 2, 3, 4].map(() => pacing.book(A, 'writes', NOW))).toEqual([100, 200, 300, 400]);
    // A booking takes no token: the estimate is as it was.
    expect(pacing.peek(A, 'writes', NOW)).toMatchObject({ reserved: 0, level: 0 });
    // Later askers queue behind the turns booked; once the line is past, the next token's time again.
    expect(pacing.book(A, 'writes', NOW + 50)).toBe(450);
    expect(pacing.book(A, 'writes', NOW + 10_000)).toBe(0);
  });

  it('never books before a 429’s Retry-After; the spacing follows the rate the 429 lowered', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    admitAndSend(pacing, A, 'writes', NOW);
    pacing.answered(A, 'writes', NOW, answer(0, { throttled: true, retryAfterInMs: 3000 }));
    const turns = [1, 2, 3].map(() => pacing.book(A, 'writes', NOW));
    expect(turns[0]).toBeGreaterThanOrEqual(3000);
    // 5 a second halved by the 429: 400 ms apart.
    expect(turns).toEqual([turns[0], (turns[0] as number) + 400, (turns[0] as number) + 800]);
  });

  it('while the kind’s first request (the probe) is out, books about when its answer is in', () => {
    const pacing = new SubscriptionPacing(small(10, 5));
    admitAndSend(pacing, A, 'writes', NOW); // the probe, sent, not answered
    expect(pacing.book(A, 'writes', NOW)).toBe(PROBE_BOOKING_IN_MS);
    expect(pacing.book(A, 'writes', NOW)).toBe(PROBE_BOOKING_IN_MS + 200);
  });

  it('a turn for a request that goes later anyway (a 429’s Retry-After) takes no place free now', () => {
    const pacing = new SubscriptionPacing(small(2, 10));
    pacing.answered(A, 'writes', NOW, answer(1));
    expect(pacing.book(A, 'writes', NOW, false)).toBe(0);
    expect(pacing.peek(A, 'writes', NOW)).toMatchObject({ level: 1, reserved: 0 });
  });

  it('a 429 handed back (not retried by the SDK) keeps no place for a retry; one the SDK retries does', () => {
    for (const retried of [true, false]) {
      const pacing = new SubscriptionPacing(small(2, 1));
      admitAndSend(pacing, A, 'writes', NOW);
      pacing.answered(A, 'writes', NOW, answer(0, { throttled: true, retryAfterInMs: 1000 }), { retried });
      // At its Retry-After the bucket holds one token: the SDK's retry's, or free for the next request.
      expect(pacing.peek(A, 'writes', NOW + 1000)).toMatchObject({ reserved: retried ? 1 : 0 });
      expect(pacing.tryAdmit(A, 'writes', NOW + 1000).admitted).toBe(!retried);
    }
  });

  it('one 429 with an absurd Retry-After pauses the subscription for MAX_THROTTLE_PAUSE_IN_MS at most (break trial: an hour, or 31 years)', () => {
    for (const retryAfterInMs of [3_600_000, 999_999_999_000]) {
      const pacing = new SubscriptionPacing(small(10, 5));
      admitAndSend(pacing, A, 'writes', NOW);
      pacing.answered(A, 'writes', NOW, answer(0, { throttled: true, retryAfterInMs }));
      expect(pacing.peek(A, 'writes', NOW).pausedUntil).toBe(NOW + MAX_THROTTLE_PAUSE_IN_MS);
      expect(pacing.book(A, 'writes', NOW)).toBeLessThanOrEqual(MAX_THROTTLE_PAUSE_IN_MS + 1000);
    }
  });

  it('expects a place: at once with a token, one refill per missing token, after a pause; none while a probe decides', () => {
    const empty = new SubscriptionPacing(small(2, 10));
    empty.answered(A, 'writes', NOW, answer(0)); // empty: a token every 100 ms
    const half = new SubscriptionPacing(small(4, 2));
    half.answered(A, 'writes', NOW, answer(1)); // one token; then 500 ms each
    const paused = new SubscriptionPacing(small(10, 5));
    admitAndSend(paused, A, 'writes', NOW);
    paused.answered(A, 'writes', NOW, answer(0, { throttled: true, retryAfterInMs: 3000 }));
    const probing = new SubscriptionPacing(small(10, 5));
    admitAndSend(probing, A, 'writes', NOW); // the probe, sent, not answered
    const fresh = new SubscriptionPacing(small(10, 5));
    const table: [string, SubscriptionPacing, number, number | undefined][] = [
      ['empty, none ahead', empty, 0, 100],
      ['empty, 3 ahead', empty, 3, 400],
      ['a token, none ahead', half, 0, 0],
      ['a token, 2 ahead', half, 2, 1000],
      // At Retry-After the bucket's one token is the SDK's retry's; then 400 ms each (the rate halved).
      ['paused by a 429', paused, 0, 3400],
      ['paused, 1 ahead', paused, 1, 3800],
      ['a probe out', probing, 0, undefined],
      ['never asked: the first is the probe', fresh, 0, 0],
      ['never asked, one ahead (the probe)', fresh, 1, undefined],
    ];
    for (const [what, pacing, ahead, expected] of table) {
      const got = pacing.expectedWaitInMs(A, 'writes', NOW, ahead);
      if (expected === undefined) expect({ what, got }).toEqual({ what, got: undefined });
      else expect({ what, got: Math.round(got ?? -1) }).toEqual({ what, got: expected });
    }
    // It takes nothing: asked again, the same.
    expect(empty.expectedWaitInMs(A, 'writes', NOW)).toBe(100);
    expect(empty.peek(A, 'writes', NOW)).toMatchObject({ level: 0, reserved: 0 });
  });

  it('another subscription, or the other kind, has its own line', () => {
    const pacing = new SubscriptionPacing(small(2, 10));
    pacing.answered(A, 'writes', NOW, answer(0));
    expect(pacing.book(A, 'writes', NOW)).toBe(100);
    expect(pacing.book(A, 'writes', NOW)).toBe(200);
    expect(pacing.book(B, 'writes', NOW)).toBe(0);
    expect(pacing.book(A, 'reads', NOW)).toBe(0);
  });

  it('requests that come back at their turns (in whole seconds, as a queue shows them) meet no 429 and wait their share only', () => {
    // ARM's write bucket as the emulator keeps it; 400 requests ask at once, each booked request comes
    // back at its turn rounded up to a whole second (Queue Storage's unit) and asks again.
    let now = 0;
    const limiter = new SubscriptionLimiter(ARM_REQUEST_LIMITS, { now: () => now });
    const pacing = new SubscriptionPacing();
    const asks = new Map<number, number[]>([[0, Array.from({ length: 400 }, (_, i) => i)]]);
    const tries = new Array<number>(400).fill(0);
    let throttled = 0;
    let sent = 0;
    let lastSentAt = 0;
    while (sent < 400 && now < 600_000) {
      for (const request of asks.get(now) ?? []) {
        tries[request] = (tries[request] as number) + 1;
        const turn = pacing.book(A, 'writes', now);
        if (turn > 0) {
          const back = Math.ceil((now + turn) / 1000) * 1000;
          asks.set(back, [...(asks.get(back) ?? []), request]);
          continue;
        }
        pacing.sent(A, 'writes', now);
        const charge = limiter.take(A, 'dev', 'writes');
        const headers: Record<string, string> = { ...charge.headers };
        if (charge.throttled) throttled += 1;
        pacing.answered(
          A,
          'writes',
          now,
          readRateLimitAnswer('writes', charge.throttled ? 429 : 202, (n) => headers[n], undefined, now),
        );
        sent += 1;
        lastSentAt = now;
      }
      asks.delete(now);
      now += 1000;
    }
    expect(sent).toBe(400);
    expect(throttled).toBe(0);
    // (400 − 200) / 10 a second = 20 s at the bucket's rate; whole seconds and the probe add a little.
    expect(lastSentAt).toBeLessThanOrEqual(25_000);
    // Most are booked once; none goes round the line again and again.
    expect(Math.max(...tries)).toBeLessThanOrEqual(3);
  });
});

describe('pausedForInMs', () => {
  it('how long a 429 still pauses a kind: its Retry-After less the time since, 0 after it and for the other kind', () => {
    const pacing = new SubscriptionPacing(ARM_REQUEST_LIMITS);
    expect(pacing.pausedForInMs('S', 'reads', 0)).toBe(0);
    pacing.answered('s', 'reads', 1_000, { remaining: 0, throttled: true, retryAfterInMs: 10_000 });
    expect(pacing.pausedForInMs('S', 'reads', 4_000)).toBe(7_000);
    expect(pacing.pausedForInMs('s', 'writes', 4_000)).toBe(0);
    expect(pacing.pausedForInMs('s', 'reads', 11_000)).toBe(0);
  });
});
