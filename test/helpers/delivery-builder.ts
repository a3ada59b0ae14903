import type { Cause } from '../../src/core/causes';
import type { Finding, GatewayRef } from '../../src/core/model';
import type { Insight } from '../../src/insight/insight';
import { insightPath } from '../../src/insight/insight-path';
import type { GatewayReport, RunReport } from '../../src/core/run-report';
import type { Delivery } from '../../src/ports';
import { ScratchUnavailableError } from '../../src/errors';
import { spooledArray } from '../../src/pipeline/report-entries';

export const SUBSCRIPTION = '22222222-2222-2222-2222-222222222222';

export function gatewayRef(
  name: string,
  resourceGroup = 'rg-web',
  subscriptionId = SUBSCRIPTION,
): GatewayRef {
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/applicationGateways/${name}`,
    subscriptionId,
    resourceGroup,
    name,
  };
}

const TIMEOUT: Cause = {
  id: 'probe-timeout',
  title: 'The backend did not answer the probe in time',
  steps: ['Check that the backend answers on the probe path within the probe time-out.'],
  docUrl:
    'https://learn.microsoft.com/troubleshoot/azure/application-gateway/application-gateway-backend-health-troubleshooting',
};

export function finding(
  gateway: GatewayRef,
  address: string,
  pool = 'pool-a',
  settings = 'settings-a',
): Finding {
  return {
    gateway,
    backendPool: pool,
    backendSettings: settings,
    address,
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog:
      'Time taken by the backend to respond to application gateway health probe is more than the time-out threshold.',
    cause: TIMEOUT,
    severity: 'critical',
  };
}

/** A hand-made insight: real path (insightPath), recognisable markdown and HTML. */
export function insight(f: Finding, runId = 'run'): Insight {
  const title = `Degraded backend ${f.address} on ${f.gateway.name}`;
  return {
    finding: f,
    path: insightPath(f),
    title,
    summary: `${f.address} is ${f.health}.`,
    markdown: `# ${title}\n\nRun ${runId}: ${f.address} is ${f.health} — “${f.cause.title}”.\n`,
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>Run ${runId} — “${f.address}”</p></body></html>\n`,
    htmlFragment: `<h1>${title}</h1><p>Run ${runId} — “${f.address}”</p>\n`,
    warnings: [],
  };
}

export interface GatewaySpec {
  readonly gateway: GatewayRef;
  /** false: the gateway could not be evaluated (no findings, an error). Default true. */
  readonly ok?: boolean;
  /** A failed gateway's error message; default `Backend health for <id> is unavailable.` */
  readonly message?: string;
  /** Addresses of unhealthy servers. */
  readonly unhealthy?: readonly string[];
}

/** A run's delivery: the report and the insights of every unhealthy server of the evaluated gateways. */
export function buildDelivery(
  runId: string,
  gateways: readonly GatewaySpec[],
  scope: Delivery['scope'] = 'run',
): Delivery {
  const insights: Insight[] = [];
  const reports: GatewayReport[] = gateways.map((spec) => {
    const ok = spec.ok ?? true;
    const mine = ok
      ? (spec.unhealthy ?? []).map((address) => insight(finding(spec.gateway, address), runId))
      : [];
    insights.push(...mine);
    return {
      id: spec.gateway.id,
      name: spec.gateway.name,
      subscriptionId: spec.gateway.subscriptionId,
      resourceGroup: spec.gateway.resourceGroup,
      ok,
      error: ok
        ? null
        : {
            code: 'BackendHealthUnavailable',
            message: spec.message ?? `Backend health for ${spec.gateway.id} is unavailable.`,
            retryable: true,
          },
      durationInMs: 12,
      servers: (spec.unhealthy ?? []).length + 1,
      findings: mine.map((i) => ({
        backendPool: i.finding.backendPool,
        backendSettings: i.finding.backendSettings,
        address: i.finding.address,
        health: i.finding.health,
        state: i.finding.state,
        probeLog: i.finding.probeLog,
        cause: i.finding.cause,
        severity: i.finding.severity,
        insight: { markdown: `${i.path}.md`, html: `${i.path}.html` },
      })),
    };
  });
  const report: RunReport = {
    schemaVersion: 1,
    runId,
    mode: scope === 'run' ? 'direct' : 'gateway',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:00:05.000Z',
    ok: reports.every((g) => g.ok),
    summary: {
      gateways: reports.length,
      failedGateways: reports.filter((g) => !g.ok).length,
      servers: reports.reduce((n, g) => n + g.servers, 0),
      findings: insights.length,
    },
    targets: [{ id: `/subscriptions/${SUBSCRIPTION}`, ok: true, error: null, gateways: reports.length }],
    gateways: reports,
    deliveryErrors: [],
  };
  return { scope, report, insights };
}

/**
 * `delivery` as a direct run's end gives it (its report's gateways read back from the run's temporary
 * file: report-entries.ts), entry `unreadable` failing as a disk read error would.
 */
export function withUnreadableEntry(delivery: Delivery, unreadable: number): Delivery {
  const entries = delivery.report.gateways;
  const gateways = spooledArray(entries, (entry) => {
    if (entry === entries[unreadable])
      throw new ScratchUnavailableError('/tmp/appgw-insights-run-x/1.txt', 'cannot read it: EIO', {
        reading: true,
      });
    return entry;
  });
  return { ...delivery, report: { ...delivery.report, gateways } };
}
