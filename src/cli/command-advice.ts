/**
 * A failure that passes closes its advice with "the next run tries again" (the state stores', the
 * sinks'): a run's words, true of `run`, which a schedule repeats. Another command (`notify list`,
 * `silence add` …) is repeated by no one: it says "run `appgw-insights <verb>` again" instead (a break
 * trial: `silence list` against a state account that never answered ended "the next run tries again").
 */
import { TOOL } from './verb-specs';

const NEXT_RUN_TRIES_AGAIN = /the next run tries again/g;

/** `message` as `verb` (`notify list`) says it: unchanged for `run`. */
export function adviceForCommand(message: string, verb: string): string {
  if (verb === 'run') return message;
  return message.replace(NEXT_RUN_TRIES_AGAIN, `run \`${TOOL} ${verb}\` again`);
}

/** Each of `errors` with its message as `verb` says it (adviceForCommand); nothing else changed. */
export function errorsForCommand<E extends { readonly message: string }>(
  errors: readonly E[],
  verb: string,
): E[] {
  return errors.map((error) => ({ ...error, message: adviceForCommand(error.message, verb) }));
}
