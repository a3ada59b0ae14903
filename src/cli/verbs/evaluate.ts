import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateSavedBody } from '../../app/evaluate-saved';
import { readJsonFile } from '../../adapters/files/json-file';
import { BackendHealthBodyError, ConfigError } from '../../errors';
import { runSucceeded } from '../../core/run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { createStderrLogger } from '../stderr-logger';
import { printRun } from '../summary';

export const EVALUATE_USAGE = 'appgw-insights evaluate FILE|- [--gateway ID] [--out DIR] [--json]';

/**
 * A saved backend-health output (`az network application-gateway show-backend-health -o json`,
 * `Get-AzApplicationGatewayBackendHealth | ConvertTo-Json -Depth 10`; a file or `-` for stdin, UTF-8 or
 * UTF-16 with its BOM) → the same insights, causes and report as `run`, without calling ARM. Exit codes
 * as `run`'s.
 */
export async function evaluateVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      gateway: { type: 'string' },
      out: { type: 'string', default: 'out' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new ConfigError(
      [positionals.length === 0 ? 'FILE (or - for standard input) is required' : 'give one FILE'],
      `arguments (${EVALUATE_USAGE})`,
    );
  }
  const file = positionals[0] ?? '-';
  const source =
    file === '-' ? 'backend-health body on standard input' : `backend-health file ${path.resolve(file)}`;
  const read = await readJsonFile(file);
  if (!read.ok) throw new BackendHealthBodyError([read.problem], source);
  const { report, receipts } = await evaluateSavedBody(
    { value: read.value, source },
    {
      ...(values.gateway !== undefined ? { gatewayId: values.gateway } : {}),
      outDir: path.resolve(values.out),
      logger: createStderrLogger(false),
    },
  );
  printRun(report, receipts, values.json);
  return runSucceeded(report) ? EXIT_OK : EXIT_FAILED;
}
