import type * as z from 'zod/mini';
import type { GroupingMode, NoticeGroup } from '../../core/notice/grouping';
import type { Notice } from '../../core/notice/notice';
import type { RouteRule } from '../../core/notice/receiver-rules';

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
  /** The Events API v2 Integration Key; format "pagerduty" only. A secret: in the body, never logged. */
  readonly routingKey?: string;
  readonly timeoutInMs: number;
  readonly maxAttempts: number;
  /** false: never sent `recovered` notices; absent: true (resolveWebhookConfig always sets it). */
  readonly sendResolved?: boolean;
  /** Routing rules (core/notice/receiver-rules.ts); absent: every notice. */
  readonly match?: readonly RouteRule[];
  /** This receiver's `grouping`; absent: `notify.grouping` (core/notice/grouping.ts). */
  readonly grouping?: GroupingMode;
}

export const WEBHOOK_FORMAT_NAMES = ['json', 'teams', 'slack', 'cloudevents', 'pagerduty'] as const;
export type WebhookFormatName = (typeof WEBHOOK_FORMAT_NAMES)[number];

/** One receiver format (one folder): its config schema and its pure payload builder. */
export interface WebhookFormat {
  /** The zod schema of this format's entry in `sinks.webhooks[]` (before references are resolved). */
  readonly configSchema: z.ZodMiniType;
  /**
   * Pure: the same notice (and config) gives the same body, so a retry re-sends identical bytes. The
   * config is for formats whose body carries a setting (PagerDuty's `routing_key`).
   */
  buildPayload(notice: Notice, config: ResolvedWebhookConfig): WebhookPayload;
  /**
   * Pure, like buildPayload: one message for a group of one gateway's notices (core/notice/grouping.ts).
   * Absent: the format has none, and a group is sent as its notices one by one (PagerDuty).
   */
  buildGroupPayload?(group: NoticeGroup, config: ResolvedWebhookConfig): WebhookPayload;
  /**
   * A chat (Teams, Slack): people read its messages in order, in a channel, and its grouped card lists
   * the first servers and counts the rest. So a grouped message takes up to
   * CHAT_NOTICES_PER_GROUP_MESSAGE notices (else MAX_NOTICES_PER_GROUP_MESSAGE: each notice whole), and
   * `notify resend` sends it no `recovered` of an older episode once it was told of a newer one
   * (dead-letters.ts). Absent: its messages are paired by episode (json, CloudEvents, PagerDuty).
   */
  readonly chat?: true;
  /**
   * Reads the start of a 2xx answer (up to 1200 bytes, scrubbed, one line): `undefined` when it is a
   * success, else a failure, with the status it names when it names one (its retry follows that
   * status: http-post.ts). Absent: every 2xx is a success and its body is not read. Teams' connectors
   * answer 200 to a post that failed (teams/teams-answer.ts).
   */
  failureIn2xx?(answer: string): { readonly status?: number } | undefined;
  /** Headers that depend on the attempt's time (a signature), added to the payload's own. */
  attemptHeaders?(
    payload: WebhookPayload,
    notice: Pick<Notice, 'id'>,
    config: ResolvedWebhookConfig,
    now: Date,
  ): Record<string, string>;
}

export const USER_AGENT = 'appgw-insights-webhook/1';

/** The headers of a JSON body (every format but CloudEvents, which has its own content type). */
export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'user-agent': USER_AGENT,
};
