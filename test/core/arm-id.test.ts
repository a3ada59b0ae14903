import {
  GATEWAY_ID_SHAPE,
  gatewayIdProblem,
  gatewayRef,
  lastSegment,
  parseGatewayId,
  parseTarget,
  targetCovers,
} from '../../src/core/arm-id';

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

describe('gatewayIdProblem: what a user names a gateway with', () => {
  const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
  it.each([GW, GW.toLowerCase(), `${GW}/`, ` ${GW} `])('accepts %j (as parseGatewayId reads it)', (raw) => {
    expect(gatewayIdProblem(raw)).toBeUndefined();
    expect(parseGatewayId(raw)).toBeDefined();
  });
  it.each([
    '/subscriptions/s',
    '/subscriptions/s/resourceGroups/rg',
    `${GW}/backendAddressPools/p`,
    'gw',
    '',
  ])('refuses %j, showing the shape', (raw) => {
    expect(gatewayIdProblem(raw)).toBe(`"${raw}" is not an application gateway id (${GATEWAY_ID_SHAPE})`);
    expect(parseGatewayId(raw)).toBeUndefined();
  });
});

describe('lastSegment', () => {
  it.each([
    [`${GW}/backendAddressPools/MFPool`, 'MFPool'],
    [undefined, undefined],
    ['', undefined],
  ])('%p → %p', (id, name) => expect(lastSegment(id)).toBe(name));
});

describe('targetCovers', () => {
  const gw = gatewayRef('SUB-1', 'rg-web', 'gw');
  it.each([
    ['/subscriptions/sub-1', true],
    ['/subscriptions/sub-2', false],
    ['/subscriptions/sub-1/resourceGroups/RG-WEB', true],
    ['/subscriptions/sub-1/resourceGroups/rg-api', false],
    ['/subscriptions/sub-1/resourceGroups/rg-web/providers/Microsoft.Network/applicationGateways/GW', true],
    ['/subscriptions/sub-1/resourceGroups/rg-web/providers/Microsoft.Network/applicationGateways/gw2', false],
  ])('%s covers gw: %s', (raw, expected) => {
    const target = parseTarget(raw);
    if (!('kind' in target)) throw new Error(target.error);
    expect(targetCovers(target, gw)).toBe(expected);
  });
});
