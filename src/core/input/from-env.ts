import * as z from './zod';

/**
 * `{ "fromEnv": "NAME" }`: a secret (a webhook URL or secret, a storage connection string) named by the
 * environment variable / app setting that holds it, so it stays out of config files. The one rule for
 * how such a reference is written and resolved, wherever the config allows one.
 */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const fromEnvSchema = z.strictObject({
  fromEnv: z.string().check(z.regex(ENV_NAME, 'must be an environment variable name (letters, digits, _)')),
});

export type FromEnv = z.infer<typeof fromEnvSchema>;

/**
 * The value `ref` names in `env`, trimmed; a variable that is missing or blank is a problem naming the
 * variable, never a value.
 */
export function resolveFromEnv(
  ref: FromEnv,
  env: Readonly<Record<string, string | undefined>>,
): { readonly value: string } | { readonly problem: string } {
  const value = env[ref.fromEnv]?.trim();
  return value
    ? { value }
    : { problem: `environment variable / app setting "${ref.fromEnv}" is not set (or empty)` };
}
