import path from 'node:path';
import { emulatorRunConfig, STATE_FOLDER } from '../../app/emulator-run-config';
import { lockRunFolderOf, refuseNestedRunFolder, runOnce, type RunOnceOptions } from '../../app/run-once';
import { parseConfig } from '../../config/load';
import type { Config } from '../../config/schema';
import { runSucceeded } from '../../core/run-report';
import { defaultScenarioPath, loadScenarioFile, startEmulator, type RunningEmulator } from '../../emulator';
import type { Scenario } from '../../emulator/scenario';
import type { StateFolderAdvice } from '../../adapters/state/file-state-store';
import { prepareDemoOutFolder } from '../demo-out-folder';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { interruptOnStopSignal, removeOnExit, STOP_SIGNALS } from '../shutdown';
import { createStderrLogger } from '../stderr-logger';
import { printRun } from '../summary';
import { parseVerbArgs } from '../verb-args';
import { DEMO } from '../verb-specs';

/** Runs of the demo: the first before its servers went down, then the default scenario, so the status page has history. */
export const DEMO_RUNS = 3;

/** How the demo is given another folder, in its refusals. */
const DEMO_ELSEWHERE = 'choose another folder with --out';

/**
 * Starts the emulator, runs DEMO_RUNS times into `out/` (the first with every server healthy, then
 * the default scenario), prints the last run's summary. The history behind the status page
 * (`out/index.html`) is kept in `out/.appgw-state/`, so each demo adds to it.
 */
export async function demoVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(DEMO, args);
  const outDir = path.resolve(values.out);
  // Before its marker is written: a demo inside a run's folder would write into that run's view.
  refuseNestedRunFolder(outDir, DEMO_ELSEWHERE);
  await prepareDemoOutFolder(outDir);
  const scenario = await loadScenarioFile(defaultScenarioPath);
  const emulator = await startEmulator({ scenario: allHealthy(scenario), port: 0 });
  const keepCertDir = removeOnExit(path.dirname(emulator.caCertFile));
  // As `run`: a stop signal interrupts the run under way (no new gateway, no further run), the summary
  // says so and the exit is 128 + its number; a second signal quits at once. It ended silently before.
  const stop = interruptOnStopSignal(
    (signal) =>
      void process.stderr.write(
        `${signal}: stopping the demo: no new gateway or run is started; the summary follows (again to quit at once)\n`,
      ),
  );
  try {
    process.stdout.write(`Backend-health emulator on ${emulator.url} (default scenario), checking…\n\n`);
    const config = parseConfig(
      {
        ...emulatorRunConfig({
          url: emulator.url,
          caCertFile: emulator.caCertFile,
          gatewayIds: scenario.gateways.map((g) => g.id),
          outDir,
        }),
      },
      'demo configuration',
    );
    const logger = createStderrLogger(false);
    const options = {
      logger,
      stateFolderAdvice: demoStateAdvice(outDir),
      sinkFolderAdvice: {
        access: 'Choose another folder with --out',
        inTheWay: 'Move what is in the way out of that folder, or choose another folder with --out',
        elsewhere: DEMO_ELSEWHERE,
      },
      stop: stop.signal,
      folderLocked: true,
    };
    // One lock for the three runs: released between them, another run got in and the demo failed
    // half-way, saying it had written nothing (a break trial).
    const lock = await lockRunFolderOf(config, { ...options, oneOff: true });
    try {
      return await demoRuns(config, options, emulator, scenario, outDir);
    } finally {
      await lock?.release();
    }
  } finally {
    stop.dispose();
    await emulator.close();
    keepCertDir();
  }
}

/** The demo's runs into its folder, whose lock the caller holds: the first all healthy, then the scenario. */
async function demoRuns(
  config: Config,
  options: RunOnceOptions,
  emulator: RunningEmulator,
  scenario: Scenario,
  outDir: string,
): Promise<number> {
  let outcome = await runOnce(config, options);
  let runs = 1;
  let failedRuns = runSucceeded(outcome.report) ? 0 : 1;
  // Every run, whatever a sink or the history said: stopping after the first (all healthy) run showed
  // "0 not healthy" and replaced the insights of an earlier demo. Only an interruption stops it.
  for (let run = 2; run <= DEMO_RUNS && !outcome.report.interrupted; run++) {
    if (run === 2) emulator.serve(scenario);
    // The run before is done with: its report's gateways are read from its temporary files.
    await outcome.dispose();
    outcome = await runOnce(config, options);
    runs = run;
    if (!runSucceeded(outcome.report)) failedRuns += 1;
  }
  try {
    await printRun(outcome.report, outcome.receipts);
    const { interrupted } = outcome.report;
    if (interrupted) {
      process.stderr.write(
        `demo: interrupted${interrupted.signal ? ` by ${interrupted.signal}` : ''} in run ${runs} of ${DEMO_RUNS}; ${outDir} holds what was written until then\n`,
      );
      return STOP_SIGNALS[interrupted.signal as NodeJS.Signals] ?? EXIT_FAILED;
    }
    if (failedRuns)
      process.stderr.write(`demo: ${failedRuns} of its runs did not succeed (see the warnings above)\n`);
    return failedRuns ? EXIT_FAILED : EXIT_OK;
  } finally {
    await outcome.dispose();
  }
}

/**
 * What a failure of the demo's state files advises: the demo has no config (no state.dir, no
 * APPGW_STATE_DIR); its state is `<--out>/.appgw-state`, so the user's choices are that folder and --out.
 */
export function demoStateAdvice(outDir: string): StateFolderAdvice {
  const dir = path.join(outDir, STATE_FOLDER);
  return {
    access: `Give the account that runs the demo read and write access to ${dir} and everything in it, or choose another folder with --out.`,
    folderInTheWay: `Move that folder away: ${dir} holds the demo's history, one JSON file per gateway.`,
    fileInTheWay: `Move away the file in the way (the demo keeps its history in the folder ${dir}), or choose another folder with --out.`,
    readOnly: 'Choose a folder on a writable file system with --out.',
    other: `Check ${dir}, or choose another folder with --out.`,
  };
}

/** The scenario before anything went wrong: every server `Up`, with the probe's success message. */
function allHealthy(scenario: Scenario): Scenario {
  const copy = structuredClone(scenario);
  for (const gateway of copy.gateways) {
    for (const pool of gateway.backendHealth?.backendAddressPools ?? []) {
      for (const settings of pool.backendHttpSettingsCollection ?? []) {
        for (const server of settings.servers ?? []) {
          server.health = 'Up';
          server.healthProbeLog = 'Success. Received 200 status code';
        }
      }
    }
  }
  return copy;
}
