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
