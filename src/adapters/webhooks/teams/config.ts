import * as z from '../../../core/input/zod';
import { noSecretSchema, receiverBaseShape } from '../config-base';

/** `format: "teams"`: the URL of a Teams Workflow "Post to a channel when a webhook request is received". */
export const teamsConfigSchema = z.strictObject({
  ...receiverBaseShape,
  format: z.literal('teams'),
  secret: noSecretSchema,
});

export type TeamsReceiverConfig = z.input<typeof teamsConfigSchema>;
