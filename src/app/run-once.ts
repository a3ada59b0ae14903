import type { Config } from '../config/schema';
import type { ConfigSource } from '../core/follow-up-command';
import type { Logger } from '../pipeline/logger';
import type { RunProgress, Telemetry } from '../ports';
import { runChecks, type RunOutcome } from '../pipeline/run-checks';
import type { Env } from './build-adapters';
import type { FolderSinkAdvice } from '../adapters/sinks/folder-sink';
import type { StateFolderAdvice } from '../adapters/state/file-state-store';
import { createTempScratch } from '../adapters/files/temp-scratch';
import { enclosedRunFolder, enclosingRunFolder } from '../adapters/files/enclosing-run-folder';
import { lockRunFolder, type RunFolderLock } from '../adapters/files/run-folder-lock';
import { RunFolderNestedError } from '../errors';
import { limitStorageTriesAfterStop } from '../adapters/storage/stopped-run-cut';
import { buildRunServices, withLogger } from './run-services';

export interface RunOnceOptions {
  readonly logger: Logger;
  /** Where the run's telemetry records go (`run --verbose`: stderr); none by default. */
  readonly telemetry?: Telemetry;
  readonly runId?: string;
  /**
   * Aborted (reason: a RunInterruptedError) to stop the run: the CLI's stop signals. From then on (as
   * past `runDeadlineInMs`) each storage try has STORAGE_GRACE_AFTER_STOP_IN_MS for its answer
   * (stopped-run-cut.ts).
   */
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
  /** The caller holds the folder's lock (lockRunFolderOf) across several runs: the demo's. */
  readonly folderLocked?: boolean;
}

/**
 * One direct run (the CLI's `run` and `demo`): config → adapters → every gateway, in this process. With a
 * folder sink, the run holds its folder's lock from before its first read until its last write
 * (lockRunFolderOf), unless the caller holds it (`folderLocked`: the demo, for its three runs). Throws
 * RunInProgressError, having read and written nothing, when another run holds it.
 */
export async function runOnce(config: Config, options: RunOnceOptions): Promise<RunOutcome> {
  const lock = options.folderLocked ? undefined : await lockRunFolderOf(config, options);
  // Stopped (a signal, or past runDeadlineInMs, which the run counts from about now): each storage try
  // gets a few seconds for its answer, not its whole 30 s (stopped-run-cut.ts), until the run is over.
  let limited: (() => void) | undefined;
  const limit = () => void (limited ??= limitStorageTriesAfterStop());
  options.stop?.addEventListener('abort', limit, { once: true });
  const deadline =
    config.runDeadlineInMs === undefined ? undefined : setTimeout(limit, config.runDeadlineInMs).unref();
  try {
    return await runLocked(config, options);
  } finally {
    options.stop?.removeEventListener('abort', limit);
    clearTimeout(deadline);
    limited?.();
    await lock?.release();
  }
}

/**
 * The lock on `config`'s folder sink (sinks.dir: run-folder-lock.ts), its warnings to the logger and its
 * refusal naming the folder's advice (`oneOff`: the demo's, which advises no schedule); undefined
 * without a folder sink.
 *
 * @throws RunFolderNestedError when the folder lies inside another run's (enclosing-run-folder.ts);
 * RunInProgressError when another run holds the folder.
 */
export async function lockRunFolderOf(
  config: Config,
  options: Pick<RunOnceOptions, 'logger' | 'sinkFolderAdvice'> & { readonly oneOff?: boolean },
): Promise<RunFolderLock | undefined> {
  const dir = config.sinks.dir;
  if (!dir) return undefined;
  const elsewhere = options.sinkFolderAdvice?.elsewhere;
  refuseNestedRunFolder(dir, elsewhere);
  return lockRunFolder(dir, {
    warn: (message) => options.logger.warn(message),
    ...(elsewhere ? { elsewhere } : {}),
    ...(options.oneOff ? { oneOff: true } : {}),
  });
}

/**
 * Refuses a run's folder `dir` that lies inside another run's, or holds one below it
 * (enclosing-run-folder.ts), before anything is read or written: a break trial, `run --out out/insights`,
 * wrote a second view into the first run's insights folder; another, `run --out a` around `a/inner`, left
 * the inner run refused on every run from then on. `elsewhere`: how to give the run another folder
 * (FolderSinkAdvice.elsewhere).
 *
 * @throws RunFolderNestedError naming both folders.
 */
export function refuseNestedRunFolder(dir: string, elsewhere?: string): void {
  const enclosing = enclosingRunFolder(dir);
  if (enclosing !== undefined)
    throw new RunFolderNestedError(dir, enclosing.folder, elsewhere, undefined, enclosing.linkedTo);
  const enclosed = enclosedRunFolder(dir);
  if (enclosed !== undefined)
    throw new RunFolderNestedError(dir, enclosed, elsewhere, undefined, undefined, 'around');
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
