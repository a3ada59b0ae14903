import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type ScenarioInput } from '../../src/emulator';
import { assertBuilt, runCli } from '../helpers/cli';
import { emulatorArm } from '../helpers/emulator-settings';
import { OTHER_SUB, SUB, gateway } from '../helpers/scenario-builder';

beforeAll(assertBuilt);

const down = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const MG = '/providers/Microsoft.Management/managementGroups/mg-web';

/** `appgw-insights run --config … --json` against an emulator serving `scenario`, with `config` over the emulator's arm block. */
async function run(scenario: ScenarioInput, config: Record<string, unknown>) {
  const emulator = await startEmulator({ scenario: scenario as never });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-discovery-'));
  try {
    const file = path.join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        arm: emulatorArm(emulator),
        sinks: { dir: 'out' },
        state: { dir: 'state' },
        ...config,
      }),
    );
    const result = await runCli(['run', '--config', file, '--json']);
    return { ...result, requests: emulator.requests.map((r) => `${r.method} ${r.path}`) };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const scenario: ScenarioInput = {
  gateways: [
    gateway('appgw-prod-1', [down], { tags: { env: 'prod' } }, 'rg-a'),
    gateway('appgw-test-1', [down], { tags: { env: 'test' } }, 'rg-a'),
    gateway('edge-prod-1', [down], { tags: { env: 'prod' } }, 'rg-b'),
    gateway('appgw-prod-2', [down], { tags: { env: 'prod' }, location: 'northeurope' }, 'rg-c', OTHER_SUB),
  ],
  managementGroups: { 'mg-web': [SUB, OTHER_SUB] },
};

describe('appgw-insights run with a discovery config (the built bin against the emulator)', () => {
  it('a management group filtered by tag and name: only those gateways are evaluated, found through Resource Graph', async () => {
    const { code, stdout, stderr, requests } = await run(scenario, {
      targets: [MG],
      discovery: { tags: ['env=prod'], names: ['appgw-*'] },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.targets).toEqual([{ id: MG, ok: true, error: null, gateways: 2, leftOut: 2 }]);
    expect(report.gateways.map((g: { name: string }) => g.name).sort()).toEqual([
      'appgw-prod-1',
      'appgw-prod-2',
    ]);
    expect(requests.filter((r) => r.startsWith('POST /providers/Microsoft.ResourceGraph'))).toHaveLength(1);
    expect(requests.filter((r) => r.startsWith('GET') && r.endsWith('/applicationGateways'))).toEqual([]);
  });

  it('a subscription filtered by location; without a filter, the ARM list call as before', async () => {
    const filtered = await run(scenario, {
      targets: [`/subscriptions/${OTHER_SUB}`, `/subscriptions/${SUB}`],
      discovery: { locations: ['North Europe'] },
    });
    expect(JSON.parse(filtered.stdout).gateways.map((g: { name: string }) => g.name)).toEqual([
      'appgw-prod-2',
    ]);
    const plain = await run(scenario, { targets: [`/subscriptions/${SUB}`] });
    expect(JSON.parse(plain.stdout).gateways).toHaveLength(3);
    expect(plain.requests.some((r) => r.startsWith('POST /providers/Microsoft.ResourceGraph'))).toBe(false);
  });

  it('403 on the management group: exit 2, AuthorizationFailed saying Reader on the management group', async () => {
    const refused: ScenarioInput = {
      ...scenario,
      gateways: scenario.gateways.map((g, i) =>
        i === 0 ? { ...g, faults: [{ on: 'resourceGraph', status: 403 }] } : g,
      ),
    };
    const { code, stdout, stderr } = await run(refused, { targets: [MG] });
    expect(code).toBe(2);
    expect(JSON.parse(stdout).targets[0]).toMatchObject({
      ok: false,
      error: { code: 'AuthorizationFailed' },
    });
    expect(stderr).toMatch(
      /Reader .* on the management group \/providers\/Microsoft\.Management\/managementGroups\/mg-web/,
    );
  });

  it('a discovery entry that is wrong: exit 2 before any call, naming the key', async () => {
    const { code, stderr, requests } = await run(scenario, {
      targets: [MG],
      discovery: { tags: ["env=prod'\n| x"] },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/discovery\.tags\[0\]: .*control character/);
    expect(requests).toEqual([]);
  });
});
