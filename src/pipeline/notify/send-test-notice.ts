import { randomUUID } from 'node:crypto';
import { receiverTakes, TAKE_EVERY_NOTICE } from '../../core/notice/receiver-rules';
import { testNotice } from '../../core/notice/test-notice';
import type { Notice } from '../../core/notice/notice';
import type { Clock, Notifier, SendResult } from '../../ports';

/** One test notice sent, or left out because the receiver does not take its type (sendResolved). */
export interface TestSend {
  readonly notice: Notice;
  /** Absent when not sent (`skipped` says why). */
  readonly result?: SendResult;
  readonly skipped?: string;
}

/**
 * `appgw-insights notify test`: sends one marked test notice (`degraded`; with `resolve`, then the
 * `recovered` of the same test episode, so PagerDuty closes the alert it opened) to one receiver, in
 * its own format, as a run would (same notifier, same retries). It reads and writes no notify state:
 * no episode, outbox or dead letter is touched. The receiver's `match` is not asked (receiverTakes,
 * not routeMatches): a test notice always goes, so any receiver can be tested whatever it routes. The
 * `recovered` is sent only if the `degraded` was delivered, and only to a receiver that takes it
 * (`sendResolved`). Never throws.
 */
export async function sendTestNotice(
  notifier: Notifier,
  clock: Clock,
  options: { readonly resolve?: boolean; readonly abortSignal?: AbortSignal } = {},
): Promise<TestSend[]> {
  const now = clock.now().toISOString();
  const nonce = randomUUID();
  const call = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const degraded = testNotice('degraded', now, nonce);
  const sent: TestSend[] = [{ notice: degraded, result: await notifier.send(degraded, call) }];
  if (!options.resolve || !sent[0]?.result?.ok) return sent;
  const recovered = testNotice('recovered', now, nonce);
  if (!receiverTakes(notifier.rules ?? TAKE_EVERY_NOTICE, recovered))
    return [...sent, { notice: recovered, skipped: 'the receiver has sendResolved: false' }];
  return [...sent, { notice: recovered, result: await notifier.send(recovered, call) }];
}
