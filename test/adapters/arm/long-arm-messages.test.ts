import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory, type ArmClientFactory } from '../../../src/adapters/arm/client';
import { createDiscoveryDirectory } from '../../../src/adapters/arm/discovery-directory';
import { createArmGatewayConfigReader } from '../../../src/adapters/arm/gateway-config-reader';
import { createArmGatewayDirectory } from '../../../src/adapters/arm/gateway-directory';
import { createArmOnDemandProber } from '../../../src/adapters/arm/on-demand-prober';
import { createResourceGraphClient } from '../../../src/adapters/arm/resource-graph-client';
import { createResourceGraphDirectory } from '../../../src/adapters/arm/resource-graph-directory';
import { parseGatewayId, parseTarget, type Target } from '../../../src/core/arm-id';
import { NO_FILTER } from '../../../src/core/discovery/filter';
import type { GatewayRef } from '../../../src/core/model';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import {
  BackendHealthUnavailableError,
  OnDemandProbeRefusedError,
  TargetListUnavailableError,
} from '../../../src/errors';
import { rejection } from '../../helpers/failures';
import { SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

/**
 * ARM's error text is quoted in our messages clipped, keeping its start (what failed), the cut marker
 * (`… [cut: N characters in all]`, README) and its end, where ARM puts its advice: each adapter that
 * quotes ARM, through the real SDK against the emulator serving a long error.
 */
const ADVICE = "Retry the request after the gateway's update completes.";
const LONG =
  'Operation could not be completed because ' +
  `the application gateway ${gatewayId('gw')} is in state Updating; `.repeat(12) +
  ADVICE;
const HEAD = 'Operation could not be completed because';
const down = { address: '10.0.0.5', health: 'Down', healthProbeLog: 'TCP connect error' };
const ref = parseGatewayId(gatewayId('gw')) as GatewayRef;

/**
 * What a message quoting LONG must show: its head, the marker with the length of what was quoted (LONG,
 * or more where ARM's code is quoted before it), ARM's advice (its full stop may go: our sentence ends).
 */
function expectClipped(message: string): void {
  const marker = / … \[cut: (\d+) characters in all\] /.exec(message);
  expect(marker).not.toBeNull();
  expect(Number(marker?.[1])).toBeGreaterThanOrEqual(LONG.length);
  expect(message).toContain(HEAD);
  expect(message).toContain(ADVICE.slice(0, -1));
  expect(message.indexOf(HEAD)).toBeLessThan(marker?.index ?? -1);
  expect(marker?.index ?? Infinity).toBeLessThan(message.indexOf(ADVICE.slice(0, -1)));
}

describe("ARM's long error text keeps its start and its advice, and says it was cut", () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function clientFor(scenario: ScenarioInput): Promise<ArmClientFactory> {
    emulator = await startEmulator({ scenario: scenario as never });
    return createArmClientFactory({
      endpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      credential: 'development',
      maxRetries: 0,
      retryDelayInMs: 5,
    });
  }

  it('errors.ts (the backend-health reader): a 409 on the POST', async () => {
    const clients = await clientFor({
      gateways: [
        gateway('gw', [down], {
          faults: [{ on: 'backendHealth', status: 409, code: 'Conflict', message: LONG }],
        }),
      ],
    });
    const error = await rejection(
      createArmBackendHealthReader(clients, { pollIntervalInMs: 10 }).getBackendHealth(ref),
    );
    expect(error).toBeInstanceOf(BackendHealthUnavailableError);
    expectClipped((error as Error).message);
  });

  it('gateway-config-reader.ts (the gateway GET): the reading says why, clipped', async () => {
    const clients = await clientFor({
      gateways: [
        gateway('gw', [down], { faults: [{ on: 'get', status: 409, code: 'Conflict', message: LONG }] }),
      ],
    });
    const read = await createArmGatewayConfigReader(clients).getGatewayConfig(ref);
    expect(read.ok).toBe(false);
    if (!read.ok) expectClipped(read.detail);
  });

  it('on-demand-prober.ts (a 400 to the on-demand POST): OnDemandProbeRefusedError quotes ARM clipped', async () => {
    const clients = await clientFor({
      gateways: [
        gateway('gw', [down], {
          faults: [{ on: 'onDemand', status: 400, code: 'InvalidRequest', message: LONG }],
        }),
      ],
    });
    const error = await rejection(
      createArmOnDemandProber(clients, { pollIntervalInMs: 10 }).probeOnDemand(
        ref,
        { protocol: 'Http', path: '/', timeout: 30 } as never,
        { backendPool: 'pool', backendSettings: 'settings' },
      ),
    );
    expect(error).toBeInstanceOf(OnDemandProbeRefusedError);
    expectClipped((error as OnDemandProbeRefusedError).armMessage);
    expectClipped((error as Error).message);
  });

  it('resource-graph-directory.ts (a 400 to the query): the detail quotes it clipped', async () => {
    const clients = await clientFor({
      gateways: [
        gateway('gw', [down], {
          faults: [{ on: 'resourceGraph', status: 400, code: 'BadRequest', message: LONG }],
        }),
      ],
    });
    const filter = { ...NO_FILTER, tags: [{ key: 'env', value: 'prod' }] };
    const graph = createResourceGraphDirectory(createResourceGraphClient(clients), clients, { filter });
    const directory = createDiscoveryDirectory({ arm: createArmGatewayDirectory(clients), graph, filter });
    const error = await rejection(directory.listGateways(parseTarget(`/subscriptions/${SUB}`) as Target));
    expect(error).toBeInstanceOf(TargetListUnavailableError);
    expectClipped((error as Error).message);
  });
});
