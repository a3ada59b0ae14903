import path from 'node:path';
import { evaluateSavedBody } from '../../app/evaluate-saved';
import { readJsonFile } from '../../adapters/files/json-file';
import { BackendHealthBodyError, UsageError } from '../../errors';
import { runSucceeded } from '../../core/run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { outFolder } from '../out-folder';
import { createStderrLogger } from '../stderr-logger';
import { printRun } from '../summary';
import { parseVerbArgs } from '../verb-args';
import { EVALUATE } from '../verb-specs';

/**
 * A saved backend-health output (`az network application-gateway show-backend-health -o json`,
 * `Get-AzApplicationGatewayBackendHealth | ConvertTo-Json -Depth 10`; a file or `-` for stdin, UTF-8 or
 * UTF-16 with its BOM) → the same insights, causes and report as `run`, without calling ARM. Exit codes
 * as `run`'s.
 */
export async function evaluateVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(EVALUATE, args);
  if (positionals.length !== 1) {
    throw new UsageError(
      [positionals.length === 0 ? 'FILE (or - for standard input) is required' : 'give one FILE'],
      EVALUATE.name,
    );
  }
  const outDir = outFolder(values.out, EVALUATE.name);
  const file = positionals[0] ?? '-';
  const source =
    file === '-' ? 'backend-health body on standard input' : `backend-health file ${path.resolve(file)}`;
  const read = await readJsonFile(file);
  if (!read.ok) throw new BackendHealthBodyError([read.problem], source);
  const outcome = await evaluateSavedBody(
    { value: read.value, source },
    {
      ...(values.gateway !== undefined ? { gatewayId: values.gateway } : {}),
      outDir,
      logger: createStderrLogger(false),
    },
  );
  try {
    await printRun(outcome.report, outcome.receipts, values.json);
    return runSucceeded(outcome.report) ? EXIT_OK : EXIT_FAILED;
  } finally {
    await outcome.dispose();
  }
}
