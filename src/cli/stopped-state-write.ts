/**
 * A command that writes the notify state (`silence add`, `silence expire`, `notify resend`) stopped by a
 * signal (Ctrl-C, SIGTERM, SIGHUP) before it finished: its write may have been sent, and may have
 * landed (or it may still have been reading: a new-user trial's stop came during the read, and "may
 * have been stored" alone overstated it), so it says that much and the command that shows whether,
 * then exits 128 + the signal's
 * number. A break trial: Ctrl-C while `silence add` waited on a write that never answered exited 130
 * with nothing said, and the silence had been stored.
 */
import { writeSync } from 'node:fs';
import { stateWriteOf } from './command-advice';
import { STOP_SIGNALS } from './early-stop';

/**
 * What `verb` (`silence add`), given `args` as typed, says when `signal` stops it: one line for stderr;
 * undefined for a verb that writes no state (command-advice.ts stateWriteOf).
 */
export function stoppedStateWriteText(
  verb: string,
  signal: NodeJS.Signals,
  args: readonly string[],
): string | undefined {
  const write = stateWriteOf(verb, args);
  return write ? stoppedText(verb, signal, write) : undefined;
}

function stoppedText(
  verb: string,
  signal: NodeJS.Signals,
  write: NonNullable<ReturnType<typeof stateWriteOf>>,
): string {
  return `appgw-insights ${verb}: ${signal}: stopped before it finished: if its write was under way, ${write.what}; \`${write.shownBy}\` shows whether\n`;
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
  const write = stateWriteOf(verb, args);
  if (!write) return () => {};
  const listener = (signal: NodeJS.Signals) => {
    // Written synchronously, then the exit: nothing of the verb runs after it.
    try {
      writeSync(2, stoppedText(verb, signal, write));
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
