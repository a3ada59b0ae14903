import path from 'node:path';
import { ConfigError } from '../errors';
import { formatIssues } from '../core/input/format-issues';
import { readJsonFile } from '../adapters/files/json-file';
import { configProblems } from './check';
import { configSchema, type Config } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/** Validates a config object against the schema alone; every problem is listed at once. */
export function parseConfig(raw: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(result.error), source);
  return result.data;
}

/**
 * Reads a JSON config file. Relative paths inside it are relative to the file, as in tsconfig. Every
 * problem is reported in one ConfigError (src/config/check.ts): with `env` (a run that will use them),
 * also the webhook receivers and storage connections as they will be resolved from it.
 */
export async function loadConfigFile(file: string, env?: Env): Promise<Config> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new ConfigError([read.problem], `config file ${file}`);
  const base = path.dirname(path.resolve(file));
  const problems = configProblems(read.value, { base, ...(env ? { env } : {}) });
  if (problems.length) throw new ConfigError(problems, `config file ${file}`);
  return resolvePaths(parseConfig(read.value, `config file ${file}`), base);
}

/** The config's relative paths (CA file, article, folders) made absolute against `base`. */
export function resolvePaths(config: Config, base: string): Config {
  const at = (p: string) => path.resolve(base, p);
  return {
    ...config,
    arm: { ...config.arm, ...(config.arm.caCertFile ? { caCertFile: at(config.arm.caCertFile) } : {}) },
    ...(config.article ? { article: at(config.article) } : {}),
    sinks: { ...config.sinks, ...(config.sinks.dir ? { dir: at(config.sinks.dir) } : {}) },
    state: { ...config.state, ...(config.state.dir ? { dir: at(config.state.dir) } : {}) },
  };
}
