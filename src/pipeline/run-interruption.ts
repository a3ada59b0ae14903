import { isRunInterruptedError, RunInterruptedError } from '../errors';

/** A direct run's interruption, as one signal for everything the run starts. */
export interface RunInterruption {
  /** Aborted once the run must stop; its `reason` is then a RunInterruptedError saying why. */
  readonly signal: AbortSignal;
  /** Stops the deadline's timer and the listening (the run is over). */
  dispose(): void;
}

/**
 * The caller's stop signal (the CLI's SIGINT, SIGTERM …: src/cli/verbs/run.ts aborts it with a
 * RunInterruptedError) and the run's own deadline (`runDeadlineInMs`, counted from now), as one signal.
 * A stop whose reason is not a RunInterruptedError is taken as a signal named `abort`.
 */
export function runInterruption(options: {
  readonly stop?: AbortSignal;
  readonly runDeadlineInMs?: number;
}): RunInterruption {
  const controller = new AbortController();
  const { stop, runDeadlineInMs } = options;
  const onStop = () =>
    controller.abort(
      isRunInterruptedError(stop?.reason)
        ? stop?.reason
        : new RunInterruptedError({ by: 'signal', signal: 'abort' }),
    );
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  const timer =
    runDeadlineInMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new RunInterruptedError({ by: 'deadline', deadlineInMs: runDeadlineInMs })),
          runDeadlineInMs,
        );
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    },
  };
}
