import { storageNameProblem, storageNameRule } from '../core/input/storage-names';
import { ConfigError } from '../errors';
import { boundSetting } from './binding-setting';

/** Settings only the Functions app reads (the CLI has no timer and no queue). */
export const DEFAULT_QUEUE_NAME = 'appgw-evaluate';

/** APPGW_QUEUE_NAME: the storage queue between the timer and the evaluating function. */
export function readQueueName(env: Readonly<Record<string, string | undefined>>): string {
  const bound = boundSetting(env, 'APPGW_QUEUE_NAME', DEFAULT_QUEUE_NAME);
  if ('problem' in bound) throw new ConfigError([bound.problem], 'app settings');
  const name = bound.value ?? DEFAULT_QUEUE_NAME;
  // Storage queue names (3-63 characters) with room for the poison queue's "-poison".
  if (storageNameProblem(name, 56)) {
    throw new ConfigError(
      [`APPGW_QUEUE_NAME: "${name}" is not a queue name (${storageNameRule(56)})`],
      'app settings',
    );
  }
  return name;
}
