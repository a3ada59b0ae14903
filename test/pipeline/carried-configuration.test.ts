/** The configuration a fan-out message carries: short enough for a queue message, read strictly when used. */
import { readGatewayConfig } from '../../src/core/gateway-config';
import {
  CARRIED_CONFIGURATION_MAX_CHARS,
  carried,
  configurationOf,
  readCarriedConfiguration,
} from '../../src/pipeline/carried-configuration';
import { encodeMessage } from '../../src/adapters/queue/storage-queue';
import type { GatewayMessage } from '../../src/ports';
import { gatewayNamed } from '../helpers/memory';

const gw = gatewayNamed('gw-a');
const resource = (pools = 1) => ({
  tags: { env: 'prod' },
  properties: {
    sku: { name: 'Standard_v2', tier: 'Standard_v2' },
    backendAddressPools: Array.from({ length: pools }, (_, i) => ({
      name: `pool-${i}`,
      properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }, { fqdn: `app-${i}.contoso.net` }] },
    })),
  },
});
const messageWith = (configuration: unknown): GatewayMessage =>
  ({ version: 1, runId: 'r', gatewayId: gw.id, configuration }) as GatewayMessage;

describe('carried: what a message carries', () => {
  it('a configuration short enough rides with the message, and the message stays within a queue message', () => {
    let pools = 1;
    while (JSON.stringify(resource(pools + 1)).length <= CARRIED_CONFIGURATION_MAX_CHARS) pools += 1;
    const largest = carried(resource(pools));
    expect(largest.configuration).toEqual(resource(pools));
    // Put Message takes at most 64 KiB: the largest carried configuration with the longest continuation.
    const continuation: GatewayMessage = {
      version: 2,
      runId: 'r'.repeat(100),
      gatewayId: gw.id,
      discoveredAt: new Date(0).toISOString(),
      operation: { location: `https://management.azure.com/${'x'.repeat(2000)}` },
      startedAt: new Date(0).toISOString(),
      polls: Number.MAX_SAFE_INTEGER,
      invocations: Number.MAX_SAFE_INTEGER,
      handlerActiveInMs: Number.MAX_SAFE_INTEGER,
      deferrals: { count: Number.MAX_SAFE_INTEGER, handlerActiveInMs: Number.MAX_SAFE_INTEGER },
      deferredSince: new Date(0).toISOString(),
      ...largest,
    };
    expect(encodeMessage(continuation).length).toBeLessThanOrEqual(64 * 1024 - 8 * 1024);
  });

  it('one longer than a message carries stays behind: the GET reads it', () => {
    let pools = 1;
    while (JSON.stringify(resource(pools)).length <= CARRIED_CONFIGURATION_MAX_CHARS) pools += 1;
    expect(carried(resource(pools))).toEqual({});
    expect(carried(undefined)).toEqual({});
  });
});

describe('readCarriedConfiguration and configurationOf: a message read back', () => {
  it.each<[string, unknown]>([
    ['a string', 'x'],
    ['an array', [resource()]],
    ['null', null],
    [
      'an object longer than a message carries',
      { properties: { pad: 'x'.repeat(CARRIED_CONFIGURATION_MAX_CHARS) } },
    ],
  ])('%s is no configuration', (_name, value) => {
    expect(readCarriedConfiguration(value)).toBeUndefined();
  });

  it('one that reads is the configuration the GET of the same resource gives', async () => {
    const byGet = readGatewayConfig(resource(2));
    if (!byGet.ok) throw new Error(byGet.detail);
    expect(await configurationOf(messageWith(readCarriedConfiguration(resource(2))))).toEqual(byGet.config);
  });

  it.each<[string, unknown]>([
    ['none carried', undefined],
    ['no properties', { tags: {} }],
    ['probes that are not a list', { properties: { sku: {}, probes: 'x' } }],
    ['a name longer than ARM allows', { properties: { sku: { name: 'x'.repeat(500) } } }],
  ])('%s: undefined, so the GET reads it', async (_name, configuration) => {
    expect(await configurationOf(messageWith(configuration))).toBeUndefined();
  });
});
