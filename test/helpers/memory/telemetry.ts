import type { TelemetryName, TelemetryRecord } from '../../../src/core/telemetry-records';
import type { Telemetry } from '../../../src/ports';

/**
 * A Telemetry that keeps every record. No failure to inject: `emit` never throws by the port's
 * contract (adapters swallow their own failures), so the pipeline has no rule for it to test.
 */
export interface MemoryTelemetry extends Telemetry {
  readonly records: TelemetryRecord[];
  /** The fields of every record named `name`, in order. */
  named(name: TelemetryName): Array<Record<string, unknown>>;
}

export function memoryTelemetry(): MemoryTelemetry {
  const records: TelemetryRecord[] = [];
  return {
    records,
    emit: (record) => void records.push(record),
    named: (name) =>
      records.filter((r) => r.name === name).map((r) => ({ ...r.fields }) as Record<string, unknown>),
  };
}
