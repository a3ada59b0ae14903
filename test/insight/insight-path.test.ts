import fc from 'fast-check';
import {
  INSIGHT_FILE_NAME,
  STATUS_COPY_FILE_NAME,
  gatewayInsightFolder,
  gatewayResultPath,
  insightPath,
  runFolder,
  statusInsightPath,
} from '../../src/insight/insight-path';
import { gatewayRef, SUBSCRIPTION } from '../helpers/delivery-builder';

describe('runFolder: one run’s files, one path segment whatever the run id', () => {
  it.each([
    ['20250601T100000Z-abc123', 'runs/20250601T100000Z-abc123'], // kept as it is: runs sort by time
    ['0f8fad5b-d9cb-469f-a165-70867728950e', 'runs/0f8fad5b-d9cb-469f-a165-70867728950e'], // an invocation id
    ['RUN-1', 'runs/RUN-1'],
    ['../x/y z', 'runs/__x_y_z'],
    ['a/../../escape', 'runs/a_.._.._escape'],
    ['..', 'runs/_'],
    ['.hidden', 'runs/_hidden'],
    ['', 'runs/_'],
    ['x'.repeat(200), `runs/${'x'.repeat(120)}`],
  ])('%j → %s', (runId, folder) => {
    expect(runFolder(runId)).toBe(folder);
  });

  it('the fan-out’s gateway results lie in the run’s folder, whatever the run id', () => {
    for (const runId of ['20250601T100000Z-abc123', 'RUN-1', '../x/y z', ''])
      expect(gatewayResultPath(runId, gatewayRef('gw'))).toBe(
        `${runFolder(runId)}/gateways/${SUBSCRIPTION}/rg-web/gw.json`,
      );
  });

  it('a gateway’s result and its insights share the gateway’s folder names', () => {
    const gw = gatewayRef('GW-1', 'RG-Web');
    expect(gatewayResultPath('r', gw)).toBe(
      `runs/r/gateways/${gatewayInsightFolder(gw).slice('insights/'.length)}.json`,
    );
  });
});

describe('gatewayInsightFolder: one folder per gateway', () => {
  it.each([
    [
      'a GUID subscription, a plain resource group and gateway',
      gatewayRef('agw-prod_1', 'rg-web.eu'),
      `insights/${SUBSCRIPTION}/rg-web.eu/agw-prod_1`,
    ],
    [
      'names in capitals (ARM names are case-insensitive)',
      gatewayRef('AGW-Prod', 'RG-Web'),
      `insights/${SUBSCRIPTION}/rg-web/agw-prod`,
    ],
  ])('names that are safe already keep their path: %s', (_label, gateway, folder) => {
    expect(gatewayInsightFolder(gateway)).toBe(folder);
  });

  it.each([
    ['parentheses and underscores', 'rg(1)', 'rg_1_'],
    ['Unicode letters', 'prod-é', 'prod-è'],
    ['a leading period and none', '.rg', 'rg'],
    ['names longer than a segment', `${'r'.repeat(80)}-a`, `${'r'.repeat(80)}-b`],
  ])('resource groups whose names clean alike (%s) get folders of their own', (_label, a, b) => {
    const [one, other] = [
      gatewayInsightFolder(gatewayRef('gw', a)),
      gatewayInsightFolder(gatewayRef('gw', b)),
    ];
    expect(one).not.toBe(other);
    for (const folder of [one, other]) {
      expect(folder).toMatch(/^insights\/[a-z0-9._-]+\/[a-z0-9_-][a-z0-9._-]{0,79}\/gw$/);
    }
  });

  it('is the same for a name in any case', () => {
    expect(gatewayInsightFolder(gatewayRef('gw', 'RG(Prod)'))).toBe(
      gatewayInsightFolder(gatewayRef('gw', 'rg(prod)')),
    );
  });
});

// The folder sink keeps what does not bear these names (foreign-entries.ts): every name the paths give
// must, and a user's file named like a date-stamped note must not (break trials).
describe('INSIGHT_FILE_NAME, STATUS_COPY_FILE_NAME: the names the paths give, and no other kind', () => {
  const names = fc.record({
    backendPool: fc.string({ maxLength: 120, unit: 'binary' }),
    backendSettings: fc.string({ maxLength: 120, unit: 'binary' }),
    address: fc.string({ maxLength: 120, unit: 'binary' }),
  });
  it('every insightPath and statusInsightPath file name bears them (property)', () => {
    fc.assert(
      fc.property(names, (n) => {
        const finding = { gateway: gatewayRef('gw'), ...n };
        const base = insightPath(finding).split('/').pop() as string;
        expect(`${base}.md`).toMatch(INSIGHT_FILE_NAME);
        expect(`${base}.html`).toMatch(INSIGHT_FILE_NAME);
        expect(statusInsightPath(finding).split('/').pop()).toMatch(STATUS_COPY_FILE_NAME);
      }),
      { numRuns: 500 },
    );
  });
  it.each([
    'runbook-20241231.md',
    'notes-deadbeef.html',
    '-12345678.md',
    'Pool__s__10.0.0.4-9b257e9f.md',
    'pool__s__10.0.0.4-9b257e9f.md.bak',
    'pool__s__10.0.0.4-9B257E9F.md',
  ])('%s is not an insight file name', (name) => {
    expect(name).not.toMatch(INSIGHT_FILE_NAME);
  });
});
