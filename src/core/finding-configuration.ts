/**
 * Joins a gateway's configuration to its findings (pure): each finding gets the probe resolved for its
 * server (probe-resolution.ts) and what the configuration shows about its cause
 * (config-observations.ts), or, when the configuration could not be read or does not hold the
 * server's setting, why not: the insight then gives the general steps and says so.
 */
import { VALUE_CAPS } from './caps';
import { clipMessage } from './text-clip';
import { observeConfiguration } from './config-observations';
import type { Cause } from './causes';
import type { GatewayConfig, GatewayConfigReading } from './gateway-config';
import type { Finding, FindingConfiguration, GatewayRef, HealthState } from './model';
import { resolveProbe } from './probe-resolution';

/**
 * `findings` with the configuration joined; when it was read, each finding's gateway also carries the
 * tags its resource had (GatewayRef.tags: what a silence's or a route's `tags` matcher compares).
 */
export function withConfiguration(findings: readonly Finding[], reading: GatewayConfigReading): Finding[] {
  const tags = reading.ok ? reading.config.tags : undefined;
  return findings.map((finding) => ({
    ...finding,
    ...(tags !== undefined ? { gateway: { ...finding.gateway, tags } } : {}),
    configuration: configurationOf(finding, reading),
  }));
}

function configurationOf(finding: Finding, reading: GatewayConfigReading): FindingConfiguration {
  if (!reading.ok) return { read: false, reason: clipMessage(reading.detail, VALUE_CAPS.errorMessage) };
  const settings = {
    name: finding.backendSettings,
    ...(finding.backendSettingsId !== undefined ? { id: finding.backendSettingsId } : {}),
  };
  return serverConfiguration(
    reading.config,
    finding.gateway,
    settings,
    finding.address,
    finding.cause,
    finding.state,
  );
}

/**
 * The configuration behind one server's probe under one backend setting (`settings`: its name, or its
 * name and id) and what it shows about `cause`: what a finding carries, and what a recheck of a server
 * still bad reports, so both give the same exact steps (exact-steps.ts). `{ read: false, unresolved }`
 * when the configuration does not give the server's probe.
 */
export function serverConfiguration(
  config: GatewayConfig,
  gateway: GatewayRef,
  settings: Parameters<typeof resolveProbe>[2],
  address: string,
  cause: Pick<Cause, 'id' | 'receivedStatus'>,
  state?: HealthState,
  /** The reading is an on-demand probe's (`recheck`), sent with this configuration. */
  onDemand = false,
): FindingConfiguration {
  const resolved = resolveProbe(config, gateway, settings, address);
  if (!resolved.ok)
    return { read: false, reason: clipMessage(resolved.reason, VALUE_CAPS.errorMessage), unresolved: true };
  const facts = {
    causeId: cause.id,
    ...(cause.receivedStatus !== undefined ? { receivedStatus: cause.receivedStatus } : {}),
    ...(state === 'partial' ? { partial: true } : {}),
    ...(onDemand ? { onDemand: true } : {}),
  };
  return {
    read: true,
    probe: resolved.probe,
    observations: observeConfiguration(resolved.probe, facts),
    ...(onDemand ? { onDemand: true as const } : {}),
  };
}
