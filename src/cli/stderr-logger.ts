import type { Logger } from '../pipeline/logger';
import { terminalLines } from './terminal-text';

/** Progress and warnings go to stderr so `run --json` keeps stdout for the report alone. */
export function createStderrLogger(verbose: boolean): Logger {
  // Messages carry gateway names and error texts from the network.
  const write = (line: string) => process.stderr.write(`${terminalLines(line)}\n`);
  return {
    info: (message) => verbose && write(message),
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
  };
}
