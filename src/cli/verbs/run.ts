import path from 'node:path';
import { parseArgs } from 'node:util';
import { runOnce } from '../../app/run-once';
import { loadConfigFile } from '../../config/load';
import { ConfigError } from '../../errors';
import { runSucceeded } from '../../core/run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { createStderrLogger } from '../stderr-logger';
import { createStderrTelemetry } from '../stderr-telemetry';
import { printRun } from '../summary';

export const RUN_USAGE = 'appgw-insights run --config FILE [--out DIR] [--json] [--verbose]';

/**
 * One evaluation of every target. Exit 0 when everything was done (`runSucceeded`: every gateway
 * evaluated, every notice delivered, the state read and written, every sink written), 2 otherwise.
 */
export async function runVerb(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.config) throw new ConfigError(['--config FILE is required'], `arguments (${RUN_USAGE})`);
  const config = await loadConfigFile(values.config);
  const effective = values.out
    ? { ...config, sinks: { ...config.sinks, dir: path.resolve(values.out) } }
    : config;
  const { report, receipts } = await runOnce(effective, {
    logger: createStderrLogger(values.verbose),
    telemetry: createStderrTelemetry(values.verbose),
  });
  printRun(report, receipts, values.json);
  return runSucceeded(report) ? EXIT_OK : EXIT_FAILED;
}
