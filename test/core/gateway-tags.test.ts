import { readGatewayConfig } from '../../src/core/gateway-config';
import { readGatewayTags, TAG_LIMITS } from '../../src/core/gateway-tags';
import { withConfiguration } from '../../src/core/finding-configuration';
import { causeFor } from '../../src/core/causes';
import { gatewayRef } from '../../src/core/arm-id';
import type { Finding } from '../../src/core/model';

/**
 * Issue 16, tags: a gateway's ARM tags as its resource JSON carries them, checked against ARM's limits;
 * what a silence's or a route's `tags` matcher compares (test/pipeline/notify-silences.test.ts and
 * notify-routing.test.ts run them end to end).
 */
describe('readGatewayTags', () => {
  const many = Object.fromEntries(Array.from({ length: TAG_LIMITS.pairs + 1 }, (_, i) => [`t${i}`, 'x']));
  it.each<[string, unknown, Record<string, string> | undefined]>([
    ['absent: none (ARM leaves tags out)', undefined, {}],
    ['null: none', null, {}],
    ['an object of strings', { env: 'prod', Owner: '' }, { env: 'prod', Owner: '' }],
    [
      '50 pairs',
      Object.fromEntries(Object.entries(many).slice(0, 50)),
      Object.fromEntries(Object.entries(many).slice(0, 50)),
    ],
    ['51 pairs: not ARM, unknown', many, undefined],
    ['a value not text: unknown', { env: 1 }, undefined],
    ['a value longer than 256: unknown (never cut)', { env: 'x'.repeat(257) }, undefined],
    ['a name longer than 512: unknown', { ['n'.repeat(513)]: 'x' }, undefined],
    ['an empty name: unknown', { '': 'x' }, undefined],
    ['an array: unknown', ['env'], undefined],
    ['text: unknown', 'env=prod', undefined],
  ])('%s', (_, value, expected) => {
    expect(readGatewayTags(value)).toEqual(expected);
  });
});

describe('the configuration GET gives the tags, and each finding of the gateway carries them', () => {
  const resource = (extra: Record<string, unknown>) => ({
    id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw',
    properties: { sku: { name: 'Standard_v2', tier: 'Standard_v2' } },
    ...extra,
  });
  const finding: Finding = {
    gateway: gatewayRef('00000000-0000-0000-0000-000000000000', 'rg', 'gw'),
    backendPool: 'pool-a',
    backendSettings: 'settings-a',
    address: '10.0.0.5',
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog: 'x',
    cause: causeFor('tcp-connect'),
    severity: 'warning',
  };

  it.each<[string, Record<string, unknown>, Record<string, string> | undefined]>([
    ['tags', { tags: { env: 'prod' } }, { env: 'prod' }],
    ['no tags: known to have none', {}, {}],
    ['tags out of ARM limits: unknown, the configuration still read', { tags: { env: 7 } }, undefined],
  ])('%s', (_, extra, expected) => {
    const reading = readGatewayConfig(resource(extra));
    expect(reading.ok).toBe(true);
    const [joined] = withConfiguration([finding], reading);
    expect(joined?.gateway.tags).toEqual(expected);
    expect(joined?.gateway).toMatchObject({ name: 'gw', resourceGroup: 'rg' });
  });

  it('a configuration that could not be read gives no tags (unknown)', () => {
    const [joined] = withConfiguration([finding], { ok: false, detail: 'ARM answered 403' });
    expect(joined?.gateway.tags).toBeUndefined();
  });
});
