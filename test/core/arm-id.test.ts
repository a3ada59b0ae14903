import { retainedBytes } from '../helpers/retained-bytes';
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
    ['/providers/Microsoft.Management/managementGroups/mg-prod', 'managementGroup'],
    ['/providers/microsoft.management/managementgroups/Contoso.(EU)_1/', 'managementGroup'],
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
    ['/providers/Microsoft.Management/managementGroups/'],
    // A name that could leave its place in a query or a URL is no management group's.
    ["/providers/Microsoft.Management/managementGroups/mg'x"],
    ['/providers/Microsoft.Management/managementGroups/mg x'],
    ['/providers/Microsoft.Management/managementGroups/mg|y'],
    [`/providers/Microsoft.Management/managementGroups/${'m'.repeat(91)}`],
    ['/providers/Microsoft.Management/managementGroups/mg/subscriptions/sub-1'],
  ])('rejects %p with a reason', (id) => {
    expect(parseTarget(id)).toEqual({ error: expect.stringContaining('ARM id') });
  });

  it('keeps the name of a management group', () => {
    expect(parseTarget('/providers/Microsoft.Management/managementGroups/mg-prod')).toEqual({
      kind: 'managementGroup',
      id: '/providers/Microsoft.Management/managementGroups/mg-prod',
      managementGroup: 'mg-prod',
    });
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
    // Which subscriptions a management group holds is known only from a listing.
    ['/providers/Microsoft.Management/managementGroups/mg', false],
  ])('%s covers gw: %s', (raw, expected) => {
    const target = parseTarget(raw);
    if (!('kind' in target)) throw new Error(target.error);
    expect(targetCovers(target, gw)).toBe(expected);
  });
});

// A heap snapshot of a run of 20 000 gateways (issue 14): each listed gateway held its id twice, the
// one gatewayRef wrote and the listing's, which the parts sliced from it kept alive (3.4 MiB).
describe('parseGatewayId: one copy of the id per gateway', () => {
  const N = 5_000;
  const idOf = (i: number, resourceGroups: string, provider: string) =>
    `/subscriptions/00000000-0000-4000-8000-${String(i).padStart(12, '0')}/${resourceGroups}/rg-bench-${i % 97}` +
    `/providers/${provider}/appgw-${i}`;

  it.each<[string, string, string]>([
    ['as gatewayRef writes it', 'resourceGroups', 'Microsoft.Network/applicationGateways'],
    ['in another case (ARM is not consistent)', 'resourcegroups', 'microsoft.network/applicationgateways'],
  ])('ids %s, read from a list page: each ref keeps about one id, not two', (_, resourceGroups, provider) => {
    const page = JSON.stringify({
      value: Array.from({ length: N }, (_, i) => ({ id: idOf(i, resourceGroups, provider) })),
    });
    const read = () => (JSON.parse(page) as { value: { id: string }[] }).value;
    const idsAlone = retainedBytes(() => read().map((g) => g.id)) / N;
    const refs: unknown[] = [];
    const perRef = retainedBytes(() => refs.push(...read().map((g) => parseGatewayId(g.id)))) / N;
    expect(refs).toHaveLength(N);
    // Measured (Node 22): an id 166 bytes, a ref 325 (the object, its name and resource group, a slice
    // for its subscription); 482 with a second copy of the id.
    expect(perRef).toBeLessThan(idsAlone + 240);
  });

  it("in another case: the ref is written as gatewayRef writes it, its parts are the id's", () => {
    const ref = parseGatewayId(idOf(7, 'resourcegroups', 'microsoft.network/applicationgateways'));
    expect(ref).toEqual({
      id: '/subscriptions/00000000-0000-4000-8000-000000000007/resourceGroups/rg-bench-7/providers/Microsoft.Network/applicationGateways/appgw-7',
      subscriptionId: '00000000-0000-4000-8000-000000000007',
      resourceGroup: 'rg-bench-7',
      name: 'appgw-7',
    });
  });
});
