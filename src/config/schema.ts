import * as z from '../core/input/zod';
import { parseTarget } from '../core/arm-id';
import { isLoopbackUrl } from '../core/input/loopback-host';
import { DEFAULT_UNHEALTHY_STATES, readConfigurableState, type ConfigurableState } from '../core/health';
import { repeatedReceiverNames, webhookReceiverSchema } from '../adapters/webhooks/registry';
import { groupingSchema } from '../adapters/webhooks/config-base';
import { readLocation, readNamePattern, readTagFilter } from '../core/discovery/filter';
import { silencesSchema } from '../core/notice/silence-schema';
import { durationInMs } from './duration';
import { wholeNumber } from '../core/input/whole-number';
import { blobSinkSchema, blobStateSchema, statusContainerSchema } from './storage-schema';

/**
 * The one configuration schema. JSON files (CLI) and app settings (Functions) both end here, so every
 * key has one default and one error message. README "Configuration" documents each key.
 */
export const ARM_PUBLIC_ENDPOINT = 'https://management.azure.com';

/** Entry-level checks run with the fields' own problems, on the value as given (issue 15). */
const ALWAYS = { when: () => true } as const;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A target id, parsed once here: the rest of the app gets a `Target`, never a raw string. */
const target = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const parsed = parseTarget(value);
    if ('error' in parsed) {
      ctx.issues.push({ code: 'custom', input: value, message: `"${value}" is ${parsed.error}` });
      return z.NEVER;
    }
    return parsed;
  }),
);

const state = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const read = readConfigurableState(value);
    if ('problem' in read) {
      ctx.issues.push({ code: 'custom', input: value, message: read.problem });
      return z.NEVER;
    }
    return read.state;
  }),
);

/** A string read by one of the discovery readers (src/core/discovery/filter.ts): its value, or its problem. */
function readWith<T>(read: (value: string) => T | { readonly problem: string }) {
  return z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      const result = read(value);
      if (typeof result === 'object' && result !== null && 'problem' in result) {
        ctx.issues.push({ code: 'custom', input: value, message: result.problem });
        return z.NEVER;
      }
      return result as T;
    }),
  );
}

/**
 * Which gateways of the targets' scopes are evaluated (src/core/discovery/filter.ts says how entries
 * combine). Any entry sends the listing of subscriptions and resource groups through Resource Graph;
 * a gateway named by its own id is always evaluated.
 */
const discoverySchema = z.strictObject({
  /** `name=value` or `name` (the tag, any value). */
  tags: z._default(z.array(readWith(readTagFilter)), []),
  /** Globs on the gateway's name: `*`, `?`. */
  names: z._default(z.array(readWith(readNamePattern)), []),
  /** Regions (`westeurope`; "West Europe" is read as that). */
  locations: z._default(
    z.pipe(
      z.array(readWith(readLocation)),
      z.transform((locations: string[]) => [...new Set(locations)]),
    ),
    [],
  ),
});

const armSchema = z
  .strictObject({
    endpoint: z._default(
      z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).check(
        z.superRefine((url: string, ctx) => {
          const problem = endpointProblem(url);
          if (problem) ctx.addIssue({ code: 'custom', input: url, message: problem });
        }),
      ),
      ARM_PUBLIC_ENDPOINT,
    ),
    caCertFile: z.optional(z.string().check(z.minLength(1))),
    credential: z._default(z.enum(['default', 'development']), 'default'),
    maxRetries: z._default(wholeNumber(0, 10, 'retries of a failed ARM request; 0 = none'), 3),
    pollIntervalInMs: z._default(
      wholeNumber(10, 60_000, 'milliseconds between polls of a long-running ARM operation'),
      2_000,
    ),
  })
  .check(
    // Run even when a field was refused (every problem in one round, issue 15): on what was given.
    z.superRefine((arm: unknown, ctx) => {
      const { credential, endpoint = ARM_PUBLIC_ENDPOINT } = asRecord(arm);
      if (credential === 'development' && typeof endpoint === 'string' && !isLoopbackUrl(endpoint)) {
        ctx.addIssue({
          code: 'custom',
          path: ['credential'],
          message:
            '"development" sends a fixed token and is only allowed with a loopback endpoint (the emulator); use "default" for Azure',
        });
      }
    }, ALWAYS),
  );

const CONCURRENCY_PROBLEM = 'must be "auto" or a whole number >= 1';

/**
 * An endpoint is where ARM's paths are appended (`https://host[:port]`): a path, query, fragment or
 * user:password would be dropped or sent somewhere else by the SDK, so they are refused, not ignored.
 */
function endpointProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // z.url said so
  }
  if (parsed.username || parsed.password) return 'must not hold user:password@ (ARM takes a bearer token)';
  if (parsed.pathname !== '/' || parsed.search || parsed.hash)
    return `must be only "https://host[:port]" (no path, query or fragment): "${parsed.origin}"?`;
  return undefined;
}

const notifySchema = z.strictObject({
  /** Consecutive bad runs before `degraded`: damps flapping. */
  for: z._default(wholeNumber(1, 100, 'consecutive bad runs before `degraded` is sent; 1 = at once'), 1),
  /**
   * Consecutive runs without the server bad before `recovered`: damps flapping the other way (the
   * episode stays open meanwhile; src/core/notice/decide.ts). 1 = at the first such run.
   */
  recoverAfter: z._default(
    wholeNumber(
      1,
      100,
      'consecutive runs without the server bad before `recovered` is sent; 1 = at the first',
    ),
    1,
  ),
  /** Least time between `still-degraded` reminders; normalised to ms as `repeatIntervalInMs`. */
  repeatInterval: z._default(durationInMs(60_000, 365 * 86_400_000), 4 * 3_600_000),
  /**
   * Per receiver and gateway: most notices kept waiting (past it the oldest become dead letters) and
   * most dead letters kept (past it the oldest are dropped); both reported, never silent.
   */
  outboxLimit: z._default(
    wholeNumber(1, 10_000, 'notices kept waiting per receiver and gateway, and dead letters kept'),
    100,
  ),
  /**
   * Silences and maintenance windows (src/core/notice/silence.ts): matched transitions are recorded, not
   * sent. Those added with `appgw-insights silence add` are kept with the notify state and apply too.
   */
  silences: z._default(silencesSchema, []),
  /**
   * `"gateway"`: one message per gateway incident per receiver, paced by groupWait/groupInterval;
   * `"server"`: one message per notice, at once. A receiver's own `grouping` wins (core/notice/grouping.ts).
   */
  grouping: z._default(groupingSchema, 'gateway'),
  /** Least time from a group's start to its first message; normalised to ms. "0s": at the first run. */
  groupWait: z._default(durationInMs(0, 86_400_000), 0),
  /** Least time between two messages of one group; normalised to ms. */
  groupInterval: z._default(durationInMs(0, 86_400_000), 4 * 60_000),
  /**
   * When every pool of a gateway (of 2 servers or more) is bad, one gateway-level notice replaces the
   * per-server ones (src/core/notice/inhibit.ts).
   */
  inhibit: z._default(z.boolean({ error: 'must be true or false' }), true),
});

const sinksSchema = z.strictObject({
  /** Folder sink; when neither `dir` nor `blob` is given, `out`. */
  dir: z.optional(z.string().check(z.minLength(1))),
  blob: z.optional(blobSinkSchema),
  /** Notify-on-change receivers; `url`/`secret` may be `{ "fromEnv": "NAME" }`. */
  webhooks: z._default(z.array(webhookReceiverSchema), []),
});

const stateSchema = z.strictObject({
  dir: z.optional(z.string().check(z.minLength(1))),
  blob: z.optional(blobStateSchema),
});

/** The status page (index.html) each run writes, and the history it is drawn from. */
const statusPageSchema = z.strictObject({
  /** How long each gateway's history is kept (the page's timeline); normalised to ms. */
  retention: z._default(durationInMs(3_600_000, 366 * 86_400_000), 7 * 86_400_000),
  /** The blob sink's container for index.html: `$web`, a storage account's static website. */
  container: z._default(statusContainerSchema, '$web'),
});

/** `sinks.dir` when neither a folder nor a blob sink is given (relative to the config file). */
const DEFAULT_SINKS_DIR = 'out';

/** `state.dir` when neither a folder nor a blob state is given (relative to the config file). */
export const DEFAULT_STATE_DIR = '.appgw-state';

/** Both defaults by key, for what checks or names either folder (check.ts, folder-origin.ts). */
export const DEFAULT_DIRS = { sinks: DEFAULT_SINKS_DIR, state: DEFAULT_STATE_DIR } as const;

export const configSchema = z.strictObject({
  targets: z
    .array(target)
    .check(
      z.minLength(1, 'list at least one management group, subscription, resource group or gateway ARM id'),
    ),
  discovery: z._default(discoverySchema, () => discoverySchema.parse({})),
  arm: z._default(armSchema, () => armSchema.parse({})),
  // Both vocabularies may name one state ("Down", "Unhealthy"): listed once.
  unhealthyStates: z._default(
    z.pipe(
      z.array(state).check(z.minLength(1)),
      z.transform((states: ConfigurableState[]) => [...new Set(states)]),
    ),
    [...DEFAULT_UNHEALTHY_STATES],
  ),
  /**
   * `"auto"`: gateways start as their subscription's ARM write bucket allows, at most
   * AUTO_IN_FLIGHT_CEILING at once (src/pipeline/schedule-gateways.ts); a number caps them (paced too).
   */
  concurrency: z._default(
    z.union(
      [
        // Any case, as APPGW_CONCURRENCY has always been read: "AUTO" is "auto" in a file too.
        z.pipe(
          z.string().check(z.regex(/^auto$/i, CONCURRENCY_PROBLEM)),
          z.transform(() => 'auto' as const),
        ),
        z.int().check(z.gte(1, CONCURRENCY_PROBLEM)),
      ],
      { error: CONCURRENCY_PROBLEM },
    ),
    'auto',
  ),
  gatewayTimeoutInMs: z._default(
    wholeNumber(1_000, 3_600_000, 'milliseconds one gateway may take before it is given up'),
    300_000,
  ),
  /**
   * A direct run (`run`) stops this long after it started, as on Ctrl-C: what it finished is kept, the
   * report says what it did not do. None by default. No app setting: the Functions app's timer only
   * lists and queues (each queue invocation is one gateway, bounded by gatewayTimeoutInMs).
   */
  runDeadlineInMs: z.optional(
    wholeNumber(1_000, 7 * 24 * 3_600_000, 'milliseconds after which a run stops as on Ctrl-C'),
  ),
  article: z.optional(z.string().check(z.minLength(1))),
  sinks: z
    .pipe(
      z._default(sinksSchema, { webhooks: [] }),
      z.transform((sinks: z.output<typeof sinksSchema>) =>
        sinks.dir || sinks.blob ? sinks : { ...sinks, dir: DEFAULT_SINKS_DIR },
      ),
    )
    .check(
      z.superRefine((sinks: unknown, ctx) => {
        const webhooks = asRecord(sinks)['webhooks'];
        if (!Array.isArray(webhooks)) return;
        const names = webhooks.map((w: unknown) => asRecord(w)['name']);
        for (const { index, problem } of repeatedReceiverNames(names)) {
          ctx.addIssue({ code: 'custom', path: ['webhooks', index, 'name'], message: problem });
        }
      }, ALWAYS),
    ),
  notify: z._default(notifySchema, () => notifySchema.parse({})),
  statusPage: z._default(statusPageSchema, () => statusPageSchema.parse({})),
  /** Where notify-on-change remembers episodes and undelivered notices: a folder, or a blob (Azure). */
  state: z.pipe(
    z._default(stateSchema, {}).check(
      z.superRefine((state: unknown, ctx) => {
        const { dir, blob } = asRecord(state);
        if (dir !== undefined && blob !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: 'give "dir" (a folder) or "blob" (a storage container), not both; remove one',
          });
      }, ALWAYS),
    ),
    z.transform((state: z.output<typeof stateSchema>) =>
      state.dir || state.blob ? state : { dir: DEFAULT_STATE_DIR },
    ),
  ),
});

export type Config = z.infer<typeof configSchema>;
