import { fromEnvSchema } from '../../core/input/from-env';
import * as z from '../../core/input/zod';
import { wholeNumber } from '../../core/input/whole-number';
import { receiverMatchSchema } from '../../core/notice/receiver-rules-schema';
import { GROUPING_MODES } from '../../core/notice/grouping';

/** `"gateway"` (one message per gateway incident) or `"server"` (one per notice): core/notice/grouping.ts. */
export const groupingSchema = z.enum(GROUPING_MODES as ['gateway', 'server'], {
  error: 'must be "gateway" (one message per gateway incident) or "server" (one message per server)',
});

/**
 * The keys every receiver in `sinks.webhooks[]` shares. `url` and `secret` are secrets: each may be
 * given inline or as `{ "fromEnv": "NAME" }` (core/input/from-env.ts), the name of an environment
 * variable / app setting, so it stays out of files. References are resolved by
 * `resolveWebhookConfig(raw, env)`.
 */

export const urlRefSchema = z.union([z.string().check(z.minLength(1)), fromEnvSchema], {
  error: 'must be an https:// URL, or { "fromEnv": "VARIABLE_NAME" } naming the setting that holds it',
});

export const secretRefSchema = z.union([z.string().check(z.minLength(1)), fromEnvSchema], {
  error: 'must be "whsec_<base64>", or { "fromEnv": "VARIABLE_NAME" } naming the setting that holds it',
});

export const DEFAULT_TIMEOUT_IN_MS = 10_000;
export const DEFAULT_MAX_ATTEMPTS = 5;

export const receiverBaseShape = {
  name: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'must be 1-64 letters, digits, ".", "_" or "-" (it names the receiver in reports)',
      ),
    ),
  url: urlRefSchema,
  timeoutInMs: z._default(
    wholeNumber(100, 120_000, 'milliseconds to wait for the receiver to answer one attempt'),
    DEFAULT_TIMEOUT_IN_MS,
  ),
  maxAttempts: z._default(
    wholeNumber(1, 10, 'attempts per delivery, the first included'),
    DEFAULT_MAX_ATTEMPTS,
  ),
  /** false: this receiver is never sent `recovered` (core/notice/receiver-rules.ts). */
  sendResolved: z._default(z.boolean({ error: 'must be true or false' }), true),
  /**
   * Routing: the notices this receiver takes, any rule matching (core/notice/receiver-rules.ts); absent:
   * every notice.
   */
  match: z.optional(receiverMatchSchema),
  /** This receiver's grouping; absent: `notify.grouping` (core/notice/grouping.ts). */
  grouping: z.optional(groupingSchema),
};

/** For formats that do not sign: a `secret` there is a mistake worth reporting, not ignoring. */
export const noSecretSchema = z.optional(
  z.never({ error: '"secret" is only used by format "json" (Standard Webhooks signature); remove it' }),
);
