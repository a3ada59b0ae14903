import type { Notice } from './notice';

/**
 * What one receiver wants to be sent, per its config (`sinks.webhooks[]`). Kept apart from the notice
 * decision (decide.ts), which is per server and shared by every receiver: these rules pick from its
 * notices per receiver, before they join that receiver's outbox. Routing (`match` rules, severity)
 * belongs here too when it comes.
 */
export interface ReceiverRules {
  /**
   * Whether `recovered` notices are sent to this receiver (Alertmanager's `send_resolved`); default
   * true. False: it gets `degraded` and `still-degraded` only (a pager that closes incidents by hand,
   * a channel that wants no all-clear noise).
   */
  readonly sendResolved: boolean;
}

/** The rules of a receiver that says nothing: every notice. */
export const TAKE_EVERY_NOTICE: ReceiverRules = { sendResolved: true };

/** Whether a receiver with `rules` is sent `notice`. */
export function receiverTakes(rules: ReceiverRules, notice: Pick<Notice, 'type'>): boolean {
  return notice.type !== 'recovered' || rules.sendResolved;
}
