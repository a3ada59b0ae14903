import * as z from '../../../core/input/zod';
import { noSecretSchema, receiverBaseShape } from '../config-base';

/** `format: "cloudevents"`: a CloudEvents 1.0 event in structured JSON mode (e.g. Event Grid, Knative). */
export const cloudEventsConfigSchema = z.strictObject({
  ...receiverBaseShape,
  format: z.literal('cloudevents'),
  secret: noSecretSchema,
});

export type CloudEventsReceiverConfig = z.input<typeof cloudEventsConfigSchema>;
