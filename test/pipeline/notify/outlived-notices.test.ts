import type { NoticeGroup } from '../../../src/core/notice/grouping';
import type { Notice } from '../../../src/core/notice/notice';
import type { NotifyPolicy, Observation } from '../../../src/core/notice/decide';
import type { ReceiverRules } from '../../../src/core/notice/receiver-rules';
import { serverKey } from '../../../src/core/notice/server-record';
import { resendDeadLetters } from '../../../src/pipeline/notify/dead-letters';
import type { SendResult } from '../../../src/ports';
import { bad, GW, HOUR, MINUTE, notifyWorld, observe, T0, told } from './support/notify-world';

/**
 * "A notice waiting in a receiver's outbox does not outlive its episode", for receivers that are never
 * sent the notice that ends it (`sendResolved: false`): grouping.ts, dropOutlivedNotices, in the
 * notify stage with memory stores and the fake clock. Each `run` is a separate run.
 */

type Answer = 'accept' | 'retryable' | 'permanent';

interface Receiver {
  readonly name: string;
  readonly rules?: ReceiverRules;
  readonly grouping?: 'gateway' | 'server';
  readonly sendBudgetInMs: number;
  /** Every notice sent and accepted, as `[type, address, severity]`, one list per message. */
  readonly sent: string[][][];
  script(...answers: Answer[]): void;
  send(notice: Notice): Promise<SendResult>;
  sendGroup(group: NoticeGroup): Promise<SendResult>;
}

function receiver(name: string, rules?: ReceiverRules, grouping?: 'gateway' | 'server'): Receiver {
  const sent: string[][][] = [];
  const scripted: Answer[] = [];
  const answer = (notices: readonly Notice[]): SendResult => {
    const next = scripted.shift() ?? 'accept';
    if (next === 'accept') {
      sent.push(told(notices).map((pair, i) => [...pair, notices[i]?.severity ?? '']));
      return { ok: true, attempts: [{ attempt: 1, status: 202, durationInMs: 1 }] };
    }
    return {
      ok: false,
      attempts: [{ attempt: 1, status: next === 'retryable' ? 503 : 400, durationInMs: 1 }],
      error: { code: 'DeliveryFailed', message: `HTTP ${next}`, retryable: next === 'retryable' },
    };
  };
  return {
    name,
    sendBudgetInMs: 1000,
    ...(rules ? { rules } : {}),
    ...(grouping ? { grouping } : {}),
    sent,
    script: (...answers) => void scripted.push(...answers),
    send: (notice) => Promise.resolve(answer([notice])),
    sendGroup: (group) => Promise.resolve(answer(group.notices)),
  };
}

const NO_RESOLVE: ReceiverRules = { sendResolved: false };
const OUTLIVED =
  'not sent: the episode is over and no recovered of it goes to this receiver (sendResolved: false, or its match); sent now, it would open an alert nothing closes';

/** groupWait and groupInterval of 10 minutes: what is decided between messages waits. */
const POLICY: NotifyPolicy = {
  for: 1,
  repeatIntervalInMs: 4 * HOUR,
  grouping: 'gateway',
  groupTiming: { groupWaitInMs: 10 * MINUTE, groupIntervalInMs: 10 * MINUTE },
};

function setup(receivers: Receiver[], policy: NotifyPolicy = POLICY) {
  const world = notifyWorld({ notifiers: receivers, policy });
  const at = (minutes: number, observation: Observation, id = `run-${minutes}`) => {
    world.clock.set(T0 + minutes * MINUTE);
    return world.run(id, observation);
  };
  const run = (minutes: number, servers: Parameters<typeof observe>[2]) =>
    at(minutes, observe(T0 + minutes * MINUTE, GW, servers));
  return { world, run, at };
}

const endedFor = (
  outcome: { endedInGroup?: ReadonlyArray<{ receiver: string; type: string; reason: string }> },
  name: string,
) => (outcome.endedInGroup ?? []).filter((e) => e.receiver === name).map((e) => [e.type, e.reason]);

/** A recheck's observation: the on-demand probe found `address` healthy (decide.ts, confirmedHealthy). */
function recheck(minutes: number, address: string): Observation {
  const f = bad(GW, address);
  return {
    now: new Date(T0 + minutes * MINUTE),
    evaluated: new Map(),
    bad: [],
    isGone: () => false,
    confirmedHealthy: new Map([
      [
        serverKey(f),
        {
          gateway: f.gateway,
          backendPool: f.backendPool,
          backendSettings: f.backendSettings,
          address: f.address,
          health: 'Healthy',
          probeLog: '',
          holdInMs: 90_000,
        },
      ],
    ]),
  };
}

describe('sendResolved: false, gateway grouping: a degraded waiting for its group is dropped when its episode ends', () => {
  it('a scheduled run finds the server healthy within the group interval: the pager is sent nothing more; ops gets its recovered', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE);
    const ops = receiver('webhook[ops]');
    const { world, run } = setup([pager, ops]);
    await run(0, { bad: ['10.0.0.4'] });
    await run(10, { bad: ['10.0.0.4'] }); // the group's first message
    const held = await run(12, { bad: ['10.0.0.4', '10.0.0.5'] }); // .5 waits for the interval
    expect(held.grouped?.filter((g) => g.receiver === 'webhook[pager]').map((g) => g.server)).toEqual([
      'gw/pool-a/settings-a/10.0.0.5',
    ]);
    const ended = await run(14, { bad: ['10.0.0.4'], healthy: ['10.0.0.5'] });
    expect(endedFor(ended, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    expect(endedFor(ended, 'webhook[ops]')).toEqual([
      ['degraded', 'ended before its group was sent: the episode is over'],
      ['recovered', 'ended before its group was sent: the receiver was never told of the episode'],
    ]);
    await run(20, { bad: ['10.0.0.4'], healthy: ['10.0.0.5'] });
    await run(40, { bad: ['10.0.0.4'], healthy: ['10.0.0.5'] });
    expect(pager.sent).toEqual([[['degraded', '10.0.0.4', 'critical']]]);
    expect(ops.sent).toEqual([[['degraded', '10.0.0.4', 'critical']]]);
    expect(world.document()?.outbox['webhook[pager]']).toEqual([]);
  });

  it('groupWait: bad then healthy before the first message: nothing is sent to the pager', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE);
    const { world, run } = setup([pager]);
    await run(0, { bad: ['10.0.0.4'] });
    const ended = await run(5, { healthy: ['10.0.0.4'] });
    expect(endedFor(ended, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
    expect(world.document()).toMatchObject({ outbox: { 'webhook[pager]': [] }, groups: {} });
  });

  it("recheck's on-demand probe confirms the fix while the degraded waits: dropped, nothing sent", async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE);
    const { run, at } = setup([pager]);
    await run(0, { bad: ['10.0.0.4'] });
    const confirmed = await at(3, recheck(3, '10.0.0.4'), 'recheck-3');
    expect(endedFor(confirmed, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
  });

  it('a still-degraded reminder waiting when the episode ends is dropped', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE);
    const { run } = setup([pager], { ...POLICY, repeatIntervalInMs: 12 * MINUTE });
    await run(0, { bad: ['10.0.0.4'] });
    await run(10, { bad: ['10.0.0.4'] }); // degraded sent
    const reminder = await run(12, { bad: ['10.0.0.4'] }); // still-degraded, held by the interval
    expect(reminder.grouped?.map((g) => g.type)).toEqual(['still-degraded']);
    const ended = await run(14, { healthy: ['10.0.0.4'] });
    expect(endedFor(ended, 'webhook[pager]')).toEqual([['still-degraded', OUTLIVED]]);
    await run(30, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([[['degraded', '10.0.0.4', 'critical']]]);
  });

  it('a held degraded whose episode is still open is sent, with the severity it was decided with (trial F2)', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE);
    const { run } = setup([pager]);
    const warning = { ...bad(GW, '10.0.0.4'), severity: 'warning' as const };
    await run(0, { bad: ['10.0.0.4'] }); // critical, waits for groupWait
    const still = await run(5, { bad: [warning] }); // serving again in part: warning, same episode
    expect(endedFor(still, 'webhook[pager]')).toEqual([]);
    await run(10, { bad: [warning] });
    expect(pager.sent).toEqual([[['degraded', '10.0.0.4', 'critical']]]);
  });
});

describe("a receiver whose match routes the critical degraded only: it never outlives the episode's end", () => {
  const CRITICAL: ReceiverRules = { sendResolved: false, match: [{ severity: 'critical' }] };

  it('critical, then warning, then healthy while the degraded waits: nothing is sent', async () => {
    const pager = receiver('webhook[pager]', CRITICAL);
    const { run } = setup([pager]);
    const warning = { ...bad(GW, '10.0.0.4'), severity: 'warning' as const };
    await run(0, { bad: ['10.0.0.4'] });
    await run(3, { bad: [warning] });
    const ended = await run(6, { healthy: ['10.0.0.4'] });
    expect(endedFor(ended, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
  });

  it('with sendResolved, the same receiver is not told, then not resolved: nothing is sent', async () => {
    const pager = receiver('webhook[pager]', { ...CRITICAL, sendResolved: true });
    const { run } = setup([pager]);
    const warning = { ...bad(GW, '10.0.0.4'), severity: 'warning' as const };
    await run(0, { bad: ['10.0.0.4'] });
    await run(3, { bad: [warning] });
    await run(6, { healthy: ['10.0.0.4'] });
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
  });
});

describe('sendResolved: false, server grouping: an undelivered degraded is not retried after its episode ended', () => {
  it('refused retryably, then the server is healthy at the next run: dropped, not retried', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE, 'server');
    const { world, run } = setup([pager]);
    pager.script('retryable');
    const first = await run(0, { bad: ['10.0.0.4'] });
    expect(first.undelivered.map((u) => u.type)).toEqual(['degraded']);
    const ended = await run(5, { healthy: ['10.0.0.4'] });
    expect(endedFor(ended, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    expect(ended.undelivered).toEqual([]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
    expect(world.document()?.outbox['webhook[pager]']).toEqual([]);
  });

  it('a dead letter re-sent by `notify resend` while the episode is open, healthy before the next run: dropped, not sent', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE, 'server');
    const { world, run } = setup([pager]);
    pager.script('permanent');
    await run(0, { bad: ['10.0.0.4'] });
    expect(world.document()?.deadLetters['webhook[pager]']?.map((l) => l.notice.type)).toEqual(['degraded']);
    const resent = await resendDeadLetters(world.stores, { receiver: 'pager' });
    expect(resent.requeued.map((r) => r.letter.notice.type)).toEqual(['degraded']);
    const ended = await run(5, { healthy: ['10.0.0.4'] });
    expect(endedFor(ended, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
  });

  it('a dead letter re-sent after the episode ended is not re-queued (dead-letters.ts, episodeIsOver)', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE, 'server');
    const { world, run } = setup([pager]);
    pager.script('permanent');
    await run(0, { bad: ['10.0.0.4'] });
    await run(5, { healthy: ['10.0.0.4'] });
    const resent = await resendDeadLetters(world.stores, { receiver: 'pager' });
    expect([resent.requeued, resent.notResent.map((r) => r.letter.notice.type)]).toEqual([[], ['degraded']]);
    await run(10, { healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([]);
  });
});

describe('notify.inhibit: the gateway-level degraded waiting when the gateway is no longer all bad', () => {
  it('is dropped for a sendResolved: false receiver; the server still bad is sent', async () => {
    const pager = receiver('webhook[pager]', NO_RESOLVE);
    const { run } = setup([pager], { ...POLICY, inhibit: true });
    const first = await run(0, { bad: ['10.0.0.4', '10.0.0.5'] });
    expect(first.grouped?.map((g) => g.type)).toEqual(['degraded']); // the gateway-level one
    const partly = await run(5, { bad: ['10.0.0.5'], healthy: ['10.0.0.4'] });
    expect(endedFor(partly, 'webhook[pager]')).toEqual([['degraded', OUTLIVED]]);
    await run(10, { bad: ['10.0.0.5'], healthy: ['10.0.0.4'] });
    expect(pager.sent).toEqual([[['degraded', '10.0.0.5', 'critical']]]);
  });
});
