/**
 * Joins a gateway's configuration to its findings (pure): each finding gets the probe resolved for its
 * server (probe-resolution.ts) and what the configuration shows about its cause
 * (config-observations.ts), or, when the configuration could not be read or does not hold the
 * server's setting, why not: the insight then gives the general steps and says so.
 */
import { VALUE_CAPS } from './caps';
import { clipMessage } from './text-clip';
import { observeConfiguration } from './config-observations';
import type { GatewayConfigReading } from './gateway-config';
import type { Finding, FindingConfiguration } from './model';
import { resolveProbe } from './probe-resolution';

export function withConfiguration(findings: readonly Finding[], reading: GatewayConfigReading): Finding[] {
  return findings.map((finding) => ({ ...finding, configuration: configurationOf(finding, reading) }));
}

function configurationOf(finding: Finding, reading: GatewayConfigReading): FindingConfiguration {
  if (!reading.ok) return { read: false, reason: clipMessage(reading.detail, VALUE_CAPS.errorMessage) };
  const settings = {
    name: finding.backendSettings,
    ...(finding.backendSettingsId !== undefined ? { id: finding.backendSettingsId } : {}),
  };
  const resolved = resolveProbe(reading.config, finding.gateway, settings, finding.address);
  if (!resolved.ok)
    return { read: false, reason: clipMessage(resolved.reason, VALUE_CAPS.errorMessage), unresolved: true };
  const facts = {
    causeId: finding.cause.id,
    ...(finding.cause.receivedStatus !== undefined ? { receivedStatus: finding.cause.receivedStatus } : {}),
  };
  return { read: true, probe: resolved.probe, observations: observeConfiguration(resolved.probe, facts) };
}
