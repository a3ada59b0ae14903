import type { Finding } from '../core/model';

/** The seed article's placeholder for the probe message, as a placeholder key (lower case). */
export const ERROR_DETAILS = 'errordetails';

/**
 * The "Error Message" of a server whose probe gave none: the one place the insight says so (the cause
 * section then shows no probe message, and the `other` cause's steps do not repeat it).
 */
export const NO_PROBE_MESSAGE = 'none (the gateway gave no probe message for this server)';

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
    ErrorDetails: finding.probeLog.trim() === '' ? NO_PROBE_MESSAGE : finding.probeLog,
  };
}

/** "2026-11-26 04:27:18": the article itself appends "(UTC)". */
export function formatUtc(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}
