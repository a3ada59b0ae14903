import type { Logger } from '../pipeline/logger';
import { terminalText } from './terminal-text';

/** Progress and warnings go to stderr so `run --json` keeps stdout for the report alone. */
export function createStderrLogger(verbose: boolean): Logger {
  // Messages may quote values from the network (names, probe logs): no terminal sequence gets through.
  const write = (line: string) => process.stderr.write(`${terminalText(line)}\n`);
  return {
    info: (message) => verbose && write(message),
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
  };
}
