import { givenBackWhileWaiting, keptAtMost, type SparePlace } from '../../src/pipeline/held-place';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../../src/core/place-kept';
import type { AnswerPlace } from '../../src/ports';
import { deferred, gatewayNamed, memoryRun } from '../helpers/memory';
import {
  runChecks,
  RUN_GATEWAYS_WAITING_ON_RECEIVERS,
  RUN_RENDERING_GATEWAYS,
} from '../../src/pipeline/run-checks';

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

describe('givenBackWhileWaiting: a render place given back for good once a spare one is free', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function spare(free: boolean[]) {
    const events: string[] = [];
    const s: SparePlace = {
      tryTake: () => {
        const took = free.shift() ?? false;
        events.push(took ? 'spare taken' : 'spare refused');
        return took;
      },
      giveBack: () => void events.push('spare back'),
    };
    return { s, events };
  }

  it('a wait shorter than PLACE_KEPT_THROUGH_A_WAIT_IN_MS: nothing taken or given back', async () => {
    const { p, events } = place();
    const { s, events: spareEvents } = spare([true]);
    const wait = deferred<string>();
    const given = givenBackWhileWaiting(p, s, wait.promise);
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS - 1);
    wait.resolve('admitted');
    await expect(given).resolves.toBe('admitted');
    expect([...events, ...spareEvents]).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('no spare place free: the render place is kept, and asked again every PLACE_KEPT_THROUGH_A_WAIT_IN_MS; once one is, given back, never taken again', async () => {
    const { p, events } = place();
    const { s, events: spareEvents } = spare([false, true]);
    const wait = deferred<string>();
    const given = givenBackWhileWaiting(p, s, wait.promise);
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    expect([events, spareEvents]).toEqual([[], ['spare refused']]);
    await jest.advanceTimersByTimeAsync(PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    expect([events, spareEvents]).toEqual([['give back'], ['spare refused', 'spare taken']]);
    await jest.advanceTimersByTimeAsync(10 * PLACE_KEPT_THROUGH_A_WAIT_IN_MS);
    wait.reject(new Error('stopped'));
    await expect(given).rejects.toThrow('stopped');
    // The spare place is the caller's to give back when the gateway is done.
    expect([events, spareEvents]).toEqual([['give back'], ['spare refused', 'spare taken']]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('a direct run behind a receiver that hangs: gateways waiting for its turn give their render places back, up to RUN_GATEWAYS_WAITING_ON_RECEIVERS', () => {
  const bad = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
  const good = {
    address: '10.0.0.5',
    health: 'Healthy',
    healthProbeLog: 'Success. Received 200 status code',
  };

  /** Resolves once `done()` holds (looked at every 50 ms), or after `withinInMs` (a margin, not a time). */
  async function until(done: () => boolean, withinInMs = 30_000): Promise<void> {
    for (const end = Date.now() + withinInMs; !done() && Date.now() < end;)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /**
   * `sick` gateways with a notice, then 10 without, the receiver's sends held until `release`; with
   * `firstAnswered`, the first send is answered at once (the receiver is known to be up).
   */
  function hungReceiverRun(sick: number, firstAnswered = false, concurrency = sick + 10) {
    const sickRefs = Array.from({ length: sick }, (_, i) => gatewayNamed(`sick-${i}`));
    const well = Array.from({ length: 10 }, (_, i) => gatewayNamed(`well-${i}`));
    const r = memoryRun({
      gateways: [
        ...sickRefs.map((ref) => ({ ref, servers: [bad] })),
        ...well.map((ref) => ({ ref, servers: [good] })),
      ],
      withNotify: true,
      options: { concurrency },
    });
    const receiver = r.notify!.notifiers[0]!;
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const send = receiver.send.bind(receiver);
    let sends = 0;
    receiver.send = async (notice, options) => {
      sends += 1;
      if (!(firstAnswered && sends === 1)) await hung;
      return send(notice, options);
    };
    const delivered = () =>
      r.sinks[0]!.deliveries.filter((d) => d.scope === 'gateway').map(
        (d) => d.report.gateways[0]?.name ?? '',
      );
    // A gateway's notify state is written when it claims its notices: rendered and in notify.
    const inNotify = () =>
      [...r.notify!.stores.documents.keys()].filter((key) => key.includes('sick-')).length;
    /** In notify and not delivered yet: holding rendered insights. */
    const waiting = () => inNotify() - delivered().filter((name) => name.startsWith('sick-')).length;
    return { r, release, delivered, inNotify, waiting, sends: () => sends, total: sick + well.length };
  }

  /**
   * Runs `run` while its receiver hangs: the 10 gateways without notices are delivered meanwhile, none
   * with one, after one send (finding out whether it answers; the rest wait for it). `whileHung` looks
   * at the run then. Then the receiver answers, and every gateway is delivered.
   */
  async function wellDeliveredWhileHung(
    run: ReturnType<typeof hungReceiverRun>,
    whileHung: () => void = () => undefined,
  ): Promise<void> {
    const outcome = runChecks(run.r.deps, run.r.options);
    try {
      // The receiver still hanging: past PLACE_KEPT_THROUGH_A_WAIT_IN_MS, the well ones are delivered.
      await until(() => run.delivered().length >= 10);
      expect(run.sends()).toBe(1);
      expect(run.delivered().filter((name) => name.startsWith('well-'))).toHaveLength(10);
      expect(run.delivered().filter((name) => name.startsWith('sick-'))).toEqual([]);
      whileHung();
    } finally {
      run.release();
    }
    const { report } = await outcome;
    expect(report.summary).toMatchObject({ gateways: run.total, failedGateways: 0 });
    expect(run.delivered()).toHaveLength(run.total);
  }

  // A break trial: 64 gateways with notices and 300 without took 59 s for about 5 s of work, every
  // render place held by a gateway waiting for the first send to a receiver that hung.
  it('the gateways without notices are delivered while the receiver still hangs', async () => {
    const run = hungReceiverRun(RUN_RENDERING_GATEWAYS);
    await wellDeliveredWhileHung(run, () => expect(run.inNotify()).toBe(RUN_RENDERING_GATEWAYS));
  }, 60_000);

  // The same with a numeric `concurrency` as small as the gateways with notices: each kept its
  // in-flight place while it waited on the receiver, and the others waited for the send's whole budget.
  it('with `concurrency` 4 and 4 gateways with notices, the gateways without are checked and delivered while the receiver still hangs', async () => {
    await wellDeliveredWhileHung(hungReceiverRun(4, false, 4));
  }, 60_000);

  // The next trial: given back while a receiver known to be up was at its limit (Slack's one message a
  // second), 192 gateways took their notices' leases at once, and 60 of 150 leases ended before their
  // turn: only the wait for a receiver's first answer gives the place back.
  it('a receiver known to be up whose sends are at their limit: the gateways waiting for their turn keep their render places', async () => {
    const run = hungReceiverRun(RUN_RENDERING_GATEWAYS + 20, true);
    const outcome = runChecks(run.r.deps, run.r.options);
    try {
      await until(() => run.sends() > 1 && run.waiting() >= RUN_RENDERING_GATEWAYS);
      // Past PLACE_KEPT_THROUGH_A_WAIT_IN_MS, twice: a place given back would let another gateway in.
      await new Promise((resolve) => setTimeout(resolve, 2 * PLACE_KEPT_THROUGH_A_WAIT_IN_MS));
      expect(run.waiting()).toBe(RUN_RENDERING_GATEWAYS);
      expect(run.delivered().filter((name) => name.startsWith('well-'))).toEqual([]);
    } finally {
      run.release();
    }
    const { report } = await outcome;
    expect(report.summary).toMatchObject({ gateways: run.total, failedGateways: 0 });
  }, 60_000);

  // Another: giving the places back without a bound, 1 290 gateways piled up behind a receiver that
  // hung, each with its rendered insights (539 MB at 3 000 gateways).
  it('past RUN_GATEWAYS_WAITING_ON_RECEIVERS of them, the others keep their render places: no more than both bounds hold rendered insights, the rest wait unrendered', async () => {
    const run = hungReceiverRun(RUN_RENDERING_GATEWAYS + RUN_GATEWAYS_WAITING_ON_RECEIVERS + 20);
    const outcome = runChecks(run.r.deps, run.r.options);
    const bound = RUN_RENDERING_GATEWAYS + RUN_GATEWAYS_WAITING_ON_RECEIVERS;
    try {
      await until(() => run.inNotify() >= bound);
      // And no more once a spare place would have been taken again, were one free.
      await new Promise((resolve) => setTimeout(resolve, PLACE_KEPT_THROUGH_A_WAIT_IN_MS + 500));
      // Rendered and waiting for the receiver: one per render place and one per spare place.
      expect(run.inNotify()).toBe(bound);
      // The well gateways come after every sick one: the places are all held by sick gateways waiting.
      expect(run.delivered()).toEqual([]);
      expect(run.sends()).toBe(1);
    } finally {
      run.release();
    }
    const { report } = await outcome;
    expect(report.summary).toMatchObject({ gateways: run.total, failedGateways: 0 });
  }, 60_000);
});
