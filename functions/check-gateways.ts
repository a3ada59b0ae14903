import { app, type InvocationContext, type Timer, type TimerFunctionOptions } from '@azure/functions';
import { runOnce } from '../src/app/run-once';
import { configFromAppSettings } from '../src/config/app-settings';
import type { Config } from '../src/config/schema';
import { readSchedule } from '../src/config/schedule';
import { runSucceeded } from '../src/pipeline/report';

/** Config is read on first invocation, not at import: no work on the cold-start path. */
let config: Config | undefined;

export async function checkGateways(_timer: Timer, context: InvocationContext): Promise<void> {
  config ??= configFromAppSettings(process.env);
  const { report } = await runOnce(config, {
    logger: { info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) },
    runId: context.invocationId !== 'unknown' ? context.invocationId : undefined,
  });
  context.log(
    `run ${report.runId}: ${report.summary.gateways} gateway(s), ${report.summary.findings} finding(s), ` +
      `${report.summary.failedGateways} failed`,
  );
  // Timers are not retried; failing the invocation makes a failed gateway or sink visible in monitoring.
  if (!runSucceeded(report)) {
    throw new Error(`run ${report.runId} incomplete: see the warnings above and report.json`);
  }
}

/** Exported so tests can check the registration without the Functions host. */
export const checkGatewaysOptions: TimerFunctionOptions = {
  // A %setting% reference keeps the schedule editable in Azure; without the setting, the default.
  schedule: process.env['APPGW_SCHEDULE'] ? '%APPGW_SCHEDULE%' : readSchedule({}),
  handler: checkGateways,
};
readSchedule(process.env); // fail at start-up, naming the setting, when it is malformed

app.timer('checkGateways', checkGatewaysOptions);
