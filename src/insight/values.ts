import type { Finding } from '../core/model';

/**
 * The seed article's placeholders, filled from a finding. Names are the article's contract,
 * `BackendSeverAddress` typo included.
 */
export function insightValues(finding: Finding, now: Date): Record<string, string> {
  return {
    GatewayName: finding.gateway.name,
    CurrentTime: formatUtc(now),
    BackendSeverAddress: finding.address,
    HealthStatus: finding.health || '(not reported)',
    ErrorDetails: finding.probeLog || '(the gateway reported no probe log for this server)',
  };
}

/** "2026-11-26 04:27:18": the article itself appends "(UTC)". */
export function formatUtc(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}
