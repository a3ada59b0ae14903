import { telemetryRecords, type TelemetryContext } from '../core/telemetry-records';
import type { RunReport } from '../core/run-report';
import type { Telemetry } from '../ports';

/**
 * Emits every record of `report` (built by the pure `telemetryRecords`, src/core/telemetry-records.ts)
 * through the `Telemetry` port. Here, not beside the records, because the core does not know the ports.
 */
export function emitRunTelemetry(telemetry: Telemetry, report: RunReport, context: TelemetryContext): void {
  for (const record of telemetryRecords(report, context)) telemetry.emit(record);
}

/** Telemetry that goes nowhere (`evaluate`, the HTTP function, and tests that do not look at it). */
export const noTelemetry: Telemetry = { emit: () => {} };
