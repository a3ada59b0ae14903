import { listOutboxes } from '../../../src/pipeline/notify/dead-letters';
import { leaseInMs } from '../../../src/pipeline/notify/lease';
import { createReceiverBreakers } from '../../../src/pipeline/notify/receiver-breaker';
import {
  NOTHING_NOTIFIED,
  notifyOnChange,
  QUEUED_BY_ANOTHER_RUN,
  reviewOutbox,
} from '../../../src/pipeline/notify/notify-on-change';
import type { NotifyStateDocument, QueuedNotice } from '../../../src/pipeline/notify/state-document';
import { sampleNotice } from '../../adapters/webhooks/support/notices';
import { createMemoryNotifier, type MemoryNotifier } from '../../helpers/memory-notifier';
import {
  bad,
  GW,
  HOUR,
  KEY,
  MINUTE,
  notEvaluated,
  notifyWorld,
  observe,
  POLICY,
  T0,
  told,
  type NotifyWorld,
} from './support/notify-world';

/** Lets pending continuations run (calls that hang stay pending through it). */
const drain = () => new Promise((resolve) => setImmediate(resolve));

function setup(options: { notifiers?: MemoryNotifier[]; outboxLimit?: number; for?: number } = {}) {
  const ops = createMemoryNotifier({ name: 'webhook[ops]' });
  const notifiers = options.notifiers ?? [ops];
  const world = notifyWorld({
    notifiers,
    ...(options.outboxLimit ? { outboxLimit: options.outboxLimit } : {}),
    ...(options.for ? { policy: { for: options.for, repeatIntervalInMs: 4 * HOUR } } : {}),
  });
  const at = (offset: number) => {
    world.clock.set(T0 + offset);
    return T0 + offset;
  };
  return { world, ops: notifiers[0] ?? ops, at };
}

describe('notifyOnChange: one episode, told once, reminded, ended once', () => {
  it('degraded, nothing within the interval, reminders after it, recovered once: a new id for each notice', async () => {
    const { world, ops, at } = setup();
    const steps: Array<[number, { bad?: string[]; healthy?: string[] }, string[][]]> = [
      [0, { bad: ['10.0.0.4'] }, [['degraded', '10.0.0.4']]],
      [1 * HOUR, { bad: ['10.0.0.4'] }, []],
      [4 * HOUR, { bad: ['10.0.0.4'] }, [['still-degraded', '10.0.0.4']]],
      [4.5 * HOUR, { bad: ['10.0.0.4'] }, []],
      [8 * HOUR, { bad: ['10.0.0.4'] }, [['still-degraded', '10.0.0.4']]],
      [8 * HOUR + 10 * MINUTE, { healthy: ['10.0.0.4'] }, [['recovered', '10.0.0.4']]],
      [9 * HOUR, { healthy: ['10.0.0.4'] }, []],
    ];
    for (const [i, [offset, servers, expected]] of steps.entries()) {
      const before = ops.accepted.length;
      const outcome = await world.run(`run-${i}`, observe(at(offset), GW, servers));
      expect([offset, told(ops.accepted.slice(before))]).toEqual([offset, expected]);
      expect([offset, outcome.decided, outcome.claimed, outcome.stateErrors]).toEqual([
        offset,
        expected.length,
        true,
        [],
      ]);
    }
    expect(new Set(ops.acceptedIds()).size).toBe(4);
    expect(world.document()).toMatchObject({ servers: {}, outbox: { 'webhook[ops]': [] } });
  });

  it('notify.for 2: a server bad for one run only is never told; bad twice is', async () => {
    const { world, ops, at } = setup({ for: 2 });
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await world.run('r2', observe(at(MINUTE), GW, { healthy: ['10.0.0.4'] }));
    expect(ops.calls).toEqual([]);
    await world.run('r3', observe(at(2 * MINUTE), GW, { bad: ['10.0.0.4'] }));
    expect(ops.calls).toEqual([]);
    await world.run('r4', observe(at(3 * MINUTE), GW, { bad: ['10.0.0.4'] }));
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
  });

  it('a cause that changes is a new degraded, and changing back is another (three ids)', async () => {
    const { world, ops, at } = setup();
    for (const [i, cause] of (['probe-timeout', 'tcp-connect', 'probe-timeout'] as const).entries())
      await world.run(`r${i}`, observe(at(i * MINUTE), GW, { bad: [bad(GW, '10.0.0.4', cause)] }));
    expect(ops.accepted.map((n) => [n.type, n.cause.id])).toEqual([
      ['degraded', 'probe-timeout'],
      ['degraded', 'tcp-connect'],
      ['degraded', 'probe-timeout'],
    ]);
    expect(new Set(ops.acceptedIds()).size).toBe(3);
  });

  it.each([
    ['healthy again', observe(0, GW, { healthy: ['10.0.0.4'] }), 'healthy again'],
    [
      'no longer listed by its gateway',
      observe(0, GW, {}),
      'no longer listed by the gateway (removed from its backend pool or settings)',
    ],
    [
      'listed with a state that is not reported',
      observe(0, GW, { other: { '10.0.0.4': 'Unknown' } }),
      'now in a state that is not reported (unhealthyStates)',
    ],
    ['on a gateway that is gone', notEvaluated(0, true), 'the application gateway no longer exists'],
  ])('recovered, %s, says why', async (_label, observation, reason) => {
    const { world, ops, at } = setup();
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await world.run('r2', { ...observation, now: new Date(at(MINUTE)) });
    expect(ops.accepted.map((n) => [n.type, n.reason])).toEqual([
      ['degraded', undefined],
      ['recovered', reason],
    ]);
  });

  // A break trial: Down, then Draining (connection draining of a server marked down, or being removed)
  // sent a ✅ recovered; Down again after the drain opened a second episode.
  it('a told server now Draining is not recovered: the episode is held until it is healthy or gone', async () => {
    const { world, ops, at } = setup();
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    const held = world.document()?.servers;
    await world.run('r2', observe(at(MINUTE), GW, { other: { '10.0.0.4': 'Draining' } }));
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    expect(world.document()?.servers).toEqual(held);
    await world.run('r3', observe(at(2 * MINUTE), GW, { bad: ['10.0.0.4'] }));
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    await world.run('r4', observe(at(3 * MINUTE), GW, { other: { '10.0.0.4': 'Draining' } }));
    await world.run('r5', observe(at(4 * MINUTE), GW, {}));
    expect(ops.accepted.map((n) => [n.type, n.reason])).toEqual([
      ['degraded', undefined],
      ['recovered', 'no longer listed by the gateway (removed from its backend pool or settings)'],
    ]);
  });

  it('a gateway that was not evaluated moves no episode: no recovered is guessed, the record stays', async () => {
    const { world, ops, at } = setup();
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    const servers = world.document()?.servers;
    const outcome = await world.run('r2', notEvaluated(at(5 * HOUR)));
    expect(outcome).toMatchObject({ decided: 0, claimed: true, stateErrors: [] });
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    expect(world.document()?.servers).toEqual(servers);
  });
});

describe('notifyOnChange: a state that fails is reported and never guessed past', () => {
  async function degradedThen(world: NotifyWorld, at: (ms: number) => number) {
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
  }

  it.each([
    ['unavailable', { kind: 'unavailable' } as const, 'StateUnavailable'],
    ['not JSON', { kind: 'invalid' } as const, 'StateInvalid'],
  ])(
    'a read that fails (%s): nothing decided, sent or written; the next good read recovers the server once',
    async (_label, fault, code) => {
      const { world, ops, at } = setup();
      await degradedThen(world, at);
      const etag = world.stores.etagOf(KEY);
      const failing = world.stores.fail('read', fault);
      const writes = world.stores.calls.filter((c) => c.op === 'write').length;
      const outcome = await world.run('r2', observe(at(MINUTE), GW, { healthy: ['10.0.0.4'] }));
      expect(outcome).toEqual({
        ...NOTHING_NOTIFIED,
        stateErrors: [expect.objectContaining({ code, document: `memory document ${KEY}` })],
      });
      expect(world.stores.calls.filter((c) => c.op === 'write')).toHaveLength(writes);
      expect(world.stores.etagOf(KEY)).toBe(etag);
      expect(world.logger.lines).toEqual([expect.stringMatching(/^error: .*memory document/)]);
      failing.clear();
      await world.run('r3', observe(at(2 * MINUTE), GW, { healthy: ['10.0.0.4'] }));
      await world.run('r4', observe(at(3 * MINUTE), GW, { healthy: ['10.0.0.4'] }));
      expect(told(ops.accepted)).toEqual([
        ['degraded', '10.0.0.4'],
        ['recovered', '10.0.0.4'],
      ]);
    },
  );

  it.each<[string, unknown, RegExp]>([
    ['a newer version', { version: 2, servers: {} }, /version: is 2/],
    ['not an object', ['not', 'a', 'document'], /\(root\): is not a JSON object/],
    ['an outbox entry of the wrong shape', { version: 1, outbox: { 'webhook[ops]': ['id'] } }, /outbox/],
  ])(
    'a document that is not valid (%s) is named, left as it is, and nothing is sent',
    async (_l, value, issue) => {
      const { world, ops, at } = setup();
      world.stores.plant(KEY, value);
      const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
      expect(outcome.stateErrors).toEqual([
        expect.objectContaining({ code: 'StateInvalid', document: `memory document ${KEY}` }),
      ]);
      expect(outcome.stateErrors[0]?.message).toMatch(issue);
      expect(outcome.claimed).toBe(false);
      expect(ops.calls).toEqual([]);
      expect(world.stores.peek(KEY)).toEqual(value);
    },
  );

  it('a claim that cannot be written: nothing sent; the next run decides again and sends once', async () => {
    const { world, ops, at } = setup();
    world.stores.fail('write', { kind: 'unavailable' }, { times: 1 });
    const first = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    expect(first.stateErrors).toEqual([expect.objectContaining({ code: 'StateUnavailable' })]);
    expect(first.decided).toBe(0);
    expect(ops.calls).toEqual([]);
    await world.run('r2', observe(at(MINUTE), GW, { bad: ['10.0.0.4'] }));
    await world.run('r3', observe(at(2 * MINUTE), GW, { bad: ['10.0.0.4'] }));
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
  });

  it('a state read that hangs holds the run without sending; answered late, it is a state error', async () => {
    const { world, ops, at } = setup();
    const hang = world.stores.fail('read', { kind: 'hang' });
    let settled = false;
    const running = world
      .run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }))
      .finally(() => (settled = true));
    await drain();
    expect(settled).toBe(false);
    expect(ops.calls).toEqual([]);
    hang.release();
    const outcome = await running;
    expect(outcome.stateErrors).toEqual([
      expect.objectContaining({
        code: 'StateUnavailable',
        message: expect.stringMatching(/no answer in time/),
      }),
    ]);
    expect(ops.calls).toEqual([]);
    expect(world.stores.peek(KEY)).toBeUndefined();
  });
});

describe('notifyOnChange: the outbox keeps order and never loses a notice', () => {
  it('a receiver down for a run: the notices wait (same ids, counted), and go first, in order, on the next', async () => {
    const { world, ops, at } = setup();
    ops.answerWith({ fail: 'retryable', message: 'HTTP 503 Service Unavailable' });
    const first = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    expect(first.deliveries.map((d) => d.outcome)).toEqual(['queued', 'not-tried']);
    expect(first.pending).toEqual({ 'webhook[ops]': 2 });
    expect(first.undelivered.map((u) => [u.status, u.retry, u.reason])).toEqual([
      ['waiting', 'next-run', 'Delivery to webhook[ops] failed: HTTP 503 Service Unavailable.'],
      ['waiting', 'next-run', expect.stringMatching(/^not tried: webhook\[ops\] failed earlier in this run/)],
    ]);
    expect(world.document()?.outbox['webhook[ops]']?.map((q) => [q.failedRuns, q.lease])).toEqual([
      [1, undefined],
      [0, undefined],
    ]);
    const waitingIds = first.undelivered.map((u) => u.noticeId);

    ops.answerWith('accept');
    const second = await world.run(
      'r2',
      observe(at(MINUTE), GW, { bad: ['10.0.0.4', '10.0.0.5', '10.0.0.6'] }),
    );
    expect(told(ops.accepted)).toEqual([
      ['degraded', '10.0.0.4'],
      ['degraded', '10.0.0.5'],
      ['degraded', '10.0.0.6'],
    ]);
    expect(ops.acceptedIds().slice(0, 2)).toEqual(waitingIds);
    expect(second).toMatchObject({ decided: 1, pending: { 'webhook[ops]': 0 }, undelivered: [] });
  });

  it('a notice refused for good is a dead letter: the ones behind it go out; it is reported every run, never re-sent', async () => {
    const { world, ops, at } = setup();
    ops.script({ fail: 'permanent', message: 'HTTP 400 Bad Request: schema violation' });
    const first = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    expect(first.deliveries.map((d) => d.outcome)).toEqual(['parked', 'delivered']);
    const parked = {
      status: 'dead-letter',
      retry: 'by-hand',
      reason: 'Delivery to webhook[ops] failed: HTTP 400 Bad Request: schema violation.',
      failedRuns: 1,
      parkedAt: new Date(T0).toISOString(),
      server: 'gw/pool-a/settings-a/10.0.0.4',
    };
    expect(first.undelivered).toEqual([expect.objectContaining(parked)]);
    const second = await world.run('r2', observe(at(MINUTE), GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    expect(second.undelivered).toEqual([expect.objectContaining(parked)]);
    expect(second.pending).toEqual({ 'webhook[ops]': 1 });
    expect(ops.calls.map((c) => c.notice.server.address)).toEqual(['10.0.0.4', '10.0.0.5']);
  });

  it('a whole gateway going bad at once, past notify.outboxLimit: every server kept waiting, none set aside; each delivered once the receiver answers', async () => {
    const { world, ops, at } = setup({ outboxLimit: 2 });
    const all = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'];
    ops.answerWith({ fail: 'retryable' });
    const first = await world.run('r1', observe(at(0), GW, { bad: all }));
    expect(first.undelivered.map((u) => [u.status, u.server.split('/')[3]])).toEqual(
      all.map((a) => ['waiting', a]),
    );
    expect(first.dropped).toEqual([]);
    ops.answerWith('accept');
    await world.run('r2', observe(at(MINUTE), GW, { bad: all }));
    expect(told(ops.accepted)).toEqual(all.map((a) => ['degraded', a]));
  });

  it('many notices dropped at once: five warnings a receiver, then one counting the rest; the report lists each', async () => {
    const { world, ops, at } = setup({ outboxLimit: 1, for: 1 });
    ops.answerWith({ fail: 'retryable' });
    const servers = Array.from({ length: 8 }, (_, i) => `10.0.0.${i + 1}`);
    const runs: Awaited<ReturnType<ReturnType<typeof setup>['world']['run']>>[] = [];
    for (const [i, offset] of [0, 4 * HOUR, 8 * HOUR, 12 * HOUR, 16 * HOUR].entries())
      runs.push(await world.run(`r${i}`, observe(at(offset), GW, { bad: servers })));
    const dropped = runs.flatMap((run) => run.dropped);
    expect(dropped).toHaveLength(8);
    const lines = world.logger.lines.filter((l) => l.includes('dropped undelivered'));
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatch(
      /webhook\[ops\]: 3 more notices of gw dropped undelivered, as above \(report\.json: notifications\.dropped/,
    );
  });

  it('a receiver down for long: past notify.outboxLimit and two a server, the oldest waiting become dead letters, and the oldest dead letters are dropped, reported and logged', async () => {
    const { world, ops, at } = setup({ outboxLimit: 2, for: 1 });
    ops.answerWith({ fail: 'retryable' });
    const runs: Awaited<ReturnType<ReturnType<typeof setup>['world']['run']>>[] = [];
    for (const [i, offset] of [0, 4 * HOUR, 8 * HOUR, 12 * HOUR, 16 * HOUR].entries())
      runs.push(await world.run(`r${i}`, observe(at(offset), GW, { bad: ['10.0.0.1', '10.0.0.2'] })));
    const shape = (run: (typeof runs)[number]) =>
      run.undelivered.map((u) => [u.status, u.type, u.server.split('/')[3]]);
    // Two servers, notify.outboxLimit 2: four notices are kept waiting (two a server), and as many dead letters.
    expect(runs.slice(0, 2).map((run) => run.undelivered.length)).toEqual([2, 4]);
    expect(shape(runs[2] as (typeof runs)[number])).toEqual([
      ['waiting', 'still-degraded', '10.0.0.1'],
      ['waiting', 'still-degraded', '10.0.0.2'],
      ['waiting', 'still-degraded', '10.0.0.1'],
      ['waiting', 'still-degraded', '10.0.0.2'],
      ['dead-letter', 'degraded', '10.0.0.1'],
      ['dead-letter', 'degraded', '10.0.0.2'],
    ]);
    expect(runs[2]?.undelivered[4]?.reason).toBe(
      'set aside unsent: more than 4 notices were waiting for this receiver (notify.outboxLimit, or two a server when that is more)',
    );
    expect(runs.slice(0, 4).flatMap((run) => run.dropped)).toEqual([]);
    expect(runs[4]?.dropped.map((d) => [d.type, d.server.split('/')[3], d.reason])).toEqual([
      [
        'degraded',
        '10.0.0.1',
        expect.stringMatching(
          /^more dead letters for this receiver than are kept \(notify\.outboxLimit 2, or two a server/,
        ),
      ],
      ['degraded', '10.0.0.2', expect.stringMatching(/^more dead letters for this receiver than are kept/)],
    ]);
    expect(world.logger.lines.filter((l) => l.includes('dropped undelivered'))).toHaveLength(2);
  });

  it('a receiver removed from the config: its notices are dropped once, each reported', async () => {
    const { world, ops, at } = setup();
    const old = {
      notice: sampleNotice({ id: 'appgw-old' }),
      queuedAt: new Date(T0).toISOString(),
      failedRuns: 0,
    };
    world.stores.plant(KEY, {
      version: 1,
      servers: {},
      outbox: { 'webhook[old]': [old] },
      deadLetters: {
        'webhook[old]': [
          { ...old, notice: sampleNotice({ id: 'appgw-old-2' }), parkedAt: old.queuedAt, reason: 'x' },
        ],
      },
    });
    const first = await world.run('r1', observe(at(0), GW, {}));
    expect(first.dropped.map((d) => [d.receiver, d.noticeId, d.reason])).toEqual([
      ['webhook[old]', 'appgw-old', expect.stringMatching(/^webhook\[old\] is no longer configured \(/)],
      ['webhook[old]', 'appgw-old-2', expect.stringMatching(/^webhook\[old\] is no longer configured \(/)],
    ]);
    expect(Object.keys(world.document()?.outbox ?? {})).toEqual(['webhook[ops]']);
    expect((await world.run('r2', observe(at(MINUTE), GW, {}))).dropped).toEqual([]);
    expect(ops.calls).toEqual([]);
  });
});

describe('notifyOnChange: leases', () => {
  it('each receiver’s notices are leased for two of its send budgets and slack', async () => {
    const slow = createMemoryNotifier({ name: 'webhook[slow]', sendBudgetInMs: 30_000, answer: 'hang' });
    const quick = createMemoryNotifier({ name: 'webhook[quick]', sendBudgetInMs: 1_000, answer: 'hang' });
    const { world, at } = setup({ notifiers: [slow, quick] });
    const running = world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await drain();
    const leaseOf = (receiver: string) => world.document()?.outbox[receiver]?.[0]?.lease;
    // The run's id and a suffix of this call's own (lease.ts leaseHolder).
    expect(leaseOf('webhook[slow]')).toEqual({
      runId: expect.stringMatching(/^r1~[0-9a-f]{6}$/),
      until: new Date(T0 + leaseInMs(30_000)).toISOString(),
    });
    expect(leaseOf('webhook[quick]')).toEqual({
      runId: leaseOf('webhook[slow]')?.runId,
      until: new Date(T0 + leaseInMs(1_000)).toISOString(),
    });
    slow.releaseHanging('accept');
    quick.releaseHanging('accept');
    await running;
    expect(world.document()?.outbox).toEqual({ 'webhook[slow]': [], 'webhook[quick]': [] });
  });

  it('a run that dies mid-send: another run leaves its notices alone until the lease ends, then sends them (same id), once', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]', sendBudgetInMs: 1_000 });
    const { world, at } = setup({ notifiers: [ops] });
    ops.script('hang'); // r1 never hears back: as good as dead
    const dying = world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await drain();
    const lease = world.document()?.outbox['webhook[ops]']?.[0]?.lease;
    expect(lease?.runId).toMatch(/^r1~[0-9a-f]{6}$/);

    const during = await world.run('r2', observe(at(MINUTE / 6), GW, { bad: ['10.0.0.4'] }));
    expect(during.undelivered).toEqual([
      expect.objectContaining({
        status: 'leased',
        retry: 'after-lease',
        leasedBy: lease?.runId,
        leasedUntil: lease?.until,
      }),
    ]);
    expect(ops.calls).toHaveLength(1);

    const after = await world.run('r3', observe(at(leaseInMs(1_000) + 1), GW, { bad: ['10.0.0.4'] }));
    expect(after.deliveries.map((d) => d.outcome)).toEqual(['delivered']);
    // r1 may have sent it: the delivery says the receiver may hold it twice (same id).
    expect(after.deliveries[0]?.mayHaveReachedBefore).toBe(true);
    expect(ops.calls.map((c) => c.notice.id)).toEqual([ops.calls[0]?.notice.id, ops.calls[0]?.notice.id]);

    // r1 comes back (its send timed out): it settles only what it still holds, which is nothing now.
    ops.releaseHanging();
    await dying;
    expect(world.document()?.outbox['webhook[ops]']).toEqual([]);
    expect(ops.accepted).toHaveLength(1);
  });

  it('a send that could outlive the lease is not started: it waits for the next run', async () => {
    let spend = (_ms: number) => {};
    // Each send takes 4 s of the 12 s lease; a send starts only with its budget and 5 s of skew left.
    const ops = createMemoryNotifier({
      name: 'webhook[ops]',
      sendBudgetInMs: 1_000,
      during: () => spend(4_000),
    });
    const { world } = setup({ notifiers: [ops] });
    spend = (ms) => world.clock.advance(ms);
    const servers = { bad: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] };
    const outcome = await world.run('r1', observe(T0, GW, servers));
    expect(outcome.deliveries.map((d) => [d.outcome, d.reason])).toEqual([
      ['delivered', undefined],
      ['delivered', undefined],
      ['not-tried', 'not tried: this run’s lease on it would end before a send could finish'],
    ]);
    expect(outcome.undelivered).toEqual([
      expect.objectContaining({ status: 'waiting', reason: expect.stringMatching(/lease on it would end/) }),
    ]);
    const next = await world.run('r2', observe(world.clock.now().getTime(), GW, servers));
    expect(next.deliveries.map((d) => d.outcome)).toEqual(['delivered']);
    expect(ops.accepted.map((n) => n.server.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });
});

describe('notifyOnChange: receivers apart', () => {
  it('one receiver that fails never stops another: each keeps its own outbox', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]', answer: { fail: 'retryable' } });
    const pager = createMemoryNotifier({ name: 'webhook[pager]' });
    const { world, at } = setup({ notifiers: [ops, pager] });
    const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    expect(told(pager.accepted)).toEqual([
      ['degraded', '10.0.0.4'],
      ['degraded', '10.0.0.5'],
    ]);
    expect(outcome.pending).toEqual({ 'webhook[ops]': 2, 'webhook[pager]': 0 });
    expect(world.breakers.forRun('r1').openReason('webhook[pager]')).toBeUndefined();
    expect(world.breakers.forRun('r1').openReason('webhook[ops]')).toMatch(/HTTP 503/);
  });

  it('one receiver that hangs does not hold back another’s sends', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]', answer: 'hang' });
    const pager = createMemoryNotifier({ name: 'webhook[pager]' });
    const { world, at } = setup({ notifiers: [ops, pager] });
    const running = world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await drain();
    expect(told(pager.accepted)).toEqual([['degraded', '10.0.0.4']]);
    ops.releaseHanging();
    expect((await running).pending).toEqual({ 'webhook[ops]': 1, 'webhook[pager]': 0 });
  });

  it('a receiver that failed for one gateway is not tried for the run’s next, and is tried again next run', async () => {
    const ops = createMemoryNotifier({ name: 'webhook[ops]', answer: { fail: 'retryable' } });
    const { world, at } = setup({ notifiers: [ops] });
    const other = 'memory/gw-2';
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    const second = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4', '10.0.0.5'] }), other);
    expect(second.deliveries.map((d) => d.outcome)).toEqual(['not-tried', 'not-tried']);
    expect(ops.calls).toHaveLength(1);
    await world.run('r2', observe(at(MINUTE), GW, { bad: ['10.0.0.4'] }));
    expect(ops.calls).toHaveLength(2);
  });
});

describe('notifyOnChange: overlapping runs and the settle write', () => {
  it('a settle write that fails: the run says its deliveries are not recorded, and the notice is sent again (same id) once the lease ends: at least once, by design', async () => {
    const { world, ops, at } = setup();
    // The first write (the claim) goes through; the second (the settle) fails.
    world.stores.fail('write', { kind: 'unavailable' }, { after: 1, times: 1 });
    const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    expect(outcome.deliveries.map((d) => d.outcome)).toEqual(['delivered']);
    expect(outcome.stateErrors).toEqual([
      expect.objectContaining({
        code: 'StateUnavailable',
        message: expect.stringMatching(
          /deliveries are not recorded: once its leases end, the delivered notices are sent again \(same ids\)\.$/,
        ),
      }),
    ]);
    const id = ops.acceptedIds()[0];

    const held = await world.run('r2', observe(at(MINUTE / 6), GW, { bad: ['10.0.0.4'] }));
    expect(held.undelivered.map((u) => [u.status, u.noticeId])).toEqual([['leased', id]]);
    const again = await world.run(
      'r3',
      observe(at(leaseInMs(ops.sendBudgetInMs) + 1), GW, { bad: ['10.0.0.4'] }),
    );
    expect(ops.acceptedIds()).toEqual([id, id]);
    // A trial: the run that sent it again said "1 delivered", no word that the receiver had likely had it.
    expect(again.deliveries.map((d) => [d.outcome, d.mayHaveReachedBefore])).toEqual([['delivered', true]]);
    // A notice no earlier run leased carries no such mark.
    const fresh = await world.run(
      'r4',
      observe(at(leaseInMs(ops.sendBudgetInMs) + MINUTE), GW, { bad: ['10.0.0.4', '10.0.0.5'] }),
    );
    expect(fresh.deliveries.map((d) => [d.outcome, d.mayHaveReachedBefore])).toEqual([
      ['delivered', undefined],
    ]);
    expect(world.document()?.outbox['webhook[ops]']).toEqual([]);
  });

  // A break trial: a stop on a state account answering in 4.5 s waited for each gateway's settle; and a
  // lease left on notices a stopped run never sent (its settle cut short) read as "perhaps received".
  it('a call stopped before its claim: records the decision, leases nothing, sends nothing, skips the settle; the next run sends the notice, unmarked', async () => {
    const { world, ops, at } = setup();
    const stopped = new AbortController();
    stopped.abort();
    const outcome = await notifyOnChange(
      { ...world.deps('r1'), stop: stopped.signal },
      observe(at(0), GW, { bad: ['10.0.0.4'] }),
      POLICY,
      'r1',
    );
    expect(world.stores.calls.map((c) => c.op)).toEqual(['read', 'write']);
    expect(ops.calls).toEqual([]);
    expect(outcome.deliveries).toEqual([]);
    expect(outcome.undelivered.map((u) => [u.status, u.reason])).toEqual([
      ['waiting', 'not tried: the run was stopped; the next run sends it'],
    ]);
    const [queued] = world.document()?.outbox['webhook[ops]'] ?? [];
    expect(queued?.lease).toBeUndefined();
    expect(queued?.mayHaveReached).toBeUndefined();

    const next = await world.run('r2', observe(at(MINUTE), GW, { bad: ['10.0.0.4'] }));
    expect(next.deliveries.map((d) => [d.outcome, d.mayHaveReachedBefore])).toEqual([
      ['delivered', undefined],
    ]);
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
  });

  it('a call stopped after its claim (its notices leased): still settles, so no lease is left on them', async () => {
    const stopped = new AbortController();
    const ops = createMemoryNotifier({ name: 'webhook[ops]', during: () => stopped.abort() });
    const { world, at } = setup({ notifiers: [ops] });
    const outcome = await notifyOnChange(
      { ...world.deps('r1'), stop: stopped.signal },
      observe(at(0), GW, { bad: ['10.0.0.4', '10.0.0.5'] }),
      POLICY,
      'r1',
    );
    // The first send went (and stopped the run); the second was not started.
    expect(outcome.deliveries.map((d) => d.outcome)).toEqual(['delivered', 'not-tried']);
    expect(world.stores.calls.map((c) => c.op)).toEqual(['read', 'write', 'read', 'write']);
    expect((world.document()?.outbox['webhook[ops]'] ?? []).map((q) => q.lease)).toEqual([undefined]);
  });

  // A break trial: the receiver took the first try late (after its time-out) and the retry at once: it
  // got the notice twice, 2.3 s apart, and the run said "1 delivered". A refusal it answered told nothing.
  it.each([
    [
      'no answer',
      { attempt: 1, error: 'no answer within 2000 ms', mayHaveReached: true, durationInMs: 2000 },
      true,
    ],
    ['a 503, answered', { attempt: 1, status: 503, error: 'HTTP 503', durationInMs: 1 }, undefined],
  ] as const)(
    'a send whose first try met %s, then accepted: perhaps received before is %s',
    async (_what, first, marked) => {
      const ops = createMemoryNotifier({ name: 'webhook[ops]' });
      const retried: typeof ops = {
        ...ops,
        send: async (notice, options) => {
          await ops.send(notice, options);
          return { ok: true, attempts: [first, { attempt: 2, status: 202, durationInMs: 1 }] };
        },
      };
      const { world, at } = setup({ notifiers: [retried] });
      const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
      expect(outcome.deliveries.map((d) => [d.outcome, d.mayHaveReachedBefore])).toEqual([
        ['delivered', marked],
      ]);
    },
  );

  it('a claim that loses the race re-reads and decides again: overlapping runs tell a server once', async () => {
    const { world, ops, at } = setup();
    const observation = observe(at(0), GW, { bad: ['10.0.0.4'] });
    world.stores.interleave('write', KEY, async () => void (await world.run('r0', observation)));
    const outcome = await world.run('r1', observation);
    expect(outcome).toMatchObject({ decided: 0, claimed: true, contended: [] });
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    expect(world.logger.lines).toEqual([]);
  });

  it('a document that changes under every claim: the run claims nothing, sends nothing, and says the document was contended', async () => {
    const { world, ops, at } = setup();
    world.stores.plant(KEY, { version: 1, servers: {}, outbox: {}, deadLetters: {} });
    world.stores.fail('write', { kind: 'conflict' });
    const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    expect(outcome).toEqual({ ...NOTHING_NOTIFIED, contended: [`memory document ${KEY}`] });
    expect(world.stores.calls.map((c) => c.op)).toEqual(
      Array.from({ length: 5 }, () => ['read', 'write']).flat(),
    );
    expect(ops.calls).toEqual([]);
  });

  it('a settle that meets another run’s write applies its outcomes to the document as it is now, keeping the other’s notice', async () => {
    const { world, ops, at } = setup();
    const theirs: QueuedNotice = {
      notice: sampleNotice({ id: 'appgw-theirs' }),
      queuedAt: new Date(T0).toISOString(),
      failedRuns: 0,
      lease: { runId: 'r0', until: new Date(T0 + HOUR).toISOString() },
    };
    let writes = 0;
    world.stores.interleave(
      'write',
      KEY,
      async () => {
        if (++writes !== 2) return;
        const now = await world.stores.forKey(KEY).read();
        const doc = now?.value as NotifyStateDocument;
        await world.stores
          .forKey(KEY)
          .write(
            { ...doc, outbox: { 'webhook[ops]': [...(doc.outbox['webhook[ops]'] ?? []), theirs] } },
            now?.etag,
          );
      },
      2,
    );
    const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    expect(outcome.stateErrors).toEqual([]);
    expect(world.document()?.outbox['webhook[ops]']).toEqual([theirs]);
    expect(outcome.undelivered).toEqual([
      expect.objectContaining({ noticeId: 'appgw-theirs', status: 'leased' }),
    ]);
    expect(ops.accepted).toHaveLength(1);
  });

  it('a settle that conflicts every time is a state error, and the deliveries are said not to be recorded', async () => {
    const { world, ops, at } = setup();
    world.stores.fail('write', { kind: 'conflict' }, { after: 1 });
    const outcome = await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    expect(ops.accepted).toHaveLength(1);
    expect(outcome.stateErrors).toEqual([
      expect.objectContaining({ code: 'StateConflict', message: expect.stringMatching(/not recorded/) }),
    ]);
  });
});

describe('reviewOutbox: what a document holds, without claiming or sending', () => {
  it('reports waiting notices and dead letters, sends nothing, writes nothing', async () => {
    const { world, ops, at } = setup();
    ops.script({ fail: 'permanent' }, { fail: 'retryable' });
    await world.run('r1', observe(at(0), GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    const calls = ops.calls.length;
    const writes = world.stores.calls.filter((c) => c.op === 'write').length;
    const review = await reviewOutbox(world.deps('r2'), 'r2');
    expect(review).toMatchObject({
      decided: 0,
      deliveries: [],
      claimed: true,
      pending: { 'webhook[ops]': 2 },
    });
    expect(review.undelivered.map((u) => u.status)).toEqual(['waiting', 'dead-letter']);
    expect(ops.calls).toHaveLength(calls);
    expect(world.stores.calls.filter((c) => c.op === 'write')).toHaveLength(writes);
  });

  it('a document it cannot read is a state error naming it', async () => {
    const { world } = setup();
    world.stores.fail('read', { kind: 'unavailable' });
    expect(await reviewOutbox(world.deps('r1'), 'r1')).toEqual({
      ...NOTHING_NOTIFIED,
      stateErrors: [
        expect.objectContaining({ code: 'StateUnavailable', document: `memory document ${KEY}` }),
      ],
    });
  });
});

describe('notifyOnChange: a server’s notices in order when calls overlap (outbox.ts heldBehind)', () => {
  it('two calls with one run id (a queue message delivered twice, on two instances): neither takes the other’s leases, so nothing is sent twice and the recovered waits for the degraded', async () => {
    const { world, ops, at } = setup();
    ops.script('hang');
    const first = world.run('run-1', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await drain();
    // The other instance: its own breakers (one instance's would hold its send behind the first's).
    const otherInstance = { ...world.deps('run-1'), breaker: createReceiverBreakers().forRun('run-1') };
    const second = await notifyOnChange(
      otherInstance,
      observe(at(1_000), GW, { healthy: ['10.0.0.4'] }),
      POLICY,
      'run-1',
    );
    expect(second.deliveries).toEqual([]);
    expect(second.undelivered.map((u) => [u.type, u.status])).toEqual([
      ['degraded', 'leased'],
      ['recovered', 'waiting'],
    ]);
    ops.releaseHanging('accept');
    await first;
    await world.run('run-2', observe(at(5 * MINUTE), GW, { healthy: ['10.0.0.4'] }));
    expect(told(ops.accepted)).toEqual([
      ['degraded', '10.0.0.4'],
      ['recovered', '10.0.0.4'],
    ]);
  });

  it('held back, then its holder settles first: the report still says why it was not sent, and notify list says what it waits for', async () => {
    const { world, ops, at } = setup();
    ops.script('hang'); // run-a's degraded of .4
    const a = world.run('run-a', observe(at(0), GW, { bad: ['10.0.0.4'] }));
    await drain();
    ops.script('hang'); // run-b's degraded of .5; run-b holds .4's recovered back
    const b = world.run('run-b', observe(at(1_000), GW, { healthy: ['10.0.0.4'], bad: ['10.0.0.5'] }));
    await drain();
    const listing = await listOutboxes(world.stores, world.clock);
    expect(listing.notices.map((n) => [n.type, n.server, n.status])).toEqual([
      ['degraded', 'gw/pool-a/settings-a/10.0.0.4', 'leased'],
      ['degraded', 'gw/pool-a/settings-a/10.0.0.5', 'leased'],
      ['recovered', 'gw/pool-a/settings-a/10.0.0.4', 'waiting'],
    ]);
    expect(listing.notices[2]?.reason).toMatch(
      /^waits for an older notice of the same server, which run run-a~[0-9a-f]{6} is sending/,
    );
    ops.releaseHanging('accept'); // run-a's send ends and run-a settles, then run-b's
    const outcome = await b;
    const held = outcome.undelivered.find((u) => u.type === 'recovered');
    expect(held).toMatchObject({ status: 'waiting', retry: 'next-run' });
    // run-a, which settled first, says whose it is rather than "not sent yet".
    const holder = await a;
    expect(holder.undelivered.map((u) => [u.type, u.server, u.status, u.reason])).toEqual([
      ['degraded', 'gw/pool-a/settings-a/10.0.0.5', 'leased', expect.stringMatching(/^held by run run-b~/)],
      ['recovered', 'gw/pool-a/settings-a/10.0.0.4', 'waiting', QUEUED_BY_ANOTHER_RUN],
    ]);
    expect(held?.reason).toMatch(
      /^waits for an older notice of the same server, which run run-a~[0-9a-f]{6} was sending \(held until [^)]*\): sent after it, so the receiver gets the server.s notices in order$/,
    );
  });
});
