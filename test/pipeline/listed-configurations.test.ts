/** The listings' configurations until each gateway is checked: kept in the run's scratch, taken once. */
import { gatewayKey } from '../../src/core/arm-id';
import { readGatewayConfig, type GatewayConfig } from '../../src/core/gateway-config';
import { silentLogger } from '../../src/pipeline/logger';
import { listedConfigurations } from '../../src/pipeline/listed-configurations';
import { memoryScratch } from '../../src/pipeline/memory-scratch';
import { createSpool, type Spool } from '../../src/pipeline/spool';
import { gatewayNamed } from '../helpers/memory/run-dependencies';

/** A gateway resource as ARM lists it, its one setting's probe named `probe`. */
const resource = (probe: string) => ({
  tags: { env: 'prod' },
  properties: {
    sku: { name: 'Standard_v2', tier: 'Standard_v2' },
    backendHttpSettingsCollection: [
      {
        name: 'settings-a',
        id: '/x/backendHttpSettingsCollection/settings-a',
        properties: { protocol: 'Https', port: 443, probe: { id: `/x/probes/${probe}` } },
      },
    ],
    probes: [{ name: probe, properties: { path: '/healthz', match: { statusCodes: ['200'] } } }],
    backendAddressPools: [
      {
        name: 'pool-a',
        properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }, { fqdn: 'app.contoso.net' }] },
      },
    ],
  },
});
/** What the GET of that resource would give. */
function config(probe: string): GatewayConfig {
  const read = readGatewayConfig(resource(probe));
  if (!read.ok) throw new Error(read.detail);
  return read.config;
}

const a = gatewayNamed('gw-a');
const b = gatewayNamed('gw-b');

const spoolOf = (): Spool => createSpool(memoryScratch(), silentLogger, 'test');

describe('listedConfigurations', () => {
  it('gives each configuration back as kept, once', async () => {
    const listed = listedConfigurations(spoolOf());
    await listed.keep(
      new Map([
        [gatewayKey(a.id), resource('probe-a')],
        [gatewayKey(b.id), resource('probe-b')],
      ]),
    );
    expect(await listed.take(a)).toEqual(config('probe-a'));
    expect(await listed.take(a)).toBeUndefined();
    expect(await listed.take(b)).toEqual(config('probe-b'));
  });

  it('a gateway two listings gave keeps the first', async () => {
    const listed = listedConfigurations(spoolOf());
    await listed.keep(new Map([[gatewayKey(a.id), resource('first')]]));
    await listed.keep(new Map([[gatewayKey(a.id), resource('second')]]));
    expect((await listed.take(a))?.probes[0]?.name).toBe('first');
  });

  it('forget: a gateway done without findings leaves nothing to take', async () => {
    const listed = listedConfigurations(spoolOf());
    await listed.keep(new Map([[gatewayKey(a.id), resource('probe-a')]]));
    listed.forget(a);
    expect(await listed.take(a)).toBeUndefined();
  });

  it('a kept configuration ARM could not have sent (a port that is not a number): undefined, the GET reads it', async () => {
    const listed = listedConfigurations(spoolOf());
    const odd = resource('probe-a');
    odd.properties.backendHttpSettingsCollection[0]!.properties.port = '443' as never;
    await listed.keep(new Map([[gatewayKey(a.id), odd]]));
    expect(await listed.take(a)).toBeUndefined();
  });

  it('a configuration nested too deep to be written (no answer of ARM’s): not kept, never thrown', async () => {
    const listed = listedConfigurations(spoolOf());
    const deep = JSON.parse(`{"tags":${'['.repeat(20_000)}${']'.repeat(20_000)}}`) as Record<string, unknown>;
    await listed.keep(
      new Map([
        [gatewayKey(a.id), deep],
        [gatewayKey(b.id), resource('probe-b')],
      ]),
    );
    expect(await listed.take(a)).toBeUndefined();
    expect(await listed.take(b)).toEqual(config('probe-b'));
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
          [gatewayKey(a.id), resource('unwritable')],
          [gatewayKey(b.id), resource('probe-b')],
        ]),
      ),
    ).resolves.toBeUndefined();
    expect(await listed.take(a)).toBeUndefined();
    expect(await listed.take(b)).toBeUndefined();
  });
});
