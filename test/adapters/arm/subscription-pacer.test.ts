/**
 * The pacer port over the pure estimate: waiting, waking, aborting. (Its answers come from the ARM
 * client's pipeline; test/faults/throttling.test.ts runs it against the emulator's buckets.)
 */
import { subscriptionOf } from '../../../src/adapters/arm/pacing-policy';
import { createSubscriptionPacer } from '../../../src/adapters/arm/subscription-pacer';
import { scheduleGateways } from '../../../src/pipeline/schedule-gateways';
import { backendHealthTimedOut } from '../../../src/pipeline/timed-out';
import { parseGatewayId } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';

const A = '11111111-1111-1111-1111-111111111111';
const limits = { reads: { burst: 2, perSecond: 1000 }, writes: { burst: 2, perSecond: 1000 } };

describe('the subscription pacer', () => {
  it('lets a probe out, then the waiters in turn once its answer says how many are left', async () => {
    const pacer = createSubscriptionPacer({ limits });
    const order: number[] = [];
    await pacer.admit(A, 'writes');
    pacer.requestSent(A, 'writes');
    const waiting = [1, 2].map((n) => pacer.admit(A, 'writes').then(() => order.push(n)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]); // the probe is out
    pacer.answerReceived(A, 'writes', { remaining: 1, throttled: false });
    await Promise.all(waiting); // one at once, the next after a refill (1 ms at 1000 a second)
    expect(order).toEqual([1, 2]);
  });

  it('an abort takes the waiter out, rejecting with the signal’s reason; the next waiter is served', async () => {
    const pacer = createSubscriptionPacer({ limits });
    await pacer.admit(A, 'reads');
    pacer.requestSent(A, 'reads');
    const controller = new AbortController();
    const aborted = pacer.admit(A, 'reads', { abortSignal: controller.signal });
    const next = pacer.admit(A, 'reads');
    controller.abort(new Error('run stopped'));
    await expect(aborted).rejects.toThrow('run stopped');
    pacer.answerReceived(A, 'reads', { remaining: 1, throttled: false });
    await expect(next).resolves.toBeUndefined();
    const already = new AbortController();
    already.abort(new Error('already'));
    await expect(pacer.admit(A, 'reads', { abortSignal: already.signal })).rejects.toThrow('already');
  });
});

describe('admitOrBook: a place now, or a turn to come back at', () => {
  const slow = { reads: { burst: 1, perSecond: 1 }, writes: { burst: 1, perSecond: 1 } };

  it('0 when a place comes within the wait; else the booked turn, one refill after the last', async () => {
    let now = 0;
    const pacer = createSubscriptionPacer({ limits: slow, now: () => now });
    expect(await pacer.admitOrBook(A, 'writes', 0)).toBe(0); // the probe
    pacer.requestSent(A, 'writes');
    pacer.answerReceived(A, 'writes', { remaining: 0, throttled: false });
    // Empty at 1 a second: a place in 1 000 ms, more than the 50 ms the caller waits.
    expect(await pacer.admitOrBook(A, 'writes', 50)).toBe(1000);
    expect(await pacer.admitOrBook(A, 'writes', 0)).toBe(2000);
    now = 1000;
    expect(await pacer.admitOrBook(A, 'writes', 0)).toBe(0); // the token is back
  });

  it('books at once, without waiting in vain, when the estimate puts the place past the wait (each deferred queue step held its invocation 0.3 s)', async () => {
    const now = 0;
    const pacer = createSubscriptionPacer({ limits: slow, now: () => now });
    await pacer.admitOrBook(A, 'writes', 0);
    pacer.requestSent(A, 'writes');
    pacer.answerReceived(A, 'writes', { remaining: 0, throttled: false }); // a place in 1 000 ms
    let answered: number | undefined;
    void pacer.admitOrBook(A, 'writes', 300).then((turn) => (answered = turn));
    // Answered before any timer could fire: nothing waited.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(1000);
    // A place within the wait is still waited for (a token in 1 ms, on the real clock).
    const pacer2 = createSubscriptionPacer({ limits });
    await pacer2.admitOrBook(A, 'reads', 0);
    pacer2.requestSent(A, 'reads');
    pacer2.answerReceived(A, 'reads', { remaining: 0, throttled: false });
    await expect(pacer2.admitOrBook(A, 'reads', 1_500)).resolves.toBe(0);
  });

  it('a step put back before goes ahead of fresh ones in line, and counts only those put back ahead of it (behind fresh ones it lost every place: a break trial)', async () => {
    // The pacer's clock and its timers moved together by the test: nothing depends on the machine's speed.
    jest.useFakeTimers();
    try {
      let now = 0;
      const pacer = createSubscriptionPacer({
        limits: { reads: { burst: 1, perSecond: 5 }, writes: { burst: 1, perSecond: 5 } },
        now: () => now,
      });
      const move = async (ms: number) => {
        now += ms;
        jest.advanceTimersByTime(ms);
        for (let i = 0; i < 10; i++) await Promise.resolve();
      };
      await pacer.admitOrBook(A, 'writes', 0);
      pacer.requestSent(A, 'writes');
      pacer.answerReceived(A, 'writes', { remaining: 0, throttled: false }); // a place every 200 ms
      const order: string[] = [];
      const ask = (name: string, putBack: boolean) =>
        pacer.admitOrBook(A, 'writes', 300, { putBack }).then((turn) => {
          order.push(`${name}:${turn === 0 ? 'admitted' : `booked ${turn}`}`);
        });
      const asked = [
        ask('fresh', false), // its place in 200 ms: waits
        ask('second fresh', false), // 400 ms, past its 300: booked at once
        ask('put back', true), // none put back ahead: 200 ms, and ahead of the fresh one
      ];
      await move(0);
      expect(order).toEqual(['second fresh:booked 400']);
      await move(200);
      expect(order).toEqual(['second fresh:booked 400', 'put back:admitted']);
      await move(100); // the fresh one's 300 ms: its place (400 ms) is still ahead
      await Promise.all(asked);
      // Booked behind the second fresh one's turn (400 ms), one refill later: at 600 ms, 300 from now.
      expect(order).toEqual(['second fresh:booked 400', 'put back:admitted', 'fresh:booked 300']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits for a place that comes within the wait (the probe’s answer)', async () => {
    const pacer = createSubscriptionPacer({ limits });
    expect(await pacer.admitOrBook(A, 'reads', 0)).toBe(0);
    pacer.requestSent(A, 'reads');
    const second = pacer.admitOrBook(A, 'reads', 60_000);
    setTimeout(() => pacer.answerReceived(A, 'reads', { remaining: 1, throttled: false }), 20);
    await expect(second).resolves.toBe(0);
  });

  it('rejects with the signal’s reason when the caller aborts (before or while it waits)', async () => {
    const pacer = createSubscriptionPacer({ limits });
    await pacer.admitOrBook(A, 'writes', 0);
    pacer.requestSent(A, 'writes');
    const controller = new AbortController();
    const waiting = pacer.admitOrBook(A, 'writes', 60_000, { abortSignal: controller.signal });
    controller.abort(new Error('run stopped'));
    await expect(waiting).rejects.toThrow('run stopped');
    await expect(pacer.admitOrBook(A, 'writes', 0, { abortSignal: controller.signal })).rejects.toThrow(
      'run stopped',
    );
  });
});

describe('the pacer under the scheduler', () => {
  it('gateways whose calls fail before sending anything (no ARM client) do not hold the run up', async () => {
    let now = 0;
    const pacer = createSubscriptionPacer({ limits, now: () => now });
    const gateways = Array.from({ length: 5 }, (_, i) => ({ subscriptionId: A, name: `gw-${i}` }));
    const done = scheduleGateways(gateways, { concurrency: 'auto', pacer }, async (g) => {
      now += 2_500; // each fails, sending nothing, a while after its admission
      return g.name;
    });
    await expect(done).resolves.toEqual(gateways.map((g) => g.name));
  });
});

describe('the subscription a request is to', () => {
  it.each([
    [`https://management.azure.com/subscriptions/${A}/resourceGroups/rg?api-version=1`, A],
    [`https://management.azure.com/SUBSCRIPTIONS/${A.toUpperCase()}/providers/x`, A],
    ['https://management.azure.com/subscriptions/a%2Db', 'a-b'],
    ['https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=1', undefined],
    ['https://management.azure.com/tenants', undefined],
    ['not a url', undefined],
  ])('%s: %j', (url, expected) => {
    expect(subscriptionOf({ url })).toBe(expected);
  });
});

describe('recentThrottle: the 429 a request that ran out of time waited behind', () => {
  let clock = 0;
  const pacer = () => createSubscriptionPacer({ limits, now: () => clock });

  it.each<[string, (p: ReturnType<typeof pacer>) => void, number, object | undefined]>([
    ['no answer yet', () => undefined, 10_000, undefined],
    [
      'a 429 for the reads bucket 3 s ago, asking 20 s',
      (p) => p.answerReceived(A, 'reads', { throttled: true, retryAfterInMs: 20_000 }),
      10_000,
      { kind: 'reads', agoInMs: 3_000, retryAfterInMs: 20_000, pausedInMs: 3_000, pauses: 1 },
    ],
    [
      'the same, asked about the last 2 s only: its pause was still in force then',
      (p) => p.answerReceived(A, 'reads', { throttled: true, retryAfterInMs: 20_000 }),
      2_000,
      { kind: 'reads', agoInMs: 3_000, retryAfterInMs: 20_000, pausedInMs: 2_000, pauses: 1 },
    ],
    [
      'a 429 3 s ago asking 0.5 s, asked about the last 2 s: its pause was over before them',
      (p) => p.answerReceived(A, 'reads', { throttled: true, retryAfterInMs: 500 }),
      2_000,
      undefined,
    ],
    [
      "a provider's 429 for one resource (not the bucket's)",
      (p) => p.answerReceived(A, 'writes', { remaining: 100, throttled: false, retryAfterInMs: 20_000 }),
      10_000,
      undefined,
    ],
    [
      'a 429 without Retry-After: the pause the estimate took',
      (p) => p.answerReceived(A, 'writes', { throttled: true }),
      10_000,
      { kind: 'writes', agoInMs: 3_000, retryAfterInMs: 1_000, pausedInMs: 1_000, pauses: 1 },
    ],
  ])('%s', (_, answered, withinLastInMs, expected) => {
    clock = 100_000;
    const p = pacer();
    answered(p);
    clock += 3_000;
    expect(p.recentThrottle(A.toUpperCase(), withinLastInMs)).toEqual(expected);
    expect(p.recentThrottle('22222222-2222-2222-2222-222222222222', withinLastInMs)).toBeUndefined();
  });

  it('the latest of the two buckets; their pauses overlapping counted once', () => {
    clock = 0;
    const p = pacer();
    p.answerReceived(A, 'writes', { throttled: true, retryAfterInMs: 5_000 });
    clock = 1_000;
    p.answerReceived(A, 'reads', { throttled: true, retryAfterInMs: 7_000 });
    clock = 1_500;
    expect(p.recentThrottle(A, 60_000)).toEqual({
      kind: 'reads',
      agoInMs: 500,
      retryAfterInMs: 7_000,
      pausedInMs: 1_500,
      pauses: 2,
    });
  });

  // A break trial: 429s a pause apart, each 10 s, in a 60 s wait; the last alone was under a quarter
  // of it, and every gateway that ran out of time was told "no answer".
  it('pauses one after another: how long they paused the subscription within the window, in all', () => {
    clock = 0;
    const p = pacer();
    for (let i = 0; i < 5; i++) {
      clock = i * 12_000; // each pause (10 s) over, then 2 s of requests, then the next 429
      p.answerReceived(A, 'reads', { remaining: 0, throttled: true, retryAfterInMs: 10_000 });
    }
    clock = 60_000; // the last pause ended 2 s ago
    expect(p.recentThrottle(A, 60_000)).toEqual({
      kind: 'reads',
      agoInMs: 12_000,
      retryAfterInMs: 10_000,
      pausedInMs: 50_000,
      pauses: 5,
    });
    // Only what fell within the window: the last 30 s hold the last two pauses and 4 s of a third.
    expect(p.recentThrottle(A, 30_000)).toMatchObject({ pausedInMs: 24_000, pauses: 3 });
    // So a gateway of it whose polls waited through them, and ran out of a 60 s time-out, is
    // Throttled, not "no answer".
    const gw = parseGatewayId(
      `/subscriptions/${A}/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw`,
    ) as GatewayRef;
    expect(backendHealthTimedOut(gw, 60_000, p, { waitedInMs: 50_000 })).toMatchObject({
      code: 'Throttled',
      message: expect.stringMatching(
        /^ARM throttled the subscription of \S+ \(429s paused it 5 times, 50\.0 s of the 60\.0 s;/,
      ),
    });
  });
});

// A break trial: with `concurrency: 10`, gateways of a subscription whose reads a 429 paused for 60 s
// were started, held every place for the pause, and a healthy subscription's gateways waited.
describe('resumed: the end of a 429 pause of a subscription’s bucket', () => {
  afterEach(() => jest.useRealTimers());

  it('at once when no pause is in force; after the pause (extended by a later 429) when one is; at once when aborted', async () => {
    jest.useFakeTimers({ now: 0 }); // the pacer's clock too (Date.now below)
    const p = createSubscriptionPacer({ limits, now: () => Date.now() });
    await expect(p.resumed(A, 'reads')).resolves.toBeUndefined();
    p.answerReceived(A, 'reads', { remaining: 0, throttled: true, retryAfterInMs: 5_000 });
    let done = false;
    const waiting = p.resumed(A.toUpperCase(), 'reads').then(() => (done = true));
    // Its writes are not paused.
    await expect(p.resumed(A, 'writes')).resolves.toBeUndefined();
    await jest.advanceTimersByTimeAsync(3_000);
    p.answerReceived(A, 'reads', { remaining: 0, throttled: true, retryAfterInMs: 4_000 }); // to 7 000
    await jest.advanceTimersByTimeAsync(3_900); // 6 900: past the first pause, not the second
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    await waiting;
    expect(done).toBe(true);

    p.answerReceived(A, 'reads', { remaining: 0, throttled: true, retryAfterInMs: 60_000 });
    const stop = new AbortController();
    const stopped = p.resumed(A, 'reads', { abortSignal: stop.signal });
    stop.abort(new Error('stopped'));
    await expect(stopped).resolves.toBeUndefined();
  });
});
