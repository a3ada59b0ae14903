/**
 * A stop signal from the bin's first moment. `run` loads hundreds of modules and builds its
 * configuration (most of a second) before its own handler (shutdown.ts, interruptOnStopSignal) is
 * installed; a Ctrl-C, SIGTERM or SIGHUP in that time killed the process with nothing said, no report
 * and 130/143 (a break trial). The bin calls catchStopSignalsEarly() before loading anything else (this
 * file imports only node:fs), so the signal is caught: until a verb's handler takes over (onStopSignal calls
 * takeOverEarlyStop()), it says on stderr that the run was stopped before it started (nothing checked,
 * nothing written) and exits 128 + the signal's number at once.
 *
 * Hand-over: the verb's listener is added before this one is removed, so Node's signal watcher never
 * closes in between and a signal already received is delivered to exactly one of them: never lost, and
 * never handled twice.
 */
import { writeSync } from 'node:fs';

/** The signals that end a CLI run, and the exit code a POSIX shell reports for each (128 + number). */
export const STOP_SIGNALS: Readonly<Partial<Record<NodeJS.Signals, number>>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
  SIGBREAK: 149, // Windows: Ctrl-Break
};

/** The verbs that catch a signal from the start: `run` (the verb whose report a signal must not lose). */
const EARLY_VERBS: ReadonlySet<string> = new Set(['run']);

let listener: ((signal: NodeJS.Signals) => void) | undefined;

/** The line a signal before the run started prints (stderr). */
export function stoppedBeforeStartText(signal: NodeJS.Signals): string {
  return (
    `appgw-insights run: ${signal}: stopped before the run started: no gateway was checked and nothing ` +
    'was written (the previous report.json, notify state and status page are untouched)\n'
  );
}

/**
 * Installed by the bin for `verb` (argv's first word) before any other module is loaded; for other
 * verbs it does nothing (their signals keep Node's default until their own handler, if any).
 */
export function catchStopSignalsEarly(verb: string | undefined, proc: NodeJS.Process = process): void {
  if (listener || verb === undefined || !EARLY_VERBS.has(verb)) return;
  listener = (signal) => {
    // Written synchronously, then the exit: nothing of the verb runs after the signal was handled here
    // (an asynchronous write's callback would leave the run time to start).
    try {
      writeSync(2, stoppedBeforeStartText(signal));
    } catch {
      // stderr closed: the exit code still says it.
    }
    proc.exit(STOP_SIGNALS[signal] ?? 1);
  };
  for (const signal of Object.keys(STOP_SIGNALS) as NodeJS.Signals[]) proc.on(signal, listener);
}

/**
 * A verb's own handler is installed (its listeners added first): the early one steps aside. Does
 * nothing when there is none (another verb, a test calling onStopSignal in its own process, a second
 * hand-over).
 */
export function takeOverEarlyStop(proc: NodeJS.Process = process): void {
  if (!listener) return;
  for (const signal of Object.keys(STOP_SIGNALS) as NodeJS.Signals[]) proc.off(signal, listener);
  listener = undefined;
}
