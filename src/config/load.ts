import { receiverConfigName } from '../core/notice/receiver-name';
import path from 'node:path';
import { ConfigError, isConfigError } from '../errors';
import { formatIssues } from '../core/input/format-issues';
import { readJsonFile } from '../adapters/files/json-file';
import { resolveWebhookConfig } from '../adapters/webhooks/resolve-config';
import { asObject, configProblems, folderProblems, withSinksDir } from './check';
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
 * also the webhook receivers and storage connections as they will be resolved from it. `sinksDir`
 * (`run --out DIR`, absolute) replaces the file's `sinks.dir` before anything is checked.
 */
export async function loadConfigFile(file: string, env?: Env, sinksDir?: string): Promise<Config> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new ConfigError([read.problem], `config file ${file}`);
  const base = path.dirname(path.resolve(file));
  const raw = withSinksDir(read.value, sinksDir);
  const problems = configProblems(raw, { base, ...(env ? { env } : {}) });
  if (problems.length) throw new ConfigError(problems, `config file ${file}`);
  return resolvePaths(parseConfig(raw, `config file ${file}`), base);
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
  receiver?: ReceiverToCheck,
): Promise<Pick<Config, K>> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new ConfigError([read.problem], `config file ${file}`);
  const shape = configSchema._zod.def.shape;
  const schema = z.looseObject(Object.fromEntries(parts.map((part) => [part, shape[part]])));
  const result = schema.safeParse(read.value);
  // The receiver a verb will send to is checked as the adapter takes it (URL and secret policy,
  // `fromEnv`), and the state folder as a run would write it (not `sinks.dir`: `notify test` reads
  // `sinks` for its receivers and writes no insight), in the same round as the schema, so one run of
  // the verb names every problem.
  const entries = receiver ? receiverEntriesProblems(read.value, receiver) : undefined;
  const own = entries?.own;
  const problems = [
    ...(result.success ? [] : formatIssues(result.error)).filter(
      (line) => !(own && line.startsWith(own.path)),
    ),
    ...(own?.problems ?? []),
    ...((parts as readonly ConfigPart[]).includes('state') ? stateFolderProblems(read.value, file) : []),
  ];
  if (!result.success || problems.length) throw new ConfigError(problems, `config file ${file}`);
  if (entries?.others.length) receiver?.otherReceiversProblems?.(entries.others);
  const config = result.data as unknown as Pick<Config, K>;
  const base = path.dirname(path.resolve(file));
  const state = (config as Partial<Config>).state;
  const sinks = (config as Partial<Config>).sinks;
  return {
    ...config,
    ...(state ? { state: dirAt(state, base) } : {}),
    ...(sinks ? { sinks: dirAt(sinks, base) } : {}),
  };
}

/** The receiver a verb will send to (`notify test --receiver`), and the environment its `fromEnv` names are read from. */
export interface ReceiverToCheck {
  /** `ops` or `webhook[ops]`. */
  readonly name: string;
  readonly env: Env;
  /**
   * Told the problems of the config's other receivers (in `env`), when there are any: they are no
   * reason for this verb to fail, but `run` refuses the file for them (a new-user trial: `notify test`
   * of a good receiver passed a file whose other receiver had a plain http:// URL; the next run exited 2).
   */
  readonly otherReceiversProblems?: (problems: readonly string[]) => void;
}

/**
 * The receivers' entries as the webhook adapter takes them (URL and secret policy, `fromEnv` read from
 * `receiver.env`): the named receiver's problems and path (`sinks.webhooks[2]`; `own` undefined when the
 * config has no such entry: the verb says so itself), and every other entry's problems (`others`).
 * Another receiver's problem is no reason for this verb to fail: only `own` is.
 */
function receiverEntriesProblems(
  raw: unknown,
  receiver: ReceiverToCheck,
): {
  readonly own: { readonly path: string; readonly problems: readonly string[] } | undefined;
  readonly others: readonly string[];
} {
  const webhooks = asObject(asObject(raw)?.['sinks'])?.['webhooks'];
  if (!Array.isArray(webhooks)) return { own: undefined, others: [] };
  const wanted = receiverConfigName(receiver.name);
  let own: { readonly path: string; readonly problems: readonly string[] } | undefined;
  const others: string[] = [];
  webhooks.forEach((entry, index) => {
    const path = `sinks.webhooks[${index}]`;
    let problems: readonly string[] = [];
    try {
      resolveWebhookConfig(entry, receiver.env, path);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems = error.issues;
    }
    const name = asObject(entry)?.['name'];
    if (own === undefined && name === wanted) own = { path, problems };
    // Named, not only placed: a trial counted entries in the file to find `sinks.webhooks[3]`.
    else
      others.push(
        ...problems.map((line) =>
          typeof name === 'string' ? `receiver ${JSON.stringify(name.slice(0, 64))}: ${line}` : line,
        ),
      );
  });
  return { own, others };
}

/** `state.dir` (or its default) of a raw config file: a folder, or none yet (check.ts folderProblems). */
function stateFolderProblems(raw: unknown, file: string): string[] {
  return folderProblems(asObject(raw) ?? {}, path.dirname(path.resolve(file)), ['state']);
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
  const read = await readJsonFile(file);
  if (!read.ok) throw new ConfigError([read.problem], `config file ${file}`);
  const schema = z.looseObject({
    state: configSchema._zod.def.shape.state,
    notify: z._default(z.looseObject({ silences: z._default(silencesSchema, []) }), () => ({ silences: [] })),
  });
  const result = schema.safeParse(read.value);
  const problems = [
    ...(result.success ? [] : formatIssues(result.error)),
    ...stateFolderProblems(read.value, file),
  ];
  if (!result.success || problems.length) throw new ConfigError(problems, `config file ${file}`);
  return {
    state: dirAt(result.data.state as Config['state'], path.dirname(path.resolve(file))),
    silences: result.data.notify.silences as Config['notify']['silences'],
  };
}

/** The config's relative paths (CA file, article, folders) made absolute against `base`. */
export function resolvePaths(config: Config, base: string): Config {
  const at = (p: string) => path.resolve(base, p);
  return {
    ...config,
    arm: { ...config.arm, ...(config.arm.caCertFile ? { caCertFile: at(config.arm.caCertFile) } : {}) },
    ...(config.article ? { article: at(config.article) } : {}),
    sinks: dirAt(config.sinks, base),
    state: dirAt(config.state, base),
  };
}

/** `part` (`sinks` or `state`) with its `dir`, when it has one, made absolute against `base`. */
function dirAt<T extends { readonly dir?: string | undefined }>(part: T, base: string): T {
  return { ...part, ...(part.dir ? { dir: path.resolve(base, part.dir) } : {}) };
}
