import fc from 'fast-check';
import type { Notice } from '../../../src/core/notice/notice';
import {
  claimOutbox,
  heldBehind,
  leaseWaiting,
  requeueDeadLetters,
  settleOutbox,
  type DeadLetter,
  type QueuedNotice,
  type ReceiverOutbox,
  type SendOutcome,
} from '../../../src/core/notice/outbox';

const NOW = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-01T10:05:00.000Z';
const EARLIER = '2026-03-01T09:55:00.000Z';
const RUN = 'run-me';

function notice(id: string): Notice {
  return {
    id,
    type: 'degraded',
    occurredAt: EARLIER,
    degradedSince: EARLIER,
    gateway: {
      id: '/subscriptions/s/resourceGroups/rg/providers/x/gw',
      name: 'gw',
      resourceGroup: 'rg',
      subscriptionId: 's',
    },
    backendPool: 'pool',
    backendSettings: 'settings',
    server: { address: `10.0.0.${id.length}`, health: 'Unhealthy', probeLog: '' },
    cause: { id: 'tcp-connect', title: 't', steps: [], docUrl: 'https://learn.microsoft.com/x' },
    severity: 'warning',
  };
}
const queued = (id: string, extra: Partial<QueuedNotice> = {}): QueuedNotice => ({
  notice: notice(id),
  queuedAt: EARLIER,
  failedRuns: 0,
  ...extra,
});
const mine = (id: string, extra: Partial<QueuedNotice> = {}) =>
  queued(id, { lease: { runId: RUN, until: LATER }, ...extra });
const letter = (id: string, reason = 'HTTP 400 Bad Request'): DeadLetter => ({
  notice: notice(id),
  queuedAt: EARLIER,
  failedRuns: 1,
  parkedAt: EARLIER,
  reason,
});
const ids = (list: ReadonlyArray<{ notice: Notice }>) => list.map((q) => q.notice.id);
const retry = (reason = 'HTTP 503 Service Unavailable'): SendOutcome => ({
  kind: 'failed',
  retryable: true,
  reason,
});
const refuse = (reason = 'HTTP 400 Bad Request'): SendOutcome => ({
  kind: 'failed',
  retryable: false,
  reason,
});
const delivered: SendOutcome = { kind: 'delivered' };
const notTried: SendOutcome = { kind: 'not-tried' };
const context = { now: NOW, runId: RUN, limit: 100 };

describe('settleOutbox: what a run’s send does to the outbox', () => {
  it.each<[string, SendOutcome | undefined, { waiting: string[]; parked: string[]; delivered: string[] }]>([
    ['delivered: leaves the outbox', delivered, { waiting: ['b'], parked: [], delivered: ['a'] }],
    [
      'retryable failure (5xx, 408, 429, time-out): keeps its place',
      retry(),
      { waiting: ['a', 'b'], parked: [], delivered: [] },
    ],
    [
      'permanent refusal (400, 410, 413 …): parked, the rest go on',
      refuse(),
      { waiting: ['b'], parked: ['a'], delivered: [] },
    ],
    [
      'not tried (receiver failed earlier in the run): kept as it was',
      notTried,
      { waiting: ['a', 'b'], parked: [], delivered: [] },
    ],
    [
      'no outcome (the run stopped): released as it was',
      undefined,
      { waiting: ['a', 'b'], parked: [], delivered: [] },
    ],
  ])('%s', (_label, outcome, expected) => {
    const outcomes = new Map(outcome ? [['a', outcome] as const] : []);
    const step = settleOutbox({ waiting: [mine('a'), queued('b')], parked: [] }, outcomes, context);
    expect({
      waiting: ids(step.outbox.waiting),
      parked: ids(step.outbox.parked),
      delivered: ids(step.delivered),
    }).toEqual(expected);
    expect(step.outbox.waiting.every((q) => q.lease === undefined)).toBe(true);
  });

  it('a retryable failure keeps the id, counts a failed run and records the reason and time', () => {
    const step = settleOutbox(
      { waiting: [mine('a', { failedRuns: 2 })], parked: [] },
      new Map([['a', retry('HTTP 503 x')]]),
      context,
    );
    expect(step.outbox.waiting).toEqual([
      { notice: notice('a'), queuedAt: EARLIER, failedRuns: 3, lastError: 'HTTP 503 x', lastTriedAt: NOW },
    ]);
  });

  it('a permanent refusal becomes a dead letter with its reason, after the older dead letters', () => {
    const step = settleOutbox(
      { waiting: [mine('a')], parked: [letter('old')] },
      new Map([['a', refuse('HTTP 413 Payload Too Large')]]),
      context,
    );
    expect(step.outbox.parked).toEqual([
      letter('old'),
      {
        notice: notice('a'),
        queuedAt: EARLIER,
        failedRuns: 1,
        parkedAt: NOW,
        reason: 'HTTP 413 Payload Too Large',
      },
    ]);
    expect(ids(step.parked)).toEqual(['a']);
  });

  it('a refused first notice does not hold back the ones behind it (the notices after it are delivered)', () => {
    const step = settleOutbox(
      { waiting: [mine('a'), mine('b'), mine('c')], parked: [] },
      new Map([
        ['a', refuse()],
        ['b', delivered],
        ['c', delivered],
      ]),
      context,
    );
    expect(step.outbox).toEqual({ waiting: [], parked: [expect.objectContaining({ notice: notice('a') })] });
  });

  it('keeps the order of what stays: [retry, refuse, deliver, not-tried] → waiting [1, 4], parked [2]', () => {
    const step = settleOutbox(
      { waiting: [mine('1'), mine('2'), mine('3'), mine('4')], parked: [] },
      new Map([
        ['1', retry()],
        ['2', refuse()],
        ['3', delivered],
        ['4', notTried],
      ]),
      context,
    );
    expect(ids(step.outbox.waiting)).toEqual(['1', '4']);
    expect(ids(step.outbox.parked)).toEqual(['2']);
  });

  it('leaves notices another run holds, or that an overlapping run added since the claim, untouched', () => {
    const theirs = queued('t', { lease: { runId: 'other', until: LATER } });
    const added = queued('new');
    const step = settleOutbox(
      { waiting: [theirs, mine('a'), added], parked: [] },
      new Map([
        ['t', delivered],
        ['a', delivered],
        ['new', refuse()],
      ]),
      context,
    );
    expect(step.outbox.waiting).toEqual([theirs, added]);
  });
});

describe('claimOutbox: a run takes the outbox', () => {
  const claim = (outbox: ReceiverOutbox, fresh: QueuedNotice[], limit = 100) =>
    claimOutbox(outbox, fresh, { ...context, limit, leaseUntil: LATER });

  it('new notices join the end; every notice no other live run holds is leased to this run', () => {
    // Another server's (the fixture's address is the id's length): it holds nothing of these back.
    const theirs = queued('tt', { lease: { runId: 'other', until: LATER } });
    const expired = queued('e', { lease: { runId: 'dead-run', until: EARLIER } });
    const step = claim({ waiting: [queued('a'), theirs, expired], parked: [] }, [queued('n')]);
    expect(ids(step.outbox.waiting)).toEqual(['a', 'tt', 'e', 'n']);
    expect(step.outbox.waiting.map((q) => q.lease?.runId)).toEqual([RUN, 'other', RUN, RUN]);
    expect(step.outbox.waiting[2]?.lease?.until).toBe(LATER);
  });

  describe('a server’s notices go in order: none is leased while another live run holds an older one of its server (soak seed 2112407395)', () => {
    const theirs = (id: string, until = LATER) => queued(id, { lease: { runId: 'other', until } });
    const leases = (waiting: readonly QueuedNotice[]) => waiting.map((q) => [q.notice.id, q.lease?.runId]);

    it.each<[string, QueuedNotice[], QueuedNotice[], Array<[string, string | undefined]>]>([
      [
        'behind a live lease: not leased',
        [theirs('d')],
        [queued('r')],
        [
          ['d', 'other'],
          ['r', undefined],
        ],
      ],
      [
        'behind an expired one: taken over, both',
        [theirs('d', EARLIER)],
        [queued('r')],
        [
          ['d', RUN],
          ['r', RUN],
        ],
      ],
      [
        'another server’s: leased',
        [theirs('dd')],
        [queued('r')],
        [
          ['dd', 'other'],
          ['r', RUN],
        ],
      ],
      [
        'older than the held one: leased',
        [queued('a'), theirs('d')],
        [queued('r')],
        [
          ['a', RUN],
          ['d', 'other'],
          ['r', undefined],
        ],
      ],
      [
        'every later one of the server waits',
        [theirs('d'), queued('x')],
        [queued('r'), queued('ss')],
        [
          ['d', 'other'],
          ['x', undefined],
          ['r', undefined],
          ['ss', RUN],
        ],
      ],
      [
        'this run’s own earlier lease behind it is given back',
        [theirs('d'), mine('x')],
        [],
        [
          ['d', 'other'],
          ['x', undefined],
        ],
      ],
    ])('%s', (_name, waiting, fresh, expected) => {
      expect(leases(claim({ waiting, parked: [] }, fresh).outbox.waiting)).toEqual(expected);
    });

    it('heldBehind names the older notice’s lease, for the report', () => {
      const held = heldBehind([theirs('d'), queued('r'), queued('ss')], RUN, NOW);
      expect([...held]).toEqual([['r', { runId: 'other', until: LATER }]]);
    });

    it('property: whatever the leases, no notice of a server is leased to this run after one another live run holds', () => {
      const entry = fc.record({
        id: fc.constantFrom('a', 'b', 'cc', 'dd', 'eee'),
        lease: fc.constantFrom(undefined, 'mine', 'live', 'expired'),
      });
      fc.assert(
        fc.property(fc.array(entry, { maxLength: 12 }), (entries) => {
          const waiting = entries.map(({ id, lease }, i) =>
            queued(id, {
              notice: { ...notice(id), id: `${id}#${i}` },
              ...(lease === 'mine' ? { lease: { runId: RUN, until: LATER } } : {}),
              ...(lease === 'live' ? { lease: { runId: 'other', until: LATER } } : {}),
              ...(lease === 'expired' ? { lease: { runId: 'other', until: EARLIER } } : {}),
            }),
          );
          const leased = leaseWaiting(waiting, RUN, NOW, LATER);
          const heldBy = new Set<string>();
          leased.forEach((q, i) => {
            const server = q.notice.server.address;
            const before = waiting[i] as QueuedNotice;
            if (before.lease?.runId === 'other' && before.lease.until === LATER) {
              expect(q).toBe(before); // another live run's: untouched
              heldBy.add(server);
            } else if (heldBy.has(server)) expect(q.lease?.runId === RUN).toBe(false);
            else expect(q.lease).toEqual({ runId: RUN, until: LATER });
          });
        }),
      );
    });
  });

  it('taking over a notice whose run let its lease run out marks it mayHaveReached (that run may have sent it); a release keeps the mark', () => {
    const expired = queued('e', { lease: { runId: 'dead-run', until: EARLIER } });
    const step = claim({ waiting: [queued('a'), expired], parked: [] }, []);
    expect(step.outbox.waiting.map((q) => q.mayHaveReached)).toEqual([undefined, true]);
    const released = settleOutbox(step.outbox, new Map([['e', notTried]]), context);
    expect(released.outbox.waiting.map((q) => [q.notice.id, q.lease, q.mayHaveReached])).toEqual([
      ['a', undefined, undefined],
      ['e', undefined, true],
    ]);
  });

  it('a retryable failure without an HTTP answer (a time-out) marks it mayHaveReached; one with an answer does not', () => {
    const outbox = { waiting: [mine('t'), mine('s')], parked: [] };
    const step = settleOutbox(
      outbox,
      new Map<string, SendOutcome>([
        ['t', { kind: 'failed', retryable: true, reason: 'no answer within 1000 ms', mayHaveReached: true }],
        ['s', retry()],
      ]),
      context,
    );
    expect(step.outbox.waiting.map((q) => [q.notice.id, q.failedRuns, q.mayHaveReached])).toEqual([
      ['t', 1, true],
      ['s', 1, undefined],
    ]);
  });

  it('a notice already waiting is not queued twice', () => {
    expect(
      ids(claim({ waiting: [queued('a')], parked: [] }, [queued('a'), queued('b')]).outbox.waiting),
    ).toEqual(['a', 'b']);
  });

  it('past the limit the oldest waiting notices are parked with the reason, never silently dropped', () => {
    const step = claim({ waiting: [queued('1'), queued('2')], parked: [] }, [queued('3'), queued('4')], 3);
    expect(ids(step.outbox.waiting)).toEqual(['2', '3', '4']);
    expect(step.parked).toEqual([expect.objectContaining({ notice: notice('1'), parkedAt: NOW })]);
    expect(step.parked[0]?.reason).toMatch(/more than 3 notices were waiting.*notify\.outboxLimit/);
    expect(step.parked[0]).not.toHaveProperty('lease');
    // Never fewer than two a server (these are all of one server: notice() by the id's length).
    const one = claim({ waiting: [queued('1'), queued('2')], parked: [] }, [queued('3')], 1);
    expect(ids(one.parked)).toEqual(['1']);
    expect(one.parked[0]?.reason).toMatch(/more than 2 notices were waiting/);
  });

  it('a burst of one run is never cut: two notices a server are kept, whatever the limit (a whole gateway going bad at once)', () => {
    const servers = ['a', 'bb', 'ccc', 'dddd', 'eeeee']; // five servers (notice() by the id's length)
    const step = claim(
      { waiting: [], parked: [] },
      servers.map((id) => queued(id)),
      2,
    );
    expect(ids(step.outbox.waiting)).toEqual(servers);
    expect(step.parked).toEqual([]);
    const recovered = claim(
      step.outbox,
      servers.map((id) => queued(`${id}`.toUpperCase())),
      2,
    );
    expect(ids(recovered.outbox.waiting)).toHaveLength(10);
    expect(recovered.parked).toEqual([]);
  });

  it('the bound never parks a notice another live run is sending (it may deliver it)', () => {
    const theirs = queued('t', { lease: { runId: 'other', until: LATER } });
    const step = claim({ waiting: [theirs, queued('a')], parked: [] }, [queued('b')], 2);
    expect(ids(step.outbox.waiting)).toEqual(['t', 'b']);
    expect(ids(step.parked)).toEqual(['a']);
  });

  it('past the limit of dead letters the oldest are dropped and returned, for the report', () => {
    const step = claim(
      { waiting: [queued('1'), queued('2'), queued('3')], parked: [letter('x'), letter('y')] },
      [],
      1,
    );
    expect(ids(step.outbox.waiting)).toEqual(['2', '3']);
    expect(ids(step.outbox.parked)).toEqual(['y', '1']);
    expect(ids(step.dropped)).toEqual(['x']);
    expect(ids(step.parked)).toEqual(['1']);
  });
});

describe('requeueDeadLetters: re-sent by hand', () => {
  it('moves the chosen dead letters to the front of the outbox, same ids, oldest first; the rest stay parked', () => {
    const step = requeueDeadLetters(
      { waiting: [queued('w')], parked: [letter('a'), letter('b'), letter('c')] },
      (l) => l.notice.id !== 'b',
    );
    expect(ids(step.outbox.waiting)).toEqual(['a', 'c', 'w']);
    expect(ids(step.outbox.parked)).toEqual(['b']);
    expect(step.outbox.waiting[0]).toMatchObject({
      failedRuns: 1,
      lastError: 're-sent by hand after: HTTP 400 Bad Request',
    });
    expect(ids(step.requeued)).toEqual(['a', 'c']);
  });

  it('a dead letter whose id is waiting already is not queued twice', () => {
    const step = requeueDeadLetters({ waiting: [queued('a')], parked: [letter('a')] }, () => true);
    expect(ids(step.outbox.waiting)).toEqual(['a']);
    expect(step.outbox.parked).toEqual([]);
  });
});

describe('outbox properties', () => {
  const outcome = fc.constantFrom<SendOutcome | undefined>(delivered, retry(), refuse(), notTried, undefined);
  const entry = fc.record({
    leased: fc.constantFrom('mine', 'other-live', 'other-expired', 'none'),
    outcome,
  });

  it('settle + bound lose nothing: every notice ends waiting, parked, delivered or dropped, once, ids and order kept', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (entries, parkedCount, limit) => {
          const waiting = entries.map((e, i) =>
            queued(`w${i}`, {
              ...(e.leased === 'mine' ? { lease: { runId: RUN, until: LATER } } : {}),
              ...(e.leased === 'other-live' ? { lease: { runId: 'other', until: LATER } } : {}),
              ...(e.leased === 'other-expired' ? { lease: { runId: 'other', until: EARLIER } } : {}),
            }),
          );
          const parked = Array.from({ length: parkedCount }, (_, i) => letter(`p${i}`));
          const outcomes = new Map<string, SendOutcome>(
            entries.flatMap((e, i) => (e.outcome ? [[`w${i}`, e.outcome] as const] : [])),
          );
          const step = settleOutbox({ waiting, parked }, outcomes, { ...context, limit });
          const out = [
            ...ids(step.outbox.waiting),
            ...ids(step.outbox.parked),
            ...ids(step.delivered),
            ...ids(step.dropped),
          ];
          expect(out.sort()).toEqual([...ids(waiting), ...ids(parked)].sort());
          // Order: what stays waiting keeps its relative order; dead letters too.
          const order = (list: string[], of: string[]) => list.filter((id) => of.includes(id));
          expect(ids(step.outbox.waiting)).toEqual(order(ids(waiting), ids(step.outbox.waiting)));
          // Never fewer than two a server are kept (all of these are of servers 10.0.0.2 and 10.0.0.3).
          const servers = new Set([...waiting, ...parked].map((q) => q.notice.server.address)).size;
          expect(step.outbox.parked.length).toBeLessThanOrEqual(Math.max(limit, 2 * servers));
          // Only this run's notices were delivered, and only those it was told were delivered.
          for (const d of step.delivered) expect(outcomes.get(d.notice.id)).toEqual(delivered);
          // Waiting is bounded, but for notices another live run holds.
          const held = step.outbox.waiting.filter(
            (q) => q.lease?.runId === 'other' && q.lease.until === LATER,
          );
          expect(step.outbox.waiting.length).toBeLessThanOrEqual(Math.max(limit, 2 * servers, held.length));
        },
      ),
    );
  });
});
