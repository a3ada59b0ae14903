import { z } from 'zod';
import { parseTarget } from '../core/arm-id';
import { CONFIGURABLE_STATES, DEFAULT_UNHEALTHY_STATES } from '../core/health';
import { webhookReceiverSchema } from '../adapters/webhooks/registry';
import { durationInMs } from './duration';
import { blobSinkSchema, blobStateSchema } from './storage-schema';

/**
 * The one configuration schema. JSON files (CLI) and app settings (Functions) both end here, so every
 * key has one default and one error message. README "Configuration" documents each key.
 */
export const ARM_PUBLIC_ENDPOINT = 'https://management.azure.com';

/** A target id, parsed once here: the rest of the app gets a `Target`, never a raw string. */
const target = z.string().transform((value, ctx) => {
  const parsed = parseTarget(value);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is ${parsed.error}` });
    return z.NEVER;
  }
  return parsed;
});

const state = z.string().transform((value, ctx) => {
  const match = CONFIGURABLE_STATES.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not one of ${CONFIGURABLE_STATES.join(', ')}` });
    return z.NEVER;
  }
  return match;
});

const armSchema = z
  .strictObject({
    endpoint: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).default(ARM_PUBLIC_ENDPOINT),
    caCertFile: z.string().min(1).optional(),
    credential: z.enum(['default', 'development']).default('default'),
    maxRetries: z.int().min(0).max(10).default(3),
    pollIntervalInMs: z.int().min(10).max(60_000).default(2_000),
  })
  .superRefine((arm, ctx) => {
    if (arm.credential === 'development' && !isLoopback(arm.endpoint)) {
      ctx.addIssue({
        code: 'custom',
        path: ['credential'],
        message:
          '"development" sends a fixed token and is only allowed with a loopback endpoint (the emulator)',
      });
    }
  });

const notifySchema = z.strictObject({
  /** Consecutive bad runs before `degraded`: damps flapping. */
  for: z.int().min(1).max(100).default(1),
  /** Least time between `still-degraded` reminders; normalised to ms as `repeatIntervalInMs`. */
  repeatInterval: durationInMs(60_000).default(4 * 3_600_000),
});

export const configSchema = z.strictObject({
  targets: z.array(target).min(1, 'list at least one subscription, resource group or gateway ARM id'),
  arm: armSchema.default(() => armSchema.parse({})),
  unhealthyStates: z
    .array(state)
    .min(1)
    .default([...DEFAULT_UNHEALTHY_STATES]),
  concurrency: z.int().min(1).max(64).default(8),
  gatewayTimeoutInMs: z.int().min(1_000).max(3_600_000).default(300_000),
  article: z.string().min(1).optional(),
  sinks: z
    .strictObject({
      /** Folder sink; when neither `dir` nor `blob` is given, `out`. */
      dir: z.string().min(1).optional(),
      blob: blobSinkSchema.optional(),
      /** Notify-on-change receivers; `url`/`secret` may be `{ "fromEnv": "NAME" }`. */
      webhooks: z.array(webhookReceiverSchema).default([]),
    })
    .default({ webhooks: [] })
    .transform((sinks) => (sinks.dir || sinks.blob ? sinks : { ...sinks, dir: 'out' }))
    .superRefine((sinks, ctx) => {
      const names = sinks.webhooks.map((w) => w.name);
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i)
          ctx.addIssue({
            code: 'custom',
            path: ['webhooks', i, 'name'],
            message: `"${name}" is used twice; names must be unique`,
          });
      });
    }),
  notify: notifySchema.default(() => notifySchema.parse({})),
  /** Where notify-on-change remembers episodes and undelivered notices: a folder, or a blob (Azure). */
  state: z
    .strictObject({ dir: z.string().min(1).optional(), blob: blobStateSchema.optional() })
    .default({})
    .superRefine((state, ctx) => {
      if (state.dir && state.blob)
        ctx.addIssue({ code: 'custom', message: 'give "dir" or "blob", not both' });
    })
    .transform((state) => (state.dir || state.blob ? state : { dir: '.appgw-state' })),
});

export type Config = z.infer<typeof configSchema>;

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
