import { createStderrTelemetry } from '../../src/cli/stderr-telemetry';
import { gatewayFields } from '../../src/core/run-report';
import { telemetryRecords } from '../../src/core/telemetry-records';
import { buildRunReport } from '../../src/pipeline/build-run-report';
import { emitRunTelemetry, noTelemetry } from '../../src/pipeline/emit-telemetry';
import { gatewayId } from '../helpers/scenario-builder';
import { memoryTelemetry } from '../helpers/memory/telemetry';

const FINISHED = Date.parse('2026-03-01T12:00:00.000Z');
const ref = (name: string) => ({
  id: gatewayId(name),
  name,
  resourceGroup: 'rg-test',
  subscriptionId: gatewayId(name).split('/')[2] as string,
});
const report = buildRunReport({
  runId: 'run-1',
  startedAt: new Date(FINISHED - 5000),
  finishedAt: new Date(FINISHED),
  targets: [{ id: '/subscriptions/s1', ok: true, error: null, gateways: 2 }],
  gateways: ['gw-a', 'gw-b'].map((name) => ({
    ...gatewayFields(ref(name)),
    ok: true,
    error: null,
    durationInMs: 1200,
    servers: 0,
    findings: [],
  })),
});

describe('emitRunTelemetry: the pure records, through the Telemetry port', () => {
  it.each(['run', 'discover'] as const)('step %s: every record, in order, nothing else', (step) => {
    const telemetry = memoryTelemetry();
    emitRunTelemetry(telemetry, report, { step });
    const expected = telemetryRecords(report, { step });
    expect(expected.length).toBeGreaterThan(2); // the run and its two gateways at least
    expect(telemetry.records).toEqual(expected);
  });

  it('noTelemetry takes records and keeps none', () => {
    expect(() => emitRunTelemetry(noTelemetry, report, { step: 'run' })).not.toThrow();
  });

  it('builds no record for noTelemetry: the report is not even read (a run of 20 000 gateways)', () => {
    const read: PropertyKey[] = [];
    const watched = new Proxy(report, {
      get: (target, key, receiver) => (read.push(key), Reflect.get(target, key, receiver) as unknown),
    });
    emitRunTelemetry(noTelemetry, watched, { step: 'run' });
    expect(read).toEqual([]);
    emitRunTelemetry(memoryTelemetry(), watched, { step: 'run' });
    expect(read).toContain('gateways'); // the probe sees a run that builds them
  });

  it('the CLI without --verbose is noTelemetry; with it, each record is a line', () => {
    expect(createStderrTelemetry(false)).toBe(noTelemetry);
    const lines: string[] = [];
    emitRunTelemetry(
      createStderrTelemetry(true, (text) => lines.push(text)),
      report,
      { step: 'run' },
    );
    expect(lines).toHaveLength(telemetryRecords(report, { step: 'run' }).length);
  });
});
