import type { NoticeGroup } from '../../../src/core/notice/grouping';
import type { Notice } from '../../../src/core/notice/notice';
import type { NotifyPolicy } from '../../../src/core/notice/decide';
import type { Silence } from '../../../src/core/notice/silence';
import type { CallOptions, Notifier, SendResult } from '../../../src/ports';
import { bad, GW, HOUR, MINUTE, notifyWorld, observe, T0, told } from './support/notify-world';

/**
 * Grouping in the notify stage (core/notice/grouping.ts) with the fake clock: each `run` is a separate
 * run through the notify state (the memory store holds the document between them, as the file or blob
 * does between scheduled runs and the fan-out's invocations).
 */

/** `timeout`: no HTTP answer was read (the receiver may have taken the message). */
type Answer = 'accept' | 'retryable' | 'permanent' | 'timeout';

interface GroupedNotifier extends Notifier {
  /** Every grouped message, as `[type, address]` lists, with its id and answer. */
  readonly messages: Array<{ id: string; notices: string[][]; ids: string[]; answer: Answer }>;
  /** Notices sent one by one (`send`). */
  readonly singles: Notice[];
  script(...answers: Answer[]): void;
}

function groupedNotifier(
  name: string,
  options: { grouped?: boolean; grouping?: 'gateway' | 'server' } = {},
): GroupedNotifier {
  const messages: GroupedNotifier['messages'] = [];
  const singles: Notice[] = [];
  const scripted: Answer[] = [];
  const result = (answer: Answer): SendResult =>
    answer === 'accept'
      ? { ok: true, attempts: [{ attempt: 1, status: 202, durationInMs: 1 }] }
      : {
          ok: false,
          attempts: [
            answer === 'timeout'
              ? { attempt: 1, error: 'no answer within 1000 ms', mayHaveReached: true, durationInMs: 1000 }
              : { attempt: 1, status: answer === 'retryable' ? 503 : 400, durationInMs: 1 },
          ],
          error: {
            code: 'DeliveryFailed',
            message: `HTTP ${answer}`,
            retryable: answer === 'retryable' || answer === 'timeout',
          },
        };
  return {
    name,
    sendBudgetInMs: 1000,
    ...(options.grouping ? { grouping: options.grouping } : {}),
    messages,
    singles,
    script: (...answers) => void scripted.push(...answers),
    send(notice: Notice): Promise<SendResult> {
      const answer = scripted.shift() ?? 'accept';
      if (answer === 'accept') singles.push(notice);
      return Promise.resolve(result(answer));
    },
    ...(options.grouped === false
      ? {}
      : {
          sendGroup(group: NoticeGroup, _options?: CallOptions): Promise<SendResult> {
            const answer = scripted.shift() ?? 'accept';
            messages.push({
              id: group.id,
              notices: told(group.notices),
              ids: group.notices.map((n) => n.id),
              answer,
            });
            return Promise.resolve(result(answer));
          },
        }),
  };
}

const POLICY: NotifyPolicy = {
  for: 1,
  repeatIntervalInMs: 4 * HOUR,
  grouping: 'gateway',
  groupTiming: { groupWaitInMs: 2 * MINUTE, groupIntervalInMs: 10 * MINUTE },
};

function setup(notifiers: Notifier[], policy: NotifyPolicy = POLICY) {
  const world = notifyWorld({ notifiers, policy });
  const run = (minutes: number, servers: Parameters<typeof observe>[2], id = `run-${minutes}`) => {
    world.clock.set(T0 + minutes * MINUTE);
    return world.run(id, observe(T0 + minutes * MINUTE, GW, servers));
  };
  return { world, run };
}

const delivered = (n: GroupedNotifier) => n.messages.filter((m) => m.answer === 'accept');

describe('grouping: one message per gateway incident, Alertmanager timers, across runs', () => {
  it('group wait collects the servers that go bad together; group interval holds later changes; recovered go in a later message', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { world, run } = setup([ops]);
    const first = await run(0, { bad: ['10.0.0.4'] });
    expect(ops.messages).toEqual([]); // the group waits 2 minutes
    // On time, not undelivered: the run is not a failure for it.
    expect([first.undelivered, first.pending]).toEqual([[], { 'webhook[ops]': 0 }]);
    expect(first.grouped?.map((g) => [g.type, g.server, g.dueAt])).toEqual([
      ['degraded', 'gw/pool-a/settings-a/10.0.0.4', new Date(T0 + 2 * MINUTE).toISOString()],
    ]);
    expect(world.document()?.groups?.['webhook[ops]']).toEqual({ openedAt: new Date(T0).toISOString() });
    expect(world.document()?.outbox['webhook[ops]']?.map((q) => q.lease)).toEqual([undefined]);
    await run(1, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(ops.messages).toEqual([]);
    await run(2, { bad: ['10.0.0.4', '10.0.0.5', '10.0.0.6'] });
    expect(ops.messages.map((m) => m.notices)).toEqual([
      [
        ['degraded', '10.0.0.4'],
        ['degraded', '10.0.0.5'],
        ['degraded', '10.0.0.6'],
      ],
    ]);
    // Within the interval: a new server and a recovered wait.
    const held = await run(5, { bad: ['10.0.0.5', '10.0.0.6', '10.0.0.7'], healthy: ['10.0.0.4'] });
    expect(held.grouped?.map((g) => g.dueAt)).toEqual([
      new Date(T0 + 12 * MINUTE).toISOString(),
      new Date(T0 + 12 * MINUTE).toISOString(),
    ]);
    await run(9, { bad: ['10.0.0.5', '10.0.0.6', '10.0.0.7'], healthy: ['10.0.0.4'] });
    expect(ops.messages).toHaveLength(1);
    expect(
      world.document()?.outbox['webhook[ops]']?.map((q) => [q.notice.type, q.notice.server.address]),
    ).toEqual([
      ['degraded', '10.0.0.7'],
      ['recovered', '10.0.0.4'],
    ]);
    await run(12, { bad: ['10.0.0.5', '10.0.0.6', '10.0.0.7'], healthy: ['10.0.0.4'] });
    expect(ops.messages.map((m) => m.notices)).toEqual([
      expect.anything(),
      [
        ['degraded', '10.0.0.7'],
        ['recovered', '10.0.0.4'],
      ],
    ]);
    // Everything recovers: held until the interval, then one message; the group ends with the incident.
    await run(13, { healthy: ['10.0.0.5', '10.0.0.6', '10.0.0.7'] });
    expect(ops.messages).toHaveLength(2);
    await run(22, { healthy: ['10.0.0.5', '10.0.0.6', '10.0.0.7'] });
    expect(ops.messages.at(-1)?.notices).toEqual([
      ['recovered', '10.0.0.5'],
      ['recovered', '10.0.0.6'],
      ['recovered', '10.0.0.7'],
    ]);
    expect(world.document()).toMatchObject({ servers: {}, outbox: { 'webhook[ops]': [] }, groups: {} });
    // The next incident is a new group: it waits groupWait again.
    await run(23, { bad: ['10.0.0.4'] });
    expect(ops.messages).toHaveLength(3);
    await run(25, { bad: ['10.0.0.4'] });
    expect(ops.messages.at(-1)?.notices).toEqual([['degraded', '10.0.0.4']]);
    const ids = ops.messages.flatMap((m) => m.ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('groupWait 0: the servers of one run are one message at once', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], {
      ...POLICY,
      groupTiming: { groupWaitInMs: 0, groupIntervalInMs: 10 * MINUTE },
    });
    await run(0, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(ops.messages.map((m) => m.notices)).toEqual([
      [
        ['degraded', '10.0.0.4'],
        ['degraded', '10.0.0.5'],
      ],
    ]);
  });

  it('a message that fails retryably is sent again at the next run (not held by the interval), same notice ids, joined by the new ones', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { world, run } = setup([ops]);
    await run(0, { bad: ['10.0.0.4'] });
    ops.script('retryable');
    const outcome = await run(2, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(outcome.deliveries.map((d) => [d.outcome, d.groupId])).toEqual([
      ['queued', ops.messages[0]?.id],
      ['queued', ops.messages[0]?.id],
    ]);
    // Each notice's record of a group message carries its severity, as a notice sent alone does.
    expect(outcome.deliveries.map((d) => d.severity)).toEqual(['critical', 'critical']);
    expect(world.document()?.groups?.['webhook[ops]']?.flushedAt).toBeUndefined();
    await run(3, { bad: ['10.0.0.4', '10.0.0.5', '10.0.0.6'] });
    expect(ops.messages.map((m) => [m.answer, m.notices.length])).toEqual([
      ['retryable', 2],
      ['accept', 3],
    ]);
    expect(ops.messages[1]?.ids.slice(0, 2)).toEqual(ops.messages[0]?.ids);
    expect(world.document()?.groups?.['webhook[ops]']?.flushedAt).toBe(
      new Date(T0 + 3 * MINUTE).toISOString(),
    );
  });

  it('a message refused for good parks each of its notices as a dead letter; the group goes on', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { world, run } = setup([ops]);
    await run(0, { bad: ['10.0.0.4', '10.0.0.5'] });
    ops.script('permanent');
    await run(2, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(world.document()?.deadLetters['webhook[ops]']?.map((l) => l.notice.server.address)).toEqual([
      '10.0.0.4',
      '10.0.0.5',
    ]);
    expect(world.document()?.outbox['webhook[ops]']).toEqual([]);
  });

  it('per receiver: a "server" receiver is sent each notice at once beside a grouped one; a format without grouped messages (PagerDuty) gets its notices one by one, paced by the group', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const chat = groupedNotifier('webhook[chat]', { grouping: 'server' });
    const pager = groupedNotifier('webhook[pager]', { grouped: false });
    const { run } = setup([ops, chat, pager]);
    await run(0, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(told(chat.singles)).toEqual([
      ['degraded', '10.0.0.4'],
      ['degraded', '10.0.0.5'],
    ]);
    expect(chat.messages).toEqual([]);
    expect([ops.messages, pager.singles]).toEqual([[], []]);
    await run(2, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(delivered(ops)).toHaveLength(1);
    expect(told(pager.singles)).toEqual([
      ['degraded', '10.0.0.4'],
      ['degraded', '10.0.0.5'],
    ]);
  });

  it('without grouping in the policy (and none on the receiver) notices go one by one, at once', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run, world } = setup([ops], { for: 1, repeatIntervalInMs: 4 * HOUR });
    await run(0, { bad: ['10.0.0.4'] });
    expect(told(ops.singles)).toEqual([['degraded', '10.0.0.4']]);
    expect(world.document()?.groups).toEqual({});
  });
});

describe('an episode that ends while its notices wait for the group sends nothing it has not told', () => {
  const WAIT: NotifyPolicy = {
    ...POLICY,
    groupTiming: { groupWaitInMs: 10 * MINUTE, groupIntervalInMs: 10 * MINUTE },
  };
  const types = (n: GroupedNotifier) => delivered(n).map((m) => m.notices);

  it('servers bad then healthy before groupWait ends: no message; the report says each ended before its group was sent', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { world, run } = setup([ops], WAIT);
    await run(0, { bad: ['10.0.0.4', '10.0.0.5'] });
    const healthy = await run(5, { healthy: ['10.0.0.4', '10.0.0.5'] });
    expect(healthy.endedInGroup?.map((e) => [e.type, e.server, e.reason])).toEqual([
      ['degraded', 'gw/pool-a/settings-a/10.0.0.4', 'ended before its group was sent: the episode is over'],
      ['degraded', 'gw/pool-a/settings-a/10.0.0.5', 'ended before its group was sent: the episode is over'],
      [
        'recovered',
        'gw/pool-a/settings-a/10.0.0.4',
        'ended before its group was sent: the receiver was never told of the episode',
      ],
      [
        'recovered',
        'gw/pool-a/settings-a/10.0.0.5',
        'ended before its group was sent: the receiver was never told of the episode',
      ],
    ]);
    expect([healthy.grouped, healthy.undelivered]).toEqual([undefined, []]);
    await run(10, { healthy: ['10.0.0.4', '10.0.0.5'] });
    await run(30, { healthy: ['10.0.0.4', '10.0.0.5'] });
    expect(ops.messages).toEqual([]);
    expect(world.document()).toMatchObject({ servers: {}, outbox: { 'webhook[ops]': [] }, groups: {} });
  });

  it('only the ended episodes drop: a server still bad goes out when the wait ends', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], WAIT);
    await run(0, { bad: ['10.0.0.4', '10.0.0.5'] });
    await run(5, { bad: ['10.0.0.5'], healthy: ['10.0.0.4'] });
    await run(10, { bad: ['10.0.0.5'], healthy: ['10.0.0.4'] });
    expect(types(ops)).toEqual([[['degraded', '10.0.0.5']]]);
  });

  it('a still-degraded reminder waiting when the episode ends is dropped; the recovered of the told episode goes', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], { ...WAIT, repeatIntervalInMs: 12 * MINUTE });
    await run(0, { bad: ['10.0.0.4'] });
    await run(10, { bad: ['10.0.0.4'] }); // the group's first message: degraded
    const reminder = await run(12, { bad: ['10.0.0.4'] }); // still-degraded, held by the interval
    expect(reminder.grouped?.map((g) => g.type)).toEqual(['still-degraded']);
    const ended = await run(14, { healthy: ['10.0.0.4'] });
    expect(ended.endedInGroup?.map((e) => e.type)).toEqual(['still-degraded']);
    await run(20, { healthy: ['10.0.0.4'] });
    expect(types(ops)).toEqual([[['degraded', '10.0.0.4']], [['recovered', '10.0.0.4']]]);
  });

  it('a raised-severity degraded waiting when the server recovers is dropped; the recovered goes', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], WAIT);
    const warning = { ...bad(GW, '10.0.0.4'), severity: 'warning' as const };
    await run(0, { bad: [warning] });
    await run(10, { bad: [warning] }); // warning, told
    const raised = await run(12, { bad: [{ ...warning, severity: 'critical' as const }] });
    expect(raised.grouped?.map((g) => [g.type, g.raisedFrom])).toEqual([['degraded', 'warning']]);
    const ended = await run(14, { healthy: ['10.0.0.4'] });
    expect(ended.endedInGroup?.map((e) => [e.type, e.raisedFrom])).toEqual([['degraded', 'warning']]);
    await run(20, { healthy: ['10.0.0.4'] });
    expect(types(ops)).toEqual([[['degraded', '10.0.0.4']], [['recovered', '10.0.0.4']]]);
  });

  it('a changed cause waiting when the server recovers is dropped; the recovered goes', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], WAIT);
    await run(0, { bad: ['10.0.0.4'] });
    await run(10, { bad: ['10.0.0.4'] });
    await run(12, { bad: [bad(GW, '10.0.0.4', 'dns-resolution')] });
    await run(14, { healthy: ['10.0.0.4'] });
    await run(20, { healthy: ['10.0.0.4'] });
    expect(types(ops)).toEqual([[['degraded', '10.0.0.4']], [['recovered', '10.0.0.4']]]);
  });

  it('per receiver: the receiver already sent the degraded gets its recovered; the one still waiting gets neither', async () => {
    const now = groupedNotifier('webhook[now]', { grouping: 'server' });
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([now, ops], WAIT);
    await run(0, { bad: ['10.0.0.4'] });
    expect(told(now.singles)).toEqual([['degraded', '10.0.0.4']]);
    const ended = await run(5, { healthy: ['10.0.0.4'] });
    expect(ended.endedInGroup?.map((e) => [e.receiver, e.type])).toEqual([
      ['webhook[ops]', 'degraded'],
      ['webhook[ops]', 'recovered'],
    ]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(told(now.singles)).toEqual([
      ['degraded', '10.0.0.4'],
      ['recovered', '10.0.0.4'],
    ]);
    expect(ops.messages).toEqual([]);
  });

  it('per receiver, both grouped: a receiver whose wait ended is sent both; one still waiting neither', async () => {
    const fast = groupedNotifier('webhook[fast]');
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([fast, ops], WAIT);
    await run(0, { bad: ['10.0.0.4'] });
    // fast's message went, then failed retryably for ops: ops still waits with the degraded.
    fast.script('accept');
    ops.script('retryable');
    await run(10, { bad: ['10.0.0.4'] });
    await run(12, { healthy: ['10.0.0.4'] });
    await run(25, { healthy: ['10.0.0.4'] });
    expect(types(fast)).toEqual([[['degraded', '10.0.0.4']], [['recovered', '10.0.0.4']]]);
    expect(types(ops)).toEqual([]);
  });

  it('a degraded whose send got no answer (a time-out: the receiver may hold it) counts as told: its recovered goes when the episode ends in the wait', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], WAIT);
    await run(0, { bad: ['10.0.0.4'] });
    ops.script('timeout');
    await run(10, { bad: ['10.0.0.4'] });
    const ended = await run(12, { healthy: ['10.0.0.4'] });
    expect(ended.endedInGroup?.map((e) => [e.receiver, e.type])).toEqual([['webhook[ops]', 'degraded']]);
    await run(25, { healthy: ['10.0.0.4'] });
    expect(ops.messages.map((m) => [m.answer, m.notices])).toEqual([
      ['timeout', [['degraded', '10.0.0.4']]],
      ['accept', [['recovered', '10.0.0.4']]],
    ]);
  });

  // A break trial: one run on a machine 30 days fast sent the group's message (flushedAt 30 days ahead);
  // with the clock right again, every later notice was "held for the group's next message" for 30 days.
  it('a group message stamped by a run whose clock was 30 days ahead holds nothing: the next notices go at the group interval, and the log says why', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { world, run } = setup([ops]);
    await run(30 * 24 * 60, { bad: ['10.0.0.4'] }, 'fast-1');
    await run(30 * 24 * 60 + 2, { bad: ['10.0.0.4'] }, 'fast-2');
    expect(delivered(ops).map((m) => m.notices)).toEqual([[['degraded', '10.0.0.4']]]);
    // The clock right again: the server recovers an hour later than the real first run.
    const right = await run(60, { healthy: ['10.0.0.4'] });
    expect(right.grouped ?? []).toHaveLength(1); // the interval counts from now: due at 70
    expect(world.logger.lines).toContainEqual(
      expect.stringMatching(
        /^warning: memory document .*: \d+ times later than this run's clock \(up to 2030-01-31T00:02:00\.000Z\) were taken as now/,
      ),
    );
    const later = await run(70, { healthy: ['10.0.0.4'] });
    expect(later.grouped ?? []).toEqual([]);
    expect(delivered(ops).map((m) => m.notices)).toEqual([
      [['degraded', '10.0.0.4']],
      [['recovered', '10.0.0.4']],
    ]);
  });
});

// A new-user trial: `silence add` for a maintenance while two `degraded` waited for the group's next
// message (the default notify.groupInterval, 4m): they went out during the silence. A silence in force
// holds a waiting notice at its send too (Alertmanager's MuteStage; core/notice/mute.ts).
describe('a silence added while notices wait for their group', () => {
  /** A policy with one silence `id` of `matchers`, in force from minute 5 to minute 30. */
  const silencedBy = (id: string, matchers: Silence['matchers']): NotifyPolicy => ({
    ...POLICY,
    silences: [
      {
        id,
        matchers,
        startsAt: new Date(T0 + 5 * MINUTE).toISOString(),
        endsAt: new Date(T0 + 30 * MINUTE).toISOString(),
      },
    ],
  });
  const silenced = silencedBy('mw', { gateway: 'gw' });

  it('holds them while it is in force (said as silenced, not undelivered); the first run after it sends them', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], silenced);
    await run(0, { bad: ['10.0.0.4'] });
    await run(2, { bad: ['10.0.0.4'] });
    expect(delivered(ops).map((m) => m.notices)).toEqual([[['degraded', '10.0.0.4']]]);
    // Decided before the silence: waits for the group's next message (due at minute 12).
    await run(3, { bad: ['10.0.0.4', '10.0.0.5'] });
    // In force before the group is due: said as held by the silence, not "sent by the first run after"
    // the group's time (a break trial).
    const early = await run(6, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(early.silenced.map((s) => [s.server, s.until])).toEqual([
      ['gw/pool-a/settings-a/10.0.0.5', new Date(T0 + 30 * MINUTE).toISOString()],
    ]);
    expect(early.grouped).toBeUndefined();
    const during = await run(12, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(ops.messages).toHaveLength(1);
    expect(during.silenced.map((s) => [s.type, s.server, s.outcome, s.silenceIds, s.until])).toEqual([
      ['degraded', 'gw/pool-a/settings-a/10.0.0.5', 'held', ['mw'], new Date(T0 + 30 * MINUTE).toISOString()],
    ]);
    expect([during.undelivered, during.pending]).toEqual([[], { 'webhook[ops]': 0 }]);
    await run(20, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(ops.messages).toHaveLength(1);
    // Over: sent once, on the first run after it.
    await run(31, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(delivered(ops).map((m) => m.notices)).toEqual([
      [['degraded', '10.0.0.4']],
      [['degraded', '10.0.0.5']],
    ]);
    await run(45, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(ops.messages).toHaveLength(2);
  });

  // A break trial: a silence of one cause held an episode's first degraded and let its "cause changed"
  // one go (a change of a cause the receiver was never told), then sent the first after the silence.
  it('an episode whose newest notice the silence does not match goes whole, in order, and once', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const byCause = silencedBy('c8', { cause: 'probe-timeout' });
    const { run } = setup([ops], byCause);
    await run(0, { bad: ['10.0.0.4'] });
    await run(2, { bad: ['10.0.0.4'] });
    await run(3, { bad: ['10.0.0.4', bad(GW, '10.0.0.5', 'probe-timeout')] });
    await run(6, { bad: ['10.0.0.4', bad(GW, '10.0.0.5', 'status-code-mismatch')] });
    await run(12, { bad: ['10.0.0.4', bad(GW, '10.0.0.5', 'status-code-mismatch')] });
    await run(31, { bad: ['10.0.0.4', bad(GW, '10.0.0.5', 'status-code-mismatch')] });
    await run(45, { bad: ['10.0.0.4', bad(GW, '10.0.0.5', 'status-code-mismatch')] });
    expect(delivered(ops).map((m) => m.notices)).toEqual([
      [['degraded', '10.0.0.4']],
      [
        ['degraded', '10.0.0.5'],
        ['degraded', '10.0.0.5'],
      ],
    ]);
  });

  it('a held degraded whose server recovers during the silence: neither is sent; a told episode’s recovered still goes', async () => {
    const ops = groupedNotifier('webhook[ops]');
    const { run } = setup([ops], silenced);
    await run(0, { bad: ['10.0.0.4'] });
    await run(2, { bad: ['10.0.0.4'] });
    await run(3, { bad: ['10.0.0.4', '10.0.0.5'] });
    await run(12, { bad: ['10.0.0.4', '10.0.0.5'] });
    await run(20, { healthy: ['10.0.0.4', '10.0.0.5'] });
    await run(31, { healthy: ['10.0.0.4', '10.0.0.5'] });
    await run(45, { healthy: ['10.0.0.4', '10.0.0.5'] });
    expect(delivered(ops).map((m) => m.notices)).toEqual([
      [['degraded', '10.0.0.4']],
      [['recovered', '10.0.0.4']],
    ]);
  });
});

// A break trial: an episode told as warning, its raise to critical waiting for the group's next
// message, was counted as "waiting" (not told): "3 open episodes already told" of 4.
it('an episode told, its raise waiting for the group: still counted as told', async () => {
  const ops = groupedNotifier('webhook[ops]');
  const { run } = setup([ops]);
  const warning = { ...bad(GW, '10.0.0.4'), severity: 'warning' as const };
  await run(0, { bad: [warning] });
  await run(2, { bad: [warning] });
  expect(delivered(ops)).toHaveLength(1);
  const raised = await run(3, { bad: [{ ...warning, severity: 'critical' }] });
  expect(raised.grouped?.map((g) => g.type)).toEqual(['degraded']);
  expect(raised.openEpisodes).toEqual({ told: 1, notYetTold: 0 });
});
