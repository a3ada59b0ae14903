import path from 'node:path';
import { ConfigError } from '../errors';
import { caCertFileProblem } from './ca-cert-file';
import { formatIssues } from '../core/input/format-issues';
import { readJsonFile } from '../adapters/files/json-file';
import { configSchema, type Config } from './schema';

/** Validates a config object; every problem is listed at once. */
export function parseConfig(raw: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(result.error), source);
  return result.data;
}

/** Reads a JSON config file. Relative paths inside it are relative to the file, as in tsconfig. */
export async function loadConfigFile(file: string): Promise<Config> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new ConfigError([read.problem], `config file ${file}`);
  const config = resolvePaths(
    parseConfig(read.value, `config file ${file}`),
    path.dirname(path.resolve(file)),
  );
  const ca = config.arm.caCertFile;
  const problem = ca === undefined ? undefined : caCertFileProblem(ca);
  if (problem) throw new ConfigError([`arm.caCertFile: ${ca}: ${problem}`], `config file ${file}`);
  return config;
}

function resolvePaths(config: Config, base: string): Config {
  const at = (p: string) => path.resolve(base, p);
  return {
    ...config,
    arm: { ...config.arm, ...(config.arm.caCertFile ? { caCertFile: at(config.arm.caCertFile) } : {}) },
    ...(config.article ? { article: at(config.article) } : {}),
    sinks: { ...config.sinks, ...(config.sinks.dir ? { dir: at(config.sinks.dir) } : {}) },
    state: { ...config.state, ...(config.state.dir ? { dir: at(config.state.dir) } : {}) },
  };
}
