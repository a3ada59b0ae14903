import { causeFor } from '../../../../src/core/causes';
import type { Notice } from '../../../../src/core/notice/notice';

export const GATEWAY_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-web/providers/Microsoft.Network/applicationGateways/agw-prod';

const PROBE_LOG =
  'Received invalid status code: 503 in the backend server’s HTTP response. As per the health probe configuration, 200-399 is the acceptable status code.';

/** A realistic `degraded` notice; `overrides` replace top-level fields. */
export function sampleNotice(overrides: Partial<Notice> = {}): Notice {
  return {
    id: 'appgw-0123456789abcdef',
    type: 'degraded',
    occurredAt: '2026-03-01T10:15:00.000Z',
    degradedSince: '2026-03-01T10:00:00.000Z',
    gateway: {
      id: GATEWAY_ID,
      name: 'agw-prod',
      resourceGroup: 'rg-web',
      subscriptionId: '00000000-0000-0000-0000-000000000001',
    },
    backendPool: 'pool-api',
    backendSettings: 'settings-https',
    server: { address: '10.0.1.4', health: 'Unhealthy', probeLog: PROBE_LOG },
    cause: causeFor('status-code-mismatch', { receivedStatus: 503 }),
    severity: 'critical',
    insight: {
      title: 'Degraded Backend Server Health',
      summary: 'Backend server **10.0.1.4** in pool `pool-api` answers the health probe with HTTP 503.',
      markdown: '# Degraded Backend Server Health\n\nBackend server 10.0.1.4 …',
      path: 'insights/agw-prod/pool-api/10.0.1.4',
    },
    ...overrides,
  };
}

/** A `recovered` notice (reason set, no insight). */
export function recoveredNotice(): Notice {
  const { insight: _insight, ...rest } = sampleNotice({ id: 'appgw-fedcba9876543210', type: 'recovered' });
  return { ...rest, server: { ...rest.server, health: 'Healthy' }, reason: 'healthy again' };
}

/** Every untrusted string of a notice replaced by `hostile` (cause `other` quotes it in a step too). */
export function hostileNotice(hostile: {
  name: string;
  address: string;
  probeLog: string;
  other?: string;
}): Notice {
  const base = sampleNotice();
  return {
    ...base,
    gateway: { ...base.gateway, name: hostile.name, resourceGroup: hostile.other ?? hostile.name },
    backendPool: hostile.other ?? hostile.name,
    backendSettings: hostile.name,
    server: { address: hostile.address, health: hostile.other ?? 'Unhealthy', probeLog: hostile.probeLog },
    cause: causeFor('other', { probeLog: hostile.probeLog }),
    insight: { ...base.insight!, summary: hostile.probeLog },
  };
}
