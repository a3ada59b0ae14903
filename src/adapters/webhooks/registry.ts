import * as z from '../../core/input/zod';
import { cloudEventsConfigSchema } from './cloudevents/config';
import { buildCloudEventsGroupPayload, buildCloudEventsPayload } from './cloudevents/cloudevents-payload';
import { buildJsonGroupPayload } from './json/group-payload';
import { buildSlackGroupPayload } from './slack/slack-group';
import { buildTeamsGroupPayload } from './teams/teams-group';
import { jsonConfigSchema } from './json/config';
import { buildJsonPayload, jsonAttemptHeaders } from './json/json-payload';
import { pagerDutyConfigSchema } from './pagerduty/config';
import { buildPagerDutyPayload } from './pagerduty/pagerduty-payload';
import { slackConfigSchema } from './slack/config';
import { buildSlackPayload } from './slack/slack-payload';
import { teamsConfigSchema } from './teams/config';
import { teamsDeliveryFailure } from './teams/teams-answer';
import { buildTeamsPayload } from './teams/teams-payload';
import { WEBHOOK_FORMAT_NAMES, type WebhookFormat, type WebhookFormatName } from './webhook-format';

/**
 * The one list of receiver formats (Alertmanager's receiver table): `format` → config schema + pure
 * payload builder. To add a format: a folder with config.ts and <format>-payload.ts, a line here, and
 * its name in WEBHOOK_FORMAT_NAMES.
 */
export const WEBHOOK_FORMATS: Readonly<Record<WebhookFormatName, WebhookFormat>> = {
  json: {
    configSchema: jsonConfigSchema,
    buildPayload: buildJsonPayload,
    buildGroupPayload: buildJsonGroupPayload,
    attemptHeaders: jsonAttemptHeaders,
  },
  teams: {
    configSchema: teamsConfigSchema,
    buildPayload: buildTeamsPayload,
    buildGroupPayload: buildTeamsGroupPayload,
    chat: true,
    // A connector's 200 can say the post failed (teams-answer.ts); a Workflow's 202 is empty.
    failureIn2xx: teamsDeliveryFailure,
  },
  slack: {
    configSchema: slackConfigSchema,
    buildPayload: buildSlackPayload,
    buildGroupPayload: buildSlackGroupPayload,
    chat: true,
  },
  cloudevents: {
    configSchema: cloudEventsConfigSchema,
    buildPayload: buildCloudEventsPayload,
    buildGroupPayload: buildCloudEventsGroupPayload,
  },
  // No grouped message: one PagerDuty alert per server episode (pagerduty-payload.ts says why).
  pagerduty: { configSchema: pagerDutyConfigSchema, buildPayload: buildPagerDutyPayload },
};

/** One entry of `sinks.webhooks[]` as written in config (url/secret possibly `{ "fromEnv": … }`). */
export const webhookReceiverSchema = z.discriminatedUnion(
  'format',
  [jsonConfigSchema, teamsConfigSchema, slackConfigSchema, cloudEventsConfigSchema, pagerDutyConfigSchema],
  { error: `"format" must be one of ${WEBHOOK_FORMAT_NAMES.map((f) => `"${f}"`).join(', ')}` },
);

/**
 * Receiver names are unique: a name is its receiver's key in reports and in the notify state's outboxes
 * (`webhook[<name>]`). For each name an earlier one already has: its position in `names`, and why.
 */
export function repeatedReceiverNames(
  names: readonly unknown[],
): Array<{ readonly index: number; readonly problem: string }> {
  const seen = new Set<string>();
  return names.flatMap((name, index) => {
    // A name that is no text is its entry's own problem.
    if (typeof name !== 'string') return [];
    const repeated = seen.has(name);
    seen.add(name);
    return repeated
      ? [{ index, problem: `"${name}" is used by another receiver; names must be unique` }]
      : [];
  });
}

export type WebhookReceiverConfig = z.input<typeof webhookReceiverSchema>;
export type ParsedWebhookReceiverConfig = z.output<typeof webhookReceiverSchema>;
