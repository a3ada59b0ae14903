/** The listings' configurations until each gateway is checked: kept in the run's scratch, taken once. */
import { gatewayKey } from '../../src/core/arm-id';
import type { GatewayConfig } from '../../src/core/gateway-config';
import { silentLogger } from '../../src/pipeline/logger';
import { listedConfigurations } from '../../src/pipeline/listed-configurations';
import { memoryScratch } from '../../src/pipeline/memory-scratch';
import { createSpool, type Spool } from '../../src/pipeline/spool';
import { gatewayNamed } from '../helpers/memory/run-dependencies';

const config = (probe: string): GatewayConfig => ({
  skuName: 'Standard_v2',
  generation: 'v2',
  settings: [
    {
      name: 'settings-a',
      id: '/x/backendHttpSettingsCollection/settings-a',
      protocol: 'Https',
      port: 443,
      pickHostNameFromBackendAddress: true,
      probeName: probe,
      trustedRootCertificateNames: ['root'],
      authenticationCertificateNames: [],
      layer4: true,
    },
  ],
  probes: [
    { name: probe, path: '/healthz', pickHostNameFromBackendHttpSettings: false, statusCodes: ['200'] },
  ],
  pools: [{ name: 'pool-a', addresses: ['10.0.0.4', 'app.contoso.net'] }],
  pairs: [{ pool: 'pool-a', settings: 'settings-a' }],
  tags: { env: 'prod' },
  certificateNames: { trustedRoot: ['root'], authentication: [] },
});

const a = gatewayNamed('gw-a');
const b = gatewayNamed('gw-b');

const spoolOf = (): Spool => createSpool(memoryScratch(), silentLogger, 'test');

describe('listedConfigurations', () => {
  it('gives each configuration back as kept, once', async () => {
    const listed = listedConfigurations(spoolOf());
    await listed.keep(
      new Map([
        [gatewayKey(a.id), config('probe-a')],
        [gatewayKey(b.id), config('probe-b')],
      ]),
    );
    expect(await listed.take(a)).toEqual(config('probe-a'));
    expect(await listed.take(a)).toBeUndefined();
    expect(await listed.take(b)).toEqual(config('probe-b'));
  });

  it('a gateway two listings gave keeps the first', async () => {
    const listed = listedConfigurations(spoolOf());
    await listed.keep(new Map([[gatewayKey(a.id), config('first')]]));
    await listed.keep(new Map([[gatewayKey(a.id), config('second')]]));
    expect((await listed.take(a))?.probes[0]?.name).toBe('first');
  });

  it('forget: a gateway done without findings leaves nothing to take', async () => {
    const listed = listedConfigurations(spoolOf());
    await listed.keep(new Map([[gatewayKey(a.id), config('probe-a')]]));
    listed.forget(a);
    expect(await listed.take(a)).toBeUndefined();
  });

  it('a gateway never kept: undefined (the GET reads it)', async () => {
    expect(await listedConfigurations(spoolOf()).take(a)).toBeUndefined();
  });

  it('a configuration that cannot be written or read back costs its gateway a GET, never the run', async () => {
    const broken: Spool = {
      add: async (text) => (text.includes('unwritable') ? Promise.reject(new Error('EIO')) : { text }),
      text: async () => Promise.reject(new Error('EIO')),
      textSync: () => {
        throw new Error('EIO');
      },
    };
    const listed = listedConfigurations(broken);
    await expect(
      listed.keep(
        new Map([
          [gatewayKey(a.id), config('unwritable')],
          [gatewayKey(b.id), config('probe-b')],
        ]),
      ),
    ).resolves.toBeUndefined();
    expect(await listed.take(a)).toBeUndefined();
    expect(await listed.take(b)).toBeUndefined();
  });
});
