import { blobConnectionFromAppSettings, type BlobConnectionOptions } from '../adapters/storage/blob-client';
import { ConfigError, isConfigError } from '../errors';
import { caCertFileProblem } from './ca-cert-file';
import { parseJsonText } from '../core/input/json-text';
import { parseConfig } from './load';
import type { Config } from './schema';

type Env = Readonly<Record<string, string | undefined>>;
type Kind = 'string' | 'list' | 'int' | 'int-or-auto' | 'json' | 'list-or-json';

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
  { name: 'APPGW_ARTICLE', path: ['article'], kind: 'string' },
  { name: 'APPGW_SINKS_DIR', path: ['sinks', 'dir'], kind: 'string' },
  { name: 'APPGW_WEBHOOKS', path: ['sinks', 'webhooks'], kind: 'json' },
  { name: 'APPGW_NOTIFY_FOR', path: ['notify', 'for'], kind: 'int' },
  { name: 'APPGW_NOTIFY_REPEAT_INTERVAL', path: ['notify', 'repeatInterval'], kind: 'string' },
  { name: 'APPGW_NOTIFY_OUTBOX_LIMIT', path: ['notify', 'outboxLimit'], kind: 'int' },
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

export function configFromAppSettings(env: Env): Config {
  const raw: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const setting of APP_SETTINGS) {
    // trim() also drops a byte-order mark, which a value pasted from a file saved on Windows may carry.
    const value = env[setting.name]?.trim();
    if (!value) continue;
    const converted = convert(value, setting.kind);
    if ('problem' in converted) issues.push(`${setting.name}: ${converted.problem}`);
    else setAt(raw, setting.path, converted.value);
  }
  addStorage(raw, env, issues);
  if (issues.length) throw new ConfigError(issues, 'app settings');
  let config: Config;
  try {
    config = parseConfig(raw, 'app settings');
  } catch (error) {
    if (isConfigError(error)) throw new ConfigError(error.issues.map(toSettingName), 'app settings');
    throw error;
  }
  const ca = config.arm.caCertFile;
  const problem = ca === undefined ? undefined : caCertFileProblem(ca);
  if (problem) throw new ConfigError([toSettingName(`arm.caCertFile: ${ca}: ${problem}`)], 'app settings');
  return config;
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

function convert(value: string, kind: Kind): { value: unknown } | { problem: string } {
  if (kind === 'list-or-json') return convert(value, value.startsWith('[') ? 'json' : 'list');
  if (kind === 'list')
    return {
      value: value
        .split(/[,;\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (kind === 'int-or-auto') {
    if (value.toLowerCase() === 'auto') return { value: 'auto' };
    return /^-?\d+$/.test(value)
      ? { value: Number(value) }
      : { problem: `"${value}" is neither "auto" nor a whole number` };
  }
  if (kind === 'int')
    return /^-?\d+$/.test(value) ? { value: Number(value) } : { problem: `"${value}" is not a whole number` };
  if (kind === 'json') {
    // The value may hold secrets (webhook URLs): the problem never quotes it.
    const parsed = parseJsonText(value);
    return parsed.ok ? { value: parsed.value } : { problem: parsed.problem.replace(/^is /, '') };
  }
  return { value };
}

function setAt(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.slice(0, -1).forEach((key) => (node = (node[key] ??= {}) as Record<string, unknown>));
  node[keys[keys.length - 1] as string] = value;
}

/** "arm.endpoint: ..." → "APPGW_ARM_ENDPOINT (arm.endpoint: ...)" so the user knows which setting to fix. */
function toSettingName(issue: string): string {
  const setting = APP_SETTINGS.find(
    (s) =>
      issue.startsWith(`${s.path.join('.')}:`) ||
      issue.startsWith(`${s.path.join('.')}[`) ||
      issue.startsWith(`${s.path.join('.')}.`),
  );
  return setting ? `${setting.name} (${issue})` : issue;
}
