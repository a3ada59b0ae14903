import { statSync } from 'node:fs';
import path from 'node:path';
import { blobConnectionProblems } from '../adapters/storage/blob-client';
import { nameReceiverInLine, resolveWebhookConfigs } from '../adapters/webhooks/resolve-config';
import { formatIssues } from '../core/input/format-issues';
import { fromEnvSchema, resolveFromEnv } from '../core/input/from-env';
import { isConfigError } from '../errors';
import { caCertFileProblem } from './ca-cert-file';
import { folderProblem } from './folder-problem';
import { configSchema, DEFAULT_DIRS } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every problem with a configuration as written (the JSON file's shape; app settings are turned into
 * it first), found at once: the schema's, then what the schema cannot see, each on the raw value so one
 * problem never hides another: the CA file and the article exist and can be read (relative to `base`),
 * and, when `env` is given (a run will use them), each webhook receiver and storage connection as the
 * adapters will take it: `{ "fromEnv" }` names resolved, webhook URLs and secrets by their policy,
 * connection strings by the one parser. Lines are `key.path: problem`, never quoting a secret.
 */
export function configProblems(
  raw: unknown,
  options: { readonly base: string; readonly env?: Env },
): string[] {
  const root = asObject(raw) ?? {};
  const webhooks = asObject(root['sinks'])?.['webhooks'];
  // The webhook adapter reports its entries (the schema's problems with them and the rest) itself.
  const receiversChecked = options.env !== undefined && Array.isArray(webhooks);
  const parsed = configSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : formatIssues(parsed.error)
        .filter((line) => !(receiversChecked && line.startsWith('sinks.webhooks')))
        .map((line) => nameReceiverInLine(line, webhooks));
  if (receiversChecked) problems.push(...receiverProblems(webhooks, options.env as Env));

  const ca = asObject(root['arm'])?.['caCertFile'];
  if (typeof ca === 'string' && ca.trim()) {
    const file = path.resolve(options.base, ca);
    const problem = caCertFileProblem(file);
    if (problem) problems.push(`arm.caCertFile: ${file}: ${problem}`);
  }
  const article = root['article'];
  if (typeof article === 'string' && article.trim()) {
    const problem = readableFileProblem(path.resolve(options.base, article));
    if (problem) problems.push(`article: ${problem}`);
  }
  problems.push(...folderProblems(root, options.base));
  if (options.env) {
    for (const key of ['sinks.blob', 'state.blob'] as const) {
      const [parent, child] = key.split('.') as [string, string];
      const connection = asObject(asObject(root[parent])?.[child]);
      if (connection) problems.push(...connectionStringProblems(connection, key, options.env));
    }
  }
  return problems;
}

/**
 * `sinks.dir` and `state.dir` (given, or their defaults when no `blob` is), relative to `base`: each
 * must be a folder or not exist yet (folder-problem.ts). Exported for the verbs that read one part of
 * the configuration (load.ts).
 */
export function folderProblems(
  root: Record<string, unknown>,
  base: string,
  keys: ReadonlyArray<'sinks' | 'state'> = ['sinks', 'state'],
): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    const part = asObject(root[key]) ?? (key in root ? undefined : {});
    if (!part) continue; // of the wrong shape: the schema said so
    const given = part['dir'];
    const dir =
      typeof given === 'string' ? given : part['blob'] === undefined ? DEFAULT_DIRS[key] : undefined;
    if (!dir?.trim()) continue;
    const problem = folderProblem(path.resolve(base, dir));
    // A default is named as one: the user never wrote that folder.
    const unset = typeof given === 'string' ? '' : `not set, so its default "${dir}" is used, and `;
    if (problem) problems.push(`${key}.dir: ${unset}${problem}`);
  }
  return problems;
}

function receiverProblems(webhooks: unknown[], env: Env): string[] {
  try {
    resolveWebhookConfigs(webhooks, env);
    return [];
  } catch (error) {
    if (isConfigError(error)) return [...error.issues];
    throw error;
  }
}

/** A connection string given inline or `{ "fromEnv" }`: set, and one the storage parser reads. */
function connectionStringProblems(connection: Record<string, unknown>, key: string, env: Env): string[] {
  const given = connection['connectionString'];
  const where = `${key}.connectionString`;
  let value: string;
  let setting = where;
  if (typeof given === 'string') value = given;
  else if (fromEnvSchema.safeParse(given).success) {
    const ref = fromEnvSchema.parse(given);
    const resolved = resolveFromEnv(ref, env);
    if ('problem' in resolved) return [`${where}: ${resolved.problem}`];
    value = resolved.value;
    setting = `${where} (from "${ref.fromEnv}")`;
  } else return []; // absent, or of the wrong shape: the schema said so
  if (!value.trim()) return []; // the schema's minLength said so
  return blobConnectionProblems({ connectionString: value, setting });
}

/** Why `file` cannot be read as a file, or undefined. */
function readableFileProblem(file: string): string | undefined {
  try {
    return statSync(file).isFile() ? undefined : `${file} is not a file`;
  } catch (error) {
    return `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}

/**
 * `raw` with `sinks.dir` replaced by `dir` (`run --out DIR`, absolute), before it is checked: the
 * folder the configuration names is not used then, so it is neither checked nor a reason to refuse
 * the run. `raw` unchanged without `dir`, or when its `sinks` is of the wrong shape (the schema says so).
 */
export function withSinksDir(raw: unknown, dir: string | undefined): unknown {
  const root = asObject(raw);
  if (dir === undefined || !root) return raw;
  if (root['sinks'] !== undefined && !asObject(root['sinks'])) return raw;
  return { ...root, sinks: { ...asObject(root['sinks']), dir } };
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
