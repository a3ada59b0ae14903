/**
 * Issue 14 (at most 2 requests a gateway), a whole direct run: the configuration each gateway's
 * listing gave is its insights' configuration, so a gateway with findings costs no GET; a listing whose
 * entry cannot explain a finding (older than the gateway's backend health) costs that gateway one GET.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { silentLogger } from '../../src/pipeline/logger';
import { notifyRun } from '../helpers/notify-run';
import { rawRequest } from '../emulator/helpers';
import { SUB, gateway } from '../helpers/scenario-builder';

let dir: string;
beforeEach(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-listed-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

const down = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const up = { address: '10.0.0.5', health: 'Healthy' };

async function run(scenario: unknown) {
  const byRoute: Record<string, number> = {};
  const outcome = await notifyRun({
    scenario: scenario as never,
    logger: silentLogger,
    config: { sinks: { dir: path.join(dir, 'out') }, state: { dir: path.join(dir, 'state') } },
    afterRun: (emulator: RunningEmulator) => {
      for (const request of emulator.requests) {
        const route = /\/applicationGateways\/[^/]+$/i.test(request.path) ? 'gateway' : 'other';
        if (request.method === 'GET') byRoute[route] = (byRoute[route] ?? 0) + 1;
      }
    },
  });
  await outcome.dispose();
  return { report: outcome.report, gatewayGets: byRoute['gateway'] ?? 0 };
}

describe('a direct run takes each configuration from its listing', () => {
  it('gateways with findings over a listed subscription: their insights have their probes, and no GET', async () => {
    const { report, gatewayGets } = await run({
      gateways: [gateway('gw1', [down, up]), gateway('gw2', [down]), gateway('gw3', [up])],
    });
    expect(report.gateways.map((g) => g.findings.length)).toEqual([1, 1, 0]);
    for (const finding of report.gateways.flatMap((g) => g.findings)) {
      expect(finding.generalSteps).toBeUndefined();
      expect(finding.cause).toEqual(expect.objectContaining({ id: 'tcp-connect' }));
    }
    expect(gatewayGets).toBe(0);
  });

  it('a listing entry older than the backend health (its setting missing): that gateway alone costs a GET', async () => {
    const gw1 = gateway('gw1', [down]);
    const gw2 = gateway('gw2', [down]);
    // The page as ARM would have sent it before gw1's setting was added: gw1's entry without its HTTP
    // settings (the rest as the emulator lists it).
    const emulator = await startEmulator({ scenario: { gateways: [gw1, gw2] } as never });
    let page: { value: Array<{ properties: Record<string, unknown> }> };
    try {
      const listPath = `/subscriptions/${SUB}/providers/Microsoft.Network/applicationGateways?api-version=2024-05-01`;
      page = (await rawRequest(emulator, 'GET', listPath, { authorization: 'Bearer dev' }))
        .body as typeof page;
    } finally {
      await emulator.close();
    }
    expect(page.value).toHaveLength(2);
    page.value[0]!.properties['backendHttpSettingsCollection'] = [];
    const { report, gatewayGets } = await run({
      gateways: [{ ...gw1, faults: [{ on: 'list', text: JSON.stringify(page) }] }, gw2],
    });
    expect(report.gateways.flatMap((g) => g.findings.map((f) => f.generalSteps))).toEqual([
      undefined,
      undefined,
    ]);
    expect(gatewayGets).toBe(1);
  });
});
