import fc from 'fast-check';
import { causeFor } from '../../src/core/causes';
import { gatewayFields, type GatewayReport, type RunReport } from '../../src/core/run-report';
import { buildRunReport } from '../../src/pipeline/build-run-report';
import {
  formatTelemetryRecord,
  telemetryRecords,
  type TelemetryRecord,
} from '../../src/core/telemetry-records';
import type { NotifyOutcome } from '../../src/pipeline/notify/notify-on-change';
import {
  kqlFieldProblems,
  parseTelemetryLines,
  readmeKqlQueries,
  readmeTelemetryFields,
} from '../helpers/telemetry';
import { gatewayId } from '../helpers/scenario-builder';

const HOUR = 3_600_000;
const FINISHED = Date.parse('2026-03-01T12:00:00.000Z');
const at = (msBeforeFinish: number) => new Date(FINISHED - msBeforeFinish).toISOString();

const ref = (name: string) => ({
  id: gatewayId(name),
  name,
  resourceGroup: 'rg-test',
  subscriptionId: gatewayId(name).split('/')[2] as string,
});

/** A direct run of `gateways` with directReport()'s targets, and `notify`'s outcome when given. */
function directRunOf(
  gateways: GatewayReport[],
  notify?: Parameters<typeof buildRunReport>[0]['notify'],
): RunReport {
  return buildRunReport({
    runId: 'run-1',
    startedAt: new Date(FINISHED - 5000),
    finishedAt: new Date(FINISHED),
    targets: directReport().targets,
    gateways,
    ...(notify ? { notify } : {}),
  });
}

function gatewayReport(name: string, extra: Partial<GatewayReport> = {}): GatewayReport {
  return {
    ...gatewayFields(ref(name)),
    ok: true,
    error: null,
    durationInMs: 1200,
    servers: 3,
    findings: [
      {
        backendPool: 'pool-a',
        backendSettings: 'settings-a',
        address: '10.0.0.4',
        health: 'Unhealthy',
        state: 'unhealthy',
        probeLog: 'TCP connect error',
        cause: causeFor('tcp-connect'),
        severity: 'critical',
        insight: { markdown: 'a.md', html: 'a.html' },
      },
    ],
    ...extra,
  };
}

const notify: NotifyOutcome = {
  decided: 3,
  silenced: [],
  claimed: true,
  deliveries: [
    {
      receiver: 'webhook[ops]',
      noticeId: 'n1',
      type: 'degraded',
      server: 's',
      outcome: 'delivered',
      result: { ok: true, attempts: [{ attempt: 1, status: 200, durationInMs: 40 }] },
    },
    {
      receiver: 'webhook[pager]',
      noticeId: 'n2',
      type: 'degraded',
      server: 's',
      outcome: 'queued',
      reason: '503',
      result: {
        ok: false,
        attempts: [
          { attempt: 1, status: 503, durationInMs: 15 },
          { attempt: 2, status: 503, durationInMs: 25 },
        ],
      },
    },
    {
      receiver: 'webhook[pager]',
      noticeId: 'n3',
      type: 'degraded',
      server: 's',
      outcome: 'not-tried',
      reason: 'breaker',
    },
  ],
  pending: { 'webhook[pager]': 3 },
  undelivered: [
    {
      receiver: 'webhook[pager]',
      noticeId: 'n2',
      type: 'degraded',
      gateway: gatewayId('gw-a'),
      server: 's',
      status: 'waiting',
      reason: '503',
      retry: 'next-run',
      queuedAt: at(2 * HOUR),
      failedRuns: 4,
    },
    {
      receiver: 'webhook[pager]',
      noticeId: 'n3',
      type: 'degraded',
      gateway: gatewayId('gw-a'),
      server: 's',
      status: 'waiting',
      reason: 'breaker',
      retry: 'next-run',
      queuedAt: at(10 * 60_000),
      failedRuns: 0,
    },
    {
      receiver: 'webhook[pager]',
      noticeId: 'n0',
      type: 'degraded',
      gateway: gatewayId('gw-b'),
      server: 's',
      status: 'dead-letter',
      reason: '410',
      retry: 'by-hand',
      queuedAt: at(30 * 60_000),
      failedRuns: 1,
      parkedAt: at(20 * 60_000),
    },
  ],
  dropped: [
    {
      receiver: 'webhook[old]',
      noticeId: 'n9',
      type: 'recovered',
      gateway: gatewayId('gw-a'),
      server: 's',
      reason: 'receiver removed',
    },
  ],
  stateErrors: [{ code: 'StateUnavailable', message: 'm', retryable: true, document: 'blob x' }],
  contended: [],
} as unknown as NotifyOutcome;

function directReport(): RunReport {
  const report = buildRunReport({
    runId: 'run-1',
    startedAt: new Date(FINISHED - 5000),
    finishedAt: new Date(FINISHED),
    targets: [
      { id: '/subscriptions/s1', ok: true, error: null, gateways: 2 },
      {
        id: '/subscriptions/s2',
        ok: false,
        error: { code: 'AuthorizationFailed', message: 'no', retryable: false },
        gateways: 0,
      },
    ],
    gateways: [
      gatewayReport('gw-a'),
      gatewayReport('gw-b', {
        ok: false,
        error: { code: 'Throttled', message: 'slow down', retryable: true },
        servers: 0,
        findings: [],
      }),
    ],
    notify,
  });
  return {
    ...report,
    deliveryErrors: [{ code: 'DeliveryFailed', message: 'x', retryable: true, sink: 'blob' }],
  };
}

const fieldsOf = (records: TelemetryRecord[], name: TelemetryRecord['name']) =>
  records.filter((r) => r.name === name).map((r) => r.fields as unknown as Record<string, unknown>);

describe('telemetry records from a run report', () => {
  it("a direct run: targets, gateways, servers, receivers, then the run, with the README's fields exactly", () => {
    const records = telemetryRecords(directReport(), { step: 'run' });
    expect(records.map((r) => r.name)).toEqual([
      'appgw.target',
      'appgw.target',
      'appgw.gateway',
      'appgw.server',
      'appgw.gateway',
      'appgw.notify',
      'appgw.notify',
      'appgw.notify',
      'appgw.run',
    ]);
    const documented = readmeTelemetryFields();
    for (const record of records)
      expect([record.name, Object.keys(record.fields).sort()]).toEqual([
        record.name,
        [...documented[record.name]].sort(),
      ]);
    for (const record of records)
      expect(record.fields).toMatchObject({ v: 1, runId: 'run-1', mode: 'direct', step: 'run' });

    expect(fieldsOf(records, 'appgw.target')[1]).toMatchObject({
      target: '/subscriptions/s2',
      ok: false,
      errorCode: 'AuthorizationFailed',
    });
    expect(fieldsOf(records, 'appgw.gateway')).toEqual([
      expect.objectContaining({
        gateway: 'gw-a',
        ok: true,
        errorCode: '',
        retryable: false,
        attempt: 1,
        retrying: false,
        servers: 3,
        unhealthyServers: 1,
        poolsNotRead: 0,
        stateErrors: 0,
        sinkErrors: 0,
        durationInMs: 1200,
      }),
      expect.objectContaining({
        gateway: 'gw-b',
        ok: false,
        errorCode: 'Throttled',
        retryable: true,
        retrying: false,
        unhealthyServers: 0,
      }),
    ]);
    expect(fieldsOf(records, 'appgw.server')).toEqual([
      expect.objectContaining({
        gatewayId: gatewayId('gw-a'),
        address: '10.0.0.4',
        health: 'Unhealthy',
        state: 'unhealthy',
        causeId: 'tcp-connect',
      }),
    ]);
    expect(fieldsOf(records, 'appgw.notify')).toEqual([
      expect.objectContaining({
        receiver: 'webhook[ops]',
        gatewayId: '',
        sent: 1,
        failed: 0,
        pending: 0,
        oldestUndeliveredAt: '',
        oldestUndeliveredAgeInMs: 0,
        sendDurationInMs: 40,
      }),
      expect.objectContaining({
        receiver: 'webhook[pager]',
        sent: 0,
        failed: 1,
        parked: 0,
        notTried: 1,
        pending: 3,
        waiting: 2,
        leased: 0,
        deadLetters: 1,
        dropped: 0,
        oldestUndeliveredAt: at(2 * HOUR),
        oldestUndeliveredAgeInMs: 2 * HOUR,
        sendDurationInMs: 40,
      }),
      expect.objectContaining({ receiver: 'webhook[old]', pending: 0, dropped: 1 }),
    ]);
    expect(fieldsOf(records, 'appgw.run')).toEqual([
      expect.objectContaining({
        ok: false,
        targets: 2,
        targetsFailed: 1,
        gateways: 2,
        gatewaysFailed: 1,
        servers: 3,
        unhealthyServers: 1,
        noticesUndelivered: 3,
        noticesDropped: 1,
        stateErrors: 1,
        sinkErrors: 1,
        durationInMs: 5000,
        interrupted: '',
        gatewaysNotDone: 0,
        unconfirmedRemovals: 0,
        incompleteReadings: 0,
      }),
    ]);
  });

  // A new-user trial: an incomplete reading (pools the reading lacked) left no trace in telemetry, so a
  // Functions deployment's alerts could not see it.
  it('an incomplete reading: the gateway counts its pools not read, the run its incomplete readings and unconfirmed removals', () => {
    const report = directRunOf(
      [gatewayReport('gw-a', { poolsNotRead: ['pool-a', 'pool-b'] }), gatewayReport('gw-c')],
      {
        ...notify,
        unconfirmedRemovals: [
          { gateway: gatewayId('gw-a'), server: 'pool-a/settings-a/10.0.0.9', reason: 'x' },
        ],
      },
    );
    const records = telemetryRecords(report, { step: 'run' });
    expect(fieldsOf(records, 'appgw.gateway').map((g) => [g['gateway'], g['poolsNotRead']])).toEqual([
      ['gw-a', 2],
      ['gw-c', 0],
    ]);
    expect(fieldsOf(records, 'appgw.run')[0]).toMatchObject({
      ok: false,
      incompleteReadings: 1,
      unconfirmedRemovals: 1,
    });
    // A queue invocation of that gateway says it too.
    const invocation = telemetryRecords({ ...report, gateways: [report.gateways[0]!] }, { step: 'evaluate' });
    expect(fieldsOf(invocation, 'appgw.gateway')[0]).toMatchObject({ poolsNotRead: 2 });
  });

  // A break trial: a server draining (left out of unhealthyStates) made `servers − unhealthyServers` read
  // as every other server healthy.
  it('servers neither healthy nor reported are counted on the gateway and the run', () => {
    const report = directRunOf([
      gatewayReport('gw-a', { notReported: { draining: 1, unknown: 2 } }),
      gatewayReport('gw-c', { notReported: { draining: 1 } }),
      gatewayReport('gw-d'),
    ]);
    const records = telemetryRecords(report, { step: 'run' });
    expect(fieldsOf(records, 'appgw.gateway').map((g) => [g['gateway'], g['notReportedServers']])).toEqual([
      ['gw-a', 3],
      ['gw-c', 1],
      ['gw-d', 0],
    ]);
    expect(fieldsOf(records, 'appgw.run')[0]).toMatchObject({ notReportedServers: 4 });
  });

  it('a queue invocation: its gateway carries its own state and sink errors, its receivers its gateway; no appgw.run', () => {
    const full = directReport();
    const report: RunReport = {
      ...full,
      mode: 'gateway',
      targets: [],
      gateways: [full.gateways[0] as GatewayReport],
    };
    const records = telemetryRecords(report, { step: 'evaluate', attempt: 3, retrying: true });
    expect(records.map((r) => r.name)).not.toContain('appgw.run');
    expect(records.map((r) => r.name)).not.toContain('appgw.target');
    expect(fieldsOf(records, 'appgw.gateway')).toEqual([
      expect.objectContaining({
        mode: 'fan-out',
        step: 'evaluate',
        attempt: 3,
        retrying: true,
        stateErrors: 1,
        sinkErrors: 1,
      }),
    ]);
    expect(fieldsOf(records, 'appgw.notify').map((f) => f['gatewayId'])).toEqual([
      gatewayId('gw-a'),
      gatewayId('gw-a'),
      gatewayId('gw-a'),
    ]);
  });

  // A break trial: alerts on telemetry could see neither a deleted gateway nor a reading notify did not
  // count (a late result of an earlier run), both in the run report.
  it('deleted gateways and readings older than one counted: counted in appgw.run, flagged on a queue invocation’s gateway', () => {
    const full = directReport();
    const older = { gateway: gatewayId('gw-a'), readAt: at(HOUR), countedAt: at(HOUR / 2) };
    const direct: RunReport = {
      ...full,
      summary: { ...full.summary, deletedGateways: 1, deletedUnlisted: 2 },
      notifications: {
        ...(full.notifications as NonNullable<RunReport['notifications']>),
        olderReadings: [older],
      },
    };
    expect(fieldsOf(telemetryRecords(direct, { step: 'run' }), 'appgw.run')).toEqual([
      expect.objectContaining({ gatewaysDeleted: 3, olderReadings: 1 }),
    ]);
    expect(fieldsOf(telemetryRecords(full, { step: 'run' }), 'appgw.run')).toEqual([
      expect.objectContaining({ gatewaysDeleted: 0, olderReadings: 0 }),
    ]);
    const invocation = (g: GatewayReport): RunReport => ({
      ...direct,
      mode: 'gateway',
      targets: [],
      gateways: [g],
    });
    const [a, b] = direct.gateways as [GatewayReport, GatewayReport];
    expect(fieldsOf(telemetryRecords(invocation(a), { step: 'evaluate' }), 'appgw.gateway')).toEqual([
      expect.objectContaining({ gatewayId: gatewayId('gw-a'), olderReading: true }),
    ]);
    expect(fieldsOf(telemetryRecords(invocation(b), { step: 'evaluate' }), 'appgw.gateway')).toEqual([
      expect.objectContaining({ olderReading: false }),
    ]);
  });

  it('a discovery counts the gateways it queued; a poisoned message is one final gateway record', () => {
    const discovery = buildRunReport({
      runId: 'r',
      mode: 'fan-out',
      startedAt: new Date(FINISHED),
      finishedAt: new Date(FINISHED),
      targets: [{ id: '/subscriptions/s1', ok: true, error: null, gateways: 4 }],
      gateways: [],
    });
    const run = fieldsOf(
      telemetryRecords({ ...discovery, queued: ['a', 'b', 'c', 'd'] }, { step: 'discover' }),
      'appgw.run',
    );
    expect(run).toEqual([
      expect.objectContaining({
        mode: 'fan-out',
        step: 'discover',
        ok: true,
        gateways: 4,
        gatewaysFailed: 0,
      }),
    ]);

    const poisoned = buildRunReport({
      runId: 'r',
      mode: 'gateway',
      startedAt: new Date(FINISHED),
      finishedAt: new Date(FINISHED),
      targets: [],
      gateways: [
        gatewayReport('gw-x', {
          ok: false,
          error: { code: 'Poisoned', message: 'm', retryable: false },
          servers: 0,
          findings: [],
        }),
      ],
    });
    const records = telemetryRecords(poisoned, { step: 'poison' });
    expect(records.map((r) => r.name)).toEqual(['appgw.gateway']);
    expect(records[0]?.fields).toMatchObject({
      step: 'poison',
      ok: false,
      errorCode: 'Poisoned',
      retrying: false,
    });
  });

  it('one line each, whatever the network put in names: parsed back to the same fields', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, address) => {
        const report = buildRunReport({
          runId: 'r',
          startedAt: new Date(FINISHED),
          finishedAt: new Date(FINISHED),
          targets: [],
          gateways: [gatewayReport(name, { findings: [{ ...gatewayReport('x').findings[0]!, address }] })],
        });
        for (const record of telemetryRecords(report, { step: 'run' })) {
          const line = formatTelemetryRecord(record);
          expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
          expect(parseTelemetryLines([line])).toEqual([{ name: record.name, fields: record.fields }]);
        }
      }),
    );
  });
});

describe("the README's KQL queries read the records as they are", () => {
  const shapes = readmeTelemetryFields();
  const queries = readmeKqlQueries();

  it('every query reads only fields its records have', () => {
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const query of queries) expect([query, kqlFieldProblems(query, shapes)]).toEqual([query, []]);
  });

  it('the three operators asked for: unhealthy servers over time by gateway, failed gateways by error, undelivered notices', () => {
    expect(
      queries.some(
        (q) =>
          /appgw\.gateway /.test(q) &&
          /r\.unhealthyServers/.test(q) &&
          /bin\(timestamp/.test(q) &&
          /by gateway/.test(q),
      ),
    ).toBe(true);
    expect(
      queries.some(
        (q) =>
          /appgw\.gateway /.test(q) &&
          /by errorCode = tostring\(r\.errorCode\)/.test(q) &&
          /tobool\(r\.ok\) == false/.test(q),
      ),
    ).toBe(true);
    expect(
      queries.some(
        (q) => /appgw\.notify /.test(q) && /r\.pending/.test(q) && /r\.oldestUndeliveredAgeInMs/.test(q),
      ),
    ).toBe(true);
  });

  it('a query reading a field no record has, or a record that does not exist, is caught', () => {
    const [first] = queries;
    expect(kqlFieldProblems(String(first).replace('r.unhealthyServers', 'r.unhealthy'), shapes)).toEqual([
      'r.unhealthy is no field of appgw.gateway',
    ]);
    expect(
      kqlFieldProblems(String(first).replace('"appgw.gateway "', '"appgw.gateways "'), shapes)[0],
    ).toMatch(/no record/);
    expect(kqlFieldProblems('traces | take 1', shapes)).toEqual([
      'reads no record (no startswith "appgw.<name> ")',
    ]);
  });
});
