import { ConfigError } from '../../errors';
import type { FromEnv } from '../../core/input/from-env';
import { formatPath } from '../../core/input/format-issues';
import { fromEnvSchema, resolveFromEnv } from '../../core/input/from-env';
import * as z from '../../core/input/zod';
import { receiverBaseShape } from './config-base';
import { secretProblem } from './json/standard-webhooks';
import { routingKeyProblem } from './pagerduty/config';
import { repeatedReceiverNames, webhookReceiverSchema } from './registry';
import { webhookUrlProblem } from './url-policy';
import { WEBHOOK_FORMAT_NAMES, type ResolvedWebhookConfig } from './webhook-format';

/** Environment variables / app settings, passed in so resolution stays pure. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates one `sinks.webhooks[]` entry and resolves `{ "fromEnv": "NAME" }` references from `env`.
 * Throws ConfigError listing every problem; messages name variables and keys, never their values.
 */
export function resolveWebhookConfig(raw: unknown, env: Env, path = 'webhook'): ResolvedWebhookConfig {
  const issues: string[] = [];
  const resolved = collect(raw, env, path, issues);
  if (!resolved || issues.length > 0) throw new ConfigError(issues, 'webhook configuration');
  return resolved;
}

/** Resolves a whole `sinks.webhooks` list; names must be unique. Throws one ConfigError for all entries. */
export function resolveWebhookConfigs(
  raws: unknown,
  env: Env,
  path = 'sinks.webhooks',
): ResolvedWebhookConfig[] {
  if (!Array.isArray(raws))
    throw new ConfigError([`${path}: must be a list of receivers`], 'webhook configuration');
  // Per entry, in order: its own problems, then a name an earlier entry has.
  const entries = raws.map((raw: unknown, i) => {
    const issues: string[] = [];
    return { issues, config: collect(raw, env, `${path}[${i}]`, issues), at: i };
  });
  const resolved = entries.flatMap((e) => (e.config ? [{ ...e, config: e.config }] : []));
  // Over every entry as written, refused ones too: a repeated name is said in the same round.
  const names = raws.map((raw: unknown) =>
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['name'] : undefined,
  );
  for (const { index, problem } of repeatedReceiverNames(names)) {
    entries[index]?.issues.push(`${path}[${index}].name: ${problem}`);
  }
  const issues = entries.flatMap((e) => e.issues);
  if (issues.length > 0) throw new ConfigError(issues, 'webhook configuration');
  return resolved.map((e) => e.config);
}

function collect(raw: unknown, env: Env, path: string, issues: string[]): ResolvedWebhookConfig | undefined {
  const parsed = webhookReceiverSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = formatPath(issue.path);
      issues.push(nameReceiverOf(`${path}${where ? `.${where}` : ''}: ${issue.message}`, raw));
    }
    // The rest of the entry's problems too, not in a second round once the shape is right (issue 15
    // trial: a missing "format" hid the http:// URL and the secret without "whsec_").
    const flagged = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
    baseFieldProblems(raw, path, flagged, issues);
    valueProblems(raw, env, path, flagged, issues);
    return undefined;
  }
  const config = parsed.data;
  const before = issues.length;
  const url = checkedValue(config.url, 'url', env, path, issues);
  const secret =
    config.format === 'json' && config.secret !== undefined
      ? checkedValue(config.secret, 'secret', env, path, issues)
      : undefined;
  const routingKey =
    config.format === 'pagerduty'
      ? checkedValue(config.routingKey, 'routingKey', env, path, issues)
      : undefined;
  if (issues.length > before || url === undefined) return undefined;
  return Object.freeze({
    name: config.name,
    format: config.format,
    url,
    ...(secret !== undefined ? { secret } : {}),
    ...(routingKey !== undefined ? { routingKey } : {}),
    timeoutInMs: config.timeoutInMs,
    maxAttempts: config.maxAttempts,
    sendResolved: config.sendResolved,
    ...(config.match !== undefined ? { match: config.match } : {}),
    ...(config.grouping !== undefined ? { grouping: config.grouping } : {}),
  });
}

/**
 * A problem line about a receiver's `match` (`sinks.webhooks[2].match[0].causeId: …`) with the
 * receiver's name after the key (`… (receiver "pager"): …`), when `raw` has one: a routing rule is read
 * by the receiver it routes to, and the index alone is easy to miscount in a long list. Other lines
 * are returned as they are.
 */
function nameReceiverOf(line: string, raw: unknown): string {
  const name = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['name'] : undefined;
  const at = line.indexOf(': ');
  if (typeof name !== 'string' || at < 0 || !/(^|[\].])match(\[|\.|$)/.test(line.slice(0, at))) return line;
  return `${line.slice(0, at)} (receiver ${JSON.stringify(name.slice(0, 64))})${line.slice(at)}`;
}

/** nameReceiverOf for a problem line about any entry of `sinks.webhooks` (`webhooks`: the raw list). */
export function nameReceiverInLine(line: string, webhooks: unknown): string {
  const index = /^sinks\.webhooks\[(\d+)\]/.exec(line)?.[1];
  return index !== undefined && Array.isArray(webhooks)
    ? nameReceiverOf(line, webhooks[Number(index)])
    : line;
}

/**
 * An entry the union refused as a whole (no `format`, or one we do not know): the keys every format
 * shares (`name`, `match`, `grouping`, `timeoutInMs` …) checked all the same, each the schema said
 * nothing of, so fixing `format` shows no new problem in a second round (issue 15).
 */
function baseFieldProblems(raw: unknown, path: string, flagged: ReadonlySet<string>, issues: string[]): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const parsed = receiverBaseSchema.safeParse(raw);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? '');
    if (!key || flagged.has(key) || key === 'url') continue;
    issues.push(nameReceiverOf(`${path}.${formatPath(issue.path)}: ${issue.message}`, raw));
  }
}

/**
 * An entry the schema refused: its url, secret and routingKey checked by their policies all the same,
 * each when it is of a usable shape and the schema said nothing of it. The secret (routingKey) when the
 * format is "json" ("pagerduty") or not one we know (the user may be about to name it).
 */
function valueProblems(
  raw: unknown,
  env: Env,
  path: string,
  flagged: ReadonlySet<string>,
  issues: string[],
): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const entry = raw as Record<string, unknown>;
  const format = entry['format'];
  const known = typeof format === 'string' && (WEBHOOK_FORMAT_NAMES as readonly string[]).includes(format);
  const applies: Readonly<Record<CheckedField, boolean>> = {
    url: true,
    secret: format === 'json' || !known,
    routingKey: format === 'pagerduty' || !known,
  };
  for (const field of CHECKED_FIELDS) {
    const ref = entry[field];
    if (!applies[field] || ref === undefined || flagged.has(field)) continue;
    if (typeof ref !== 'string' && !fromEnvSchema.safeParse(ref).success) continue;
    checkedValue(ref as string | FromEnv, field, env, path, issues);
  }
}

/** The keys every format shares, the others let through (each format's own are its schema's). */
const receiverBaseSchema = z.looseObject(receiverBaseShape);

/** The fields whose values have a policy beyond the schema's shape (url-policy.ts, whsec_, routing key). */
const CHECKED_FIELDS = ['url', 'secret', 'routingKey'] as const;
type CheckedField = (typeof CHECKED_FIELDS)[number];

const POLICIES: Readonly<Record<CheckedField, (value: string) => string | undefined>> = {
  url: webhookUrlProblem,
  secret: secretProblem,
  routingKey: routingKeyProblem,
};

/**
 * `ref` resolved from `env` and checked by its field's policy, each problem pushed to `issues` (as
 * `path.field (from "VAR"): problem`); the value even when its policy refused it, undefined when a
 * `fromEnv` setting is not set. For a valid entry (collect) and a refused one (valueProblems) alike.
 */
function checkedValue(
  ref: string | FromEnv,
  field: CheckedField,
  env: Env,
  path: string,
  issues: string[],
): string | undefined {
  const value = lookUp(ref, env, `${path}.${field}`, issues);
  const problem = value === undefined ? undefined : POLICIES[field](value);
  if (problem) issues.push(`${path}.${field}${source(ref)}: ${problem}`);
  return value;
}

function lookUp(ref: string | FromEnv, env: Env, where: string, issues: string[]): string | undefined {
  if (typeof ref === 'string') return ref.trim();
  const resolved = resolveFromEnv(ref, env);
  if ('problem' in resolved) {
    issues.push(`${where}: ${resolved.problem}`);
    return undefined;
  }
  return resolved.value;
}

function source(ref: string | FromEnv): string {
  return typeof ref === 'string' ? '' : ` (from "${ref.fromEnv}")`;
}
