import type { Logger } from '../pipeline/logger';

/** Progress and warnings go to stderr so `run --json` keeps stdout for the report alone. */
export function createStderrLogger(verbose: boolean): Logger {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  return {
    info: (message) => verbose && write(message),
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
  };
}
