import { notOkReasons, type GatewayReport, type TargetReport } from '../../src/core/run-report';
import { buildRunReport, notificationsReport } from '../../src/pipeline/build-run-report';
import { spooledArray } from '../../src/pipeline/report-entries';
import type { DeliveryRecord } from '../../src/pipeline/notify/deliver-outbox';
import { NOTHING_NOTIFIED, type NotifyOutcome } from '../../src/pipeline/notify/notify-on-change';
import { buildDelivery, gatewayRef } from '../helpers/delivery-builder';

const startedAt = new Date('2026-01-05T10:00:00.000Z');
const finishedAt = new Date('2026-01-05T10:00:07.250Z');
const gateways = buildDelivery('run-1', [
  { gateway: gatewayRef('gw-a'), unhealthy: ['10.0.0.4', '10.0.0.5'] },
  { gateway: gatewayRef('gw-b'), unhealthy: [] },
]).report.gateways;
const failedGateway = buildDelivery('run-1', [{ gateway: gatewayRef('gw-c'), ok: false }]).report.gateways;
const target = (ok: boolean): TargetReport => ({
  id: '/subscriptions/s',
  ok,
  error: ok ? null : { code: 'Throttled', message: 'throttled', retryable: true },
  gateways: ok ? 2 : 0,
});
const notified: NotifyOutcome = { ...NOTHING_NOTIFIED, claimed: true };
const undelivered = {
  receiver: 'webhook[ops]',
  noticeId: 'n1',
  type: 'degraded',
  gateway: 'gw',
  server: 'gw/pool/settings/10.0.0.4',
  status: 'waiting',
  reason: '503',
  retry: 'next-run',
  queuedAt: startedAt.toISOString(),
  failedRuns: 1,
} as const;
const stateError = { code: 'StateUnavailable', message: 'down', retryable: true, document: 'doc' };

describe('buildRunReport', () => {
  it('lays out the run: its times as ISO, the summary counted from the gateways, no delivery error yet', () => {
    const report = buildRunReport({
      runId: 'run-1',
      startedAt,
      finishedAt,
      targets: [target(true)],
      gateways,
    });
    expect(report).toEqual({
      schemaVersion: 1,
      runId: 'run-1',
      mode: 'direct',
      startedAt: '2026-01-05T10:00:00.000Z',
      finishedAt: '2026-01-05T10:00:07.250Z',
      ok: true,
      summary: { gateways: 2, failedGateways: 0, servers: 4, findings: 2 },
      targets: [target(true)],
      gateways,
      deliveryErrors: [],
    });
    // Without notify on change, no `notifications` key at all (report.json consumers test for it).
    expect('notifications' in report).toBe(false);
  });

  it('reads each gateway of spooled entries once (every read parses it from the scratch file again)', () => {
    const all = [...gateways, ...failedGateway];
    let reads = 0;
    const spooled = spooledArray(all, (g) => {
      reads += 1;
      return JSON.parse(JSON.stringify(g)) as GatewayReport;
    });
    const report = buildRunReport({
      runId: 'r',
      startedAt,
      finishedAt,
      targets: [target(true)],
      gateways: spooled,
    });
    expect(reads).toBe(all.length);
    expect(report.summary).toEqual({ gateways: 3, failedGateways: 1, servers: 5, findings: 2 });
    expect(report.ok).toBe(false);
    expect(report.gateways).toBe(spooled);
  });

  it.each(['fan-out', 'gateway'] as const)('keeps mode %s', (mode) => {
    expect(buildRunReport({ runId: 'r', startedAt, finishedAt, targets: [], gateways: [], mode }).mode).toBe(
      mode,
    );
  });

  const cases: Array<
    [string, readonly TargetReport[], readonly GatewayReport[], NotifyOutcome | undefined, boolean]
  > = [
    ['everything done', [target(true)], gateways, undefined, true],
    ['nothing to do', [], [], undefined, true],
    ['a target failed to list', [target(true), target(false)], gateways, undefined, false],
    ['a gateway failed', [target(true)], [...gateways, ...failedGateway], undefined, false],
    ['every notice delivered', [target(true)], gateways, notified, true],
    ['a notice undelivered', [target(true)], gateways, { ...notified, undelivered: [undelivered] }, false],
    [
      'a notice dropped',
      [target(true)],
      gateways,
      { ...notified, dropped: [{ ...undelivered, reason: 'past the bound' }] },
      false,
    ],
    ['a state error', [target(true)], gateways, { ...notified, stateErrors: [stateError] }, false],
    [
      'a state not claimed (contended)',
      [target(true)],
      gateways,
      { ...notified, claimed: false, contended: ['doc'] },
      false,
    ],
  ];
  it.each(cases)('%s → ok: %s', (_, targets, gws, notify, ok) => {
    const report = buildRunReport({
      runId: 'r',
      startedAt,
      finishedAt,
      targets,
      gateways: gws,
      ...(notify ? { notify } : {}),
    });
    expect(report.ok).toBe(ok);
  });

  it('counts failed gateways in the summary', () => {
    const report = buildRunReport({
      runId: 'r',
      startedAt,
      finishedAt,
      targets: [],
      gateways: [...gateways, ...failedGateway],
    });
    expect(report.summary).toEqual({ gateways: 3, failedGateways: 1, servers: 5, findings: 2 });
  });

  // A break trial: the summary's first line read as all well of a run with a gateway that serves nothing.
  it('counts the gateways read whole that listed no server (servingNothing); not one failed, nor one short of a pool', () => {
    const read = gateways[1] as GatewayReport;
    const empty = (name: string, extra: Partial<GatewayReport> = {}): GatewayReport => ({
      ...read,
      id: `${read.id}-${name}`,
      name,
      servers: 0,
      findings: [],
      ...extra,
    });
    const report = buildRunReport({
      runId: 'r',
      startedAt,
      finishedAt,
      targets: [],
      gateways: [...gateways, ...failedGateway, empty('empty'), empty('short', { poolsNotRead: ['pool-b'] })],
    });
    expect(report.summary.servingNothing).toBe(1);
    expect(
      'servingNothing' in
        buildRunReport({ runId: 'r', startedAt, finishedAt, targets: [], gateways }).summary,
    ).toBe(false);
  });
});

// A break trial: a management group's Resource Graph row lagged a deletion; the gateway, read, was
// deleted (404, GET 404), and the run exited 2 advising to fix an id no target named.
describe('buildRunReport: a listed gateway ARM then confirmed deleted', () => {
  const deleted = (id: string): GatewayReport => ({
    ...(gateways[0] as GatewayReport),
    id,
    ok: false,
    error: { code: 'GatewayDeleted', message: 'gone', retryable: false },
    servers: 0,
    findings: [],
  });
  const gw = gatewayRef('gw-gone', 'rg-old');
  const listedBy = (targetIds: string[]) =>
    buildRunReport({
      runId: 'r',
      startedAt,
      finishedAt,
      targets: targetIds.map((id) => ({ id, ok: true, error: null, gateways: 1 })),
      gateways: [...gateways, deleted(gw.id)],
    });
  it.each<[string, string[], boolean]>([
    [
      'listed by its subscription, named by no target: ok, counted deleted',
      [`/subscriptions/${gw.subscriptionId}`],
      true,
    ],
    ['named by id (in any case): not ok, fix or remove the id', [gw.id.toUpperCase()], false],
    [
      'named by id and in a listed subscription: not ok',
      [`/subscriptions/${gw.subscriptionId}`, gw.id],
      false,
    ],
    ['a report with no targets (a queue invocation): not ok, as before', [], false],
  ])('%s', (_, targetIds, ok) => {
    const report = listedBy(targetIds);
    expect(report.ok).toBe(ok);
    expect(report.summary.deletedGateways).toBe(1);
  });
});

// A new-user trial: a gateway gone from its subscription's listing that ARM confirmed deleted had its
// episodes ended and its status page section marked deleted, but report.json said nothing of it.
describe('buildRunReport: gateways no target lists any more that ARM confirmed deleted', () => {
  const gone = { ...gatewayRef('gw-gone', 'rg-old'), tags: { env: 'prod' } };
  const report = buildRunReport({
    runId: 'r',
    startedAt,
    finishedAt,
    targets: [target(true)],
    gateways,
    notify: { ...notified, deletedGateways: [gone] },
  });

  it('lists each in `deletedUnlisted` by the fields a gateway entry names it with, and counts them apart', () => {
    expect(report.deletedUnlisted).toEqual([
      { id: gone.id, name: 'gw-gone', subscriptionId: gone.subscriptionId, resourceGroup: 'rg-old' },
    ]);
    expect(report.summary).toEqual({
      gateways: 2,
      failedGateways: 0,
      servers: 4,
      findings: 2,
      deletedUnlisted: 1,
    });
    // Not a gateway the run read: not among `gateways`, nor a reason the run is not ok.
    expect(report.gateways).toBe(gateways);
    expect(report.ok).toBe(true);
    expect(notOkReasons(report)).toEqual([]);
    // Nor a notifications entry: what notify ended is said once, at the top level.
    expect(report.notifications).not.toHaveProperty('deletedGateways');
  });
});

describe('notificationsReport', () => {
  it('gives each delivery its attempts (none when it was not tried) and its reason as `error`', () => {
    const delivered: DeliveryRecord = {
      receiver: 'webhook[ops]',
      noticeId: 'n1',
      type: 'degraded',
      severity: 'critical',
      server: 'gw/pool/settings/10.0.0.4',
      outcome: 'delivered',
      result: { ok: true, attempts: [{ attempt: 1, status: 200, durationInMs: 12 }] },
    };
    const held: DeliveryRecord = {
      receiver: 'webhook[ops]',
      noticeId: 'n2',
      type: 'recovered',
      server: 'gw/pool/settings/10.0.0.5',
      outcome: 'not-tried',
      reason: 'webhook[ops] failed earlier in this run',
    };
    const outcome: NotifyOutcome = {
      decided: 2,
      silenced: [],
      deliveries: [delivered, held],
      pending: { 'webhook[ops]': 1 },
      undelivered: [undelivered],
      dropped: [],
      stateErrors: [stateError],
      claimed: true,
      contended: ['other doc'],
    };
    expect(notificationsReport(outcome)).toEqual({
      decided: 2,
      claimed: true,
      deliveries: [
        {
          receiver: 'webhook[ops]',
          noticeId: 'n1',
          type: 'degraded',
          severity: 'critical',
          server: 'gw/pool/settings/10.0.0.4',
          outcome: 'delivered',
          attempts: [{ attempt: 1, status: 200, durationInMs: 12 }],
        },
        {
          receiver: 'webhook[ops]',
          noticeId: 'n2',
          type: 'recovered',
          server: 'gw/pool/settings/10.0.0.5',
          outcome: 'not-tried',
          attempts: [],
          error: 'webhook[ops] failed earlier in this run',
        },
      ],
      pending: { 'webhook[ops]': 1 },
      undelivered: [undelivered],
      dropped: [],
      silenced: [],
      stateErrors: [stateError],
      contended: ['other doc'],
    });
  });

  it('is what the run report carries under `notifications`', () => {
    const report = buildRunReport({
      runId: 'r',
      startedAt,
      finishedAt,
      targets: [],
      gateways: [],
      notify: notified,
    });
    expect(report.notifications).toEqual(notificationsReport(notified));
  });
});
