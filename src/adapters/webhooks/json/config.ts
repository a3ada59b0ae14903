import * as z from '../../../core/input/zod';
import { receiverBaseShape, secretRefSchema } from '../config-base';

/** `format: "json"`: our versioned event (SCHEMA.md), signed per Standard Webhooks when `secret` is set. */
export const jsonConfigSchema = z.strictObject({
  ...receiverBaseShape,
  format: z.literal('json'),
  /** `whsec_<base64 of 24-64 random bytes>`, or `{ "fromEnv": "NAME" }`. */
  secret: z.optional(secretRefSchema),
});

export type JsonReceiverConfig = z.input<typeof jsonConfigSchema>;
