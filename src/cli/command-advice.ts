/**
 * A failure that passes closes its advice with "the next run tries again" (the state stores', the
 * sinks'): a run's words, true of `run`, which a schedule repeats. Another command (`notify list`,
 * `silence add` …) is repeated by no one: it says to run itself again, as it was typed (a break trial:
 * `silence list` against a state account that never answered ended "the next run tries again"; then a
 * command said without its arguments could not be pasted). `silence add` whose write got no answer says
 * to look first: that write may have landed, and the same id added again is refused as taken (a break
 * trial followed the advice and was told to choose another id for a silence that was in force).
 */
import { followUpCommand, type ConfigSource } from '../core/follow-up-command';
import { shellWord } from '../core/shell-quote';
import { TOOL } from './verb-specs';

/** A run's closing words for a failure that passes, as the state stores, sinks and identity say them. */
const NEXT_RUN_TRIES_AGAIN = /\b([Tt])he next run tries again|\b([Ii])t is tried again on the next run/g;

/**
 * A state write that was sent and got no answer (its time-out, or a stopped run's cut): "cannot write
 * it: no answer in time …", "cannot write it: no answer in the 5000 ms a stopped run gives …"
 * (blob-state-store.ts, blob-client.ts, stopped-run-cut.ts), or whose connection was cut after it was
 * sent ("cannot write it: RestError: socket hang up", `ECONNRESET`, `EPIPE`: a break trial's write had
 * landed); not "cannot write it: not sent: another request … got no answer" (unanswered-breaker.ts),
 * which was never sent, nor a connection refused (`ECONNREFUSED`) or a name not found.
 */
const WRITE_SENT_WITHOUT_ANSWER =
  /\bcannot write it: (?:no answer\b|(?!not sent\b)[^.]*\b(?:socket hang up|ECONNRESET|EPIPE|OperationTimedOut)\b)/i;

/**
 * Whether `message` (a state error) says a write that may have landed: sent, and then no answer, a
 * connection cut, or Azure Storage's 500 OperationTimedOut (the operation may or may not have
 * completed; a second break trial's silence was stored though every try was answered so).
 */
export function writeMayHaveLanded(message: string): boolean {
  return WRITE_SENT_WITHOUT_ANSWER.test(message);
}

/**
 * The verbs that write the notify state: what a write of theirs that may have landed did, the command
 * (its words after the configuration) that shows whether, and what it shows then when the advice says
 * to look first (absent: a write said only on a stop, stopped-state-write.ts).
 */
const STATE_WRITES: Readonly<
  Record<
    string,
    { readonly what: string; readonly shownBy: readonly [string, ...string[]]; readonly shows?: string }
  >
> = {
  'silence add': {
    what: 'the silence may have been stored',
    shownBy: ['silence list'],
    shows: 'lists the silence',
  },
  'silence expire': { what: 'the silence may have been expired', shownBy: ['silence list', '--all'] },
  'notify resend': {
    what: 'the dead letters may have been re-queued',
    shownBy: ['notify list'],
    shows: 'shows the letters waiting (re-queued) rather than as dead letters',
  },
};

/**
 * For a verb that writes the notify state (`silence add`, `silence expire`, `notify resend`), given its
 * arguments as typed: what a write of it that may have landed did, and the command that shows whether
 * (`appgw-insights silence list --config c.json`); undefined for any other verb.
 */
export function stateWriteOf(
  verb: string,
  args: readonly string[],
): { readonly what: string; readonly shownBy: string; readonly shows?: string } | undefined {
  const write = STATE_WRITES[verb];
  if (!write) return undefined;
  const [shownBy, ...more] = write.shownBy;
  return {
    what: write.what,
    shownBy: followUpCommand(shownBy, configSourceOfArgs(args), ...more),
    ...(write.shows ? { shows: write.shows } : {}),
  };
}

/** The command as typed: the program, `verb`, then `args` (each one shell word), to be pasted as is. */
function sameCommand(verb: string, args: readonly string[] | undefined): string {
  return [TOOL, verb, ...(args ?? []).map(shellWord)].join(' ');
}

/** What `verb` says instead. */
function againFor(message: string, verb: string, args: readonly string[] | undefined): string {
  // Only a write that was sent and got no answer may have landed; a read without an answer, a refused
  // write, a lock, or a write not sent (its container left alone after another got no answer) never
  // wrote anything (a break trial's read that timed out was told the silence might be stored).
  const look = stateWriteOf(verb, args ?? []);
  if (look?.shows && WRITE_SENT_WITHOUT_ANSWER.test(message)) {
    return (
      `see whether \`${look.shownBy}\` ${look.shows} ` +
      `(a write without an answer may have stored it); if not, run \`${sameCommand(verb, args)}\` again`
    );
  }
  return `run \`${sameCommand(verb, args)}\` again`;
}

/**
 * `message` as `verb` (`notify list`) says it, `args` being the verb's arguments as typed (the command
 * it says to run again is that one, pasted as is): unchanged for `run`.
 */
export function adviceForCommand(message: string, verb: string, args?: readonly string[]): string {
  if (verb === 'run') return message;
  return message.replace(NEXT_RUN_TRIES_AGAIN, (_, t?: string, i?: string) => {
    const again = againFor(message, verb, args);
    return t === 'T' || i === 'I' ? `${again.charAt(0).toUpperCase()}${again.slice(1)}` : again;
  });
}

/** Each of `errors` with its message as `verb` says it (adviceForCommand); nothing else changed. */
export function errorsForCommand<E extends { readonly message: string }>(
  errors: readonly E[],
  verb: string,
  args?: readonly string[],
): E[] {
  return errors.map((error) => ({ ...error, message: adviceForCommand(error.message, verb, args) }));
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
