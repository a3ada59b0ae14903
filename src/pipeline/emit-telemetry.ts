import { telemetryRecords, type TelemetryContext } from '../core/telemetry-records';
import type { RunReport } from '../core/run-report';
import type { Telemetry } from '../ports';

/**
 * Emits every record of `report` (built by the pure `telemetryRecords`, src/core/telemetry-records.ts)
 * through the `Telemetry` port. Here, not beside the records, because the core does not know the ports.
 * With `noTelemetry`, nothing is built.
 */
export function emitRunTelemetry(telemetry: Telemetry, report: RunReport, context: TelemetryContext): void {
  // Records going nowhere are not built: a run of 20 000 gateways would make one per gateway and per
  // finding at its end, all at once (issue 14: memory at the run's end).
  if (telemetry === noTelemetry) return;
  for (const record of telemetryRecords(report, context)) telemetry.emit(record);
}

/** Telemetry that goes nowhere (`evaluate`, the HTTP function, and tests that do not look at it). */
export const noTelemetry: Telemetry = { emit: () => {} };
