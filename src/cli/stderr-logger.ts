import type { Logger } from '../pipeline/logger';
import { terminalLines } from './terminal-text';

/**
 * Progress and warnings go to stderr so `run --json` keeps stdout for the report alone. `out` writes
 * the text (stderr by default; above the progress line while `run` shows one: progress-line.ts).
 */
export function createStderrLogger(
  verbose: boolean,
  out: (text: string) => void = (text) => process.stderr.write(text),
): Logger {
  // Messages carry gateway names and error texts from the network. A line break inside one (a server
  // name with a carriage return) continues it, indented: it can never start a forged `error:` line.
  const write = (line: string) => out(`${terminalLines(line).replace(/\n/g, '\n  ')}\n`);
  return {
    info: (message) => verbose && write(message),
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
  };
}
