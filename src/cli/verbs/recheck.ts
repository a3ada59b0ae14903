import { recheckVerdict } from '../recheck-verdict';
import { randomUUID } from 'node:crypto';
import { configSource } from '../verb-config';
import {
  buildRecheckDependencies,
  recheckGateway,
  recheckReport,
  recheckSteps,
} from '../../app/recheck-gateway';
import { configFromAppSettings } from '../../config/app-settings';
import { folderAdvice } from '../../config/folder-origin';
import { loadConfigFile } from '../../config/load';
import { gatewayIdProblem, parseGatewayId } from '../../core/arm-id';
import { gatewayChildNameProblem } from '../../core/arm-name';
import { CLI_INPUTS } from '../../pipeline/recheck';
import { UsageError } from '../../errors';
import { notificationsReport } from '../../pipeline/build-run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { gatewayNotificationLines } from '../summary';
import { createStderrLogger } from '../stderr-logger';
import { terminalField, terminalJson } from '../terminal-text';
import { parseVerbArgs } from '../verb-args';
import { RECHECK } from '../verb-specs';
import { warnSettingsNotApplied } from '../settings-not-applied';
import { adviceForCommand, errorsForCommand } from '../command-advice';

/**
 * `recheck --gateway ID --pool NAME [--settings NAME] [--config FILE] [--json]` (pipeline/recheck.ts).
 * Exit 0 when every server was found healthy and every notice delivered; 2 otherwise (and for the
 * errors a user can act on, printed by main.ts).
 */
export async function recheckVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(RECHECK, args);
  // --gateway and --pool are required (verb-specs.ts): parseVerbArgs refused their absence.
  const issues: string[] = [];
  const problem = values.gateway ? gatewayIdProblem(values.gateway) : undefined;
  if (problem) issues.push(`--gateway: ${problem}`);
  // The one name check the HTTP endpoint makes too (core/arm-name.ts).
  for (const [flag, value] of [
    ['--pool', values.pool],
    ['--settings', values.settings],
  ] as const) {
    const problem = value === undefined ? undefined : gatewayChildNameProblem(flag, value);
    if (problem) issues.push(problem);
  }
  const gateway = values.gateway ? parseGatewayId(values.gateway) : undefined;
  // A missing --settings is not refused here: once the configuration is read, the message lists the
  // settings that pair with the pool (pipeline/recheck.ts, recheckTarget).
  if (issues.length || !gateway || !values.pool) throw new UsageError(issues, RECHECK.name);
  const config = values.config
    ? await loadConfigFile(values.config, process.env)
    : configFromAppSettings(process.env, { reader: 'run', verb: 'recheck' });
  if (values.config) await warnSettingsNotApplied(values.config, RECHECK.name, config);
  // Its errors in this command's words (command-advice.ts), on stderr as in its report below.
  const logger = createStderrLogger(
    false,
    (text) => void process.stderr.write(adviceForCommand(text, RECHECK.name, args)),
  );
  const deps = buildRecheckDependencies(config, process.env, logger, {
    stateFolderAdvice: folderAdvice(
      { ...(values.config ? { file: values.config } : {}), env: process.env },
      config.state.dir ? { state: config.state.dir } : {},
    ).stateFolderAdvice,
  });
  const rechecked = await recheckGateway(
    deps,
    config,
    gateway,
    {
      backendPool: values.pool,
      ...(values.settings !== undefined ? { backendSettings: values.settings } : {}),
    },
    `recheck-${randomUUID()}`,
    {
      targetsSetting: values.config ? `"targets" in ${values.config}` : 'APPGW_TARGETS',
      inputs: CLI_INPUTS,
      configSource: configSource(values.config),
    },
  );
  // A state error closes with a run's words ("the next run tries again"): said as this command's, to be
  // run again as typed (command-advice.ts; a break trial's recheck told to wait for the next run).
  const result = {
    ...rechecked,
    notify: {
      ...rechecked.notify,
      stateErrors: errorsForCommand(rechecked.notify.stateErrors, RECHECK.name, args),
    },
  };
  const allHealthy = result.servers.length > 0 && result.servers.every((s) => s.state === 'healthy');
  // As a run's exit code: a notice left undelivered (this recheck's, or one the state already held:
  // issue 15's trial saw "✗ 1 not delivered" with exit 0) or dropped, or a state error, is a failure.
  const delivered =
    result.notify.stateErrors.length === 0 &&
    result.notify.deliveries.every((d) => d.outcome === 'delivered') &&
    result.notify.undelivered.length === 0 &&
    result.notify.dropped.length === 0;
  if (values.json) {
    process.stdout.write(`${terminalJson(recheckReport(result))}\n`);
  } else {
    process.stdout.write(
      `${terminalField(gateway.name)}: on-demand probe of pool ${terminalField(result.backendPool)} with setting ${terminalField(result.backendSettings)}\n`,
    );
    if (result.servers.length === 0) process.stdout.write('  the pool has no servers\n');
    for (const s of result.servers) {
      const line = `  ${terminalField(s.address)}: ${terminalField(s.health)} (${s.state})`;
      if (s.state === 'healthy')
        process.stdout.write(
          `${line}${s.episodeClosed ? ': episode closed (confirmed by an on-demand probe)' : ''}\n`,
        );
      else {
        process.stdout.write(
          `${line}: ${terminalField(s.cause?.title ?? 'unknown cause')}: ${terminalField(s.probeLog || '(no probe message)', 300)}\n`,
        );
        // What to do next, exact from the configuration the recheck read (as --json's cause.steps).
        for (const step of recheckSteps(result, s))
          process.stdout.write(`    - ${terminalField(step, 2000)}\n`);
      }
    }
    // What notify did, in the lines a run's summary uses: sent, held for the group (until when, by
    // which setting), silenced, not delivered and why, dead letters (summary.ts).
    // Follow-up commands (re-send a dead letter) name the --config this recheck was given.
    const notifyLines = gatewayNotificationLines(
      notificationsReport(result.notify),
      gateway,
      configSource(values.config),
    );
    if (notifyLines.length) process.stdout.write(`${notifyLines.join('\n')}\n`);
    const verdict = recheckVerdict(
      {
        servers: result.servers,
        // A send that failed is in `undelivered` too (waiting, or a dead letter): counted once.
        notDelivered: Math.max(
          result.notify.undelivered.length + result.notify.dropped.length,
          result.notify.deliveries.filter((d) => d.outcome !== 'delivered').length,
        ),
        stateErrors: result.notify.stateErrors.length,
      },
      terminalField(result.backendPool),
    );
    process.stdout.write(`\n${verdict}\n`);
  }
  return allHealthy && delivered ? EXIT_OK : EXIT_FAILED;
}
