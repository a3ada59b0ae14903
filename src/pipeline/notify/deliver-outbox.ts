import { failedEarlierReason } from '../../core/notice/not-tried-reason';
import { groupMessages } from '../../core/notice/grouping';
import type { Notice } from '../../core/notice/notice';
import type { SendOutcome } from '../../core/notice/outbox';
import type { CallOptions, Clock, Notifier, SendResult } from '../../ports';
import type { NoticeEntryReport } from '../../core/run-report';
import { noticeEntryFields } from './notice-entries';
import { sendFitsLease } from './lease';
import {
  DEFAULT_THROTTLE_PAUSE_IN_MS,
  type AdmitOptions,
  type ReceiverBreaker,
  type SendVerdict,
} from './receiver-breaker';

/**
 * What became of one notice this run held for one receiver: the fields every report entry about a
 * notice has (noticeEntryFields: receiver, id, type, severity, why it was sent again, `ended`, server),
 * then its outcome.
 */
export interface DeliveryRecord extends Omit<NoticeEntryReport, 'gateway'> {
  /**
   * `delivered`: accepted. `queued`: failed retryably, kept (same place, same id) for the next run.
   * `parked`: refused for good, now a dead letter. `not-tried`: not sent this run (see `reason`).
   */
  readonly outcome: 'delivered' | 'queued' | 'parked' | 'not-tried';
  readonly result?: SendResult;
  /** Why it was not delivered (the receiver's answer, or why it was not tried). */
  readonly reason?: string;
  /** The grouped message it was sent in (core/notice/grouping.ts); absent when sent on its own. */
  readonly groupId?: string;
  /**
   * Delivered, and an earlier send may have reached the receiver already (QueuedNotice.mayHaveReached:
   * a run whose lease on it ran out before it recorded what it sent, or a send that got no answer): the
   * receiver may now hold it twice, with the same id. Absent otherwise.
   */
  readonly mayHaveReachedBefore?: true;
}

export interface DeliverOptions {
  readonly breaker: ReceiverBreaker;
  readonly clock: Clock;
  /** When this run's lease on these notices ends (ms since the epoch). */
  readonly leaseUntilInMs: number;
  readonly abortSignal?: AbortSignal;
  /**
   * The run's stop (a signal, its deadline): no send starts once it fires, and a send under way makes
   * no further try (CallOptions.stop); what was not sent waits for the next run.
   */
  readonly stop?: AbortSignal;
  /** Passed to the breaker's admission (AdmitOptions.whileProbed); absent: waited as it is. */
  readonly whileProbed?: AdmitOptions['whileProbed'];
}

/**
 * Sends one receiver's leased notices in order (oldest first). A permanent refusal parks that notice
 * and the next one is tried; a retryable failure opens the run's breaker for the receiver, so the rest
 * (here and in the run's other gateways) wait for the next run: a receiver that is down costs one send
 * budget per run (per process), and order is kept. Each send first passes the breaker's gate, which
 * holds it while another gateway's send to the same receiver finds out whether it answers
 * (receiver-breaker.ts). A send that could outlive the lease is not started.
 */
export async function deliverOutbox(
  notifier: Notifier,
  notices: readonly Notice[],
  options: DeliverOptions,
): Promise<DeliveryRecord[]> {
  return deliverMessages(
    notifier,
    notices.map((notice) => ({
      notices: [notice],
      send: (sendOptions: CallOptions) => notifier.send(notice, sendOptions),
    })),
    options,
  );
}

/**
 * Sends one receiver's leased notices of one gateway as grouped messages (core/notice/grouping.ts),
 * in order, with deliverOutbox's rules per message: the breaker's gate, the lease, and a retryable
 * failure leaves the rest for the next run. A message's result is each of its notices' record, so the
 * outbox keeps, parks or drops them one by one as before. A receiver without grouped messages
 * (`sendGroup` absent: PagerDuty) gets the notices one by one (deliverOutbox).
 */
export async function deliverGrouped(
  notifier: Notifier,
  notices: readonly Notice[],
  options: DeliverOptions,
): Promise<DeliveryRecord[]> {
  const sendGroup = notifier.sendGroup?.bind(notifier);
  if (!sendGroup) return deliverOutbox(notifier, notices, options);
  return deliverMessages(
    notifier,
    groupMessages(notices, notifier.maxNoticesPerGroupMessage).map((group) => ({
      notices: group.notices,
      groupId: group.id,
      send: (sendOptions: CallOptions) => sendGroup(group, sendOptions),
    })),
    options,
  );
}

/** Why a notice was not sent by a run that was stopped (a signal, its deadline): it waits in the outbox. */
export const NOT_SENT_STOPPED = 'not tried: the run was stopped; the next run sends it';

/** One POST to a receiver: one notice (deliverOutbox) or one group message (deliverGrouped). */
interface Message {
  readonly notices: readonly Notice[];
  /** The group message's id; absent for a notice sent on its own. */
  readonly groupId?: string;
  send(options: CallOptions): Promise<SendResult>;
}

/** The one send loop (the rules in deliverOutbox's docstring); each message's result is each of its notices' record. */
async function deliverMessages(
  notifier: Notifier,
  messages: readonly Message[],
  options: DeliverOptions,
): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = [];
  for (const message of messages) {
    // The fields every report entry about a notice has (its `ended` too; the gateway is in `server`),
    // then its message's group.
    const bases = message.notices.map((notice) => {
      const { gateway: _inServer, ...fields } = noticeEntryFields(notifier.name, { notice });
      return { ...fields, ...(message.groupId !== undefined ? { groupId: message.groupId } : {}) };
    });
    const notTried = (reason: string) =>
      records.push(...bases.map((base) => ({ ...base, outcome: 'not-tried' as const, reason })));
    // Stopped: said so first, whatever the breaker learnt from the send the stop cut short (a trial read
    // "failed earlier in this run" of notices that were never tried because the run was stopped).
    if (options.stop?.aborted) {
      notTried(NOT_SENT_STOPPED);
      continue;
    }
    // Waits while another gateway's send finds out whether the receiver answers (receiver-breaker.ts).
    const admission = await options.breaker.admit(
      notifier.name,
      options.whileProbed ? { whileProbed: options.whileProbed } : {},
    );
    if (!admission.send) {
      notTried(failedEarlierReason(notifier.name, admission.reason));
      continue;
    }
    if (!sendFitsLease(options.clock.now().getTime(), notifier.sendBudgetInMs, options.leaseUntilInMs)) {
      admission.settle({ kind: 'not-sent' });
      notTried('not tried: this run’s lease on it would end before a send could finish');
      continue;
    }
    let result: SendResult | undefined;
    try {
      result = await message.send({
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        ...(options.stop ? { stop: options.stop } : {}),
      });
    } finally {
      // A send that threw taught nothing: the next waiting send finds out instead.
      admission.settle(result ? breakerVerdict(result) : { kind: 'not-sent' });
    }
    const outcome = sendOutcome(result);
    for (const base of bases) {
      if (outcome.kind === 'delivered') records.push({ ...base, outcome: 'delivered', result });
      else if (outcome.kind === 'failed')
        records.push({
          ...base,
          outcome: outcome.retryable ? 'queued' : 'parked',
          result,
          reason: outcome.reason,
        });
    }
  }
  return records;
}

/**
 * The longest `Retry-After` of a receiver refusing with 429 on every try that the run keeps sending to,
 * paced (Slack's incoming webhooks ask for about a second); one asking longer opens the breaker.
 */
export const PACED_RETRY_AFTER_IN_MS = 5_000;

/**
 * A send's result as the breaker reads it: a refusal for good is an answer (the receiver is up, only
 * this notice was refused), with the pause a 429 on the way asked for, as is a send refused with 429 on
 * every try; any other retryable failure opens the breaker for the run.
 */
export function breakerVerdict(result: SendResult): SendVerdict {
  const outcome = sendOutcome(result);
  // Rate-limited on the way (429): the other sends to it wait its Retry-After (receiver-breaker.ts),
  // from now only when this send gave up: one that was taken on a retry waited it out already (a break
  // trial: the others waited a second Retry-After after the receiver had taken one).
  const throttled = result.attempts.filter((a) => a.status === 429).at(-1);
  const asked = throttled ? (throttled.retryAfterInMs ?? DEFAULT_THROTTLE_PAUSE_IN_MS) : 0;
  // Refused with 429 on every try, asking a short pause: up, only asking for fewer at a time; its
  // notice waits for the next run, and the breaker opens only after a few such sends in a row (one
  // Slack send that gave up after five 429s left 20 notices of the run untried; not opening at all
  // spent a whole lease on a receiver refusing everything: break trials).
  const onlyThrottled =
    throttled !== undefined &&
    asked <= PACED_RETRY_AFTER_IN_MS &&
    result.attempts.every((a) => a.status === 429);
  if (outcome.kind === 'failed' && outcome.retryable)
    return onlyThrottled
      ? { kind: 'answered', throttledForInMs: asked, refusedByRateLimit: outcome.reason }
      : { kind: 'failed', reason: outcome.reason };
  if (!throttled) return { kind: 'answered' };
  return { kind: 'answered', throttledForInMs: outcome.kind === 'delivered' ? 0 : asked };
}

/** A send's result as the outbox rule reads it: `retryable` decides between keeping and parking. */
export function sendOutcome(result: SendResult): SendOutcome {
  if (result.ok) return { kind: 'delivered' };
  return {
    kind: 'failed',
    retryable: result.error?.retryable ?? true,
    reason: result.error?.message ?? 'refused',
    ...(result.attempts.some((a) => a.mayHaveReached === true) ? { mayHaveReached: true } : {}),
  };
}

/** A record as the outbox rule reads it. */
export function recordOutcome(record: DeliveryRecord): SendOutcome {
  if (record.outcome === 'not-tried') return { kind: 'not-tried' };
  return record.result ? sendOutcome(record.result) : { kind: 'not-tried' };
}
