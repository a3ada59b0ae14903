import { terminalSafe } from '../config/json-text';
import { describeNotifyProblems } from '../pipeline/notify/undelivered-summary';
import type { RunReport } from '../pipeline/report';

/** The short human summary: gateway, pool, server, health, error; then where the files are. */
export function formatSummary(report: RunReport, locations: readonly string[]): string {
  const s = report.summary;
  const lines = [
    `Checked ${s.gateways} gateway(s), ${s.servers} backend server(s): ${s.findings} not healthy` +
      (s.failedGateways ? `, ${s.failedGateways} gateway(s) could not be checked` : '') +
      '.',
  ];
  for (const target of report.targets.filter((t) => !t.ok)) {
    lines.push('', `✗ target ${target.id}`, `    ${oneLine(target.error?.message ?? '')}`);
  }
  for (const gateway of report.gateways) {
    lines.push(
      '',
      `${gateway.ok ? (gateway.findings.length ? '!' : '✓') : '✗'} ${gateway.name} (${gateway.resourceGroup})`,
    );
    if (!gateway.ok) lines.push(`    could not be checked: ${oneLine(gateway.error?.message ?? '')}`);
    for (const f of gateway.findings) {
      lines.push(`    ${f.backendPool} / ${f.backendSettings}  ${f.address}  ${f.health}`);
      lines.push(`        ${oneLine(f.probeLog) || '(no probe log)'}`);
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
      for (const problem of problems) lines.push(`    ${terminalSafe(problem)}`);
    } else if (notifications.deliveries.length) {
      lines.push('', `✓ notifications: ${delivered} delivered`);
    }
  }
  if (locations.length) lines.push('', `Insights and report: ${locations.join(', ')}`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}

/** The report as JSON, or the human summary with where the sinks wrote. */
export function printRun(
  report: RunReport,
  receipts: ReadonlyArray<{ receipt: { locations: readonly string[] } }>,
  asJson = false,
): void {
  const text = asJson
    ? JSON.stringify(report, null, 2)
    : formatSummary(
        report,
        receipts.flatMap((r) => r.receipt.locations),
      );
  process.stdout.write(`${text}\n`);
}
