import type { RunReport } from '../pipeline/report';
import { terminalLine as oneLine } from './terminal-text';

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
  for (const target of report.targets.filter((t) => !t.ok)) {
    lines.push('', `✗ target ${oneLine(target.id)}`, `    ${oneLine(target.error?.message ?? '')}`);
  }
  for (const gateway of report.gateways) {
    lines.push(
      '',
      `${gateway.ok ? (gateway.findings.length ? '!' : '✓') : '✗'} ${oneLine(gateway.name)} (${oneLine(gateway.resourceGroup)})`,
    );
    if (!gateway.ok) lines.push(`    could not be checked: ${oneLine(gateway.error?.message ?? '')}`);
    for (const f of gateway.findings) {
      lines.push(
        `    ${oneLine(f.backendPool)} / ${oneLine(f.backendSettings)}  ${oneLine(f.address)}  ${oneLine(f.health)}`,
      );
      lines.push(`        ${oneLine(f.probeLog) || '(no probe log)'}`);
    }
  }
  if (locations.length)
    lines.push('', `Insights and report: ${locations.map((l) => oneLine(l, 2000)).join(', ')}`);
  return lines.join('\n');
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
