import { ConfigError } from '../errors';

/** Settings only the Functions app reads (the CLI has no timer and no queue). */
export const DEFAULT_QUEUE_NAME = 'appgw-evaluate';

/** APPGW_QUEUE_NAME: the storage queue between the timer and the evaluating function. */
export function readQueueName(env: Readonly<Record<string, string | undefined>>): string {
  const name = env['APPGW_QUEUE_NAME']?.trim() || DEFAULT_QUEUE_NAME;
  // Storage queue names: 3-63 lower-case letters, digits and single hyphens; room for "-poison".
  if (!/^[a-z0-9](?:[a-z0-9]|-(?!-)){1,54}[a-z0-9]$/.test(name)) {
    throw new ConfigError(
      [`APPGW_QUEUE_NAME: "${name}" is not a queue name (3-56 lower-case letters, digits, single hyphens)`],
      'app settings',
    );
  }
  return name;
}
