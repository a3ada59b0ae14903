import type { Config } from '../config/schema';
import type { ConfigSource } from '../core/follow-up-command';
import type { Logger } from '../pipeline/logger';
import type { RunProgress, Telemetry } from '../ports';
import { runChecks, type RunOutcome } from '../pipeline/run-checks';
import type { Env } from './build-adapters';
import type { FolderSinkAdvice } from '../adapters/sinks/folder-sink';
import type { StateFolderAdvice } from '../adapters/state/file-state-store';
import { createTempScratch } from '../adapters/files/temp-scratch';
import { lockRunFolder } from '../adapters/files/run-folder-lock';
import { buildRunServices, withLogger } from './run-services';

export interface RunOnceOptions {
  readonly logger: Logger;
  /** Where the run's telemetry records go (`run --verbose`: stderr); none by default. */
  readonly telemetry?: Telemetry;
  readonly runId?: string;
  /** Aborted (reason: a RunInterruptedError) to stop the run: the CLI's stop signals. */
  readonly stop?: AbortSignal;
  /** How far the run is (the CLI's progress line on a terminal). */
  readonly progress?: RunProgress;
  /** Where `{ "fromEnv": … }` references are looked up; default process.env. */
  readonly env?: Env;
  /** What a state file's failures advise (the demo's, which has no config); default the config's state.dir. */
  readonly stateFolderAdvice?: StateFolderAdvice;
  /** What the folder sink's failures advise (the demo's: another --out); default sinks.dir's. */
  readonly sinkFolderAdvice?: FolderSinkAdvice;
  /** Where the configuration came from, for the follow-up commands the run's warnings name. */
  readonly configSource?: ConfigSource;
}

/**
 * One direct run (the CLI's `run` and `demo`): config → adapters → every gateway, in this process. With a
 * folder sink, the run holds its folder's lock from before its first read until its last write
 * (run-folder-lock.ts). Throws RunInProgressError, having read and written nothing, when another run
 * holds it.
 */
export async function runOnce(config: Config, options: RunOnceOptions): Promise<RunOutcome> {
  const lock = config.sinks.dir
    ? await lockRunFolder(config.sinks.dir, {
        warn: (message) => options.logger.warn(message),
        ...(options.sinkFolderAdvice?.elsewhere ? { elsewhere: options.sinkFolderAdvice.elsewhere } : {}),
      })
    : undefined;
  try {
    return await runLocked(config, options);
  } finally {
    await lock?.release();
  }
}

async function runLocked(config: Config, options: RunOnceOptions): Promise<RunOutcome> {
  const { deps, options: runOptions } = withLogger(
    await buildRunServices(config, options.env ?? process.env, {
      ...(options.stateFolderAdvice ? { stateFolderAdvice: options.stateFolderAdvice } : {}),
      ...(options.sinkFolderAdvice ? { sinkFolderAdvice: options.sinkFolderAdvice } : {}),
    }),
    options.logger,
    options.telemetry,
  );
  // The status page's material in temporary files, not memory (issue 14: 20 000 gateways in 250 MB).
  const withScratch = { ...deps, scratch: () => createTempScratch() };
  return runChecks(options.progress ? { ...withScratch, progress: options.progress } : withScratch, {
    ...runOptions,
    ...(options.runId ? { runId: options.runId } : {}),
    ...(options.stop ? { stop: options.stop } : {}),
    ...(options.configSource ? { configSource: options.configSource } : {}),
  });
}
