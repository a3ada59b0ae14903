/**
 * A command that writes the notify state (`silence add`, `silence expire`, `notify resend`) stopped by a
 * signal (Ctrl-C, SIGTERM, SIGHUP) before it finished: its write may have been sent, and may have
 * landed, so it says that much and the command that shows whether, then exits 128 + the signal's
 * number. A break trial: Ctrl-C while `silence add` waited on a write that never answered exited 130
 * with nothing said, and the silence had been stored.
 */
import { writeSync } from 'node:fs';
import { followUpCommand } from '../core/follow-up-command';
import { configSourceOfArgs } from './command-advice';
import { STOP_SIGNALS } from './early-stop';

/** Per verb: what may have been written, and the command (its arguments after the config) that shows it. */
const MAY_HAVE_WRITTEN: Readonly<
  Record<string, { readonly what: string; readonly shownBy: readonly string[] }>
> = {
  'silence add': { what: 'the silence may have been stored', shownBy: ['silence list'] },
  'silence expire': { what: 'the silence may have been expired', shownBy: ['silence list', '--all'] },
  'notify resend': { what: 'the dead letters may have been re-queued', shownBy: ['notify list'] },
};

/**
 * What `verb` (`silence add`), given `args` as typed, says when `signal` stops it: one line for stderr;
 * undefined for a verb that writes no state.
 */
export function stoppedStateWriteText(
  verb: string,
  signal: NodeJS.Signals,
  args: readonly string[],
): string | undefined {
  const said = MAY_HAVE_WRITTEN[verb];
  if (!said) return undefined;
  const [shownBy, ...more] = said.shownBy as [string, ...string[]];
  const command = followUpCommand(shownBy, configSourceOfArgs(args), ...more);
  return `appgw-insights ${verb}: ${signal}: stopped before it finished: ${said.what} (a write under way may have reached the storage); \`${command}\` shows whether\n`;
}

/**
 * While `verb` runs: its stop signals say stoppedStateWriteText and exit 128 + the signal's number.
 * Returns the function that removes them; a verb that writes no state gets nothing (Node's default).
 */
export function sayStoppedStateWrite(
  verb: string,
  args: readonly string[],
  proc: NodeJS.Process = process,
): () => void {
  if (!MAY_HAVE_WRITTEN[verb]) return () => {};
  const listener = (signal: NodeJS.Signals) => {
    // Written synchronously, then the exit: nothing of the verb runs after it.
    try {
      writeSync(2, stoppedStateWriteText(verb, signal, args) ?? '');
    } catch {
      // stderr closed: the exit code still says it.
    }
    proc.exit(STOP_SIGNALS[signal] ?? 1);
  };
  const signals = Object.keys(STOP_SIGNALS) as NodeJS.Signals[];
  for (const signal of signals) proc.on(signal, listener);
  return () => {
    for (const signal of signals) proc.off(signal, listener);
  };
}
