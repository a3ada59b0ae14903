import {
  createReceiverBreakers,
  MAX_SENDS_PER_RECEIVER,
  START_SENDS_PER_RECEIVER,
  THROTTLED_OUT_IN_A_ROW,
  type Admission,
  type ReceiverBreaker,
} from '../../../src/pipeline/notify/receiver-breaker';

const OPS = 'webhook[ops]';

/** Lets every settled promise run its continuations (admissions waiting on the gate resume). */
const drain = () => new Promise((resolve) => setImmediate(resolve));

/** Starts `count` admissions at once and records each as it resolves. */
function admitMany(breaker: ReceiverBreaker, count: number, receiver = OPS) {
  const admitted: Array<Admission | undefined> = Array.from({ length: count }, () => undefined);
  const all = Array.from({ length: count }, (_, i) =>
    breaker.admit(receiver).then((admission) => (admitted[i] = admission)),
  );
  return { admitted, all: Promise.all(all) };
}

function sending(admission: Admission | undefined): Extract<Admission, { send: true }> {
  if (!admission?.send) throw new Error(`expected a send, got ${JSON.stringify(admission)}`);
  return admission;
}

describe('the receiver breaker’s gate: one send in flight while the receiver’s state is unknown', () => {
  it('of sends arriving together, one goes; the others wait for its outcome', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    const { admitted } = admitMany(breaker, 3);
    await drain();
    expect(admitted.map((a) => a?.send)).toEqual([true, undefined, undefined]);
  });

  it('a retryable failure opens the breaker: the waiting sends are not made, with its reason', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    const { admitted, all } = admitMany(breaker, 3);
    await drain();
    sending(admitted[0]).settle({ kind: 'failed', reason: 'no answer within 300 ms' });
    await all;
    expect(admitted.slice(1)).toEqual([
      { send: false, reason: 'no answer within 300 ms' },
      { send: false, reason: 'no answer within 300 ms' },
    ]);
    expect(breaker.openReason(OPS)).toBe('no answer within 300 ms');
    expect(await breaker.admit(OPS)).toEqual({ send: false, reason: 'no answer within 300 ms' });
  });

  it('an answer (accepted, or one notice refused for good) lets every waiting send go at once', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    const { admitted, all } = admitMany(breaker, 4);
    await drain();
    sending(admitted[0]).settle({ kind: 'answered' });
    await all;
    // The three that waited were all admitted before any of them settled: in flight together.
    expect(admitted.map((a) => a?.send)).toEqual([true, true, true, true]);
    expect(breaker.openReason(OPS)).toBeUndefined();
  });

  it('a concurrent send that fails after the receiver answered opens it for the sends after it', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    sending(await breaker.admit(OPS)).settle({ kind: 'answered' });
    const [a, b] = [sending(await breaker.admit(OPS)), sending(await breaker.admit(OPS))];
    a.settle({ kind: 'failed', reason: 'HTTP 503' });
    b.settle({ kind: 'failed', reason: 'HTTP 504' });
    b.settle({ kind: 'answered' }); // settled twice: the second is ignored
    expect(await breaker.admit(OPS)).toEqual({ send: false, reason: 'HTTP 503' });
  });

  it('a send that was not made after all (lease, or it threw) passes the gate to the next waiting send', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    const { admitted, all } = admitMany(breaker, 3);
    await drain();
    sending(admitted[0]).settle({ kind: 'not-sent' });
    await drain();
    // Exactly one of the waiting sends is let through to find out.
    expect(admitted.map((a) => a?.send)).toEqual([true, true, undefined]);
    sending(admitted[1]).settle({ kind: 'failed', reason: 'HTTP 503' });
    await all;
    expect(admitted[2]).toEqual({ send: false, reason: 'HTTP 503' });
  });

  it('a send not made after the receiver answered leaves it up: no gate again', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    sending(await breaker.admit(OPS)).settle({ kind: 'answered' });
    sending(await breaker.admit(OPS)).settle({ kind: 'not-sent' });
    const { admitted } = admitMany(breaker, 2);
    await drain();
    expect(admitted.map((a) => a?.send)).toEqual([true, true]);
  });

  it('receivers and runs are gated apart: one receiver’s send in flight holds no other', async () => {
    const breakers = createReceiverBreakers();
    const run1 = breakers.forRun('run-1');
    sending(await run1.admit(OPS)); // in flight, never settled
    expect((await run1.admit('webhook[pager]')).send).toBe(true);
    expect((await breakers.forRun('run-2').admit(OPS)).send).toBe(true);
    // The same run, asked for again (another gateway), shares the gate.
    const waiting = admitMany(breakers.forRun('run-1'), 1);
    await drain();
    expect(waiting.admitted).toEqual([undefined]);
  });

  it('keeps only the most recent runs', async () => {
    const breakers = createReceiverBreakers(2);
    sending(await breakers.forRun('run-1').admit(OPS)).settle({ kind: 'failed', reason: 'down' });
    breakers.forRun('run-2');
    expect(breakers.forRun('run-1').openReason(OPS)).toBe('down');
    breakers.forRun('run-3');
    breakers.forRun('run-4');
    expect(breakers.forRun('run-1').openReason(OPS)).toBeUndefined();
  });
});

// A new-user trial: 150 gateways went bad at once, about 58 messages went to one Slack receiver (one
// a second) together, each retried alone after the same Retry-After: ~30 refused for each one taken.
describe('the receiver breaker paces a receiver that answers', () => {
  /**
   * Settles the sends of `admitted` in the order they were let in, each answered without a 429, until
   * none is left in flight; the most that were in flight at once after each answer.
   */
  async function answerAll(admitted: Array<Admission | undefined>): Promise<number[]> {
    const most: number[] = [];
    for (let next = 0; next < admitted.length; next++) {
      await drain();
      const admission = admitted[next];
      if (!admission) break;
      most.push(admitted.filter(Boolean).length - next);
      sending(admission).settle({ kind: 'answered' });
    }
    return most;
  }

  it(`starts with ${START_SENDS_PER_RECEIVER} in flight, one more with each answer, never more than ${MAX_SENDS_PER_RECEIVER}`, async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    const probe = admitMany(breaker, 1);
    await probe.all;
    sending(probe.admitted[0]).settle({ kind: 'answered' });
    const { admitted } = admitMany(breaker, 100);
    const inFlight = await answerAll(admitted);
    expect(inFlight[0]).toBe(START_SENDS_PER_RECEIVER);
    expect(Math.max(...inFlight)).toBe(MAX_SENDS_PER_RECEIVER);
    expect(admitted.every(Boolean)).toBe(true);
  });

  it('once a send was answered 429, none goes before its Retry-After; each such 429 halves how many go at once, down to one', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const breaker = createReceiverBreakers().forRun('run-1');
      const probe = admitMany(breaker, 1);
      await probe.all;
      sending(probe.admitted[0]).settle({ kind: 'answered' });
      // Five sends in a row answered 429 with Retry-After 1 s (the fake clock moves the timers and
      // performance.now, which the breaker reads): 32 → 16 → 8 → 4 → 2 → 1 at once.
      for (let i = 0; i < 5; i++) {
        const one = admitMany(breaker, 1);
        await jest.advanceTimersByTimeAsync(1_000);
        await one.all;
        sending(one.admitted[0]).settle({ kind: 'answered', throttledForInMs: 1_000 });
        const held = admitMany(breaker, 1);
        await drain();
        expect(held.admitted).toEqual([undefined]); // paused until the Retry-After
        await jest.advanceTimersByTimeAsync(1_000);
        await held.all;
        sending(held.admitted[0]).settle({ kind: 'not-sent' });
      }
      const { admitted } = admitMany(breaker, 3);
      await jest.advanceTimersByTimeAsync(1_000);
      await drain();
      expect(admitted.filter(Boolean)).toHaveLength(1);
      // An answer without a 429 adds one back: two at once.
      sending(admitted[0]).settle({ kind: 'answered' });
      await drain();
      expect(admitted.filter(Boolean)).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('one early 429 does not keep a receiver slow: answers without one bring it back to the full count', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const breaker = createReceiverBreakers().forRun('run-1');
      const probe = admitMany(breaker, 1);
      await probe.all;
      sending(probe.admitted[0]).settle({ kind: 'answered', throttledForInMs: 2_000 });
      await jest.advanceTimersByTimeAsync(2_000);
      const { admitted } = admitMany(breaker, 100);
      const inFlight = await answerAll(admitted);
      expect(inFlight[0]).toBe(START_SENDS_PER_RECEIVER / 2);
      expect(Math.max(...inFlight)).toBe(MAX_SENDS_PER_RECEIVER);
    } finally {
      jest.useRealTimers();
    }
  });

  // A break trial: a receiver answering 429 to everything never opened the breaker, and the run spent its
  // whole lease on it (140 s and 110 POSTs where 8 s and 5 had said the same), delaying another receiver.
  it(`${THROTTLED_OUT_IN_A_ROW} sends in a row given up on 429 alone open it; one taken between starts the count again`, async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const breaker = createReceiverBreakers().forRun('run-1');
      const send = async (verdict: Parameters<Extract<Admission, { send: true }>['settle']>[0]) => {
        const one = admitMany(breaker, 1);
        await jest.advanceTimersByTimeAsync(1_000);
        await one.all;
        sending(one.admitted[0]).settle(verdict);
      };
      const refused = { kind: 'answered', throttledForInMs: 1_000, refusedByRateLimit: 'HTTP 429' } as const;
      await send({ kind: 'answered' });
      await send(refused);
      await send(refused);
      await send({ kind: 'answered', throttledForInMs: 0 }); // taken: the count starts again
      for (let i = 0; i < THROTTLED_OUT_IN_A_ROW - 1; i++) await send(refused);
      expect(breaker.openReason(OPS)).toBeUndefined();
      await send(refused);
      expect(breaker.openReason(OPS)).toBe('HTTP 429');
    } finally {
      jest.useRealTimers();
    }
  });

  it('a receiver that fails while sends wait for a place: the waiting ones are not made, with its reason', async () => {
    const breaker = createReceiverBreakers().forRun('run-1');
    const probe = admitMany(breaker, 1);
    await probe.all;
    sending(probe.admitted[0]).settle({ kind: 'answered' });
    const { admitted, all } = admitMany(breaker, MAX_SENDS_PER_RECEIVER + 1);
    await drain();
    sending(admitted[0]).settle({ kind: 'failed', reason: 'HTTP 503' });
    await all;
    expect(admitted.at(-1)).toEqual({ send: false, reason: 'HTTP 503' });
  });
});
