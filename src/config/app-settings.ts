import { blobConnectionFromAppSettings, type BlobConnectionOptions } from '../adapters/storage/blob-client';
import { ConfigError, isConfigError } from '../errors';
import { parseJsonText } from '../core/input/json-text';
import { nearestName } from '../core/input/nearest-name';
import { configProblems } from './check';
import { readAlertDedupWindow, readQueueName } from './functions-settings';
import { readSchedule } from './schedule';
import { parseConfig, resolvePaths } from './load';
import type { Config } from './schema';

type Env = Readonly<Record<string, string | undefined>>;
type Kind = 'string' | 'list' | 'int' | 'int-or-auto' | 'json' | 'list-or-json' | 'boolean';

/**
 * App settings (Functions) / environment → the same schema as the JSON file. One table maps each
 * setting to its key, so README, local.settings.json.example and this stay in step.
 */
export const APP_SETTINGS: ReadonlyArray<{ name: string; path: readonly string[]; kind: Kind }> = [
  { name: 'APPGW_TARGETS', path: ['targets'], kind: 'list' },
  // A tag value may hold a comma: then the setting is a JSON array.
  { name: 'APPGW_DISCOVERY_TAGS', path: ['discovery', 'tags'], kind: 'list-or-json' },
  { name: 'APPGW_DISCOVERY_NAMES', path: ['discovery', 'names'], kind: 'list' },
  { name: 'APPGW_DISCOVERY_LOCATIONS', path: ['discovery', 'locations'], kind: 'list' },
  { name: 'APPGW_ARM_ENDPOINT', path: ['arm', 'endpoint'], kind: 'string' },
  { name: 'APPGW_ARM_CA_CERT_FILE', path: ['arm', 'caCertFile'], kind: 'string' },
  { name: 'APPGW_ARM_CREDENTIAL', path: ['arm', 'credential'], kind: 'string' },
  { name: 'APPGW_ARM_MAX_RETRIES', path: ['arm', 'maxRetries'], kind: 'int' },
  { name: 'APPGW_ARM_POLL_INTERVAL_MS', path: ['arm', 'pollIntervalInMs'], kind: 'int' },
  { name: 'APPGW_UNHEALTHY_STATES', path: ['unhealthyStates'], kind: 'list' },
  { name: 'APPGW_CONCURRENCY', path: ['concurrency'], kind: 'int-or-auto' },
  { name: 'APPGW_GATEWAY_TIMEOUT_MS', path: ['gatewayTimeoutInMs'], kind: 'int' },
  // `run` only (RUN_ONLY_SETTINGS): the Functions app refuses it.
  { name: 'APPGW_RUN_DEADLINE_MS', path: ['runDeadlineInMs'], kind: 'int' },
  { name: 'APPGW_ARTICLE', path: ['article'], kind: 'string' },
  { name: 'APPGW_SINKS_DIR', path: ['sinks', 'dir'], kind: 'string' },
  { name: 'APPGW_WEBHOOKS', path: ['sinks', 'webhooks'], kind: 'json' },
  { name: 'APPGW_NOTIFY_FOR', path: ['notify', 'for'], kind: 'int' },
  { name: 'APPGW_NOTIFY_RECOVER_AFTER', path: ['notify', 'recoverAfter'], kind: 'int' },
  { name: 'APPGW_NOTIFY_REPEAT_INTERVAL', path: ['notify', 'repeatInterval'], kind: 'string' },
  { name: 'APPGW_NOTIFY_OUTBOX_LIMIT', path: ['notify', 'outboxLimit'], kind: 'int' },
  { name: 'APPGW_NOTIFY_SILENCES', path: ['notify', 'silences'], kind: 'json' },
  { name: 'APPGW_NOTIFY_GROUPING', path: ['notify', 'grouping'], kind: 'string' },
  { name: 'APPGW_NOTIFY_GROUP_WAIT', path: ['notify', 'groupWait'], kind: 'string' },
  { name: 'APPGW_NOTIFY_GROUP_INTERVAL', path: ['notify', 'groupInterval'], kind: 'string' },
  // `true` or `false` (any case: the portal and `az functionapp config appsettings` write `True` too).
  { name: 'APPGW_NOTIFY_INHIBIT', path: ['notify', 'inhibit'], kind: 'boolean' },
  { name: 'APPGW_STATE_DIR', path: ['state', 'dir'], kind: 'string' },
  { name: 'APPGW_STATUS_RETENTION', path: ['statusPage', 'retention'], kind: 'string' },
  { name: 'APPGW_STATUS_CONTAINER', path: ['statusPage', 'container'], kind: 'string' },
];

/**
 * Storage settings read beside the table: the blob sink and the blob state store use the connection
 * named by APPGW_STORAGE_CONNECTION (default AzureWebJobsStorage), read the Functions way
 * (`<name>` connection string, or `<name>__blobServiceUri` / `__accountName` + identity).
 */
export const STORAGE_SETTINGS = [
  'APPGW_STORAGE_CONNECTION',
  'APPGW_BLOB_CONTAINER',
  'APPGW_BLOB_PREFIX',
  'APPGW_STATE_CONTAINER',
] as const;

/** Read only by the Functions app (the CLI has no timer and no queue): `run` leaves them alone. */
export const FUNCTIONS_ONLY_SETTINGS = [
  'APPGW_SCHEDULE',
  'APPGW_QUEUE_NAME',
  'APPGW_ALERT_DEDUP_WINDOW',
] as const;

/** Read only by `run` (the Functions app has no run to stop): the Functions app refuses them. */
export const RUN_ONLY_SETTINGS = ['APPGW_RUN_DEADLINE_MS'] as const;

/** Every `APPGW_*` name this app reads, for telling a typo from a setting. */
export const KNOWN_SETTINGS: readonly string[] = [
  ...APP_SETTINGS.map((s) => s.name),
  ...STORAGE_SETTINGS,
  ...FUNCTIONS_ONLY_SETTINGS,
];

/** Who reads the settings: the Functions app, or `run` from the environment (containers, CI jobs). */
export type SettingsReader = 'functions' | 'run';

/** How the settings are read. */
export interface AppSettingsOptions {
  readonly reader?: SettingsReader;
  /** Relative paths are relative to it (default: the working folder). */
  readonly base?: string;
  /** The CLI verb that reads them (`run`, `recheck`), named in the "not set" hint. */
  readonly verb?: string;
  /** `run --out DIR` (absolute): replaces `sinks.dir` (APPGW_SINKS_DIR) before anything is checked. */
  readonly sinksDir?: string;
}

/**
 * App settings (Functions) or the environment (`run` without `--config`) → the one Config, every
 * problem in one ConfigError: names that are no setting (with the nearest known one), values that do
 * not convert, the storage connection, then everything configProblems finds (schema, CA file, article,
 * webhook receivers). Relative paths are relative to `base` (the working folder).
 */
export function configFromAppSettings(env: Env, options: AppSettingsOptions = {}): Config {
  const issues = appSettingsProblems(env, options);
  if (issues.problems.length) throw new ConfigError(issues.problems, settingsSource(options.reader));
  const config = parseConfig(issues.raw, settingsSource(options.reader));
  return options.reader === 'run' ? resolvePaths(config, options.base ?? process.cwd()) : config;
}

/** What configFromAppSettings reads (`raw`, in the JSON file's shape) and every problem, by setting name. */
export function appSettingsProblems(
  env: Env,
  options: AppSettingsOptions = {},
): { raw: Record<string, unknown>; problems: string[] } {
  const reader = options.reader ?? 'functions';
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const setting of APP_SETTINGS) {
    // trim() also drops a byte-order mark, which a value pasted from a file saved on Windows may carry.
    const value = env[setting.name]?.trim();
    if (!value) continue;
    if (reader === 'functions' && (RUN_ONLY_SETTINGS as readonly string[]).includes(setting.name)) {
      problems.push(
        `${setting.name}: only \`run\` reads it (the Functions app has no run to stop); remove it`,
      );
      continue;
    }
    const converted = convert(value, setting.kind);
    if ('problem' in converted) problems.push(`${setting.name}: ${converted.problem}`);
    else setAt(raw, setting.path, converted.value);
  }
  if (!env['APPGW_TARGETS']?.trim()) {
    problems.push(
      `APPGW_TARGETS: not set: list the management groups, subscriptions, resource groups or gateways to watch (ARM ids, comma-separated)${
        reader === 'run' ? `; or give \`${options.verb ?? 'run'} --config FILE\`` : ''
      }`,
    );
  }
  addStorage(raw, env, problems);
  if (reader === 'run') problems.push(...functionsOnlyProblems(env));
  problems.push(...unknownSettings(env, raw));
  // `run --out DIR`: APPGW_SINKS_DIR (or its default) is not used, so it is not checked either.
  if (options.sinksDir !== undefined) setAt(raw, ['sinks', 'dir'], options.sinksDir);
  const checked = configProblems(raw, { base: options.base ?? process.cwd(), env });
  // A setting that did not convert is not there for the schema to miss: say it once.
  const unset = new Set(problems.map(settingOf));
  problems.push(...checked.map(toSettingName).filter((p) => !unset.has(settingOf(p))));
  return { raw, problems };
}

/**
 * The Functions app's own settings, checked when `run` reads the environment too: `run` does not use
 * them, but the same settings go to the Functions app, which refuses them at start-up; a CI job that
 * runs `run` on the app's settings should fail on them there, not pass.
 */
function functionsOnlyProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const read of [readSchedule, readQueueName, readAlertDedupWindow]) {
    try {
      read(env);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems.push(
        ...error.issues.map((p) => `${p} (only the Functions app reads it, and would refuse it)`),
      );
    }
  }
  return problems;
}

function settingsSource(reader: SettingsReader | undefined): string {
  return reader === 'run' ? 'settings (APPGW_* environment variables)' : 'app settings';
}

/**
 * `APPGW_*` names that are no setting (a typo would otherwise be a default silently used), each with
 * the nearest known name. Names the configuration itself points at are settings too: the storage
 * connection's (`APPGW_STORAGE_CONNECTION=APPGW_STORAGE`, then `APPGW_STORAGE__accountName`) and every
 * `{ "fromEnv": … }` (a webhook URL in `APPGW_OPS_HOOK`). Case is ignored, as on Windows plans.
 */
function unknownSettings(env: Env, raw: Record<string, unknown>): string[] {
  const connection = env['APPGW_STORAGE_CONNECTION']?.trim() || 'AzureWebJobsStorage';
  const referenced = new Set(fromEnvNames(raw).map((n) => n.toUpperCase()));
  const known = new Set([...KNOWN_SETTINGS, ...RUN_ONLY_SETTINGS].map((n) => n.toUpperCase()));
  return Object.keys(env)
    .filter((name) => /^APPGW_/i.test(name))
    .filter((name) => {
      const upper = name.toUpperCase();
      const isConnection =
        upper === connection.toUpperCase() || upper.startsWith(`${connection.toUpperCase()}__`);
      return !known.has(upper) && !referenced.has(upper) && !isConnection;
    })
    .sort()
    .map((name) => {
      const near = nearestName(name, [...KNOWN_SETTINGS, ...RUN_ONLY_SETTINGS]);
      return `${name}: not a setting of this app${near ? `; did you mean ${near}?` : ''} (README "Configuration" lists them)`;
    });
}

/**
 * `run --config FILE`: the `APPGW_*` variables of the environment that are set (not empty) and not
 * applied, because FILE is the whole configuration; a name FILE itself reads (`{ "fromEnv": NAME }`, a
 * webhook URL in `APPGW_OPS_HOOK`) is applied and left out. Names only, sorted: their values may be
 * secrets (webhook URLs, storage keys). The CLI warns with them (src/cli/verbs/run.ts); the Functions
 * app, which has no file, reads them all.
 */
export function settingsNotApplied(env: Env, config: unknown): string[] {
  const referenced = new Set(fromEnvNames(config));
  return Object.keys(env)
    .filter((name) => /^APPGW_/i.test(name) && Boolean(env[name]?.trim()) && !referenced.has(name))
    .sort();
}

/** Every `{ "fromEnv": NAME }` in the configuration. */
function fromEnvNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(fromEnvNames);
  if (typeof value !== 'object' || value === null) return [];
  const ref = (value as Record<string, unknown>)['fromEnv'];
  return [
    ...(typeof ref === 'string' ? [ref] : []),
    ...Object.values(value as Record<string, unknown>).flatMap(fromEnvNames),
  ];
}

function addStorage(raw: Record<string, unknown>, env: Env, issues: string[]): void {
  const name = env['APPGW_STORAGE_CONNECTION']?.trim() || 'AzureWebJobsStorage';
  const container = env['APPGW_BLOB_CONTAINER']?.trim();
  const stateContainer = env['APPGW_STATE_CONTAINER']?.trim();
  const hasConnection = [name, `${name}__blobServiceUri`, `${name}__accountName`].some((k) => env[k]?.trim());
  // State lives in blob storage whenever the app has a storage connection and no state folder is set:
  // a Function App's local disk does not survive a restart or scale-out.
  const wantsBlobState = !env['APPGW_STATE_DIR']?.trim() && (Boolean(stateContainer) || hasConnection);
  if (!container && !wantsBlobState) return;
  let connection: BlobConnectionOptions;
  try {
    connection = blobConnectionFromAppSettings(name, env);
  } catch (error) {
    if (isConfigError(error)) issues.push(...error.issues);
    else throw error;
    return;
  }
  const shape = connectionShape(connection);
  if (container)
    setAt(raw, ['sinks', 'blob'], {
      ...shape,
      container,
      ...(env['APPGW_BLOB_PREFIX']?.trim() ? { prefix: env['APPGW_BLOB_PREFIX']?.trim() } : {}),
    });
  if (wantsBlobState)
    setAt(raw, ['state', 'blob'], { ...shape, ...(stateContainer ? { container: stateContainer } : {}) });
}

function connectionShape(connection: BlobConnectionOptions): Record<string, unknown> {
  if ('connectionString' in connection) return { connectionString: connection.connectionString };
  const identity = {
    ...(connection.clientId ? { clientId: connection.clientId } : {}),
    ...(connection.credential ? { credential: connection.credential } : {}),
  };
  return 'accountName' in connection
    ? { accountName: connection.accountName, ...identity }
    : { blobServiceUri: connection.blobServiceUri, ...identity };
}

/**
 * A setting's text → the value the JSON file would hold, so both are then read by one schema: numbers
 * by JSON's own grammar (`1e3`, as in a file; not `0x10` or `1,000`), lists split on commas, semicolons
 * or line breaks, or written as a JSON array (a value that holds a comma: `["cost-center=a,b"]`).
 */
function convert(value: string, kind: Kind): { value: unknown } | { problem: string } {
  if (kind === 'list' || kind === 'list-or-json') {
    if (!value.startsWith('[')) {
      return {
        value: value
          .split(/[,;\n]/)
          .map((s) => s.trim())
          .filter(Boolean),
      };
    }
    const parsed = convert(value, 'json');
    if (
      'value' in parsed &&
      !(Array.isArray(parsed.value) && parsed.value.every((v) => typeof v === 'string'))
    )
      return { problem: 'a JSON array here must hold strings only' };
    return parsed;
  }
  if (kind === 'int-or-auto') {
    if (value.toLowerCase() === 'auto') return { value: 'auto' };
    return JSON_NUMBER.test(value)
      ? { value: Number(value) }
      : { problem: `"${value}" is neither "auto" nor a whole number` };
  }
  if (kind === 'int')
    return JSON_NUMBER.test(value)
      ? { value: Number(value) }
      : { problem: `"${value}" is not a whole number` };
  if (kind === 'boolean') {
    // Issue 15's trial: `yes` was said to be "not valid JSON: Unexpected character".
    const word = value.trim().toLowerCase();
    return word === 'true' || word === 'false'
      ? { value: word === 'true' }
      : { problem: `"${value}" must be true or false` };
  }
  if (kind === 'json') {
    // The value may hold secrets (webhook URLs): the problem never quotes it.
    const parsed = parseJsonText(value);
    return parsed.ok ? { value: parsed.value } : { problem: parsed.problem.replace(/^is /, '') };
  }
  return { value };
}

/** The setting a problem line names: its first word (`APPGW_WEBHOOKS` of `APPGW_WEBHOOKS[0].url: …`). */
function settingOf(line: string): string {
  return /^[A-Za-z0-9_]+/.exec(line)?.[0] ?? line;
}

/** A number as JSON writes it (RFC 8259 section 6). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function setAt(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.slice(0, -1).forEach((key) => (node = (node[key] ??= {}) as Record<string, unknown>));
  node[keys[keys.length - 1] as string] = value;
}

/**
 * A configuration problem (`notify.silences[0].endsAt: …`) said by the setting that holds the value
 * (`APPGW_NOTIFY_SILENCES[0].endsAt: …`), the path inside the setting's JSON after its name: every line
 * of the settings' error list is `where: problem`, as the config file's are (issue 15). A key no
 * setting holds (`state`, read from several) is left as it is.
 */
function toSettingName(issue: string): string {
  // The longest path first: `sinks.webhooks` before `sinks`.
  const settings = [...APP_SETTINGS].sort((a, b) => b.path.length - a.path.length);
  for (const setting of settings) {
    const key = setting.path.join('.');
    if (!issue.startsWith(key)) continue;
    const rest = issue.slice(key.length);
    if (/^[:[.\s]/.test(rest)) return `${setting.name}${rest}`;
  }
  return issue;
}
