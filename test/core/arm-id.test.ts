import { lastSegment, parseGatewayId, parseTarget } from '../../src/core/arm-id';

const GW = '/subscriptions/sub-1/resourceGroups/rg-a/providers/Microsoft.Network/applicationGateways/gw-1';

describe('parseTarget', () => {
  it.each([
    [GW, 'gateway'],
    [GW.toLowerCase(), 'gateway'],
    [`${GW}/`, 'gateway'],
    ['/subscriptions/sub-1/resourceGroups/rg-a', 'resourceGroup'],
    ['/subscriptions/sub-1/resourcegroups/rg-a', 'resourceGroup'],
    ['/subscriptions/sub-1', 'subscription'],
    ['  /subscriptions/sub-1  ', 'subscription'],
  ])('%s is a %s target', (id, kind) => {
    const target = parseTarget(id);
    expect('kind' in target && target.kind).toBe(kind);
  });

  it.each([
    [''],
    ['sub-1'],
    ['/subscriptions/'],
    ['/subscriptions/sub-1/resourceGroups/rg-a/providers/Microsoft.Network/loadBalancers/lb'],
    [
      '/subscriptions/sub-1/resourceGroups/rg-a/providers/Microsoft.Network/applicationGateways/gw/backendhealth',
    ],
    ['https://management.azure.com/subscriptions/sub-1'],
  ])('rejects %p with a reason', (id) => {
    expect(parseTarget(id)).toEqual({ error: expect.stringContaining('ARM id') });
  });

  it('keeps the names of a gateway id', () => {
    expect(parseGatewayId(GW)).toEqual({
      id: GW,
      subscriptionId: 'sub-1',
      resourceGroup: 'rg-a',
      name: 'gw-1',
    });
  });
});

describe('lastSegment', () => {
  it.each([
    [`${GW}/backendAddressPools/MFPool`, 'MFPool'],
    [undefined, undefined],
    ['', undefined],
  ])('%p → %p', (id, name) => expect(lastSegment(id)).toBe(name));
});
