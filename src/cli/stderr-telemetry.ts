import { formatTelemetryRecord } from '../core/telemetry-records';
import { noTelemetry } from '../pipeline/emit-telemetry';
import type { Telemetry } from '../ports';
import { terminalSafeJson } from './terminal-text';

/**
 * The CLI's telemetry: with `run --verbose`, each record as one line on stderr, exactly the message the
 * Functions app sends to Application Insights (`appgw.gateway {"v":1,…}`), so the README's queries can be
 * tried against a local run; without `--verbose`, nothing. Names from the network are escaped as
 * `terminalJson` does (the same JSON value, no control or bidi character reaching the terminal).
 */
export function createStderrTelemetry(
  verbose: boolean,
  out: (text: string) => void = (text) => process.stderr.write(text),
): Telemetry {
  // Without --verbose the records go nowhere: `noTelemetry`, which the run does not build them for.
  if (!verbose) return noTelemetry;
  return {
    emit: (record) => {
      out(`${terminalSafeJson(formatTelemetryRecord(record))}\n`);
    },
  };
}
