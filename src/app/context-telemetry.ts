import type { InvocationContext } from '@azure/functions';
import { formatTelemetryRecord } from '../core/telemetry-records';
import type { Telemetry } from '../ports';

/**
 * Telemetry through the Functions host's own channel: each record is one `context.log` line, which the
 * worker hands to the host and the host sends to Application Insights as a trace (table `traces`) tied
 * to the invocation (`operation_Id`, `customDimensions.InvocationId`). The Node worker cannot attach
 * custom dimensions to a log (it joins the arguments into one message string: maintainer answer in
 * Azure/azure-functions-nodejs-library#227), so the record's fields travel as JSON in the message, and
 * KQL reads them with `parse_json` (README "Telemetry"). No Application Insights or OpenTelemetry SDK is
 * loaded: nothing is added to the cold start, and the host's connection (Entra ID, sampling settings in
 * host.json) is the only one.
 */
export function contextTelemetry(context: InvocationContext): Telemetry {
  return {
    emit: (record) => {
      try {
        context.log(formatTelemetryRecord(record));
      } catch {
        // Telemetry never fails an invocation (a logger that throws is the host's problem, not the run's).
      }
    },
  };
}
