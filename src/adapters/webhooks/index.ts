/** Webhook receivers: json (Standard Webhooks), teams, slack, cloudevents. See README.md. */
export { createWebhookNotifier, type WebhookNotifier, type WebhookNotifierOptions } from './webhook-notifier';
export type { Notifier, SendResult } from './notifier';
export {
  httpPost,
  isRetryableStatus,
  parseRetryAfter,
  backoffInMs,
  DEFAULT_POST_OPTIONS,
  type AttemptRecord,
  type PostOptions,
  type PostRequest,
  type PostResult,
} from './http-post';
export { redactUrl, webhookUrlProblem } from './url-policy';
export { WEBHOOK_FORMATS, webhookReceiverSchema, type WebhookReceiverConfig } from './registry';
export { resolveWebhookConfig, resolveWebhookConfigs, type Env } from './resolve-config';
export {
  WEBHOOK_FORMAT_NAMES,
  type ResolvedWebhookConfig,
  type WebhookFormat,
  type WebhookFormatName,
  type WebhookPayload,
} from './webhook-format';
export {
  buildJsonPayload,
  toWebhookEvent,
  EVENT_SCHEMA_VERSION,
  type WebhookEventV1,
} from './json/json-payload';
export { signatureHeaders } from './json/standard-webhooks';
export { buildTeamsPayload, buildTeamsCard } from './teams/teams-payload';
export { buildSlackPayload, buildSlackMessage } from './slack/slack-payload';
export { buildCloudEventsPayload, toCloudEvent, CLOUDEVENT_TYPES } from './cloudevents/cloudevents-payload';
