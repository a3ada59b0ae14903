import { constants } from 'node:fs';
import { access, lstat, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { emulatorRunConfig } from '../../app/emulator-run-config';
import { defaultScenarioPath, loadScenarioFile, startEmulator } from '../../emulator';
import { ConfigError, UsageError } from '../../errors';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { obstacleText } from '../../adapters/files/first-obstacle';
import { makeFolder } from '../../adapters/files/make-folder';
import { ReadyFileExistsError, writeReadyFile, type ReadyFile } from '../ready-file';
import { watchScenario } from '../scenario-watch';
import { onStopSignal, removeOnExit } from '../shutdown';
import { parseVerbArgs } from '../verb-args';
import { EMULATOR } from '../verb-specs';

/**
 * Runs the backend-health emulator until SIGINT, SIGTERM or SIGHUP (its temp folder goes with it). Its first stdout line is one JSON object
 * `{"url","caCertFile","config"}`; `config` is a run config file pointing at it. With `--counts FILE`, the
 * requests it answered, by route and status (`RunningEmulator.requestCounts`), are written to FILE as
 * JSON when it stops: a bench reads them without anything added to ARM's answers. With
 * `--config-out FILE`, the same first line is also written to FILE (atomically: ready-file.ts) once the
 * emulator answers, so another shell can wait for FILE to exist; FILE is removed when it stops.
 */
export async function emulatorVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(EMULATOR, args);
  // Digits only: Number() would take "", "0x50" and "1e3" as ports.
  const port = /^\d{1,5}$/.test(values.port.trim()) ? Number(values.port) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    // A usage error as every verb's (issue 15's trial: this one had a format of its own, without the usage).
    throw new UsageError(
      [`--port: "${values.port}" is not a port number (0 takes any free port)`],
      EMULATOR.name,
    );
  }
  // The counts' folder, made now: a folder that cannot be made is said before the emulator starts, not
  // as a crash when it stops with the counts in hand (issue 15's trial).
  const counts = values.counts === undefined ? undefined : path.resolve(values.counts);
  if (counts !== undefined) {
    await makeFolder(path.dirname(counts)).catch(async (error: NodeJS.ErrnoException) => {
      const why = (await obstacleText(path.dirname(counts), error)) ?? error.code ?? error.message;
      throw new ConfigError([`--counts: cannot write ${counts} (${why})`], 'arguments');
    });
    // And FILE itself, now: a folder by its name, or a folder or file this account may not write (a
    // read-only file system), was found only at stop, with the counts lost (a trial).
    const why = await whyNotWritable(counts);
    if (why) throw new ConfigError([`--counts: cannot write ${counts} (${why})`], 'arguments');
  }
  if (values.watch && values.scenario === undefined)
    throw new UsageError(
      ['--watch: give --scenario FILE, the file to serve again as it changes'],
      EMULATOR.name,
    );
  const scenario = await loadScenarioFile(values.scenario ?? defaultScenarioPath);
  const emulator = await startEmulator({ scenario, port });
  const unwatch =
    values.watch && values.scenario !== undefined ? watchScenario(values.scenario, emulator) : undefined;
  removeOnExit(path.dirname(emulator.caCertFile));
  const stop = onStopSignal(() => emulator.close(), { exitOnSignal: false });
  const config = path.join(path.dirname(emulator.caCertFile), 'appgw-insights.config.json');
  const runConfig = emulatorRunConfig({
    url: emulator.url,
    caCertFile: emulator.caCertFile,
    gatewayIds: scenario.gateways.map((g) => g.id),
    outDir: path.resolve(values.out),
  });
  let ready: ReadyFile | undefined;
  try {
    await writeFile(config, `${JSON.stringify(runConfig, null, 2)}\n`, 'utf8');
    const connection = `${JSON.stringify({ url: emulator.url, caCertFile: emulator.caCertFile, config })}\n`;
    // Written only now: the emulator listens and the run config exists, so a reader of FILE finds both.
    if (values['config-out']) ready = await writeConfigOut(values['config-out'], connection);
    process.stdout.write(connection);
    await stop.stopped;
  } finally {
    // Also when FILE cannot be written: a listening server would keep the process alive.
    unwatch?.();
    stop.dispose();
    await ready?.remove();
    await emulator.close();
  }
  if (counts !== undefined) {
    try {
      await writeFile(counts, `${JSON.stringify(emulator.requestCounts())}\n`, 'utf8');
    } catch (error) {
      // Stopped already: say so, never a crash (the counts are lost, and the exit code says it).
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EISDIR' ? 'a folder is there (EISDIR)' : (code ?? String(error));
      process.stderr.write(`error: --counts: cannot write ${counts} (${why}): the request counts are lost\n`);
      return EXIT_FAILED;
    }
  }
  return EXIT_OK;
}

/**
 * Why `file` could not be written (it, or its folder when it does not exist yet), or undefined when
 * it can: a folder by its name (EISDIR), or access(2)'s W_OK refusal (EACCES, EROFS …).
 */
async function whyNotWritable(file: string): Promise<string | undefined> {
  // stat, not lstat: what a link to a file or folder leads to is what a write reaches.
  const found = await stat(file).catch(() => undefined);
  if (found?.isDirectory()) return 'a folder is there (EISDIR)';
  return access(found ? file : path.dirname(file), constants.W_OK).then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  );
}

async function writeConfigOut(file: string, text: string): Promise<ReadyFile> {
  try {
    return await writeReadyFile(file, text);
  } catch (error) {
    if (error instanceof ReadyFileExistsError) {
      // A folder or a link is no emulator's file: "remove it" would be advice to delete a user's folder
      // (a trial's `--config-out /tmp/t2w`).
      const there = await lstat(file).catch(() => undefined);
      const what = there?.isDirectory()
        ? 'is a folder: --config-out takes the path of a file to write'
        : there?.isSymbolicLink()
          ? 'is a link: --config-out takes the path of a new file to write'
          : "exists already (another emulator's, or left by one that was killed): choose another file, or remove it if no emulator is using it";
      throw new ConfigError([`--config-out: ${file} ${what}`], 'arguments');
    }
    const why =
      (await obstacleText(path.dirname(path.resolve(file)), error)) ??
      (error as NodeJS.ErrnoException).code ??
      String(error);
    throw new ConfigError([`--config-out: cannot write ${file} (${why})`], 'arguments');
  }
}
