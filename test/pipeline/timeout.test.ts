import { noAnswerWithin, withTimeout } from '../../src/pipeline/timeout';
import { rejection } from '../helpers/failures';
import { NEVER, UNTIL_ABORTED, deferred, play, type Answer } from '../helpers/memory';

class Expired extends Error {
  constructor(readonly timeoutInMs: number) {
    super(`expired after ${timeoutInMs}`);
  }
}
const expired = (ms: number) => new Expired(ms);

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("gives the work's answer when it comes in time, and leaves no timer behind", async () => {
    await expect(withTimeout(1_000, async () => 'answer', expired)).resolves.toBe('answer');
    expect(jest.getTimerCount()).toBe(0);
  });

  it("passes the work's own failure through as it is, and leaves no timer behind", async () => {
    const failure = new Error('ARM said no');
    await expect(withTimeout(1_000, () => Promise.reject(failure), expired)).rejects.toBe(failure);
    expect(jest.getTimerCount()).toBe(0);
  });

  it.each<[string, Answer<string>]>([
    ['honours the abort signal (rejects as soon as it fires)', UNTIL_ABORTED],
    ['ignores the abort signal (never answers)', NEVER],
  ])(
    "on time-out, rejects with the caller's error and aborts the work, whether the work %s",
    async (_, answer) => {
      let signal: AbortSignal | undefined;
      const outcome = rejection(
        withTimeout(
          250,
          (abortSignal) => {
            signal = abortSignal;
            return play(answer, { abortSignal });
          },
          expired,
        ),
      );
      expect(signal?.aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(249);
      expect(signal?.aborted).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const error = await outcome;
      expect(error).toBeInstanceOf(Expired);
      expect((error as Expired).timeoutInMs).toBe(250);
      expect(signal?.aborted).toBe(true);
    },
  );

  it('an answer that comes after the time-out changes nothing', async () => {
    const late = deferred<string>();
    const outcome = rejection(withTimeout(100, () => late.promise, expired));
    await jest.advanceTimersByTimeAsync(100);
    late.resolve('too late');
    expect(await outcome).toBeInstanceOf(Expired);
  });
});

describe('withTimeout: waits that are not the work’s own (paused)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('does not count a paused wait: the work has its whole time-out besides it', async () => {
    const place = deferred<void>();
    let done: unknown;
    const outcome = withTimeout(
      1_000,
      async (_, paused) => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        await paused(place.promise);
        await new Promise((resolve) => setTimeout(resolve, 399));
        return 'answer';
      },
      expired,
    ).then(
      (value) => (done = value),
      (error: unknown) => (done = error),
    );
    await jest.advanceTimersByTimeAsync(600);
    await jest.advanceTimersByTimeAsync(10_000); // waiting for a place
    expect(done).toBeUndefined();
    place.resolve();
    await jest.advanceTimersByTimeAsync(399);
    await outcome;
    expect(done).toBe('answer');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('counts the time before and after the pause, and times out on their sum', async () => {
    const place = deferred<void>();
    let done: unknown;
    void withTimeout(
      1_000,
      async (abortSignal, paused) => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        await paused(place.promise);
        return play(UNTIL_ABORTED, { abortSignal });
      },
      expired,
    ).then(
      (value) => (done = value),
      (error: unknown) => (done = error),
    );
    await jest.advanceTimersByTimeAsync(600);
    await jest.advanceTimersByTimeAsync(10_000); // the paused wait
    expect(done).toBeUndefined();
    place.resolve();
    await jest.advanceTimersByTimeAsync(399);
    expect(done).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBeInstanceOf(Expired);
  });

  it('a stop cuts a paused wait short, and a pause ending after the race sets no timer', async () => {
    const stopped = new Error('the run was stopped');
    const stop = new AbortController();
    const place = deferred<void>();
    const outcome = rejection(withTimeout(1_000, (_, paused) => paused(place.promise), expired, stop.signal));
    await jest.advanceTimersByTimeAsync(5_000);
    stop.abort(stopped);
    expect(await outcome).toBe(stopped);
    place.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});

test('noAnswerWithin names the time-out and the setting that bounds it', () => {
  expect(noAnswerWithin(300000)).toBe('no answer within 300000 ms (gatewayTimeoutInMs)');
});

describe('withTimeout with the run’s stop signal', () => {
  const stopped = new Error('the run was stopped');

  it.each<[string, Answer<string>]>([
    ['honours the abort signal', UNTIL_ABORTED],
    ['ignores the abort signal', NEVER],
  ])('a stop cuts work that %s short at once, with the stop’s reason, and aborts it', async (_, answer) => {
    const stop = new AbortController();
    let signal: AbortSignal | undefined;
    const result = rejection(
      withTimeout(
        60_000,
        (abortSignal) => {
          signal = abortSignal;
          return play(answer, { abortSignal });
        },
        expired,
        stop.signal,
      ),
    );
    stop.abort(stopped);
    expect(await result).toBe(stopped);
    expect(signal?.aborted).toBe(true);
  });

  it('an already stopped run does not start the work', async () => {
    const work = jest.fn(async () => 'answer');
    await expect(withTimeout(60_000, work, expired, AbortSignal.abort(stopped))).rejects.toBe(stopped);
    expect(work).not.toHaveBeenCalled();
  });

  it('work done before the stop keeps its answer', async () => {
    const stop = new AbortController();
    await expect(withTimeout(60_000, async () => 'answer', expired, stop.signal)).resolves.toBe('answer');
    stop.abort(stopped);
  });
});
