import { describeNotifyProblems } from '../pipeline/notify/undelivered-summary';
import { parseGatewayId } from '../core/arm-id';
import type { RunInterruptionReport, RunReport } from '../core/run-report';
import { terminalField as field, terminalJson } from './terminal-text';

/**
 * The short human summary: gateway, pool, server, health, error; then where the files are. Names and
 * probe logs come from the network: shown as they are, made safe for a terminal (terminal-text.ts).
 */
export function formatSummary(report: RunReport, locations: readonly string[]): string {
  const s = report.summary;
  const lines = [
    `Checked ${s.gateways} gateway(s), ${s.servers} backend server(s): ${s.findings} not healthy` +
      (s.failedGateways ? `, ${s.failedGateways} gateway(s) could not be checked` : '') +
      '.',
  ];
  if (report.interrupted) lines.push('', ...interruptedLines(report.interrupted));
  for (const target of report.targets.filter((t) => !t.ok)) {
    lines.push('', `✗ target ${field(target.id, 400)}`, `    ${field(target.error?.message ?? '')}`);
  }
  for (const target of report.targets.filter((t) => t.ok && t.gateways === 0)) {
    lines.push(
      '',
      `! target ${field(target.id, 400)}: nothing to check` +
        (target.leftOut
          ? ` (the discovery filter left out all ${target.leftOut} gateway(s) found)`
          : ' (no gateway found)'),
    );
  }
  for (const gateway of report.gateways) {
    lines.push(
      '',
      `${gateway.ok ? (gateway.findings.length ? '!' : '✓') : '✗'} ${field(gateway.name, 80)} (${field(gateway.resourceGroup, 90)})`,
    );
    if (!gateway.ok) lines.push(`    could not be checked: ${field(gateway.error?.message ?? '')}`);
    for (const f of gateway.findings) {
      lines.push(
        `    ${field(f.backendPool, 80)} / ${field(f.backendSettings, 80)}  ${field(f.address, 253)}  ${field(f.health, 40)}`,
      );
      lines.push(`        ${field(f.probeLog) || '(no probe log)'}`);
    }
  }
  const notifications = report.notifications;
  if (notifications) {
    const problems = describeNotifyProblems(notifications);
    const delivered = notifications.deliveries.filter((d) => d.outcome === 'delivered').length;
    if (problems.length) {
      lines.push(
        '',
        `✗ notifications: ${delivered} delivered, ${notifications.undelivered.length} not delivered`,
      );
      for (const problem of problems) lines.push(`    ${field(problem, 400)}`);
    } else if (notifications.deliveries.length) {
      lines.push('', `✓ notifications: ${delivered} delivered`);
    }
  }
  if (locations.length)
    lines.push('', `Insights and report: ${locations.map((l) => field(l, 2000)).join(', ')}`);
  return lines.join('\n');
}

/** Names shown of the gateways an interrupted run did not do; the rest are counted (all are in report.json). */
const NOT_DONE_SHOWN = 10;

/** Why the run stopped, and the gateways it did not do (not failed: nothing was decided for them). */
function interruptedLines(interrupted: RunInterruptionReport): string[] {
  const lines = [`✗ interrupted: ${field(interrupted.message, 400)}`];
  const { notDone } = interrupted;
  if (notDone.length === 0) return lines;
  const names = notDone.slice(0, NOT_DONE_SHOWN).map((id) => {
    const gateway = parseGatewayId(id);
    return gateway ? `${field(gateway.name, 80)} (${field(gateway.resourceGroup, 90)})` : field(id, 400);
  });
  const more = notDone.length > NOT_DONE_SHOWN ? `, and ${notDone.length - NOT_DONE_SHOWN} more` : '';
  lines.push(`    not done (${notDone.length} gateway(s)): ${names.join(', ')}${more}`);
  return lines;
}

/** The report as JSON, or the human summary with where the sinks wrote. */
export function printRun(
  report: RunReport,
  receipts: ReadonlyArray<{ receipt: { locations: readonly string[] } }>,
  asJson = false,
): void {
  const text = asJson
    ? terminalJson(report)
    : formatSummary(
        report,
        receipts.flatMap((r) => r.receipt.locations),
      );
  process.stdout.write(`${text}\n`);
}
