import { randomUUID } from 'node:crypto';
import type { GroupingMode } from '../../core/notice/grouping';
import { receiverTakes, TAKE_EVERY_NOTICE } from '../../core/notice/receiver-rules';
import { testGroup, testNotice } from '../../core/notice/test-notice';
import type { Notice } from '../../core/notice/notice';
import type { Clock, Notifier, SendResult } from '../../ports';
import { groupingOf } from './notify-on-change';

/** One test notice sent, or left out because the receiver does not take its type (sendResolved). */
export interface TestSend {
  readonly notice: Notice;
  /** The grouped message it went in (`appgw-test-grp-…`); absent when sent on its own. */
  readonly groupId?: string;
  /** Absent when not sent (`skipped` says why). */
  readonly result?: SendResult;
  readonly skipped?: string;
}

/**
 * The shape a test was sent in, the one a run sends this receiver: `group`, a grouped message with the
 * test notice inside (the json format's `gateway.group.v1`, CloudEvents' grouped type, the Teams and
 * Slack grouped cards); `server`, the per-server notice.
 */
export type TestShape = 'group' | 'server';

/** What `notify test` sent: its shape, why that shape, and each send. */
export interface TestNoticeReport {
  readonly shape: TestShape;
  /** The receiver's grouping (its own, else `notify.grouping`, else `server`). */
  readonly grouping: GroupingMode;
  /** Set when the receiver groups but its format has no grouped message (PagerDuty): why `server`. */
  readonly shapeNote?: string;
  readonly sends: readonly TestSend[];
}

/**
 * `appgw-insights notify test`: sends one marked test notice (`degraded`; with `resolve`, then the
 * `recovered` of the same test episode, so PagerDuty closes the alert it opened) to one receiver, in
 * its own format and in the shape a run sends it: a receiver in `gateway` grouping (its own
 * `grouping`, else `defaultGrouping`, i.e. `notify.grouping`) whose format has grouped messages
 * (`sendGroup`) gets a test group with the one notice inside (core/notice/test-notice.ts testGroup);
 * any other (`server` grouping, or PagerDuty: one alert per server episode, no grouped message) the
 * per-server notice. Same notifier, same retries as a run. It reads and writes no notify state: no
 * episode, outbox, group timer or dead letter is touched, and no group timer delays it. The receiver's
 * `match` is not asked (receiverTakes, not routeMatches): a test notice always goes, so any receiver can
 * be tested whatever it routes. The `recovered` is sent only if the `degraded` was delivered, and only
 * to a receiver that takes it (`sendResolved`). Never throws.
 */
export async function sendTestNotice(
  notifier: Notifier,
  clock: Clock,
  options: {
    readonly resolve?: boolean;
    readonly abortSignal?: AbortSignal;
    readonly defaultGrouping?: GroupingMode;
  } = {},
): Promise<TestNoticeReport> {
  const now = clock.now().toISOString();
  const nonce = randomUUID();
  const call = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const grouping = groupingOf(notifier, { grouping: options.defaultGrouping });
  const sendGroup = grouping === 'gateway' ? notifier.sendGroup?.bind(notifier) : undefined;
  const shape: TestShape = sendGroup ? 'group' : 'server';
  const send = async (notice: Notice): Promise<TestSend> => {
    if (!sendGroup) return { notice, result: await notifier.send(notice, call) };
    const group = testGroup(notice);
    return { notice, groupId: group.id, result: await sendGroup(group, call) };
  };
  const report = (sends: TestSend[]): TestNoticeReport => ({
    shape,
    grouping,
    ...(grouping === 'gateway' && !sendGroup
      ? { shapeNote: 'its format has no grouped message: a run sends it each notice on its own' }
      : {}),
    sends,
  });
  const degraded = testNotice('degraded', now, nonce);
  const sent: TestSend[] = [await send(degraded)];
  if (!options.resolve || !sent[0]?.result?.ok) return report(sent);
  const recovered = testNotice('recovered', now, nonce);
  if (!receiverTakes(notifier.rules ?? TAKE_EVERY_NOTICE, recovered))
    return report([...sent, { notice: recovered, skipped: 'the receiver has sendResolved: false' }]);
  return report([...sent, await send(recovered)]);
}
