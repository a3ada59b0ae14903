import { storageNameProblem, storageNameRule } from '../core/input/storage-names';
import { ConfigError } from '../errors';

/** Settings only the Functions app reads (the CLI has no timer and no queue). */
export const DEFAULT_QUEUE_NAME = 'appgw-evaluate';

/** APPGW_QUEUE_NAME: the storage queue between the timer and the evaluating function. */
export function readQueueName(env: Readonly<Record<string, string | undefined>>): string {
  const name = env['APPGW_QUEUE_NAME']?.trim() || DEFAULT_QUEUE_NAME;
  // Storage queue names (3-63 characters) with room for the poison queue's "-poison".
  if (storageNameProblem(name, 56)) {
    throw new ConfigError(
      [`APPGW_QUEUE_NAME: "${name}" is not a queue name (${storageNameRule(56)})`],
      'app settings',
    );
  }
  return name;
}
