import { fromEnvSchema } from '../../../core/input/from-env';
import * as z from '../../../core/input/zod';
import { noSecretSchema, receiverBaseShape, urlRefSchema } from '../config-base';

/**
 * PagerDuty Events API v2's alert endpoint (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/,
 * PagerDuty/developer-docs docs/events-API-v2/02-Trigger-Events.md). EU service regions use
 * `https://events.eu.pagerduty.com/v2/enqueue`: give it as `url`.
 */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/**
 * "the 32 character Integration Key for an integration on a service or on a global ruleset"
 * (02-Trigger-Events.md, `routing_key`); PagerDuty answers 400 "Length of 'routing_key' is incorrect
 * (should be 32 characters)" otherwise. Keys are letters and digits (ruleset keys begin with `R`).
 */
const ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

/** Why `key` is no routing key (never quoting it: it is a secret), or undefined. */
export function routingKeyProblem(key: string): string | undefined {
  return ROUTING_KEY.test(key)
    ? undefined
    : 'must be the 32-character Integration Key (letters and digits) of an Events API v2 integration on a PagerDuty service or ruleset';
}

/**
 * `format: "pagerduty"`: PagerDuty Events API v2 alert events, `trigger` and `resolve` paired by
 * `dedup_key` (pagerduty-payload.ts). `routingKey` is a secret: inline, or `{ "fromEnv": "NAME" }`.
 * `url` defaults to PAGERDUTY_EVENTS_URL.
 */
export const pagerDutyConfigSchema = z.strictObject({
  ...receiverBaseShape,
  url: z._default(urlRefSchema, PAGERDUTY_EVENTS_URL),
  format: z.literal('pagerduty'),
  routingKey: z.union([z.string().check(z.minLength(1)), fromEnvSchema], {
    error:
      'must be the Events API v2 Integration Key, or { "fromEnv": "VARIABLE_NAME" } naming the setting that holds it',
  }),
  secret: noSecretSchema,
});

export type PagerDutyReceiverConfig = z.input<typeof pagerDutyConfigSchema>;
