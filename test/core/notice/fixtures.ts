import { gatewayRef } from '../../../src/core/arm-id';
import { classifyCause } from '../../../src/core/classify';
import type { Finding, GatewayRef } from '../../../src/core/model';
import type { ConfirmedServer } from '../../../src/core/notice/decide';
import type { Severity } from '../../../src/core/notice/severity';

/** The gateway the notice tests watch unless they say otherwise: `gw` in `rg` of subscription `sub`. */
export const GW = gatewayRef('sub', 'rg', 'gw');

/** What a notice test says about a bad server; every field has the default shown in `finding`. */
export interface FindingSpec {
  readonly gateway?: GatewayRef;
  readonly backendPool?: string;
  readonly address?: string;
  readonly health?: string;
  readonly probeLog?: string;
  readonly severity?: Severity;
}

/**
 * A bad server as decideNotices is given it: `address` (10.0.0.4) on pool `backendPool` (`pool`),
 * settings `settings` of `gateway` (GW), `health` (Unhealthy) read as unhealthy, with `probeLog`
 * (TCP connect error) and the cause classifyCause gives that log, `severity` (warning).
 */
export function finding(spec: FindingSpec = {}): Finding {
  const probeLog = spec.probeLog ?? 'TCP connect error';
  return {
    gateway: spec.gateway ?? GW,
    backendPool: spec.backendPool ?? 'pool',
    backendSettings: 'settings',
    address: spec.address ?? '10.0.0.4',
    health: spec.health ?? 'Unhealthy',
    state: 'unhealthy',
    probeLog,
    cause: classifyCause({ state: 'unhealthy', probeLog }),
    severity: spec.severity ?? 'warning',
  };
}

/**
 * `server` (a finding: finding() gives one) as `recheck`'s on-demand probe found it: `health`
 * (Healthy), a success probe log, and the hold of the mark it leaves (`holdInMs`, 90 s).
 */
export function confirmedServer(
  server: Pick<Finding, 'gateway' | 'backendPool' | 'backendSettings' | 'address'>,
  holdInMs = 90_000,
  health = 'Healthy',
): ConfirmedServer {
  return {
    gateway: server.gateway,
    backendPool: server.backendPool,
    backendSettings: server.backendSettings,
    address: server.address,
    health,
    probeLog: 'Success. Received 200 status code',
    holdInMs,
  };
}
