import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadScenarioFile, type RunningEmulator } from '../emulator';
import { terminalField, terminalMessage } from './terminal-text';

/** How often `emulator --watch` looks at its scenario file, in ms (fs.watchFile polls: editors that save by renaming are seen too). */
export const SCENARIO_WATCH_INTERVAL_IN_MS = 1_000;

/**
 * `emulator --watch`: serves `file` again (RunningEmulator.serve: same URL and certificate) each time
 * it changes, so a server can be made sick and well again without a restart (a new-user trial: each
 * restart made a new certificate in a new folder, and the user's own config's `arm.caCertFile` pointed
 * at the old one). A change that does not read is said on stderr, and the scenario served is kept.
 * Reloads run one at a time, in the order the changes were seen. Returns the function that stops
 * watching.
 */
export function watchScenario(file: string, emulator: RunningEmulator): () => void {
  let reloading = Promise.resolve();
  const shown = terminalField(file, 400);
  const changed = (now: Stats, before: Stats): void => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    reloading = reloading.then(() => reload(file, shown, emulator));
  };
  // Not persistent: the server keeps the process alive, and the watch must not outlive it.
  watchFile(file, { interval: SCENARIO_WATCH_INTERVAL_IN_MS, persistent: false }, changed);
  return () => unwatchFile(file, changed);
}

/** Serves `file` again, or says on stderr why not; never throws. */
async function reload(file: string, shown: string, emulator: RunningEmulator): Promise<void> {
  // A named pipe there would block the read for ever, and every later change behind it, without a
  // word (a break trial): said, and the next change is read as usual.
  const found = await stat(file).catch(() => undefined);
  if (found && !found.isFile() && !found.isDirectory()) {
    process.stderr.write(
      `warning: --watch: ${shown} is not a file now (a pipe, socket or device); still serving it as it was\n`,
    );
    return;
  }
  try {
    emulator.serve(await loadScenarioFile(file));
    process.stderr.write(`emulator: serving ${shown} as changed\n`);
  } catch (error) {
    const why = terminalMessage(error instanceof Error ? error.message : String(error), 2000);
    process.stderr.write(
      `warning: --watch: ${shown} changed but does not read; still serving it as it was: ${why}\n`,
    );
  }
}
