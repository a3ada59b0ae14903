import type * as z from 'zod/mini';
import type { Notice } from '../../core/notice/notice';

/** What one format makes of a notice: the exact bytes to POST and their headers. */
export interface WebhookPayload {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The receiver config after `url`/`secret` references were resolved. Holds secrets: never log it. */
export interface ResolvedWebhookConfig {
  /** Names the receiver in reports: `webhook[<name>]`. */
  readonly name: string;
  readonly format: WebhookFormatName;
  readonly url: string;
  /** `whsec_<base64>`; format "json" only. */
  readonly secret?: string;
  readonly timeoutInMs: number;
  readonly maxAttempts: number;
}

export const WEBHOOK_FORMAT_NAMES = ['json', 'teams', 'slack', 'cloudevents'] as const;
export type WebhookFormatName = (typeof WEBHOOK_FORMAT_NAMES)[number];

/** One receiver format (one folder): its config schema and its pure payload builder. */
export interface WebhookFormat {
  /** The zod schema of this format's entry in `sinks.webhooks[]` (before references are resolved). */
  readonly configSchema: z.ZodMiniType;
  /** Pure: the same notice gives the same body, so a retry re-sends identical bytes. */
  buildPayload(notice: Notice): WebhookPayload;
  /** Headers that depend on the attempt's time (a signature), added to the payload's own. */
  attemptHeaders?(
    payload: WebhookPayload,
    notice: Notice,
    config: ResolvedWebhookConfig,
    now: Date,
  ): Record<string, string>;
}

export const USER_AGENT = 'appgw-insights-webhook/1';
