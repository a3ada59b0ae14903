import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createArmGatewayConfigReader } from '../../src/adapters/arm/gateway-config-reader';
import { parseGatewayId } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { gateway, gatewayId } from '../helpers/scenario-builder';

/**
 * What the emulator's GET of a gateway serves for a scenario's probes and rules, read by our own
 * configuration reader over HTTPS: the probe's enableProbeProxyProtocolHeader and
 * pickHostNameFromBackendSettings, and one routing rule per pool/settings pair of the backend-health body.
 */
describe('the emulator serves the probe options and the routing rules', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({
      scenario: {
        gateways: [
          gateway('gw', [{ address: '10.0.0.4', health: 'Unhealthy' }], {
            configuration: {
              probes: [
                {
                  name: 'l4',
                  protocol: 'Tls',
                  enableProbeProxyProtocolHeader: true,
                  pickHostNameFromBackendSettings: true,
                },
                { name: 'plain', protocol: 'Tcp' },
              ],
              backendHttpSettings: [{ name: 'settings-a', probe: 'l4' }, { name: 'unused' }],
            },
          }),
        ],
      } as never,
    });
  });
  afterAll(() => emulator.close());
  /** The gateway `name`'s configuration, read from the emulator as the product reads it. */
  const readConfig = (name: string) =>
    createArmGatewayConfigReader(
      createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'development',
        maxRetries: 0,
      }),
    ).getGatewayConfig(parseGatewayId(gatewayId(name)) as GatewayRef);

  it('reads back as the scenario gave them (and absent as false)', async () => {
    const read = await readConfig('gw');
    if (!read.ok) throw new Error(read.detail);
    expect(
      read.config.probes.map((p) => [p.name, p.proxyProtocolHeader, p.pickHostNameFromBackendSettings]),
    ).toEqual([
      ['l4', true, true],
      ['plain', false, false],
    ]);
    // "unused" is a setting of the gateway, but no rule pairs it with a pool.
    expect(read.config.pairs).toEqual([{ pool: 'pool-a', settings: 'settings-a' }]);
    expect(read.config.settings.map((s) => s.name).sort()).toEqual(['settings-a', 'unused']);
  });

  it('a gateway the emulator does not have reads as not found', async () => {
    const read = await readConfig('nope');
    expect(read).toMatchObject({
      ok: false,
      notFound: true,
      armCode: 'ResourceNotFound',
      detail: 'ARM answered 404 ResourceNotFound',
    });
  });
});
