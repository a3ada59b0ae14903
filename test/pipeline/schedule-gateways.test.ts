import {
  AUTO_IN_FLIGHT_CEILING,
  AUTO_MIN_IN_FLIGHT,
  AUTO_UNPACED_CONCURRENCY,
  RUN_STARTING_GATEWAYS,
  scheduleGateways,
  scheduleListedGateways,
} from '../../src/pipeline/schedule-gateways';
import { runChecks } from '../../src/pipeline/run-checks';
import { deferred, gatewayNamed, memoryRun, memorySubscriptionPacer } from '../helpers/memory';

const A = 'aaaaaaaa-0000-0000-0000-000000000000';
const B = 'bbbbbbbb-0000-0000-0000-000000000000';
const C = 'cccccccc-0000-0000-0000-000000000000';

/** `n` gateways of subscription `sub`, named `<letter><i>`. */
const gatewaysOf = (sub: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ subscriptionId: sub, name: `${sub[0]}${i + 1}` }));

/** Calls that wait until the test ends them; records starts and the most in flight at once. */
function heldCalls() {
  const started: string[] = [];
  const pending = new Map<string, () => void>();
  let inFlight = 0;
  let most = 0;
  return {
    started,
    most: () => most,
    end(name: string) {
      pending.get(name)?.();
      pending.delete(name);
    },
    endAll() {
      for (const name of [...pending.keys()]) this.end(name);
    },
    fn: (gateway: { name: string }, index: number) => {
      started.push(gateway.name);
      most = Math.max(most, ++inFlight);
      return new Promise<string>((resolve) =>
        pending.set(gateway.name, () => {
          inFlight -= 1;
          resolve(`${gateway.name}#${index}`);
        }),
      );
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('scheduleGateways without a pacer: as mapBounded', () => {
  it.each<[number | 'auto', number]>([
    [1, 1],
    [3, 3],
    ['auto', AUTO_UNPACED_CONCURRENCY],
  ])('concurrency %j: at most %i in flight, results in input order', async (concurrency, most) => {
    const gateways = [...gatewaysOf(A, 10), ...gatewaysOf(B, 10)];
    const calls = heldCalls();
    const done = scheduleGateways(gateways, { concurrency }, calls.fn);
    for (let i = 0; i < 40; i++) {
      await settle();
      // End them out of order: the last started first.
      const last = calls.started.at(-1);
      if (last) calls.end(last);
      calls.endAll();
    }
    const results = await done;
    expect(calls.most()).toBe(most);
    expect(results).toEqual(gateways.map((g, i) => `${g.name}#${i}`));
  });
});

describe('leftFlight: a gateway that no longer counts against the cap before it ends', () => {
  it.each<[string, boolean]>([
    ['without a pacer', false],
    ['with a pacer', true],
  ])('%s: its place goes to the next gateway at once, once however often it is called', async (_, paced) => {
    const gateways = gatewaysOf(A, 3);
    const started: string[] = [];
    const ends = new Map<string, () => void>();
    const done = scheduleGateways(
      gateways,
      { concurrency: 1, ...(paced ? { pacer: memorySubscriptionPacer() } : {}) },
      (gateway, index, _started, leftFlight) => {
        started.push(gateway.name);
        if (gateway.name === 'a1') {
          leftFlight();
          leftFlight(); // twice: one place given, not two
        }
        return new Promise<string>((resolve) =>
          ends.set(gateway.name, () => resolve(`${gateway.name}#${index}`)),
        );
      },
    );
    for (let i = 0; i < 10; i++) await settle();
    // a1 still running, out of flight: a2 took its place, and a3 waits for a2's.
    expect(started).toEqual(['a1', 'a2']);
    ends.get('a1')?.(); // its end gives nothing back again
    for (let i = 0; i < 10; i++) await settle();
    expect(started).toEqual(['a1', 'a2']);
    ends.get('a2')?.();
    for (let i = 0; i < 10; i++) await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    ends.get('a3')?.();
    await expect(done).resolves.toEqual(['a1#0', 'a2#1', 'a3#2']);
  });
});

describe('scheduleGateways with a pacer', () => {
  it('starts a gateway only once its subscription admits it; another subscription is not held up', async () => {
    const pacer = memorySubscriptionPacer();
    pacer.hold(A);
    const calls = heldCalls();
    const gateways = [...gatewaysOf(A, 3), ...gatewaysOf(B, 3)];
    const done = scheduleGateways(gateways, { concurrency: 'auto', pacer }, calls.fn);
    await settle();
    expect(calls.started).toEqual(['b1', 'b2', 'b3']);
    expect(pacer.waiting(A)).toBe(1); // one lane per subscription: one waiter

    pacer.grant(A);
    await settle();
    expect(calls.started).toEqual(['b1', 'b2', 'b3', 'a1']);
    pacer.grant(A, 2);
    await settle();
    calls.endAll();
    expect(await done).toEqual(gateways.map((g, i) => `${g.name}#${i}`));
    expect(pacer.admitted.filter((s) => s === A)).toHaveLength(3);
  });

  it('round-robin across subscriptions when places are short', async () => {
    const pacer = memorySubscriptionPacer();
    const calls = heldCalls();
    const gateways = [...gatewaysOf(A, 3), ...gatewaysOf(B, 3), ...gatewaysOf(C, 3)];
    const done = scheduleGateways(gateways, { concurrency: 1, pacer }, calls.fn);
    for (let i = 0; i < 30; i++) {
      await settle();
      calls.endAll();
    }
    await done;
    expect(calls.started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
    expect(calls.most()).toBe(1);
  });

  it('a subscription waiting for admission holds no place: the others use them all', async () => {
    const pacer = memorySubscriptionPacer();
    pacer.hold(A);
    const calls = heldCalls();
    const done = scheduleGateways(
      [...gatewaysOf(A, 2), ...gatewaysOf(B, 4)],
      { concurrency: 2, pacer },
      calls.fn,
    );
    await settle();
    expect(calls.started).toEqual(['b1', 'b2']);
    calls.endAll();
    await settle();
    expect(calls.started).toEqual(['b1', 'b2', 'b3', 'b4']);
    pacer.grant(A, 2);
    for (let i = 0; i < 10; i++) {
      await settle();
      calls.endAll();
    }
    await done;
    expect(calls.most()).toBe(2);
  });

  it(`"auto" keeps at most ${AUTO_IN_FLIGHT_CEILING} gateways in flight`, async () => {
    const pacer = memorySubscriptionPacer();
    const calls = heldCalls();
    const each = AUTO_IN_FLIGHT_CEILING / 2 + 200;
    const gateways = [...gatewaysOf(A, each), ...gatewaysOf(B, each)];
    const done = scheduleGateways(gateways, { concurrency: 'auto', pacer }, calls.fn);
    for (let i = 0; i < 5; i++) await settle();
    expect(calls.started).toHaveLength(AUTO_IN_FLIGHT_CEILING);
    for (let i = 0; i < 10; i++) {
      calls.endAll();
      await settle();
    }
    expect(await done).toHaveLength(2 * each);
    expect(calls.most()).toBe(AUTO_IN_FLIGHT_CEILING);
  });

  it(`"auto" admits past ${AUTO_MIN_IN_FLIGHT} in flight only once the process keeps up`, async () => {
    const pacer = memorySubscriptionPacer();
    const calls = heldCalls();
    let busy = true;
    let asked = 0;
    const aborted: Array<AbortSignal | undefined> = [];
    const waiting: Array<() => void> = [];
    const load = {
      ready: (options?: { abortSignal?: AbortSignal }) => {
        asked += 1;
        aborted.push(options?.abortSignal);
        return busy ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve();
      },
    };
    const gateways = [...gatewaysOf(A, 40), ...gatewaysOf(B, 40)];
    const done = scheduleGateways(gateways, { concurrency: 'auto', pacer, load }, calls.fn);
    for (let i = 0; i < 10; i++) await settle();
    // Busy: the floor is in flight, and one lane at a time waits for the load.
    expect(calls.started).toHaveLength(AUTO_MIN_IN_FLIGHT);
    expect(waiting).toHaveLength(1);
    // A gateway that ends, taking the count below the floor, lets the next in without the load.
    calls.end(calls.started[0] as string);
    for (let i = 0; i < 5; i++) await settle();
    expect(calls.started).toHaveLength(AUTO_MIN_IN_FLIGHT + 1);
    expect(waiting).toHaveLength(2); // the next lane asks again
    busy = false;
    waiting.splice(0).forEach((resolve) => resolve());
    for (let i = 0; i < 10; i++) await settle();
    expect(calls.started).toHaveLength(80);
    calls.endAll();
    expect(await done).toEqual(gateways.map((g, i) => `${g.name}#${i}`));
    expect(asked).toBeGreaterThan(0);
    // Each question is called off once its answer no longer matters (the floor let a gateway in).
    expect(aborted[0]?.aborted).toBe(true);
    expect(calls.most()).toBe(79); // all but the one that ended early
  });

  it('a configured concurrency never asks the load; a load that fails costs no gateway', async () => {
    const asked: string[] = [];
    const results = await scheduleGateways(
      gatewaysOf(A, 50),
      {
        concurrency: 50,
        pacer: memorySubscriptionPacer(),
        load: { ready: async () => void asked.push('x') },
      },
      async (g) => g.name,
    );
    expect(results).toHaveLength(50);
    expect(asked).toEqual([]);
    const failing = await scheduleGateways(
      gatewaysOf(A, 50),
      {
        concurrency: 'auto',
        pacer: memorySubscriptionPacer(),
        load: { ready: () => Promise.reject(new Error('bug')) },
      },
      async (g) => {
        await settle();
        return g.name;
      },
    );
    expect(failing).toEqual(gatewaysOf(A, 50).map((g) => g.name));
  });

  it('a pacer that fails costs no gateway: each runs unpaced', async () => {
    const pacer = memorySubscriptionPacer();
    pacer.failWith(new Error('bug'));
    const results = await scheduleGateways(
      gatewaysOf(A, 3),
      { concurrency: 'auto', pacer },
      async (g) => g.name,
    );
    expect(results).toEqual(['a1', 'a2', 'a3']);
  });

  it('a call that throws (a bug: fn returns results) fails the schedule once the others ended', async () => {
    const pacer = memorySubscriptionPacer();
    const ended: string[] = [];
    const run = scheduleGateways(gatewaysOf(A, 3), { concurrency: 'auto', pacer }, async (g) => {
      if (g.name === 'a1') throw new Error('bug in a1');
      await settle();
      ended.push(g.name);
      return g.name;
    });
    await expect(run).rejects.toThrow('bug in a1');
    expect(ended).toEqual(['a2', 'a3']);
  });
});

describe('runChecks with a pacer', () => {
  it('a gateway’s time-out starts when it is admitted, not when the run starts', async () => {
    const ref = gatewayNamed('gw-late', 'rg-test', A);
    const r = memoryRun({ gateways: [{ ref, servers: [] }], options: { gatewayTimeoutInMs: 50 } });
    const pacer = memorySubscriptionPacer();
    pacer.hold(A);
    const outcome = runChecks({ ...r.deps, pacer }, r.options);
    // Held past its time-out before admission: still evaluated once admitted.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.reader.calls).toHaveLength(0);
    pacer.grant(A);
    const { report } = await outcome;
    expect(report.gateways.map((g) => [g.name, g.ok])).toEqual([['gw-late', true]]);
    expect(pacer.admitted).toEqual([A]);
  });

  it('at most RUN_STARTING_GATEWAYS start at once: the next is admitted once an operation has started', async () => {
    const count = RUN_STARTING_GATEWAYS + 10;
    const refs = Array.from({ length: count }, (_, i) => gatewayNamed(`gw-${i}`, 'rg', A));
    const r = memoryRun({ gateways: refs.map((ref) => ({ ref, servers: [] })) });
    // Each read waits until the test lets its POST be answered (onStarted), then answers at once.
    const answer = new Map<string, () => void>();
    for (const ref of refs)
      r.reader.health.set(ref.id, (options) => {
        const told = (options as { onStarted?: () => void } | undefined)?.onStarted;
        return new Promise((resolve) =>
          answer.set(ref.name, () => {
            told?.();
            resolve({});
          }),
        );
      });
    const pacer = memorySubscriptionPacer();
    const outcome = runChecks({ ...r.deps, pacer }, { ...r.options, concurrency: 'auto' });
    for (let i = 0; i < 5; i++) await settle();
    expect(r.reader.calls).toHaveLength(RUN_STARTING_GATEWAYS);
    expect(pacer.admitted).toHaveLength(RUN_STARTING_GATEWAYS);
    answer.get('gw-0')?.();
    for (let i = 0; i < 5; i++) await settle();
    expect(r.reader.calls).toHaveLength(RUN_STARTING_GATEWAYS + 1);
    while (answer.size < count || r.reader.calls.length < count) {
      for (const go of answer.values()) go();
      await settle();
    }
    for (const go of answer.values()) go();
    const { report } = await outcome;
    expect(report.summary).toMatchObject({ gateways: count, failedGateways: 0 });
  });

  it('admits each gateway by its subscription, and reports them in the order listed', async () => {
    const refs = [
      gatewayNamed('gw-1', 'rg', A),
      gatewayNamed('gw-2', 'rg', B),
      gatewayNamed('gw-3', 'rg', A),
    ];
    const r = memoryRun({
      gateways: refs.map((ref) => ({ ref, servers: [] })),
      targets: refs.map((ref) => ref.id),
    });
    const pacer = memorySubscriptionPacer();
    const { report } = await runChecks({ ...r.deps, pacer }, r.options);
    expect(report.gateways.map((g) => g.name)).toEqual(['gw-1', 'gw-2', 'gw-3']);
    expect(pacer.admitted.map((s) => s.toLowerCase()).sort()).toEqual([A, A, B]);
  });
});

describe('scheduleListedGateways: gateways given in batches, as each target is listed', () => {
  it.each<[string, boolean]>([
    ['with a pacer', true],
    ['without one', false],
  ])(
    '%s: each batch starts at once, under one cap across batches; a lane that ran dry starts again; results in the order given',
    async (_, paced) => {
      const calls = heldCalls();
      let add!: (gateways: ReturnType<typeof gatewaysOf>) => void;
      const listingEnds = deferred<void>();
      const done = scheduleListedGateways<{ subscriptionId: string; name: string }, string>(
        async (given) => {
          add = given;
          add(gatewaysOf(A, 2));
          await listingEnds.promise;
        },
        { concurrency: 3, ...(paced ? { pacer: memorySubscriptionPacer() } : {}) },
        calls.fn,
      );
      for (let i = 0; i < 20; i++) await settle();
      expect(calls.started).toEqual(['a1', 'a2']);
      calls.end('a1');
      calls.end('a2');
      for (let i = 0; i < 20; i++) await settle();
      // Lane A has run dry; a later batch of A and B starts at once, at most 3 in flight.
      add([...gatewaysOf(B, 3), ...gatewaysOf(A, 4).slice(2)]);
      for (let i = 0; i < 20; i++) await settle();
      expect(calls.started).toHaveLength(5);
      expect(calls.most()).toBe(3);
      listingEnds.resolve();
      for (let i = 0; i < 40 && calls.started.length < 7; i++) {
        calls.endAll();
        await settle();
      }
      calls.endAll();
      expect(await done).toEqual(['a1#0', 'a2#1', 'b1#2', 'b2#3', 'b3#4', 'a3#5', 'a4#6']);
      expect(calls.most()).toBe(3);
    },
  );

  it('a listing that throws (a bug) rejects once the gateways it gave have ended', async () => {
    const ended: string[] = [];
    const run = scheduleListedGateways<{ subscriptionId: string; name: string }, string>(
      async (add) => {
        add(gatewaysOf(A, 2));
        throw new Error('bug in the listing');
      },
      { concurrency: 'auto', pacer: memorySubscriptionPacer() },
      async (g) => {
        await settle();
        ended.push(g.name);
        return g.name;
      },
    );
    await expect(run).rejects.toThrow('bug in the listing');
    expect(ended).toEqual(['a1', 'a2']);
  });
});

describe('scheduleGateways: gateways starting at once (startingAtOnce)', () => {
  it('admits no more than startingAtOnce until one says its operation started; then the next is admitted and sent at once', async () => {
    const pacer = memorySubscriptionPacer();
    const startedBy = new Map<string, () => void>();
    const calls = heldCalls();
    const gateways = [...gatewaysOf(A, 3), ...gatewaysOf(B, 3)];
    const done = scheduleGateways(
      gateways,
      { concurrency: 'auto', pacer, startingAtOnce: 2 },
      (gateway, index, started) => {
        startedBy.set(gateway.name, started);
        return calls.fn(gateway, index);
      },
    );
    await settle();
    // Two admitted and called, the others not yet asked of the pacer: none waits admitted, unsent.
    expect(calls.started).toEqual(['a1', 'b1']);
    expect(pacer.admitted).toHaveLength(2);
    startedBy.get('a1')?.();
    startedBy.get('a1')?.(); // twice is once
    await settle();
    expect(calls.started).toEqual(['a1', 'b1', 'a2']);
    expect(pacer.admitted).toHaveLength(3);
    // A gateway that ends without saying so gives its place back as it ends.
    calls.end('b1');
    await settle();
    expect(calls.started).toEqual(['a1', 'b1', 'a2', 'b2']);
    for (let i = 0; i < 10; i++) {
      for (const started of startedBy.values()) started();
      await settle();
    }
    calls.endAll();
    expect(await done).toEqual(gateways.map((g, i) => `${g.name}#${i}`));
    // Gateways in flight past their start are not bounded by it: all six ran at once.
    expect(calls.most()).toBeGreaterThan(2);
  });

  it('a stopped run waits for no starting place: every gateway is handed over at once', async () => {
    const stop = new AbortController();
    const calls = heldCalls();
    const done = scheduleGateways(
      gatewaysOf(A, 4),
      { concurrency: 'auto', pacer: memorySubscriptionPacer(), startingAtOnce: 1, stop: stop.signal },
      calls.fn,
    );
    await settle();
    expect(calls.started).toEqual(['a1']);
    stop.abort(new Error('stopped'));
    await settle();
    expect(calls.started).toEqual(['a1', 'a2', 'a3', 'a4']);
    calls.endAll();
    await done;
  });
});
