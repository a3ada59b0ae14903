import { keptAtMost, PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../../src/pipeline/held-place';
import type { AnswerPlace } from '../../src/ports';
import { deferred } from '../helpers/memory';

function place() {
  const events: string[] = [];
  const p: AnswerPlace = {
    take: async () => void events.push('take'),
    giveBack: () => void events.push('give back'),
  };
  return { p, events };
}

describe('keptAtMost: a place kept through a wait a while only', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a wait shorter than PLACE_KEPT_THROUGH_A_WAIT_IN_MS keeps the place: nothing given back or taken', async () => {
    const { p, events } = place();
    const wait = deferred<string>();
    const kept = keptAtMost(p, wait.promise, () => p.take());
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS - 1);
    wait.resolve('answer');
    await expect(kept).resolves.toBe('answer');
    expect(events).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a longer one gives it back then, and takes it again before its result (or its error) comes back', async () => {
    const { p, events } = place();
    const wait = deferred<string>();
    const kept = keptAtMost(p, wait.promise, () => p.take());
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    expect(events).toEqual(['give back']);
    wait.reject(new Error('no answer'));
    await expect(kept).rejects.toThrow('no answer');
    expect(events).toEqual(['give back', 'take']);
  });

  it('a retake that throws (the run stopped) wins over the result', async () => {
    const { p } = place();
    const wait = deferred<string>();
    const stopped = new Error('stopped');
    const kept = keptAtMost(p, wait.promise, () => Promise.reject(stopped));
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    wait.resolve('answer');
    await expect(kept).rejects.toBe(stopped);
  });

  it('without a place, the wait as it is', async () => {
    await expect(keptAtMost(undefined, Promise.resolve(1), () => Promise.resolve())).resolves.toBe(1);
  });
});
