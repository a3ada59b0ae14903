import { InvocationContext, type Timer } from '@azure/functions';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { SUB, gateway } from '../helpers/scenario-builder';

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

describe('checkGateways timer function (handler called with a real InvocationContext, no host)', () => {
  let emulator: RunningEmulator;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    emulator = await startEmulator({
      scenario: {
        gateways: [
          gateway('gw-1', [
            { address: '10.1.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
            { address: '10.1.0.5', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
          ]),
        ],
      } as never,
    });
  });
  afterAll(async () => {
    process.env = savedEnv;
    await emulator.close();
  });

  it('registers on the default five-minute schedule, or %APPGW_SCHEDULE% when set', () => {
    jest.isolateModules(() => {
      delete process.env['APPGW_SCHEDULE'];
      const { checkGatewaysOptions } = require('../../functions/check-gateways');
      expect(checkGatewaysOptions.schedule).toBe('0 */5 * * * *');
    });
    jest.isolateModules(() => {
      process.env['APPGW_SCHEDULE'] = '0 */15 * * * *';
      const { checkGatewaysOptions } = require('../../functions/check-gateways');
      expect(checkGatewaysOptions.schedule).toBe('%APPGW_SCHEDULE%');
    });
    jest.isolateModules(() => {
      process.env['APPGW_SCHEDULE'] = 'sometimes';
      expect(() => require('../../functions/check-gateways')).toThrow(/APPGW_SCHEDULE/);
    });
    delete process.env['APPGW_SCHEDULE'];
  });

  it('runs the checks from app settings and writes the insights', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-fn-'));
    Object.assign(process.env, {
      APPGW_TARGETS: `/subscriptions/${SUB}`,
      APPGW_ARM_ENDPOINT: emulator.url,
      APPGW_ARM_CA_CERT_FILE: emulator.caCertFile,
      APPGW_ARM_CREDENTIAL: 'development',
      APPGW_SINKS_DIR: out,
    });
    const logs: string[] = [];
    const context = new InvocationContext({
      functionName: 'checkGateways',
      invocationId: 'test-invocation',
      logHandler: (_level, ...args) => logs.push(args.join(' ')),
    });
    let checkGateways: (t: Timer, c: InvocationContext) => Promise<void> = async () => {};
    jest.isolateModules(() => {
      ({ checkGateways } = require('../../functions/check-gateways'));
    });
    await checkGateways(timer, context);

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.runId).toBe('test-invocation');
    expect(report.gateways).toHaveLength(1);
    expect(report.gateways[0].findings.map((f: { address: string }) => f.address)).toEqual(['10.1.0.4']);
    const files = await readdir(path.join(out, path.dirname(report.gateways[0].findings[0].insight.html)));
    expect(files.sort()).toEqual([expect.stringMatching(/\.html$/), expect.stringMatching(/\.md$/)]);
    expect(logs.join('\n')).toContain('1 finding(s)');
  });

  it('fails the invocation, naming the setting, when app settings are invalid', async () => {
    process.env['APPGW_TARGETS'] = 'not-an-arm-id';
    let checkGateways: (t: Timer, c: InvocationContext) => Promise<void> = async () => {};
    jest.isolateModules(() => {
      ({ checkGateways } = require('../../functions/check-gateways'));
    });
    await expect(checkGateways(timer, new InvocationContext({ logHandler: () => {} }))).rejects.toThrow(
      /APPGW_TARGETS/,
    );
  });
});
