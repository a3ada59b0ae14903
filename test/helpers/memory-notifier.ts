import type { Notice } from '../../src/core/notice/notice';
import type { CallOptions, Notifier, SendResult } from '../../src/ports';

/**
 * A receiver fake for unit tests of the notify use cases (Alertmanager's `notifierFunc`): a Notifier
 * that records every notice it is sent and answers each call as the test scripts it, without a
 * socket. It keeps the port's promise: `send` never throws (unless scripted to, to test a broken one).
 */

/** How one call is answered. */
export type NotifierAnswer =
  /** Accepted (a 2xx): the notice is delivered. */
  | 'accept'
  /**
   * Failed after the notifier's own retries. `retryable`: down, time-out, 408/429/5xx (the notice keeps
   * its place); otherwise refused for good (another 4xx, a redirect: a dead letter).
   */
  | { readonly fail: 'retryable' | 'permanent'; readonly message?: string; readonly status?: number }
  /** Answers only when the call's abort signal fires, or the fake's `releaseHanging()` is called. */
  | 'hang'
  /** Breaks the port's promise: `send` rejects with this error. */
  | { readonly throws: Error };

/** Decides the answer to one call: the notice, and how many calls this notifier had before it. */
export type AnswerFunction = (notice: Notice, call: number) => NotifierAnswer | Promise<NotifierAnswer>;

export interface MemoryNotifierOptions {
  /** Default `webhook[ops]`. */
  readonly name?: string;
  /** Default 1000 ms (what the lease is derived from). */
  readonly sendBudgetInMs?: number;
  /** Answers every call not scripted by `script`; default: accept. */
  readonly answer?: NotifierAnswer | AnswerFunction;
  /** Runs inside each send before it answers (e.g. move a fake clock on by the time a send takes). */
  readonly during?: (notice: Notice) => void | Promise<void>;
}

export interface SentCall {
  readonly notice: Notice;
  readonly options: CallOptions | undefined;
  /** What the call was answered (after it settled). */
  answer?: NotifierAnswer;
}

export interface MemoryNotifier extends Notifier {
  /** Every call, in order. */
  readonly calls: readonly SentCall[];
  /** The notices the receiver accepted, in order. */
  readonly accepted: readonly Notice[];
  /** Ids of the accepted notices, in order. */
  acceptedIds(): string[];
  /** Answers for the next calls, in order; then the default answer again. */
  script(...answers: NotifierAnswer[]): void;
  /** Replaces the default answer. */
  answerWith(answer: NotifierAnswer | AnswerFunction): void;
  /** Lets every call that hangs answer: as a time-out (retryable), or `accept`. */
  releaseHanging(answer?: 'time-out' | 'accept'): void;
}

/** A receiver fake named `options.name` (default `webhook[ops]`). */
export function createMemoryNotifier(options: MemoryNotifierOptions = {}): MemoryNotifier {
  const name = options.name ?? 'webhook[ops]';
  const calls: SentCall[] = [];
  const accepted: Notice[] = [];
  const scripted: NotifierAnswer[] = [];
  const hanging: Array<(answer: NotifierAnswer) => void> = [];
  let fallback: NotifierAnswer | AnswerFunction = options.answer ?? 'accept';

  const timeOut = (): NotifierAnswer => ({ fail: 'retryable', message: 'no answer in time (hang)' });

  async function answerOf(notice: Notice, call: number, callOptions?: CallOptions): Promise<NotifierAnswer> {
    const next =
      scripted.shift() ?? (typeof fallback === 'function' ? await fallback(notice, call) : fallback);
    if (next !== 'hang') return next;
    return new Promise<NotifierAnswer>((resolve) => {
      hanging.push(resolve);
      callOptions?.abortSignal?.addEventListener('abort', () => resolve(timeOut()), { once: true });
    });
  }

  return {
    name,
    sendBudgetInMs: options.sendBudgetInMs ?? 1000,
    calls,
    accepted,
    acceptedIds: () => accepted.map((n) => n.id),
    script: (...answers) => void scripted.push(...answers),
    answerWith: (answer) => void (fallback = answer),
    releaseHanging(answer = 'time-out') {
      for (const resume of hanging.splice(0)) resume(answer === 'accept' ? 'accept' : timeOut());
    },
    async send(notice: Notice, callOptions?: CallOptions): Promise<SendResult> {
      const call: SentCall = { notice, options: callOptions };
      const index = calls.push(call) - 1;
      await options.during?.(notice);
      const answer = await answerOf(notice, index, callOptions);
      call.answer = answer;
      if (typeof answer === 'object' && 'throws' in answer) throw answer.throws;
      if (answer === 'accept') {
        accepted.push(notice);
        return { ok: true, attempts: [{ attempt: 1, status: 202, durationInMs: 1 }] };
      }
      if (answer === 'hang') throw new Error('unreachable: a hanging call answers when released');
      const status = answer.status ?? (answer.fail === 'retryable' ? 503 : 400);
      const message = `Delivery to ${name} failed: ${answer.message ?? `HTTP ${status}`}.`;
      return {
        ok: false,
        attempts: [{ attempt: 1, status, error: message, durationInMs: 1 }],
        error: { code: 'DeliveryFailed', message, retryable: answer.fail === 'retryable' },
      };
    },
  };
}
