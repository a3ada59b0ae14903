import type { Logger } from '../pipeline/logger';
import { terminalLines } from './terminal-text';

/**
 * Progress and warnings go to stderr so `run --json` keeps stdout for the report alone. `out` writes
 * the text (stderr by default; above the progress line while `run` shows one: progress-line.ts).
 * A warning or error already said by this logger is not said again.
 */
export function createStderrLogger(
  verbose: boolean,
  out: (text: string) => void = (text) => process.stderr.write(text),
): Logger {
  // Messages carry gateway names and error texts from the network. A line break inside one (a server
  // name with a carriage return) continues it, indented: it can never start a forged `error:` line.
  const write = (line: string) => out(`${terminalLines(line).replace(/\n/g, '\n  ')}\n`);
  // Each warning or error once per logger (one per `run`, one for a demo's runs): the same failure of
  // every gateway, or of every run of a demo, buried the advice under dozens of copies (issue 15 trial).
  const said = new Set<string>();
  const once = (line: string) => {
    if (said.has(line)) return;
    said.add(line);
    write(line);
  };
  return {
    info: (message) => verbose && write(message),
    warn: (message) => once(`warning: ${message}`),
    error: (message) => once(`error: ${message}`),
  };
}
