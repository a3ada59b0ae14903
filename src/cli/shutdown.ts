/**
 * A CLI process that is stopped (Ctrl-C, `kill`, a closed terminal) still removes what it made: the
 * emulator's temp folder, listening sockets. Node's default for these signals is to exit at once,
 * skipping every `finally`, so each verb that holds resources registers its cleanup here.
 */
import { RunInterruptedError } from '../errors';
import { STOP_SIGNALS, takeOverEarlyStop } from './early-stop';

/** The signals that end a CLI run, and the exit code a POSIX shell reports for each (128 + number). */
export { STOP_SIGNALS };

/** How long cleanup may take after a signal before the process exits anyway. */
const CLEANUP_LIMIT_IN_MS = 5_000;

export interface StopHandle {
  /** Resolves with the signal once one arrives (never rejects). */
  readonly stopped: Promise<NodeJS.Signals>;
  /** Stops listening (the verb finished normally and ran its own cleanup). */
  dispose(): void;
}

/**
 * Until `dispose()`, a stop signal runs `cleanup` (bounded by CLEANUP_LIMIT_IN_MS) and then exits with
 * 128 + the signal's number, unless `exitOnSignal` is false: then the caller awaits `stopped` and
 * cleans up itself (the emulator verb, whose normal end *is* a signal). A second signal exits at once.
 * It takes over from the bin's early handler (a signal before it: early-stop.ts).
 */
export function onStopSignal(
  cleanup: () => Promise<void>,
  options: { readonly exitOnSignal?: boolean } = {},
): StopHandle {
  let resolveStopped: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) process.exit(STOP_SIGNALS[received] ?? 1);
    received = signal;
    resolveStopped(signal);
    if (options.exitOnSignal === false) return;
    const limit = setTimeout(() => process.exit(STOP_SIGNALS[signal] ?? 1), CLEANUP_LIMIT_IN_MS);
    limit.unref();
    void cleanup()
      .catch(() => undefined)
      .finally(() => process.exit(STOP_SIGNALS[signal] ?? 1));
  };
  const signals = Object.keys(STOP_SIGNALS) as NodeJS.Signals[];
  for (const signal of signals) process.on(signal, handler);
  // The bin's early handler (early-stop.ts) steps aside only now that this one listens.
  takeOverEarlyStop();
  return {
    stopped,
    dispose: () => {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}

/**
 * A run that a stop signal interrupts rather than kills (`run`, `demo`): the first signal calls `say`
 * (its line for stderr) and aborts `signal` with a RunInterruptedError, so the run starts nothing new,
 * cuts its reads short and reports itself interrupted; a second signal exits at once (onStopSignal).
 * `dispose()` stops listening.
 */
export function interruptOnStopSignal(say: (signal: NodeJS.Signals) => void): {
  readonly signal: AbortSignal;
  dispose(): void;
} {
  const interrupt = new AbortController();
  const handle = onStopSignal(async () => undefined, { exitOnSignal: false });
  void handle.stopped.then((signal) => {
    say(signal);
    interrupt.abort(new RunInterruptedError({ by: 'signal', signal }));
  });
  return { signal: interrupt.signal, dispose: handle.dispose };
}

/** Removes a folder when the process exits by any path (src/adapters/files/remove-on-exit.ts). */
export { removeOnExit } from '../adapters/files/remove-on-exit';
