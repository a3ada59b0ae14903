import path from 'node:path';
import { ConfigError } from '../errors';
import { formatIssues } from '../core/input/format-issues';
import { readJsonFile } from '../adapters/files/json-file';
import { configProblems } from './check';
import * as z from '../core/input/zod';
import { configSchema, type Config } from './schema';
import { silencesSchema } from '../core/notice/silence-schema';

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

/** The top-level keys a verb may read alone (loadConfigPart). */
export type ConfigPart = 'state' | 'notify' | 'sinks';

/**
 * Only the keys `parts` of a JSON config file, checked by the one schema's own fields for them (every
 * problem of those at once), relative folders resolved against the file. For the verbs that use only
 * where the state lives (`notify list|resend`; the `silence` verbs: loadSilencesConfig) or the receivers (`notify test`): a setting
 * they do not use (a missing `arm.caCertFile`, no `targets`) is no reason for them to fail (issue 16).
 */
export async function loadConfigPart<K extends ConfigPart>(
  file: string,
  parts: readonly K[],
): Promise<Pick<Config, K>> {
  const shape = configSchema._zod.def.shape;
  const { data, at } = await loadKeys(file, Object.fromEntries(parts.map((part) => [part, shape[part]])));
  const config = data as unknown as Pick<Config, K>;
  const state = (config as Partial<Config>).state;
  const sinks = (config as Partial<Config>).sinks;
  return {
    ...config,
    ...(state ? { state: { ...state, ...(state.dir ? { dir: at(state.dir) } : {}) } } : {}),
    ...(sinks ? { sinks: { ...sinks, ...(sinks.dir ? { dir: at(sinks.dir) } : {}) } } : {}),
  };
}

/** What the `silence` verbs read of a config: where the state lives, and `notify.silences`. */
export interface SilencesConfig {
  readonly state: Config['state'];
  readonly silences: Config['notify']['silences'];
}

/**
 * Only `state` and `notify.silences` of a JSON config file, checked by the one schema's own fields
 * for them (every problem of those at once), `state.dir` resolved against the file. For the `silence`
 * verbs, which use nothing else: another notify setting (`notify.groupWait: "forever"`), the targets,
 * the webhooks or `arm.caCertFile` is no reason for them to fail (README "Silences"; issue 16).
 */
export async function loadSilencesConfig(file: string): Promise<SilencesConfig> {
  const { data, at } = await loadKeys(file, {
    state: configSchema._zod.def.shape.state,
    notify: z._default(z.looseObject({ silences: z._default(silencesSchema, []) }), () => ({ silences: [] })),
  });
  const state = data.state as Config['state'];
  return {
    state: { ...state, ...(state.dir ? { dir: at(state.dir) } : {}) },
    silences: data.notify.silences as Config['notify']['silences'],
  };
}

/**
 * The keys of `shape` of JSON config `file`, each checked by its schema (every problem at once; other
 * keys passed over), and `at`, which resolves a path relative to the file. Throws ConfigError (the file
 * unreadable, not JSON, or a key's problems).
 */
async function loadKeys<S extends z.core.$ZodLooseShape>(
  file: string,
  shape: S,
): Promise<{ data: z.output<z.ZodMiniObject<S>>; at: (p: string) => string }> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new ConfigError([read.problem], `config file ${file}`);
  const result = z.looseObject(shape).safeParse(read.value);
  if (!result.success) throw new ConfigError(formatIssues(result.error), `config file ${file}`);
  return { data: result.data, at: (p) => path.resolve(path.dirname(path.resolve(file)), p) };
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
