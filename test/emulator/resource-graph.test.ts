import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { buildGatewayQuery } from '../../src/core/discovery/gateway-query';
import { NO_FILTER, tagsMatch } from '../../src/core/discovery/filter';
import { parseScenario, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { fakeClock, SUB, gateway, gatewayId, rawRequest, type RawResponse, useEmulators } from './helpers';

const OTHER = '99999999-2222-3333-4444-555555555555';
const THIRD = '77777777-2222-3333-4444-555555555555';

function graphClient(emulator: RunningEmulator): ResourceGraphClient {
  const credential = { getToken: async () => ({ token: 'dev', expiresOnTimestamp: Date.now() + 3600_000 }) };
  return new ResourceGraphClient(credential, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.caCertPem },
    retryOptions: { maxRetries: 0 },
  });
}

/** POSTs a body as written (what the SDK would not send), answering status, headers and JSON. */
const post = (
  emulator: RunningEmulator,
  body: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read into whatever came back
): Promise<RawResponse & { body: any }> =>
  rawRequest(
    emulator,
    'POST',
    '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01',
    { authorization: 'Bearer dev', 'content-type': 'application/json' },
    typeof body === 'string' ? body : JSON.stringify(body),
  );

const scenario = (extra: Partial<ScenarioInput> = {}): ScenarioInput => ({
  gateways: [
    gateway('rg-a', 'appgw-prod-1', { tags: { env: 'prod', owner: 'web' } }),
    gateway('rg-a', 'appgw-test-1', { tags: { env: 'test' } }),
    gateway('rg-b', 'edge-1', { location: 'northeurope', tags: { env: 'Prod' } }),
    gateway('rg-c', 'other-1', {}, OTHER),
    gateway('rg-d', 'third-1', { tags: { env: 'prod' } }, THIRD),
  ],
  managementGroups: { 'mg-web': [SUB, OTHER] },
  ...extra,
});

describe('Resource Graph in the emulator: the query the product sends', () => {
  const start = useEmulators();

  it("answers the names as a selected column and each gateway's tags, over a management group, rows ordered by id", async () => {
    const emulator = await start(scenario());
    const query = buildGatewayQuery({
      filter: { tags: [{ key: 'env', value: 'prod' }], namePatterns: ['appgw-*', 'edge-?'], locations: [] },
    });
    const answer = await graphClient(emulator).resources({ managementGroups: ['mg-web'], query });
    expect(answer).toMatchObject({ totalRecords: 4, count: 4, resultTruncated: 'false' });
    expect(answer.skipToken).toBeUndefined();
    const rows = answer.data as Array<{ name: string; selected: boolean; tags: Record<string, string> }>;
    expect(rows.map((r) => [r.name, r.selected, r.tags])).toEqual([
      ['appgw-prod-1', true, { env: 'prod', owner: 'web' }],
      ['appgw-test-1', true, { env: 'test' }],
      ['edge-1', true, { env: 'Prod' }],
      ['other-1', false, {}],
    ]);
    // What the product picks of them (resource-graph-directory.ts): env "Prod" in any case.
    expect(
      rows.filter((r) => r.selected && tagsMatch([{ key: 'env', value: 'prod' }], r.tags)).map((r) => r.name),
    ).toEqual(['appgw-prod-1', 'edge-1']);
    expect((answer.data as Array<Record<string, unknown>>)[0]).toEqual({
      id: gatewayId('rg-a', 'appgw-prod-1'),
      name: 'appgw-prod-1',
      type: 'microsoft.network/applicationgateways',
      location: 'westeurope',
      subscriptionId: SUB,
      resourceGroup: 'rg-a',
      selected: true,
      tags: { env: 'prod', owner: 'web' },
    });
  });

  it('scopes by subscriptions, a resource group with a where, and locations', async () => {
    const emulator = await start(scenario());
    const client = graphClient(emulator);
    const rg = await client.resources({
      subscriptions: [SUB],
      query: buildGatewayQuery({
        resourceGroup: 'RG-A',
        filter: { ...NO_FILTER, locations: ['northeurope'] },
      }),
    });
    expect((rg.data as Array<{ name: string; selected: boolean }>).map((r) => [r.name, r.selected])).toEqual([
      ['appgw-prod-1', false],
      ['appgw-test-1', false],
    ]);
    const two = await client.resources({
      subscriptions: [OTHER, THIRD],
      query: buildGatewayQuery({ filter: NO_FILTER }),
    });
    expect(two.totalRecords).toBe(2);
  });

  it('pages with $top and a $skipToken valid only for the same query and scopes', async () => {
    const emulator = await start(scenario());
    const client = graphClient(emulator);
    const query = buildGatewayQuery({ filter: NO_FILTER });
    const names: string[] = [];
    let skipToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.resources({
        managementGroups: ['mg-web'],
        query,
        options: { top: 3, resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) },
      });
      pages += 1;
      expect(page.totalRecords).toBe(4);
      names.push(...(page.data as Array<{ name: string }>).map((r) => r.name));
      skipToken = page.skipToken;
    } while (skipToken);
    expect(pages).toBe(2);
    expect(names).toEqual(['appgw-prod-1', 'appgw-test-1', 'edge-1', 'other-1']);

    const first = await client.resources({ managementGroups: ['mg-web'], query, options: { top: 1 } });
    const other = await post(emulator, {
      subscriptions: [SUB],
      query,
      options: { $skipToken: first.skipToken },
    });
    expect(other.status).toBe(400);
    expect(other.body.error.details[0].code).toBe('InvalidSkipToken');
    expect((await post(emulator, { subscriptions: [SUB], query, options: { $top: 1001 } })).status).toBe(400);
  });

  it('a query it cannot read is 400 InvalidQuery with a ParserFailure; an unknown management group 403 AccessDenied', async () => {
    const emulator = await start(scenario());
    const bad = await post(emulator, {
      subscriptions: [SUB],
      query: 'resources | summarize count() by location',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'BadRequest',
      details: [{ code: 'InvalidQuery' }, { code: 'ParserFailure' }],
    });
    const denied = await post(emulator, { managementGroups: ['mg-none'], query: 'resources' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'AccessDenied', details: [{ code: 'AccessDenied' }] });
    expect((await post(emulator, '{not json')).status).toBe(400);
  });

  it('counts queries against the per-user quota in headers, and answers 429 with Retry-After past it', async () => {
    const emulator = await start(scenario({ resourceGraph: { quota: 2, windowSeconds: 60 } }));
    const body = { subscriptions: [SUB], query: 'resources' };
    const first = await post(emulator, body);
    expect(first.headers).toMatchObject({
      'x-ms-user-quota-remaining': '1',
      'x-ms-user-quota-resets-after': expect.stringMatching(/^00:0[01]:\d\d$/),
    });
    expect((await post(emulator, body)).headers['x-ms-user-quota-remaining']).toBe('0');
    const third = await post(emulator, body);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the quota window runs by the emulator clock: spent, it refuses until the window has passed', async () => {
    const clock = fakeClock();
    const emulator = await start(scenario({ resourceGraph: { quota: 1, windowSeconds: 5 } }), { clock });
    const body = { subscriptions: [SUB], query: 'resources' };
    expect((await post(emulator, body)).status).toBe(200);
    clock.advance(4_999);
    const refused = await post(emulator, body);
    expect([refused.status, refused.headers['retry-after']]).toEqual([429, '1']);
    expect(refused.headers['x-ms-user-quota-resets-after']).toBe('00:00:01');
    clock.advance(1);
    const next = await post(emulator, body);
    expect([next.status, next.headers['x-ms-user-quota-remaining']]).toEqual([200, '0']);
    expect(next.headers['x-ms-user-quota-resets-after']).toBe('00:00:05');
  });

  it('past its subscription limit, answers the first subscriptions and says x-ms-tenant-subscription-limit-hit', async () => {
    const emulator = await start(scenario({ resourceGraph: { subscriptionLimit: 1 } }));
    const answer = await post(emulator, { managementGroups: ['mg-web'], query: 'resources' });
    expect(answer.headers['x-ms-tenant-subscription-limit-hit']).toBe('true');
    expect(answer.body.totalRecords).toBe(3);
  });

  it('faults "on": "resourceGraph" answer for a gateway in scope: text as the page, 403 as Resource Graph words it, on a given page', async () => {
    const emulator = await start({
      gateways: [
        gateway('rg-a', 'gw1', {
          faults: [
            { on: 'resourceGraph', text: '{"data":"garbage"}' },
            { on: 'resourceGraph', status: 403 },
            { on: 'resourceGraph', status: 500, page: 2 },
          ],
        }),
        gateway('rg-a', 'gw2'),
      ],
    });
    const body = { subscriptions: [SUB], query: 'resources', options: { $top: 1 } };
    expect((await post(emulator, body)).body).toEqual({ data: 'garbage' });
    expect((await post(emulator, body)).body.error.code).toBe('AccessDenied');
    const first = await post(emulator, body);
    expect(first.status).toBe(200);
    const second = await post(emulator, { ...body, options: { $top: 1, $skipToken: first.body.$skipToken } });
    expect(second.status).toBe(500);
  });

  it('the scenario: management groups and tags are checked', () => {
    expect(() => parseScenario({ ...scenario(), managementGroups: { mg: 'x' } } as never)).toThrow(
      /managementGroups\.mg/,
    );
    expect(() => parseScenario({ gateways: [gateway('rg', 'gw', { tags: { a: 1 } as never })] })).toThrow(
      /tags\.a/,
    );
    expect(() =>
      parseScenario({ gateways: [gateway('rg', 'gw', { faults: [{ on: 'poll', text: 'x' }] })] }),
    ).toThrow(/"resourceGraph"/);
  });
});
