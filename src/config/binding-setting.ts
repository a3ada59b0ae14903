import { ConfigError } from '../errors';

/**
 * A setting the Functions app binds by name (`%APPGW_SCHEDULE%`, `%APPGW_QUEUE_NAME%` in functions/):
 * the host substitutes the value as written, with no trimming, whenever it is set and not empty. So the
 * check must refuse what the host would get: a value of spaces only (the CLI trimmed it and took the
 * default, the host took "   "), or spaces, tabs or a byte-order mark around the value.
 *
 * @returns the value as written, or `defaultValue` when unset or empty.
 * @throws ConfigError (app settings) naming the setting, for a value the host would take otherwise.
 */
export function boundSetting(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  defaultValue: string,
): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return defaultValue;
  const trimmed = raw.trim();
  if (!trimmed)
    throw new ConfigError(
      [
        `${name}: is only white space, which the Functions host would use as written (not the default): remove the setting to use "${defaultValue}", or give a value`,
      ],
      'app settings',
    );
  if (trimmed !== raw)
    throw new ConfigError(
      [
        `${name}: has white space (or a byte-order mark) around "${trimmed}", which the Functions host would keep: remove it`,
      ],
      'app settings',
    );
  return raw;
}
