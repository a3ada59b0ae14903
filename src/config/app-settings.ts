import { ConfigError } from '../errors';
import { parseConfig } from './load';
import type { Config } from './schema';

/**
 * App settings (Functions) / environment → the same schema as the JSON file. One table maps each
 * setting to its key, so README, local.settings.json.example and this stay in step.
 */
type Kind = 'string' | 'list' | 'int';
export const APP_SETTINGS: ReadonlyArray<{ name: string; path: readonly string[]; kind: Kind }> = [
  { name: 'APPGW_TARGETS', path: ['targets'], kind: 'list' },
  { name: 'APPGW_ARM_ENDPOINT', path: ['arm', 'endpoint'], kind: 'string' },
  { name: 'APPGW_ARM_CA_CERT_FILE', path: ['arm', 'caCertFile'], kind: 'string' },
  { name: 'APPGW_ARM_CREDENTIAL', path: ['arm', 'credential'], kind: 'string' },
  { name: 'APPGW_ARM_MAX_RETRIES', path: ['arm', 'maxRetries'], kind: 'int' },
  { name: 'APPGW_ARM_POLL_INTERVAL_MS', path: ['arm', 'pollIntervalInMs'], kind: 'int' },
  { name: 'APPGW_UNHEALTHY_STATES', path: ['unhealthyStates'], kind: 'list' },
  { name: 'APPGW_CONCURRENCY', path: ['concurrency'], kind: 'int' },
  { name: 'APPGW_GATEWAY_TIMEOUT_MS', path: ['gatewayTimeoutInMs'], kind: 'int' },
  { name: 'APPGW_ARTICLE', path: ['article'], kind: 'string' },
  { name: 'APPGW_SINKS_DIR', path: ['sinks', 'dir'], kind: 'string' },
];

export function configFromAppSettings(env: Readonly<Record<string, string | undefined>>): Config {
  const raw: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const setting of APP_SETTINGS) {
    const value = env[setting.name]?.trim();
    if (!value) continue;
    const converted = convert(value, setting.kind);
    if (converted === undefined) {
      issues.push(`${setting.name}: "${value}" is not a whole number`);
      continue;
    }
    setAt(raw, setting.path, converted);
  }
  if (issues.length) throw new ConfigError(issues, 'app settings');
  try {
    return parseConfig(raw, 'app settings');
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.issues.map(toSettingName), 'app settings');
    throw error;
  }
}

function convert(value: string, kind: Kind): unknown {
  if (kind === 'list')
    return value
      .split(/[,;\n]/)
      .map((s) => s.trim())
      .filter(Boolean);
  if (kind === 'int') return /^-?\d+$/.test(value) ? Number(value) : undefined;
  return value;
}

function setAt(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let node = target;
  keys.slice(0, -1).forEach((key) => (node = (node[key] ??= {}) as Record<string, unknown>));
  node[keys[keys.length - 1] as string] = value;
}

/** "arm.endpoint: ..." → "APPGW_ARM_ENDPOINT (arm.endpoint): ..." so the user knows which setting to fix. */
function toSettingName(issue: string): string {
  const setting = APP_SETTINGS.find(
    (s) => issue.startsWith(`${s.path.join('.')}:`) || issue.startsWith(`${s.path.join('.')}[`),
  );
  return setting ? `${setting.name} (${issue})` : issue;
}
