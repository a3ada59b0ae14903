import { fifoSemaphore } from '../../src/core/fifo-semaphore';

describe('fifoSemaphore', () => {
  it('gives places in the order asked; one that leaves the line (its signal fired) is skipped', async () => {
    const places = fifoSemaphore(1);
    await places.acquire();
    const given: string[] = [];
    const leaving = new AbortController();
    const reasons: unknown[] = [];
    const a = places.acquire().then(() => given.push('a'));
    const b = places
      .acquire({ abortSignal: leaving.signal })
      .then(() => given.push('b'))
      .catch((reason: unknown) => reasons.push(reason));
    const c = places.acquire().then(() => given.push('c'));
    leaving.abort('stopped');
    await b;
    expect(reasons).toEqual(['stopped']);
    places.release();
    await a;
    expect(given).toEqual(['a']);
    places.release();
    await c;
    expect(given).toEqual(['a', 'c']);
    // 'b' took no place: one release frees the place 'c' held, and the next acquire gets it at once.
    places.release();
    await expect(places.acquire()).resolves.toBeUndefined();
  });

  it('tryAcquire takes a free place only, never one the line is waiting for', async () => {
    const places = fifoSemaphore(1);
    expect(places.tryAcquire()).toBe(true);
    expect(places.tryAcquire()).toBe(false);
    let waited = false;
    const waiting = places.acquire().then(() => (waited = true));
    places.release(); // to the one in line, not to a later tryAcquire
    expect(places.tryAcquire()).toBe(false);
    await waiting;
    expect(waited).toBe(true);
    places.release();
    expect(places.tryAcquire()).toBe(true);
  });

  it('an acquire whose signal has fired rejects at once and takes no place', async () => {
    const places = fifoSemaphore(1);
    await expect(places.acquire({ abortSignal: AbortSignal.abort('gone') })).rejects.toBe('gone');
    await expect(places.acquire()).resolves.toBeUndefined();
  });
});
