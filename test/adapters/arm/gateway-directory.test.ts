import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { createArmGatewayDirectory } from '../../../src/adapters/arm/gateway-directory';
import { parseTarget, type Target } from '../../../src/core/arm-id';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import { TargetNotFoundError } from '../../../src/errors';
import { SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

const target = (id: string) => parseTarget(id) as Target;

describe('ARM gateway directory (real list/listAll against the emulator)', () => {
  let emulator: RunningEmulator;
  let directory: ReturnType<typeof createArmGatewayDirectory>;

  beforeAll(async () => {
    const gateways: ScenarioInput['gateways'] = [];
    for (let i = 0; i < 120; i++) gateways.push(gateway(`gw-${i}`, [], {}, i < 70 ? 'rg-big' : 'rg-small'));
    emulator = await startEmulator({ scenario: { gateways } as never });
    directory = createArmGatewayDirectory(
      createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'development',
        maxRetries: 0,
      }),
    );
  });
  afterAll(() => emulator.close());

  it('lists every gateway of a subscription once, following nextLink pages', async () => {
    const found = await directory.listGateways(target(`/subscriptions/${SUB}`));
    expect(found).toHaveLength(120);
    expect(new Set(found.map((g) => g.id.toLowerCase())).size).toBe(120);
    expect(
      emulator.requests.filter((r) => r.method === 'GET' && r.query['$skipToken']).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('lists a resource group (paged past 50)', async () => {
    const found = await directory.listGateways(target(`/subscriptions/${SUB}/resourceGroups/rg-big`));
    expect(found.map((g) => g.name).sort()).toEqual(Array.from({ length: 70 }, (_, i) => `gw-${i}`).sort());
  });

  it('takes a gateway target as is, without a call', async () => {
    const before = emulator.requests.length;
    const found = await directory.listGateways(target(gatewayId('gw-1', 'rg-big')));
    expect(found.map((g) => g.name)).toEqual(['gw-1']);
    expect(emulator.requests.length).toBe(before);
  });

  it('maps an unknown resource group to TargetNotFoundError', async () => {
    await expect(
      directory.listGateways(target(`/subscriptions/${SUB}/resourceGroups/rg-none`)),
    ).rejects.toBeInstanceOf(TargetNotFoundError);
  });
});
