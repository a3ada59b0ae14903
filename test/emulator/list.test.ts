/** Listing and reading gateways through the real SDK: paging, scopes, not-found answers. */
import { RestError } from '@azure/core-rest-pipeline';
import { EmulatorState } from '../../src/emulator/state';
import { armClient, gateway, rawRequest, SUB, useEmulators } from './helpers';

const start = useEmulators();

const many = Array.from({ length: 120 }, (_, i) => gateway('rg-many', `appgw-${String(i).padStart(3, '0')}`));
const others = Array.from({ length: 5 }, (_, i) => gateway('rg-other', `appgw-other-${i}`));
const elsewhere = gateway('rg-many', 'appgw-elsewhere', {}, '99999999-9999-9999-9999-999999999999');

async function collect<T extends { id?: string }>(items: AsyncIterable<T>): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of items) ids.push(item.id ?? '');
  return ids;
}

const listCalls = (requests: readonly { path: string; query: Readonly<Record<string, string>> }[]) =>
  requests.filter((r) => /\/applicationGateways$/.test(r.path)).map((r) => r.query['$skipToken'] ?? 'first');

describe('listing gateways', () => {
  it('listAll() follows nextLink over 125 gateways and returns each of the subscription once', async () => {
    const emulator = await start({ gateways: [...many, ...others, elsewhere] });

    const ids = await collect(armClient(emulator).applicationGateways.listAll());

    expect(ids).toEqual([...many, ...others].map((g) => g.id));
    expect(listCalls(emulator.requests)).toEqual(['first', '50', '100']);
    expect(emulator.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('list(rg) pages over the 120 gateways of that resource group only', async () => {
    const emulator = await start({ gateways: [...others, ...many] });

    const ids = await collect(armClient(emulator).applicationGateways.list('rg-many'));

    expect(new Set(ids).size).toBe(120);
    expect(ids).toEqual(many.map((g) => g.id));
    expect(listCalls(emulator.requests)).toEqual(['first', '50', '100']);
  });

  it('nextLink is an absolute URL on the emulator carrying the same api-version', async () => {
    const emulator = await start({ gateways: many });
    const path = `/subscriptions/${SUB}/resourceGroups/rg-many/providers/Microsoft.Network/applicationGateways`;

    const first = await rawRequest(emulator, 'GET', `${path}?api-version=2024-05-01`, {
      authorization: 'Bearer x',
    });

    const body = first.body as { value: unknown[]; nextLink: string };
    expect(body.value).toHaveLength(50);
    const next = new URL(body.nextLink);
    expect(next.origin).toBe(emulator.url);
    expect(next.pathname).toBe(path);
    expect(next.searchParams.get('api-version')).toBe('2024-05-01');
    expect(next.searchParams.get('$skipToken')).toBe('50');
  });

  it('a resource group or subscription without scenario gateways is 404 with ARM codes', async () => {
    const emulator = await start({ gateways: others });

    await expect(collect(armClient(emulator).applicationGateways.list('rg-missing'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
    const path =
      '/subscriptions/99999999-9999-9999-9999-999999999999/providers/Microsoft.Network/applicationGateways';
    const res = await rawRequest(emulator, 'GET', `${path}?api-version=1`, { authorization: 'Bearer x' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'SubscriptionNotFound' } });
  });
});

describe('one gateway', () => {
  it('get() returns the ARM resource with pools and settings derived from the scenario', async () => {
    const g = gateway('rg-one', 'appgw-one', { location: 'northeurope' });
    const emulator = await start({ gateways: [g] });

    const resource = await armClient(emulator).applicationGateways.get('rg-one', 'appgw-one');

    expect(resource).toMatchObject({
      id: g.id,
      name: 'appgw-one',
      type: 'Microsoft.Network/applicationGateways',
      location: 'northeurope',
      provisioningState: 'Succeeded',
      operationalState: 'Running',
    });
    expect(resource.backendAddressPools?.map((p) => [p.id, p.name])).toEqual([
      [`${g.id}/backendAddressPools/pool-a`, 'pool-a'],
      [`${g.id}/backendAddressPools/pool-empty`, 'pool-empty'],
    ]);
    expect(resource.backendHttpSettingsCollection?.map((s) => s.name)).toEqual(['settings-a']);
  });

  it('matches paths case-insensitively, as ARM does', async () => {
    const emulator = await start({ gateways: [gateway('rg-one', 'appgw-one')] });
    const path = `/SUBSCRIPTIONS/${SUB}/resourcegroups/RG-ONE/providers/microsoft.network/APPLICATIONGATEWAYS/APPGW-ONE`;

    const res = await rawRequest(emulator, 'GET', `${path}?api-version=2026-01-01`, {
      authorization: 'Bearer x',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'appgw-one' });
  });

  it('an unknown gateway is a RestError 404 ResourceNotFound for get() and backendHealth()', async () => {
    const emulator = await start({ gateways: [gateway('rg-one', 'appgw-one')] });
    const client = armClient(emulator);

    const error = await client.applicationGateways.backendHealth('rg-one', 'appgw-nope').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RestError);
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
      message:
        "The Resource 'Microsoft.Network/applicationGateways/appgw-nope' under resource group 'rg-one' was not " +
        'found. For more details please go to https://aka.ms/ARMResourceNotFoundFix',
    });
    await expect(client.applicationGateways.get('rg-one', 'appgw-nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  // A break trial: an emulator asked of another scenario's gateway (another subscription) answered
  // ResourceNotFound, ARM's word for a deletion, and the run sent a false `recovered`.
  it.each<[string, string, string, string]>([
    ['another subscription', 'SubscriptionNotFound', '99999999-9999-9999-9999-999999999999', 'rg-one'],
    ['a resource group the subscription does not have', 'ResourceGroupNotFound', SUB, 'rg-none'],
    ['its resource group, which does not have it', 'ResourceNotFound', SUB, 'rg-one'],
  ])('a gateway in %s: 404 %s to get() and backendHealth()', async (_, code, subscription, group) => {
    const emulator = await start({ gateways: [gateway('rg-one', 'appgw-one')] });
    const path = `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Network/applicationGateways/appgw-nope`;
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/backendhealth'],
    ] as const) {
      const res = await rawRequest(emulator, method, `${path}${suffix}?api-version=2024-05-01`, {
        authorization: 'Bearer x',
      });
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([404, code]);
    }
  });

  it('a scope whose gateways were all deleted (a scenario served next) still exists: an empty list, ResourceNotFound', async () => {
    const emulator = await start({
      gateways: [gateway('rg-one', 'appgw-one'), gateway('rg-two', 'appgw-two')],
    });
    emulator.serve({ gateways: [gateway('rg-two', 'appgw-two')] });
    const client = armClient(emulator);
    expect(await collect(client.applicationGateways.list('rg-one'))).toEqual([]);
    await expect(client.applicationGateways.get('rg-one', 'appgw-one')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });

  it('every answer carries ARM request ids and the JSON content type', async () => {
    const emulator = await start({ gateways: [gateway('rg-one', 'appgw-one')] });
    const path = `/subscriptions/${SUB}/resourceGroups/rg-one/providers/Microsoft.Network/applicationGateways/appgw-one`;

    for (const res of [
      await rawRequest(emulator, 'GET', `${path}?api-version=1`, { authorization: 'Bearer x' }),
      await rawRequest(emulator, 'POST', `${path}/backendhealth?api-version=1`, {
        authorization: 'Bearer x',
      }),
      await rawRequest(emulator, 'GET', '/nothing/here?api-version=1', { authorization: 'Bearer x' }),
    ]) {
      expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-ms-correlation-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
    expect(emulator.requests.map((r) => r.status)).toEqual([200, 202, 404]);
  });
});

describe('listing at scale', () => {
  // 20 000 gateways in one subscription are 400 pages: each page used to scan every gateway of the
  // scenario (its scope, its slowest gateway, its list faults), seconds of work. A page now looks at
  // its own gateways and at those with a list fault, whatever the scope holds.
  const listAllPages = async (emulator: Awaited<ReturnType<typeof start>>) =>
    collect(armClient(emulator).applicationGateways.listAll());

  it('checks only the gateways with list faults on each page, not every gateway in scope', async () => {
    const spy = jest.spyOn(EmulatorState.prototype, 'takeListFault');
    try {
      const gateways = Array.from({ length: 1000 }, (_, i) => gateway(`rg-${i % 7}`, `appgw-${i}`));
      const faulted = gateway('rg-0', 'appgw-faulted', {
        faults: [{ on: 'list', page: 21, status: 500, times: 1 }],
      });
      const emulator = await start({ gateways: [...gateways, faulted] });

      const ids = await listAllPages(emulator);

      expect(ids).toHaveLength(1001);
      // 1001 gateways, 50 a page: 21 pages, and page 21 once more after its 500 (the SDK's retry).
      expect(listCalls(emulator.requests)).toHaveLength(22);
      // One faulted gateway checked per page request, where scanning the scope was 1001 per request.
      expect(spy).toHaveBeenCalledTimes(22);
      expect(spy.mock.calls.every(([entry]) => entry.gateway.id === faulted.id)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
