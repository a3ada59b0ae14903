import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStateStores } from '../../../src/adapters/state/keyed-state-stores';
import { gatewayKey } from '../../../src/core/arm-id';
import { StateConflictError } from '../../../src/errors';
import type { DeadLetter, QueuedNotice } from '../../../src/core/notice/outbox';
import { noticeServerKey } from '../../../src/core/notice/server-record';
import {
  listOutboxes,
  resendDeadLetters,
  type ReadingOrder,
} from '../../../src/pipeline/notify/dead-letters';
import {
  copiedDocumentsWarning,
  type NotifyStateDocument,
} from '../../../src/pipeline/notify/state-document';
import { sampleNotice } from '../../adapters/webhooks/support/notices';
import { createMemoryNotifier } from '../../helpers/memory-notifier';
import { createMemoryStateStores, type MemoryStateStores } from '../../helpers/memory-state';
import { fakeClock } from '../../helpers/notify-run';
import { gatewayId } from '../../helpers/scenario-builder';
import { GW, MINUTE, notifyWorld, observe, T0 } from './support/notify-world';

const AT = '2030-01-01T00:00:00.000Z';
const notice = (id: string, gateway: string) =>
  sampleNotice({
    id,
    gateway: { ...sampleNotice().gateway, id: gateway, name: gateway.split('/').pop() ?? '' },
  });
const letter = (id: string, gateway: string): DeadLetter => ({
  notice: notice(id, gateway),
  queuedAt: AT,
  failedRuns: 1,
  parkedAt: AT,
  reason: 'HTTP 400 Bad Request',
});
/**
 * The server records of `gateways` with the letters' episode open (sampleNotice's server, its
 * `degradedSince`): notify resend re-sends only letters of an episode still open.
 */
const openEpisodes = (...gateways: string[]): NotifyStateDocument['servers'] =>
  Object.fromEntries(
    gateways.map((gateway) => {
      const n = notice('any', gateway);
      return [
        noticeServerKey(n),
        {
          gateway: n.gateway,
          backendPool: n.backendPool,
          backendSettings: n.backendSettings,
          address: n.server.address,
          badRuns: 3,
          degradedSince: n.degradedSince,
          health: n.server.health,
          probeLog: n.server.probeLog,
          cause: n.cause,
        },
      ];
    }),
  );
const waiting = (id: string, gateway: string, extra: Partial<QueuedNotice> = {}): QueuedNotice => ({
  notice: notice(id, gateway),
  queuedAt: AT,
  failedRuns: 0,
  ...extra,
});

describe('dead letters by hand: list and re-send', () => {
  let dir: string;
  const A = gatewayId('gw-a');
  const B = gatewayId('gw-b');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-dead-letters-'));
    const stores = createFileStateStores<NotifyStateDocument>({ dir });
    await stores.forKey(gatewayKey(A)).write(
      {
        version: 1,
        servers: openEpisodes(A),
        outbox: {
          'webhook[ops]': [
            waiting('a-wait', A),
            waiting('a-held', A, { lease: { runId: 'run-x', until: '2030-01-01T00:05:00.000Z' } }),
          ],
        },
        deadLetters: { 'webhook[ops]': [letter('a-1', A)], 'webhook[pager]': [letter('a-2', A)] },
      },
      undefined,
    );
    await stores.forKey(gatewayKey(B)).write(
      {
        version: 1,
        servers: openEpisodes(B),
        outbox: {},
        deadLetters: { 'webhook[ops]': [letter('b-1', B)] },
      },
      undefined,
    );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lists every waiting, leased and parked notice; a document it cannot read is named, the others listed', async () => {
    const broken = path.join(dir, 'sub', 'rg', 'gw-broken.json');
    await mkdir(path.dirname(broken), { recursive: true });
    await writeFile(broken, '[]');
    const { notices, errors, read, listed } = await listOutboxes(
      createFileStateStores({ dir }),
      fakeClock(Date.parse(AT)),
    );
    expect([read, listed]).toEqual([2, true]); // gw-a and gw-b; gw-broken's notices are not known
    expect(notices.map((n) => [n.noticeId, n.status, n.retry]).sort()).toEqual([
      ['a-1', 'dead-letter', 'by-hand'],
      ['a-2', 'dead-letter', 'by-hand'],
      ['a-held', 'leased', 'after-lease'],
      ['a-wait', 'waiting', 'next-run'],
      ['b-1', 'dead-letter', 'by-hand'],
    ]);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'StateInvalid', document: `state file ${broken}` }),
    ]);
    expect(await readFile(broken, 'utf8')).toBe('[]');
  });

  // A break trial: a subscription's folder copied inside the state folder (`backup-2026-12-01/`) listed
  // each of its gateways' notices twice.
  it("a copy of a gateway's document made in the state folder: its notices are listed once, the copy named", async () => {
    const [, , subscription] = gatewayKey(A).split('/');
    await cp(path.join(dir, subscription ?? ''), path.join(dir, 'backup-2026-12-01'), { recursive: true });
    const { notices, errors, read, copies } = await listOutboxes(
      createFileStateStores({ dir }),
      fakeClock(Date.parse(AT)),
    );
    expect(read).toBe(2);
    expect(notices.map((n) => n.noticeId).sort()).toEqual(['a-1', 'a-2', 'a-held', 'a-wait', 'b-1']);
    // Named, not failures (a break trial: "could not be read", exit 2, of documents read and recognised).
    expect(errors).toEqual([]);
    expect(copies).toEqual([
      { document: expect.stringContaining('backup-2026-12-01'), gateway: A },
      { document: expect.stringContaining('backup-2026-12-01'), gateway: B },
    ]);
    // Said in one line naming them (a final trial: three whole texts made it too long to read).
    expect(copiedDocumentsWarning(copies ?? [])).toMatch(
      /^2 notify state documents hold another gateway's state than their place in the state folder names, and are not used \(copies made in the state folder\? move them out of there\): state file .*backup-2026-12-01.*gw-a\.json, state file .*gw-b\.json$/,
    );
    // Re-sent from the copy, its letters would wait there for ever (runs skip it): only the gateways'
    // own are re-queued, and the copies are named.
    const resent = await resendDeadLetters(createFileStateStores<NotifyStateDocument>({ dir }), {});
    expect(resent.requeued.map((r) => r.letter.notice.id).sort()).toEqual(['a-1', 'a-2', 'b-1']);
    expect(resent.errors).toEqual([]);
    expect(resent.copies).toHaveLength(2);
  });

  it('a state folder that cannot be listed: nothing read, and the listing says it was not listed', async () => {
    const file = path.join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const listing = await listOutboxes(createFileStateStores({ dir: file }), fakeClock(Date.parse(AT)));
    expect(listing).toMatchObject({ notices: [], read: 0, listed: false });
    expect(listing.errors).toEqual([
      expect.objectContaining({ code: 'StateUnavailable', document: `state folder ${file}` }),
    ]);
  });

  it.each([
    ['one notice', { noticeId: 'a-1' }, ['a-1']],
    ['one receiver, by its config name', { receiver: 'ops' }, ['a-1', 'b-1']],
    ['one gateway', { gateway: A.toUpperCase() }, ['a-1', 'a-2']],
    ['one receiver of one gateway', { receiver: 'webhook[pager]', gateway: A }, ['a-2']],
    ['all', {}, ['a-1', 'a-2', 'b-1']],
  ])('re-sends %s: back to the front of the outbox, same id', async (_label, filter, expected) => {
    const stores = createFileStateStores<NotifyStateDocument>({ dir });
    const { requeued, errors } = await resendDeadLetters(stores, filter);
    expect(errors).toEqual([]);
    expect(requeued.map((r) => r.letter.notice.id).sort()).toEqual(expected);
    const a = (await stores.forKey(gatewayKey(A)).read())?.value;
    if (expected.includes('a-1'))
      expect(a?.outbox['webhook[ops]']?.map((q) => q.notice.id)).toEqual(['a-1', 'a-wait', 'a-held']);
    const left = (await listOutboxes(stores, fakeClock(Date.parse(AT)))).notices.filter(
      (n) => n.status === 'dead-letter',
    );
    expect(left.map((n) => n.noticeId).sort()).toEqual(
      ['a-1', 'a-2', 'b-1'].filter((id) => !expected.includes(id)),
    );
  });
});

describe('dead letters by hand, on in-memory state', () => {
  const A = gatewayId('gw-a');
  const B = gatewayId('gw-b');
  const keyA = gatewayKey(A);
  const keyB = gatewayKey(B);
  const doc = (extra: Partial<NotifyStateDocument>): NotifyStateDocument => ({
    version: 1,
    servers: openEpisodes(A, B),
    outbox: {},
    deadLetters: {},
    ...extra,
  });
  const waitingIds = (stores: MemoryStateStores<NotifyStateDocument>, key: string) =>
    (stores.peek(key) as NotifyStateDocument | undefined)?.outbox['webhook[ops]']?.map((q) => q.notice.id);

  function planted() {
    const stores = createMemoryStateStores<NotifyStateDocument>();
    stores.plant(
      keyA,
      doc({
        outbox: { 'webhook[ops]': [waiting('a-wait', A)] },
        deadLetters: { 'webhook[ops]': [letter('a-1', A)] },
      }),
    );
    stores.plant(
      keyB,
      doc({ servers: openEpisodes(B), deadLetters: { 'webhook[ops]': [letter('b-1', B)] } }),
    );
    return stores;
  }

  it('a run that writes in between: re-read and done again, keeping what the run wrote', async () => {
    const stores = planted();
    stores.interleave('write', keyA, async () => {
      const now = await stores.forKey(keyA).read();
      const value = now!.value;
      const outbox = [...(value.outbox['webhook[ops]'] ?? []), waiting('a-new', A)];
      await stores.forKey(keyA).write({ ...value, outbox: { 'webhook[ops]': outbox } }, now?.etag);
    });
    const { requeued, errors } = await resendDeadLetters(stores, { gateway: A });
    expect(errors).toEqual([]);
    expect(requeued.map((r) => r.letter.notice.id)).toEqual(['a-1']);
    expect(waitingIds(stores, keyA)).toEqual(['a-1', 'a-wait', 'a-new']);
  });

  // A break trial's kind: a write that landed but whose answer was lost (a reset, a 500
  // OperationTimedOut) is tried again, meets the document it changed, and found no dead letter left:
  // "no dead letter matched" (exit 2) for the letters it had re-queued.
  it('a write that landed but whose answer was lost: the re-read finds its own change, said as re-queued', async () => {
    const stores = planted();
    let lost = false;
    const landedThenLost: typeof stores = {
      ...stores,
      forKey: (key) => {
        const store = stores.forKey(key);
        return {
          ...store,
          read: () => store.read(),
          write: async (value, etag) => {
            const written = await store.write(value, etag);
            if (lost) return written;
            lost = true;
            throw new StateConflictError(store.name);
          },
        };
      },
    };
    const { requeued, errors } = await resendDeadLetters(landedThenLost, { gateway: A });
    expect(errors).toEqual([]);
    expect(requeued.map((r) => r.letter.notice.id)).toEqual(['a-1']);
    expect(waitingIds(stores, keyA)).toEqual(['a-1', 'a-wait']);
    // Run again: nothing left to re-queue, and nothing said to be (no earlier write of its own).
    expect((await resendDeadLetters(stores, { gateway: A })).requeued).toEqual([]);
  });

  /**
   * Break trials: `degraded` of episode 1 delivered, its `recovered` refused (a dead letter), `degraded`
   * of episode 2 delivered, then `notify resend --all`: a Teams channel's last word on a server that
   * was down was "recovered". And the first fix's own trial: dropped whenever the server had a newer
   * episode, a chat told nothing of that episode (still counting, silenced, not routed to it) never
   * heard the server recover; and a configuration that could not be read made every receiver "paired".
   */
  describe('a recovered of an older episode, its server bad again since', () => {
    const older = '2029-12-31T00:00:00.000Z';
    const recovered: DeadLetter = {
      ...letter('ep1-recovered', A),
      notice: {
        ...notice('ep1-recovered', A),
        type: 'recovered',
        degradedSince: older,
        reason: 'healthy again',
      },
    };
    const newer = notice('ep2-degraded', A); // the server record's episode (openEpisodes)
    const servers = (receivers?: string[]): NotifyStateDocument['servers'] =>
      Object.fromEntries(
        Object.entries(openEpisodes(A)).map(([key, record]) => [
          key,
          receivers
            ? { ...record, notified: { at: AT, causeId: record.cause.id, repeats: 0, receivers } }
            : record,
        ]),
      );
    const chat: ReadingOrder = { readsInOrder: () => true };
    const paired: ReadingOrder = { readsInOrder: () => false };
    const unknown: ReadingOrder = { unknown: 'sinks.webhooks[1].routingKey: required' };
    it.each<[string, ReadingOrder, string[] | undefined, QueuedNotice[], 'requeued' | 'notResent' | 'kept']>([
      ['a chat told of the newer episode: not re-sent', chat, ['webhook[ops]'], [], 'notResent'],
      [
        'a receiver paired by episode, told of it: re-sent (it closes its own alert)',
        paired,
        ['webhook[ops]'],
        [],
        'requeued',
      ],
      ['a chat not told of it yet (still counting, or silenced): re-sent', chat, undefined, [], 'requeued'],
      ['a chat the newer episode was not routed to: re-sent', chat, ['webhook[other]'], [], 'requeued'],
      [
        'a chat whose newer degraded still waits: re-sent, to go first',
        chat,
        ['webhook[ops]'],
        [{ notice: newer, queuedAt: AT, failedRuns: 1 }],
        'requeued',
      ],
      [
        'receivers not known, told of it: left as a dead letter, the error says why',
        unknown,
        ['webhook[ops]'],
        [],
        'kept',
      ],
      ['receivers not known, not told of it: re-sent', unknown, undefined, [], 'requeued'],
    ])('%s', async (_, order, receivers, waitingNotices, expected) => {
      const stores = createMemoryStateStores<NotifyStateDocument>();
      stores.plant(
        keyA,
        doc({
          servers: servers(receivers),
          outbox: { 'webhook[ops]': waitingNotices },
          deadLetters: { 'webhook[ops]': [recovered] },
        }),
      );
      const result = await resendDeadLetters(stores, { gateway: A }, order);
      const parked = (stores.peek(keyA) as NotifyStateDocument).deadLetters['webhook[ops]'] ?? [];
      const got = result.requeued.length ? 'requeued' : result.notResent.length ? 'notResent' : 'kept';
      expect(got).toBe(expected);
      if (expected === 'notResent')
        expect(result.notResent[0]?.reason).toMatch(
          /^not re-sent, and removed: its server has gone bad again since \(a newer episode, from .*, which this receiver was told\)/,
        );
      if (expected === 'kept') {
        expect(parked.map((l) => l.notice.id)).toEqual(['ep1-recovered']);
        expect(result.kept.map((k) => [k.receiver, k.letter.notice.id])).toEqual([
          ['webhook[ops]', 'ep1-recovered'],
        ]);
        expect(result.errors).toEqual([
          expect.objectContaining({
            code: 'ConfigInvalid',
            message: expect.stringMatching(
              /^webhook\[ops\]: ep1-recovered .* left as a dead letter: .* the configuration's receivers could not be read \(sinks\.webhooks\[1\]\.routingKey: required\)\. Fix the configuration, then resend again\.$/,
            ),
          }),
        ]);
      } else expect(result.errors).toEqual([]);
      if (expected === 'requeued')
        expect(waitingIds(stores, keyA)).toEqual([
          'ep1-recovered',
          ...waitingNotices.map((q) => q.notice.id),
        ]);
    });
  });

  /**
   * A break trial: a `recovered` held for its group's next message (notify.groupInterval) was listed
   * as "not sent yet", retry next-run, where the run's summary said until when.
   */
  it("a notice held for its group's next message is listed with until when, by the group's timers", async () => {
    const stores = createMemoryStateStores<NotifyStateDocument>();
    const flushedAt = new Date(Date.parse(AT) - 60_000).toISOString();
    stores.plant(
      keyA,
      doc({
        outbox: { 'webhook[ops]': [waiting('a-held', A)] },
        groups: { 'webhook[ops]': { openedAt: flushedAt, flushedAt } },
      }),
    );
    const clock = fakeClock(Date.parse(AT));
    const timing = { groupWaitInMs: 0, groupIntervalInMs: 3_600_000 };
    const grouped = await listOutboxes(stores, clock, (receiver) =>
      receiver === 'webhook[ops]' ? timing : undefined,
    );
    const dueAt = new Date(Date.parse(flushedAt) + 3_600_000).toISOString();
    expect(grouped.notices.map((n) => [n.noticeId, n.status, n.reason])).toEqual([
      [
        'a-held',
        'waiting',
        `held for the group's next message until ${dueAt} (notify.groupInterval, from the group's last message)`,
      ],
    ]);
    expect(grouped.notices[0]).toMatchObject({ retry: 'next-run', dueAt, dueBy: 'notify.groupInterval' });
    // Not grouping (or no configuration to tell): as before.
    expect((await listOutboxes(stores, clock)).notices.map((n) => n.reason)).toEqual(['not sent yet']);
    // Its group due: the next run sends it.
    const due = await listOutboxes(stores, fakeClock(Date.parse(dueAt)), () => timing);
    expect(due.notices.map((n) => n.reason)).toEqual(['not sent yet']);
    expect(due.notices[0]).not.toHaveProperty('dueAt');
  });

  // A new-user trial: a notice a silence holds at its send (core/notice/mute.ts) was listed as "not
  // sent yet", as if the next run would send it.
  it('a notice a silence in force holds is listed as held by it, until when', async () => {
    const stores = createMemoryStateStores<NotifyStateDocument>();
    stores.plant(keyA, doc({ outbox: { 'webhook[ops]': [waiting('a-held', A)] } }));
    const silence = {
      id: 'mw',
      matchers: { gateway: notice('x', A).gateway.name },
      startsAt: new Date(Date.parse(AT) - 60_000).toISOString(),
      endsAt: new Date(Date.parse(AT) + 3_600_000).toISOString(),
    };
    const clock = fakeClock(Date.parse(AT));
    const listed = await listOutboxes(stores, clock, undefined, [silence]);
    expect(listed.notices.map((n) => [n.noticeId, n.status, n.reason])).toEqual([
      [
        'a-held',
        'waiting',
        `held by silence mw until ${silence.endsAt}: the first run after it sends it, if its server is still bad`,
      ],
    ]);
    // Over: the next run sends it.
    const after = await listOutboxes(stores, fakeClock(Date.parse(silence.endsAt)), undefined, [silence]);
    expect(after.notices.map((n) => n.reason)).toEqual(['not sent yet']);
    // By episode, as a run holds them: its newest notice decides (a break trial: notice by notice, the
    // list said "held" of a notice the run sent, and "not sent yet" of one it held).
    const first = waiting('a-first', A);
    const changed = { ...waiting('a-changed', A) };
    const byCause = { ...silence, matchers: { cause: first.notice.cause.id } };
    const otherCause = {
      ...changed,
      notice: { ...changed.notice, cause: { ...changed.notice.cause, id: 'probe-timeout' as const } },
    };
    stores.plant(keyA, doc({ outbox: { 'webhook[ops]': [first, otherCause] } }));
    expect((await listOutboxes(stores, clock, undefined, [byCause])).notices.map((n) => n.reason)).toEqual([
      'not sent yet',
      'not sent yet',
    ]);
    stores.plant(keyA, doc({ outbox: { 'webhook[ops]': [otherCause, first] } }));
    expect(
      (await listOutboxes(stores, clock, undefined, [byCause])).notices.map((n) =>
        n.reason.startsWith('held by silence mw until'),
      ),
    ).toEqual([true, true]);
  });

  it('a document that changes under every try: a StateConflict naming it, nothing moved', async () => {
    const stores = planted();
    stores.fail('write', { kind: 'conflict' }, { key: keyA });
    const { requeued, errors } = await resendDeadLetters(stores, {});
    expect(requeued.map((r) => r.letter.notice.id)).toEqual(['b-1']);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'StateConflict', document: `memory document ${keyA}` }),
    ]);
    expect(waitingIds(stores, keyA)).toEqual(['a-wait']);
  });

  it('a document it cannot read is named; the others are re-sent', async () => {
    const stores = planted();
    stores.fail('read', { kind: 'unavailable' }, { key: keyB });
    const { requeued, errors } = await resendDeadLetters(stores, {});
    expect(requeued.map((r) => r.letter.notice.id)).toEqual(['a-1']);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'StateUnavailable', document: `memory document ${keyB}` }),
    ]);
  });

  it('documents that cannot be listed: named, nothing moved', async () => {
    const stores = planted();
    stores.fail('list', { kind: 'unavailable' });
    expect(await resendDeadLetters(stores, {})).toEqual({
      requeued: [],
      notResent: [],
      kept: [],
      errors: [expect.objectContaining({ code: 'StateUnavailable', document: 'memory documents' })],
    });
  });

  it('a gateway without a document, or nothing matching: nothing moved, nothing written', async () => {
    const stores = planted();
    const writes = () => stores.calls.filter((c) => c.op === 'write').length;
    expect(await resendDeadLetters(stores, { gateway: gatewayId('gw-none') })).toEqual({
      requeued: [],
      notResent: [],
      kept: [],
      errors: [],
    });
    expect(await resendDeadLetters(stores, { noticeId: 'no-such-notice' })).toEqual({
      requeued: [],
      notResent: [],
      kept: [],
      errors: [],
    });
    expect(writes()).toBe(0);
  });

  it('a dead letter whose notice is waiting already is not queued twice', async () => {
    const stores = createMemoryStateStores<NotifyStateDocument>();
    stores.plant(
      keyA,
      doc({
        outbox: { 'webhook[ops]': [waiting('a-1', A)] },
        deadLetters: { 'webhook[ops]': [letter('a-1', A)] },
      }),
    );
    await resendDeadLetters(stores, {});
    expect(waitingIds(stores, keyA)).toEqual(['a-1']);
    expect((stores.peek(keyA) as NotifyStateDocument).deadLetters['webhook[ops]']).toEqual([]);
  });

  it('the next run sends a re-sent dead letter first, same id, before anything new', async () => {
    const ops = createMemoryNotifier();
    const world = notifyWorld({ notifiers: [ops] });
    ops.script({ fail: 'permanent' });
    await world.run('r1', observe(T0, GW, { bad: ['10.0.0.4'] }));
    const parkedId = ops.calls[0]?.notice.id;
    await resendDeadLetters(world.stores, { receiver: 'ops' });
    world.clock.set(T0 + MINUTE);
    await world.run('r2', observe(T0 + MINUTE, GW, { bad: ['10.0.0.4', '10.0.0.5'] }));
    expect(ops.accepted.map((n) => [n.id === parkedId, n.server.address])).toEqual([
      [true, '10.0.0.4'],
      [false, '10.0.0.5'],
    ]);
  });

  it.each([
    [
      'a live lease of any run: leased, until when',
      '2030-01-01T00:05:00.000Z',
      'leased',
      'held by run run-x until 2030-01-01T00:05:00.000Z',
    ],
    [
      'a lease that has ended (its run stopped before recording the outcome): waiting, and it may have been sent',
      '2030-01-01T00:00:00.000Z',
      'waiting',
      'run run-x was sending it and stopped before it recorded the outcome (its hold ended ' +
        '2030-01-01T00:00:00.000Z): it may have reached the receiver; the next run sends it again, with the ' +
        'same id (the try before: HTTP 503)',
    ],
  ])('lists %s', async (_label, until, status, reason) => {
    const stores = createMemoryStateStores<NotifyStateDocument>();
    stores.plant(
      keyA,
      doc({
        outbox: {
          'webhook[ops]': [waiting('a-1', A, { lastError: 'HTTP 503', lease: { runId: 'run-x', until } })],
        },
      }),
    );
    const { notices } = await listOutboxes(stores, fakeClock(Date.parse(AT)));
    expect(notices).toEqual([expect.objectContaining({ noticeId: 'a-1', status, reason })]);
  });

  it('a run killed mid-send, its lease over: listed as possibly sent, never "not sent yet" (break trial)', async () => {
    // The notice as the killed run left it: leased, never settled (no lastError, still in the outbox).
    const stores = createMemoryStateStores<NotifyStateDocument>();
    stores.plant(
      keyA,
      doc({
        outbox: {
          'webhook[ops]': [
            waiting('a-1', A, { lease: { runId: 'run-killed', until: '2030-01-01T00:00:00.000Z' } }),
          ],
        },
      }),
    );
    const { notices } = await listOutboxes(stores, fakeClock(Date.parse(AT)));
    expect(notices).toEqual([
      expect.objectContaining({
        noticeId: 'a-1',
        status: 'waiting',
        retry: 'next-run',
        reason: expect.stringMatching(
          /^run run-killed was sending it and stopped .* it may have reached the receiver/,
        ),
      }),
    ]);
    expect(notices[0]?.reason).not.toContain('not sent yet');
  });
});
