import type { Notice } from '../../../src/core/notice/notice';
import type { Notifier, SendResult } from '../../../src/ports';

/**
 * A Notifier that keeps the notices it was sent (Alertmanager's notifierFunc): accepts each, or
 * answers as `answer` says (a retryable or permanent refusal). Never throws, as the port says.
 */
export interface MemoryNotifier extends Notifier {
  /** Every notice sent, accepted or not, in order. */
  readonly sent: Notice[];
  /** How the next sends answer instead of accepting; unset to accept again. */
  answer?: (notice: Notice) => SendResult;
}

export function memoryNotifier(name = 'webhook[memory]', sendBudgetInMs = 1_000): MemoryNotifier {
  const notifier: MemoryNotifier = {
    name,
    sendBudgetInMs,
    sent: [],
    async send(notice) {
      notifier.sent.push(notice);
      return (
        notifier.answer?.(notice) ?? { ok: true, attempts: [{ attempt: 1, status: 200, durationInMs: 0 }] }
      );
    },
  };
  return notifier;
}

/** A send that failed as a receiver that is down fails (503 on its one attempt). */
export function refused(retryable: boolean, status = retryable ? 503 : 400): SendResult {
  const message = `the receiver answered ${status}`;
  return {
    ok: false,
    attempts: [{ attempt: 1, status, error: message, durationInMs: 0 }],
    error: { code: 'DeliveryFailed', message, retryable },
  };
}
