import { systemClock } from '../../adapters/clock/system-clock';
import { configSource } from '../verb-config';
import { runOnce } from '../../app/run-once';
import { configFromAppSettings } from '../../config/app-settings';
import { folderAdvice } from '../../config/folder-origin';
import { loadConfigFile } from '../../config/load';
import { runSucceeded, type RunReport } from '../../core/run-report';
import { EXIT_DEADLINE, EXIT_DEGRADED, EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { limitHeapGrowth } from '../heap-growth';
import { outFolder } from '../out-folder';
import { createProgressLine } from '../progress-line';
import { interruptOnStopSignal, STOP_SIGNALS } from '../shutdown';
import { createStderrLogger } from '../stderr-logger';
import { createStderrTelemetry } from '../stderr-telemetry';
import { printRun } from '../summary';
import { warnSettingsNotApplied } from '../settings-not-applied';
import { parseVerbArgs } from '../verb-args';
import { RUN } from '../verb-specs';

/**
 * One evaluation of every target, configured by `--config FILE` or, without it, by the same `APPGW_*`
 * settings as the Functions app, from the environment. Exit 0 when everything was done (`runSucceeded`: every gateway
 * evaluated, every notice delivered, the state read and written, every sink written), 2 otherwise.
 *
 * A stop signal (Ctrl-C, `kill`, a closed terminal) interrupts the run rather than killing it: no
 * gateway is started, the reads in flight are cut short, and the report (what finished, and what was
 * not done) is written and printed; then it exits 128 + the signal's number (130 for SIGINT). A second
 * signal exits at once (shutdown.ts). `runDeadlineInMs` interrupts it the same way, exit 124. On a
 * terminal, and without `--json`, stderr shows a progress line while gateways are checked.
 */
export async function runVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(RUN, args);
  const out = values.out === undefined ? undefined : outFolder(values.out, RUN.name);
  // Without --config: the Functions app's APPGW_* settings, from the environment (containers, CI jobs).
  // --out replaces sinks.dir before the configuration is checked: the folder it names is not used.
  const effective = values.config
    ? await loadConfigFile(values.config, process.env, out)
    : configFromAppSettings(process.env, { reader: 'run', ...(out ? { sinksDir: out } : {}) });
  if (values.config) await warnSettingsNotApplied(values.config, RUN.name, effective);
  // Memory: a run of many gateways allocates fast, and V8 would let its heap grow to several times what it keeps.
  limitHeapGrowth();
  const progress = values.json ? undefined : createProgressLine(process.stderr, systemClock);
  const toStderr = progress ? progress.writeAbove : (text: string) => void process.stderr.write(text);
  const stop = interruptOnStopSignal((signal) => {
    const said = `${signal}: stopping: no new gateway is started; the report follows (again to quit at once)\n`;
    // The line says "stopping" before the message is written above it: never the old ETA after it.
    if (progress) progress.stopping(said);
    else toStderr(said);
  });
  try {
    const outcome = await runOnce(effective, {
      logger: createStderrLogger(values.verbose, toStderr),
      telemetry: createStderrTelemetry(values.verbose, toStderr),
      stop: stop.signal,
      configSource: configSource(values.config),
      ...(progress ? { progress } : {}),
      // A folder's failure names where it came from: --out, sinks.dir in FILE, or APPGW_SINKS_DIR.
      ...folderAdvice(
        { ...(values.config ? { file: values.config } : {}), ...(out ? { out } : {}), env: process.env },
        {
          ...(effective.sinks.dir ? { sinks: effective.sinks.dir } : {}),
          ...(effective.state.dir ? { state: effective.state.dir } : {}),
        },
      ),
    });
    try {
      await printRun(outcome.report, outcome.receipts, values.json, configSource(values.config));
      return exitCode(outcome.report);
    } finally {
      // After the report is printed: its gateways are read from the run's temporary files.
      await outcome.dispose();
    }
  } finally {
    stop.dispose();
  }
}

/**
 * 0; 3 when everything was done but some insight gives the general steps (report `configuration`);
 * 2 when anything failed; for an interrupted run 128 + the signal's number, or 124 past the deadline.
 */
export function exitCode(report: RunReport): number {
  const interrupted = report.interrupted;
  if (interrupted?.by === 'deadline') return EXIT_DEADLINE;
  if (interrupted) return STOP_SIGNALS[interrupted.signal as NodeJS.Signals] ?? EXIT_FAILED;
  if (!runSucceeded(report)) return EXIT_FAILED;
  return report.configuration ? EXIT_DEGRADED : EXIT_OK;
}
