import { counted, namedList } from '../core/counted';
import type { GatewayReport } from '../core/run-report';

/**
 * The warnings a gateway's result gives the log (stderr in the CLI's direct run, the queue
 * invocation's log in the Functions app), in this order and each naming the gateway once: its failure
 * (its error's message, which most often names it already), its configuration not read (its insights
 * then give the general steps), and a reading short of backend pools (its servers not read this run,
 * exit 2). Empty for a gateway read whole.
 */
export function gatewayWarnings(report: GatewayReport): string[] {
  const warnings: string[] = [];
  const error = report.error;
  // New-user trials: "<id>: <id> does not exist", "<id>: Backend health for <id> is unavailable".
  if (error)
    warnings.push(error.message.includes(report.id) ? error.message : `${report.id}: ${error.message}`);
  const configuration = report.configuration;
  if (configuration && !configuration.read)
    warnings.push(
      `${report.id}: configuration not read (${configuration.reason ?? 'unavailable'})${report.findings.length ? ', its insights give the general steps' : ''}: ${configuration.message ?? ''}`,
    );
  // Exit 2 says a problem: the log names it, as for any other (a new-user trial: nothing on stderr).
  const notRead = report.poolsNotRead;
  if (notRead?.length)
    warnings.push(
      `${report.id}: reading incomplete: ARM's backend health did not list ${counted(notRead.length, 'backend pool')} (${namedList(notRead, 5)}), or listed no server of ${notRead.length === 1 ? 'it: its servers were' : 'them: their servers were'} not read this run`,
    );
  return warnings;
}
