import type { NotifyPolicy } from '../../../src/core/notice/decide';
import type { NoticeGroup } from '../../../src/core/notice/grouping';
import type { Notice } from '../../../src/core/notice/notice';
import { resendDeadLetters } from '../../../src/pipeline/notify/dead-letters';
import type { Notifier, SendResult } from '../../../src/ports';
import { GW, HOUR, MINUTE, notifyWorld, observe, T0, told } from './support/notify-world';

/**
 * A receiver never told of an episode gets no `recovered` for it, in both grouping modes, through the
 * notify stage with in-memory ports (src/pipeline/notify/notify-on-change.ts over
 * core/notice/grouping.ts, dropEndedEpisodes): told once a notice of the episode was delivered or may
 * have reached it; a refusal it answered (the HTTP 400 that made a dead letter) told it nothing. And
 * `notify resend` never re-sends a letter of an episode that has ended (dead-letters.ts).
 */

/** `timeout`: no HTTP answer read (the receiver may hold it). */
type Answer = 'accept' | 'refuse' | 'timeout';

interface ScriptedNotifier extends Notifier {
  /** What it accepted, as `[type, address]`. */
  readonly accepted: string[][];
  /** How it answers a notice of this type (default accept); `once` answers are used first. */
  answer(type: Notice['type'], answer: Answer): void;
  once(...answers: Answer[]): void;
}

function scriptedNotifier(name: string, grouping: 'gateway' | 'server'): ScriptedNotifier {
  const accepted: string[][] = [];
  const byType = new Map<string, Answer>();
  const queue: Answer[] = [];
  const result = (answer: Answer): SendResult =>
    answer === 'accept'
      ? { ok: true, attempts: [{ attempt: 1, status: 202, durationInMs: 1 }] }
      : {
          ok: false,
          attempts: [
            answer === 'timeout'
              ? { attempt: 1, error: 'no answer within 1000 ms', mayHaveReached: true, durationInMs: 1000 }
              : { attempt: 1, status: 400, durationInMs: 1 },
          ],
          error: {
            code: 'DeliveryFailed',
            message:
              answer === 'timeout' ? 'no answer within 1000 ms' : 'HTTP 400 Bad Request: unknown field',
            retryable: answer === 'timeout',
          },
        };
  const answerFor = (notices: readonly Notice[]): Answer => {
    const answer = queue.shift() ?? byType.get(notices[0]?.type ?? '') ?? 'accept';
    if (answer === 'accept') accepted.push(...told(notices).map((t) => [...t]));
    return answer;
  };
  return {
    name,
    sendBudgetInMs: 1000,
    grouping,
    accepted,
    answer: (type, answer) => void byType.set(type, answer),
    once: (...answers) => void queue.push(...answers),
    send: (notice: Notice) => Promise.resolve(result(answerFor([notice]))),
    sendGroup: (group: NoticeGroup) => Promise.resolve(result(answerFor(group.notices))),
  };
}

const POLICY: NotifyPolicy = { for: 1, repeatIntervalInMs: 4 * HOUR };

function setup(grouping: 'gateway' | 'server') {
  const ops = scriptedNotifier('webhook[ops]', grouping);
  const pager = scriptedNotifier('webhook[pager]', grouping);
  const world = notifyWorld({ notifiers: [ops, pager], policy: { ...POLICY, grouping } });
  const run = (minutes: number, servers: Parameters<typeof observe>[2]) => {
    world.clock.set(T0 + minutes * MINUTE);
    return world.run(`run-${minutes}`, observe(T0 + minutes * MINUTE, GW, servers));
  };
  return { ops, pager, world, run };
}

const MODES = ['server', 'gateway'] as const;

describe.each(MODES)('grouping %s: a receiver never told of an episode gets no recovered', (mode) => {
  it('the degraded refused for good (a dead letter), then recovered: not sent to that receiver, its letter dropped, both reported with why; the other receiver gets it', async () => {
    const { ops, pager, world, run } = setup(mode);
    ops.answer('degraded', 'refuse');
    await run(0, { bad: ['10.0.0.4'] });
    expect(world.document()?.deadLetters['webhook[ops]']?.map((l) => l.opensEpisode)).toEqual([true]);
    const healthy = await run(5, { healthy: ['10.0.0.4'] });
    expect(ops.accepted).toEqual([]);
    expect(pager.accepted).toEqual([
      ['degraded', '10.0.0.4'],
      ['recovered', '10.0.0.4'],
    ]);
    expect(healthy.endedInGroup?.map((e) => [e.receiver, e.type, e.reason])).toEqual([
      [
        'webhook[ops]',
        'degraded',
        expect.stringMatching(
          /^dropped, not to be re-sent: the episode is over and the receiver never accepted the episode's first notice \(dead letter: HTTP 400 Bad Request: unknown field\)/,
        ),
      ],
      [
        'webhook[ops]',
        'recovered',
        "not sent: the receiver never accepted the episode's first notice (dead letter: HTTP 400 Bad Request: unknown field), so there is nothing to resolve",
      ],
    ]);
    expect(world.document()?.deadLetters['webhook[ops]'] ?? []).toEqual([]);
    expect(world.document()?.outbox['webhook[ops]'] ?? []).toEqual([]);
    expect(healthy.dropped).toEqual([]);
  });

  it('the dead letter re-sent by hand, then the server recovers before the next run: neither the degraded nor the recovered is sent', async () => {
    const { ops, world, run } = setup(mode);
    ops.answer('degraded', 'refuse');
    await run(0, { bad: ['10.0.0.4'] });
    const resent = await resendDeadLetters(world.stores, { receiver: 'ops' });
    expect(resent.requeued).toHaveLength(1);
    expect(world.document()?.outbox['webhook[ops]']?.map((q) => q.opensEpisode)).toEqual([true]);
    const healthy = await run(5, { healthy: ['10.0.0.4'] });
    expect(ops.accepted).toEqual([]);
    expect(healthy.endedInGroup?.map((e) => [e.type, e.reason])).toEqual([
      ['degraded', expect.stringMatching(/^not sent: the episode is over and the receiver never accepted/)],
      ['recovered', expect.stringMatching(/re-sent by hand after: HTTP 400 .*nothing to resolve$/)],
    ]);
  });

  it('a reminder delivered after the parked degraded: told, so the recovered goes', async () => {
    const { ops, world, run } = setup(mode);
    ops.answer('degraded', 'refuse');
    await run(0, { bad: ['10.0.0.4'] });
    expect(world.document()?.deadLetters['webhook[ops]']?.map((l) => l.opensEpisode)).toEqual([true]);
    await run(4 * 60 + 5, { bad: ['10.0.0.4'] });
    expect(ops.accepted).toEqual([['still-degraded', '10.0.0.4']]);
    expect(world.document()?.deadLetters['webhook[ops]']?.map((l) => l.opensEpisode)).toEqual([undefined]);
    const healthy = await run(4 * 60 + 10, { healthy: ['10.0.0.4'] });
    expect(ops.accepted).toEqual([
      ['still-degraded', '10.0.0.4'],
      ['recovered', '10.0.0.4'],
    ]);
    expect(healthy.endedInGroup ?? []).toEqual([]);
  });

  it('the degraded sent without an answer (a time-out), then refused: it may have reached, so the recovered goes', async () => {
    const { ops, world, run } = setup(mode);
    ops.once('timeout', 'refuse');
    await run(0, { bad: ['10.0.0.4'] });
    await run(5, { bad: ['10.0.0.4'] });
    expect(world.document()?.deadLetters['webhook[ops]']?.map((l) => l.mayHaveReached)).toEqual([true]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(ops.accepted).toEqual([['recovered', '10.0.0.4']]);
  });
});

describe('notify resend: a dead letter of an episode that has ended is not re-sent', () => {
  it.each(MODES)(
    'grouping %s: told episode (degraded delivered), a reminder refused, then recovered: resend names it not re-sent and drops it',
    async (mode) => {
      const { ops, world, run } = setup(mode);
      ops.answer('still-degraded', 'refuse');
      await run(0, { bad: ['10.0.0.4'] });
      await run(4 * 60 + 5, { bad: ['10.0.0.4'] });
      const open = await resendDeadLetters(world.stores, { receiver: 'ops' });
      // While the episode is open the letter goes back, as before.
      expect([open.requeued.length, open.notResent.length]).toEqual([1, 0]);
      await run(4 * 60 + 10, { bad: ['10.0.0.4'] });
      expect(world.document()?.deadLetters['webhook[ops]']?.map((l) => l.notice.type)).toEqual([
        'still-degraded',
      ]);
      await run(4 * 60 + 15, { healthy: ['10.0.0.4'] });
      expect(ops.accepted).toEqual([
        ['degraded', '10.0.0.4'],
        ['recovered', '10.0.0.4'],
      ]);
      const over = await resendDeadLetters(world.stores, { receiver: 'ops' });
      expect(over.requeued).toEqual([]);
      expect(over.notResent.map((r) => [r.receiver, r.letter.notice.type, r.reason])).toEqual([
        [
          'webhook[ops]',
          'still-degraded',
          expect.stringMatching(/^not re-sent, and removed: its episode has ended/),
        ],
      ]);
      expect(world.document()?.deadLetters['webhook[ops]']).toEqual([]);
      expect(world.document()?.outbox['webhook[ops]'] ?? []).toEqual([]);
      await run(4 * 60 + 20, { healthy: ['10.0.0.4'] });
      expect(ops.accepted).toHaveLength(2);
    },
  );

  it('a dead letter of the next episode of the same server is re-sent; one of the ended episode is not', async () => {
    const { ops, world, run } = setup('server');
    ops.answer('degraded', 'refuse');
    ops.once('accept');
    await run(0, { bad: ['10.0.0.4'] }); // degraded accepted (the once)
    ops.once('refuse');
    await run(4 * 60 + 5, { bad: ['10.0.0.4'] }); // reminder refused: a letter of episode 1
    await run(4 * 60 + 10, { healthy: ['10.0.0.4'] }); // recovered accepted
    await run(4 * 60 + 15, { bad: ['10.0.0.4'] }); // episode 2's degraded refused
    const resent = await resendDeadLetters(world.stores, {});
    expect(resent.requeued.map((r) => r.letter.notice.type)).toEqual(['degraded']);
    expect(resent.notResent.map((r) => r.letter.notice.type)).toEqual(['still-degraded']);
  });
});
