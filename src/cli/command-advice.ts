/**
 * A failure that passes closes its advice with "the next run tries again" (the state stores', the
 * sinks'): a run's words, true of `run`, which a schedule repeats. Another command (`notify list`,
 * `silence add` …) is repeated by no one: it says to run itself again, with the `--config` it was
 * given (a break trial: `silence list` against a state account that never answered ended "the next run
 * tries again"). `silence add` says to look first: a write that got no answer may have landed, and the
 * same id added again is refused as taken (a break trial followed the advice and was told to choose
 * another id for a silence that was in force).
 */
import { followUpCommand, type ConfigSource } from '../core/follow-up-command';

const NEXT_RUN_TRIES_AGAIN = /\b([Tt])he next run tries again/g;

/** What `verb` says instead, its first letter as the phrase's was. */
function againFor(verb: string, source: ConfigSource | undefined): string {
  if (verb === 'silence add') {
    return (
      `see whether \`${followUpCommand('silence list', source)}\` lists the silence (a write without an ` +
      `answer may have stored it); if not, run the same \`${followUpCommand('silence add', source)}\` again`
    );
  }
  return `run \`${followUpCommand(verb, source)}\` again`;
}

/**
 * `message` as `verb` (`notify list`) says it, `source` being where its configuration came from (as
 * followUpCommand takes it): unchanged for `run`.
 */
export function adviceForCommand(message: string, verb: string, source?: ConfigSource): string {
  if (verb === 'run') return message;
  return message.replace(NEXT_RUN_TRIES_AGAIN, (_, t: string) => {
    const again = againFor(verb, source);
    return t === 'T' ? `${again.charAt(0).toUpperCase()}${again.slice(1)}` : again;
  });
}

/** Each of `errors` with its message as `verb` says it (adviceForCommand); nothing else changed. */
export function errorsForCommand<E extends { readonly message: string }>(
  errors: readonly E[],
  verb: string,
  source?: ConfigSource,
): E[] {
  return errors.map((error) => ({ ...error, message: adviceForCommand(error.message, verb, source) }));
}

/**
 * The configuration source of a verb's raw arguments, as its follow-up commands name it: `--config
 * FILE` (or `--config=FILE`), otherwise the environment.
 */
export function configSourceOfArgs(args: readonly string[]): ConfigSource {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (arg === '--config' && args[i + 1] !== undefined) return { file: args[i + 1] as string };
    if (arg.startsWith('--config=')) return { file: arg.slice('--config='.length) };
  }
  return 'environment';
}
