import { app, type InvocationContext, type Timer, type TimerFunctionOptions } from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { contextTelemetry } from '../src/app/context-telemetry';
import { functionServices } from '../src/app/function-services';
import { readSchedule } from '../src/config/schedule';
import { startFanOut } from '../src/pipeline/fan-out';
import { runSucceeded } from '../src/core/run-report';

/** Timer: lists the target gateways and queues one message each for `evaluateGateway`. */
export async function discoverGateways(_timer: Timer, context: InvocationContext): Promise<void> {
  const { deps, options } = await functionServices(contextLogger(context), contextTelemetry(context));
  const { report } = await startFanOut(deps, { ...options, runId: context.invocationId });
  context.log(`run ${report.runId}: ${report.queued?.length ?? 0} gateway(s) queued`);
  // Timers are not retried: failing the invocation makes a failed target or sink visible in monitoring.
  if (!runSucceeded(report))
    throw new Error(`run ${report.runId}: some targets or sinks failed (see warnings)`);
}

export const discoverGatewaysOptions: TimerFunctionOptions = {
  // A %setting% reference keeps the schedule editable in Azure; without the setting, the default.
  schedule: process.env['APPGW_SCHEDULE'] ? '%APPGW_SCHEDULE%' : readSchedule({}),
  handler: discoverGateways,
};
readSchedule(process.env); // a malformed schedule fails at start-up, naming the setting

app.timer('discoverGateways', discoverGatewaysOptions);
