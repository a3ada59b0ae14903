import * as z from '../../../core/input/zod';
import { noSecretSchema, receiverBaseShape } from '../config-base';

/** `format: "slack"`: a Slack incoming webhook URL (https://hooks.slack.com/services/…). */
export const slackConfigSchema = z.strictObject({
  ...receiverBaseShape,
  format: z.literal('slack'),
  secret: noSecretSchema,
});

export type SlackReceiverConfig = z.input<typeof slackConfigSchema>;
