/**
 * The event loop's lag as the process's load (src/adapters/clock/event-loop-load.ts): `ready` waits
 * while the loop lags past its bound, resolves once it keeps up, and a fired signal ends the wait.
 */
import { createEventLoopLoad } from '../../../src/adapters/clock/event-loop-load';

/** Keeps the event loop busy: every turn blocks it for `blockInMs`, until stopped. */
function busyLoop(blockInMs: number) {
  let on = true;
  const turn = () => {
    if (!on) return;
    const until = Date.now() + blockInMs;
    while (Date.now() < until) {
      // blocking on purpose: the lag under test
    }
    setImmediate(turn);
  };
  setImmediate(turn);
  return () => {
    on = false;
  };
}

describe('the event loop load', () => {
  it('is ready on a loop that keeps up', async () => {
    await expect(createEventLoopLoad(1_000).ready()).resolves.toBeUndefined();
  });

  it('waits while the loop lags past its bound, and is ready once it keeps up again', async () => {
    const stop = busyLoop(80);
    const load = createEventLoopLoad(20);
    let ready = false;
    const waiting = load.ready().then(() => {
      ready = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ready).toBe(false);
    stop();
    await waiting;
    expect(ready).toBe(true);
  });

  it('a fired signal ends the wait though the loop still lags', async () => {
    const stop = busyLoop(80);
    try {
      const controller = new AbortController();
      const waiting = createEventLoopLoad(20).ready({ abortSignal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 0));
      controller.abort();
      await expect(waiting).resolves.toBeUndefined();
    } finally {
      stop();
    }
  });
});
