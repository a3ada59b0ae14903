import { receiverKey } from '../../core/notice/receiver-name';
import { CHAT_NOTICES_PER_GROUP_MESSAGE } from '../../core/notice/grouping';
import type { NoticeGroup } from '../../core/notice/grouping';
import type { Notice } from '../../core/notice/notice';
import type { CallOptions } from '../../ports';
import { deliveryFailedText, isAppGwInsightsError } from '../../errors';
import { DEFAULT_POST_OPTIONS, httpPost, type PostOptions } from './http-post';
import type { Notifier, SendResult } from './notifier';
import { WEBHOOK_FORMATS } from './registry';
import { redactUrl, scrubUrl } from './url-policy';
import type { ResolvedWebhookConfig, WebhookFormatName, WebhookPayload } from './webhook-format';

/** Retry settings not in the receiver config, and test seams. Defaults: DEFAULT_POST_OPTIONS. */
export interface WebhookNotifierOptions {
  readonly initialBackoffInMs?: number;
  readonly maxBackoffInMs?: number;
  readonly totalTimeoutInMs?: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock for signatures (`webhook-timestamp`) and `Retry-After` dates. */
  readonly now?: () => Date;
}

export interface WebhookNotifier extends Notifier {
  readonly format: WebhookFormatName;
  /** Scheme and host of the URL (path and query hidden), for human summaries. */
  readonly target: string;
}

/**
 * The longest one send to this receiver can take, in ms: `timeoutInMs` × `maxAttempts` plus the
 * longest back-off before each retry (full jitter: at most min(maxBackoff, initialBackoff × 2^(n-1)))
 * plus 1 s for the work around the attempts (so the last attempt is not cut short by it), and never
 * more than `totalTimeoutInMs`. The POST is given exactly this budget, so a `Retry-After`
 * that would overrun it ends the send (retryable) instead of stretching it: the budget is a bound, and
 * a run's lease on a notice is derived from it.
 */
export function sendBudgetInMs(
  config: Pick<ResolvedWebhookConfig, 'timeoutInMs' | 'maxAttempts'>,
  options: WebhookNotifierOptions = {},
): number {
  const initial = options.initialBackoffInMs ?? DEFAULT_POST_OPTIONS.initialBackoffInMs;
  const max = options.maxBackoffInMs ?? DEFAULT_POST_OPTIONS.maxBackoffInMs;
  const total = options.totalTimeoutInMs ?? DEFAULT_POST_OPTIONS.totalTimeoutInMs;
  const attempts = Math.max(1, Math.floor(config.maxAttempts));
  let backoff = 0;
  for (let retry = 1; retry < attempts; retry++) backoff += Math.min(max, initial * 2 ** (retry - 1));
  return Math.min(total, config.timeoutInMs * attempts + backoff + SEND_SLACK_IN_MS);
}

const SEND_SLACK_IN_MS = 1_000;

/** A Notifier for one resolved receiver: builds its format's payload once, then POSTs it with retries. */
export function createWebhookNotifier(
  config: ResolvedWebhookConfig,
  options: WebhookNotifierOptions = {},
): WebhookNotifier {
  const name = receiverKey(config.name);
  const format = WEBHOOK_FORMATS[config.format];
  const now = options.now ?? (() => new Date());
  // Scrubbed from every error text: the signing secret (with and without its prefix), the routing key.
  const secrets = [
    ...(config.secret ? [config.secret, config.secret.replace(/^whsec_/, '')] : []),
    ...(config.routingKey ? [config.routingKey] : []),
  ];
  const budget = sendBudgetInMs(config, options);
  const buildGroupPayload = format.buildGroupPayload?.bind(format);
  return {
    name,
    sendBudgetInMs: budget,
    rules: { sendResolved: config.sendResolved ?? true, ...(config.match ? { match: config.match } : {}) },
    format: config.format,
    target: redactUrl(config.url),
    ...(config.grouping ? { grouping: config.grouping } : {}),
    send(notice: Notice, sendOptions: CallOptions = {}): Promise<SendResult> {
      return post(() => format.buildPayload(notice, config), notice, sendOptions);
    },
    ...(format.chat ? { maxNoticesPerGroupMessage: CHAT_NOTICES_PER_GROUP_MESSAGE } : {}),
    ...(buildGroupPayload
      ? {
          sendGroup(group: NoticeGroup, sendOptions: CallOptions = {}): Promise<SendResult> {
            // The group's id is its message's id (`webhook-id`, the signature's id).
            return post(() => buildGroupPayload(group, config), { id: group.id }, sendOptions);
          },
        }
      : {}),
  };

  async function post(
    build: () => WebhookPayload,
    message: Pick<Notice, 'id'>,
    sendOptions: CallOptions,
  ): Promise<SendResult> {
    try {
      const payload = build();
      const headers = (): Record<string, string> => ({
        ...payload.headers,
        ...(format.attemptHeaders?.(payload, message, config, now()) ?? {}),
      });
      const postOptions: PostOptions = {
        timeoutInMs: config.timeoutInMs,
        maxAttempts: config.maxAttempts,
        initialBackoffInMs: options.initialBackoffInMs ?? DEFAULT_POST_OPTIONS.initialBackoffInMs,
        maxBackoffInMs: options.maxBackoffInMs ?? DEFAULT_POST_OPTIONS.maxBackoffInMs,
        totalTimeoutInMs: budget,
        now: () => now().getTime(),
        ...(sendOptions.abortSignal ? { abortSignal: sendOptions.abortSignal } : {}),
        ...(sendOptions.stop ? { stop: sendOptions.stop } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
      };
      const result = await httpPost(
        {
          sink: name,
          url: config.url,
          body: payload.body,
          headers,
          secrets,
          ...(format.failureIn2xx ? { failureIn2xx: format.failureIn2xx.bind(format) } : {}),
        },
        postOptions,
      );
      if (result.ok) return { ok: true, attempts: result.attempts };
      const { code, message: text, retryable } = result.error;
      return { ok: false, attempts: result.attempts, error: { code, message: text, retryable } };
    } catch (error) {
      return { ok: false, attempts: [], error: unexpected(name, error, config.url, secrets) };
    }
  }
}

/**
 * A bug (a payload builder threw): reported, not thrown, and scrubbed like everything else. Its code is
 * `Unexpected` (README "Errors": a bug), not `DeliveryFailed`: the receiver was never asked. Not
 * retryable: the same notice would fail the same way; it waits as a dead letter for a fixed release.
 */
function unexpected(
  name: string,
  error: unknown,
  url: string,
  secrets: readonly string[],
): NonNullable<SendResult['error']> {
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: isAppGwInsightsError(error) ? error.code : 'Unexpected',
    message: deliveryFailedText(name, scrubUrl(message, url, secrets)),
    retryable: false,
  };
}
