import path from 'node:path';
import { emulatorRunConfig } from '../../app/emulator-run-config';
import { runOnce } from '../../app/run-once';
import { parseConfig } from '../../config/load';
import { runSucceeded } from '../../core/run-report';
import { defaultScenarioPath, loadScenarioFile, startEmulator } from '../../emulator';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { onStopSignal, removeOnExit } from '../shutdown';
import { createStderrLogger } from '../stderr-logger';
import { printRun } from '../summary';
import { parseVerbArgs } from '../verb-args';
import { DEMO } from '../verb-specs';

/** Starts the emulator on the default scenario, runs once into `out/`, prints a summary. */
export async function demoVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(DEMO, args);
  const outDir = path.resolve(values.out);
  const scenario = await loadScenarioFile(defaultScenarioPath);
  const emulator = await startEmulator({ scenario, port: 0 });
  const keepCertDir = removeOnExit(path.dirname(emulator.caCertFile));
  const stop = onStopSignal(() => emulator.close());
  try {
    process.stdout.write(`Backend-health emulator on ${emulator.url} (default scenario), checking…\n\n`);
    const config = parseConfig(
      emulatorRunConfig({
        url: emulator.url,
        caCertFile: emulator.caCertFile,
        gatewayIds: scenario.gateways.map((g) => g.id),
        outDir,
      }),
      'demo configuration',
    );
    const { report, receipts } = await runOnce(config, { logger: createStderrLogger(false) });
    printRun(report, receipts);
    return runSucceeded(report) ? EXIT_OK : EXIT_FAILED;
  } finally {
    stop.dispose();
    await emulator.close();
    keepCertDir();
  }
}
