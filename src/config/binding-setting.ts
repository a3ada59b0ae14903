/**
 * A setting the Functions app binds by name (`%APPGW_SCHEDULE%`, `%APPGW_QUEUE_NAME%` in functions/):
 * the host substitutes the value as written, with no trimming, whenever it is set and not empty. So the
 * check must refuse what the host would get: a value of spaces only (the CLI trimmed it and took the
 * default, the host took "   "), or spaces, tabs or a byte-order mark around the value.
 *
 * @returns the value to check (undefined: unset or empty, the default applies), or the problem, which
 *   names the setting.
 */
export function boundSetting(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  defaultValue: string,
): { readonly value: string | undefined } | { readonly problem: string } {
  const raw = env[name];
  if (raw === undefined || raw === '') return { value: undefined };
  const trimmed = raw.trim();
  if (!trimmed)
    return {
      problem: `${name}: is only white space, which the Functions host would use as written (not the default): remove the setting to use "${defaultValue}", or give a value`,
    };
  if (trimmed !== raw)
    return {
      problem: `${name}: has white space (or a byte-order mark) around "${trimmed}", which the Functions host would keep: remove it`,
    };
  return { value: raw };
}
