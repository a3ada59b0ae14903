import * as z from './zod';

/**
 * `{ "fromEnv": "NAME" }`: a value (a webhook URL or secret, a storage connection string) given as the
 * name of the environment variable / app setting that holds it, so the secret stays out of files. The
 * config schema (storage) and the webhook formats both accept it; each resolves it where it is used.
 */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const fromEnvSchema = z.strictObject({
  fromEnv: z.string().check(z.regex(ENV_NAME, 'must be an environment variable name (letters, digits, _)')),
});

export type FromEnv = z.infer<typeof fromEnvSchema>;
