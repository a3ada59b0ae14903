import { fifoSemaphore, placeHold } from '../../src/core/fifo-semaphore';

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

describe('placeHold: one holder’s place, taken once and given back once however often asked', () => {
  it('take, tryTake and giveBack are each idempotent while held or not', async () => {
    const places = fifoSemaphore(1);
    const hold = placeHold(places);
    await hold.take();
    await hold.take(); // held: nothing more taken
    expect([hold.held, hold.tryTake(), places.tryAcquire()]).toEqual([true, true, false]);
    hold.giveBack();
    hold.giveBack(); // given back once: the place is free once, not twice
    expect(hold.held).toBe(false);
    expect(places.tryAcquire()).toBe(true);
    expect(places.tryAcquire()).toBe(false);
    expect(hold.tryTake()).toBe(false); // none free: nothing held
    places.release();
    expect(hold.tryTake()).toBe(true);
  });

  it('a take whose signal fires first holds nothing', async () => {
    const places = fifoSemaphore(0);
    const hold = placeHold(places);
    const stop = new AbortController();
    const taking = hold.take({ abortSignal: stop.signal });
    stop.abort(new Error('stopped'));
    await expect(taking).rejects.toThrow('stopped');
    expect(hold.held).toBe(false);
    hold.giveBack(); // nothing to give: the pool stays empty
    expect(places.tryAcquire()).toBe(false);
  });
});
