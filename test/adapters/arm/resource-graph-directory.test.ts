import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { createDiscoveryDirectory } from '../../../src/adapters/arm/discovery-directory';
import { createArmGatewayDirectory } from '../../../src/adapters/arm/gateway-directory';
import { createResourceGraphClient } from '../../../src/adapters/arm/resource-graph-client';
import { createResourceGraphDirectory } from '../../../src/adapters/arm/resource-graph-directory';
import { parseTarget, type Target } from '../../../src/core/arm-id';
import { NO_FILTER, type DiscoveryFilter } from '../../../src/core/discovery/filter';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import { ConfigError, MissingPermissionError, TargetListUnavailableError } from '../../../src/errors';
import type { GatewayDirectory } from '../../../src/ports';
import { OTHER_SUB, SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

const target = (id: string) => parseTarget(id) as Target;
const MG = '/providers/Microsoft.Management/managementGroups/mg-web';
const names = (gateways: ReadonlyArray<{ name: string }>) => gateways.map((g) => g.name).sort();

/** The directory `run` builds (discovery-directory.ts), over a fresh emulator. */
async function withDirectory<T>(
  scenario: ScenarioInput,
  filter: DiscoveryFilter,
  use: (directory: GatewayDirectory, emulator: RunningEmulator) => Promise<T>,
  pageSize?: number,
): Promise<T> {
  const emulator = await startEmulator({ scenario: scenario as never });
  try {
    const clientFor = createArmClientFactory({
      endpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      credential: 'development',
      maxRetries: 2,
      retryDelayInMs: 5,
    });
    const graph = createResourceGraphDirectory(createResourceGraphClient(clientFor), clientFor, {
      filter,
      ...(pageSize ? { pageSize } : {}),
    });
    const directory = createDiscoveryDirectory({ arm: createArmGatewayDirectory(clientFor), graph, filter });
    return await use(directory, emulator);
  } finally {
    await emulator.close();
  }
}

const fleet: ScenarioInput = {
  gateways: [
    gateway('appgw-prod-1', [], { tags: { env: 'prod', owner: 'web' } }, 'rg-a'),
    gateway('appgw-test-1', [], { tags: { env: 'test' } }, 'rg-a'),
    gateway('edge-1', [], { location: 'northeurope', tags: { env: 'prod' } }, 'rg-b'),
    gateway('appgw-prod-2', [], { tags: { env: 'prod' } }, 'rg-c', OTHER_SUB),
  ],
  managementGroups: { 'mg-web': [SUB, OTHER_SUB] },
};

describe('discovery through Resource Graph (the real SDK against the emulator)', () => {
  it('tags: only the tagged gateways are evaluated; the others are present, not gone', async () => {
    await withDirectory(
      fleet,
      { ...NO_FILTER, tags: [{ key: 'env', value: 'PROD' }] },
      async (directory, emulator) => {
        const listing = await directory.listGateways(target(`/subscriptions/${SUB}`));
        expect(names(listing.gateways)).toEqual(['appgw-prod-1', 'edge-1']);
        expect(names(listing.present)).toEqual(['appgw-prod-1', 'appgw-test-1', 'edge-1']);
        expect(listing.shownScopes).toEqual([{ subscriptionId: SUB }]);
        // One query, no ARM list call.
        expect(emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          'POST /providers/Microsoft.ResourceGraph/resources',
        ]);
        const both = await directory.listGateways(target(`/subscriptions/${SUB}/resourceGroups/rg-a`));
        expect(names(both.gateways)).toEqual(['appgw-prod-1']);
        expect(both.shownScopes).toEqual([{ subscriptionId: SUB, resourceGroup: 'rg-a' }]);
      },
    );
  });

  it('a tag name in any case: ARM keeps the casing it was given, and compares tag names in any case', async () => {
    const cased: ScenarioInput = {
      gateways: [
        gateway('appgw-upper', [], { tags: { ENV: 'prod' } }, 'rg-a'),
        gateway('appgw-title', [], { tags: { Env: 'Prod', Owner: 'web' } }, 'rg-a'),
        gateway('appgw-other', [], { tags: { Environment: 'prod' } }, 'rg-a'),
      ],
    };
    await withDirectory(cased, { ...NO_FILTER, tags: [{ key: 'env', value: 'prod' }] }, async (directory) => {
      const listing = await directory.listGateways(target(`/subscriptions/${SUB}`));
      expect(names(listing.gateways)).toEqual(['appgw-title', 'appgw-upper']);
      expect(names(listing.present)).toEqual(['appgw-other', 'appgw-title', 'appgw-upper']);
    });
    await withDirectory(cased, { ...NO_FILTER, tags: [{ key: 'owner' }] }, async (directory) => {
      expect(names((await directory.listGateways(target(`/subscriptions/${SUB}`))).gateways)).toEqual([
        'appgw-title',
      ]);
    });
  });

  it('a tag that only has to be there, and values given for one tag (any of them)', async () => {
    await withDirectory(
      fleet,
      {
        ...NO_FILTER,
        tags: [{ key: 'owner' }, { key: 'env', value: 'test' }, { key: 'env', value: 'prod' }],
      },
      async (directory) => {
        expect(names((await directory.listGateways(target(MG))).gateways)).toEqual(['appgw-prod-1']);
      },
    );
  });

  it('a management group: every subscription under it, in one query; each shown whole', async () => {
    await withDirectory(fleet, NO_FILTER, async (directory, emulator) => {
      const listing = await directory.listGateways(target(MG));
      expect(names(listing.gateways)).toEqual(['appgw-prod-1', 'appgw-prod-2', 'appgw-test-1', 'edge-1']);
      expect(listing.shownScopes).toEqual(
        expect.arrayContaining([{ subscriptionId: SUB }, { subscriptionId: OTHER_SUB }]),
      );
      expect(emulator.requests).toHaveLength(1);
      // Without a filter, a subscription still goes to ARM's list call.
      await directory.listGateways(target(`/subscriptions/${SUB}`));
      expect(emulator.requests[1]).toMatchObject({
        method: 'GET',
        path: `/subscriptions/${SUB}/providers/Microsoft.Network/applicationGateways`,
      });
    });
  });

  it('name patterns and locations', async () => {
    await withDirectory(
      fleet,
      { ...NO_FILTER, namePatterns: ['APPGW-PROD-?', 'edge-*'], locations: ['westeurope'] },
      async (directory) => {
        expect(names((await directory.listGateways(target(MG))).gateways)).toEqual([
          'appgw-prod-1',
          'appgw-prod-2',
        ]);
      },
    );
    await withDirectory(fleet, { ...NO_FILTER, locations: ['northeurope'] }, async (directory) => {
      expect(names((await directory.listGateways(target(MG))).gateways)).toEqual(['edge-1']);
    });
  });

  it('a gateway named by its id is taken as is, filter or not, without a call', async () => {
    await withDirectory(
      fleet,
      { ...NO_FILTER, tags: [{ key: 'env', value: 'none' }] },
      async (directory, emulator) => {
        const listing = await directory.listGateways(target(gatewayId('appgw-test-1', 'rg-a')));
        expect(names(listing.gateways)).toEqual(['appgw-test-1']);
        expect(emulator.requests).toHaveLength(0);
      },
    );
  });

  it('an empty answer shows no scope whole (Resource Graph answers so for a scope it may not read)', async () => {
    await withDirectory(fleet, { ...NO_FILTER, tags: [{ key: 'env', value: 'prod' }] }, async (directory) => {
      const listing = await directory.listGateways(
        target('/subscriptions/33333333-3333-3333-3333-333333333333'),
      );
      expect(listing).toEqual({ gateways: [], present: [], shownScopes: [] });
    });
  });

  it('pages with $skipToken until the last: several pages of 2, and pages of 1000', async () => {
    const many: ScenarioInput = {
      gateways: Array.from({ length: 7 }, (_, i) =>
        gateway(`gw-${i}`, [], { tags: { env: i % 2 ? 'prod' : 'test' } }, 'rg-a'),
      ),
    };
    await withDirectory(
      many,
      { ...NO_FILTER, tags: [{ key: 'env', value: 'prod' }] },
      async (directory, emulator) => {
        const listing = await directory.listGateways(target(`/subscriptions/${SUB}`));
        expect(names(listing.gateways)).toEqual(['gw-1', 'gw-3', 'gw-5']);
        expect(listing.present).toHaveLength(7);
        expect(emulator.requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      },
      2,
    );

    const big: ScenarioInput = {
      gateways: Array.from({ length: 2001 }, (_, i) =>
        gateway(`gw-${String(i).padStart(4, '0')}`, [], {}, 'rg-big'),
      ),
      managementGroups: { 'mg-web': [SUB] },
    };
    await withDirectory(big, NO_FILTER, async (directory, emulator) => {
      const listing = await directory.listGateways(target(MG));
      expect(new Set(listing.gateways.map((g) => g.id.toLowerCase())).size).toBe(2001);
      expect(emulator.requests).toHaveLength(3);
    });
  });

  /** `n` gateways in management group mg-web, Resource Graph's quota one query per `windowSeconds`. */
  const quotaOfOne = (n: number, windowSeconds: number): ScenarioInput => ({
    gateways: Array.from({ length: n }, (_, i) => gateway(`gw-${i}`, [], {}, 'rg-a')),
    managementGroups: { 'mg-web': [SUB] },
    resourceGraph: { quota: 1, windowSeconds },
  });

  it("paces itself by the quota headers: no query runs into Resource Graph's 429", async () => {
    const many = quotaOfOne(3, 1);
    await withDirectory(
      many,
      NO_FILTER,
      async (directory, emulator) => {
        expect((await directory.listGateways(target(MG))).gateways).toHaveLength(3);
        expect(emulator.requests.map((r) => r.status)).toEqual([200, 200, 200]);
      },
      1,
    );
  });
  // A break trial (read in the code): the quota's wait came after the try was told sent, so a listing
  // it held past the time-out was "no answer", its requests never out with Resource Graph meanwhile.
  it('the wait for the quota window is told as a wait on the quota (paced), not a try out with Resource Graph', async () => {
    const many = quotaOfOne(2, 60);
    await withDirectory(
      many,
      NO_FILTER,
      async (directory, emulator) => {
        const told: string[] = [];
        const controller = new AbortController();
        const listing = directory.listGateways(target(MG), {
          abortSignal: controller.signal,
          onQuotaWait: (wait) => told.push(wait ?? 'sent'),
          onTryOut: (out) => told.push(out ? 'out' : 'ended'),
        });
        while (emulator.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 100));
        // Page 2 waits for the window: its try is not out, the quota holds it.
        expect(told).toEqual(['sent', 'out', 'ended', 'sent', 'out', 'ended', 'paced']);
        controller.abort();
        await listing.catch((e: unknown) => e);
      },
      1,
    );
  });

  it('a listing aborted while it waits for the quota window is a cancellation, not a failed answer', async () => {
    const many = quotaOfOne(2, 60);
    await withDirectory(
      many,
      NO_FILTER,
      async (directory, emulator) => {
        const controller = new AbortController();
        const listing = directory.listGateways(target(MG), { abortSignal: controller.signal });
        while (emulator.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        controller.abort();
        const error = await listing.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TargetListUnavailableError);
        expect((error as Error).message).toMatch(/the call was cancelled \(time-out\)/);
        expect(emulator.requests).toHaveLength(1); // page 2 waited for the window, and never went
      },
      1,
    );
  });
});

// A listing says which gateways are gone, so anything that is not Resource Graph's complete answer fails
// the whole listing, saying what came: never a shorter one. Each page is served exactly as written.
describe('Resource Graph discovery: an answer that is not complete fails the listing', () => {
  const row = (name: string, extra: Record<string, unknown> = {}) => ({
    id: gatewayId(name, 'rg-a'),
    name,
    type: 'microsoft.network/applicationgateways',
    location: 'westeurope',
    subscriptionId: SUB,
    resourceGroup: 'rg-a',
    selected: true,
    ...extra,
  });
  const answer = (data: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      totalRecords: 3,
      count: data.length,
      resultTruncated: 'false',
      facets: [],
      data,
      ...extra,
    });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"totalRecords": 3,', /to the query for page 2 .* not JSON/],
    ['an empty body', '', /empty body/],
    ['null', 'null', /SDK could not read|\(root\)/],
    [
      'no data',
      JSON.stringify({ totalRecords: 3, count: 1, resultTruncated: 'false' }),
      /data: expected an array of rows, found nothing/,
    ],
    ['a truncated result', answer([row('gw-1')], { resultTruncated: 'true' }), /truncated/],
    [
      'a row of page 1 again (pages that overlap)',
      answer([row('gw-0')]),
      /listed twice \(also at an earlier page\)/,
    ],
    ['a row without selected', answer([row('gw-1', { selected: undefined })]), /data\[0\]\.selected/],
    [
      'a row of another subscription',
      answer([{ ...row('gw-1'), id: gatewayId('gw-1', 'rg-a', OTHER_SUB) }]),
      /not in the scope queried/,
    ],
    [
      'a row of another type',
      answer([row('gw-1', { type: 'microsoft.network/loadbalancers' })]),
      /data\[0\]\.type/,
    ],
    ['count not the rows it has', answer([row('gw-1')], { count: 2 }), /count: says 2 rows/],
    ['the last page short of totalRecords', answer([row('gw-1')]), /2 of the 3 rows .* no \$skipToken/],
  ])('page 2 is %s', async (_, text, problem) => {
    const scenario: ScenarioInput = {
      gateways: [
        gateway('gw-0', [], { faults: [{ on: 'resourceGraph', text, page: 2 }] }, 'rg-a'),
        gateway('gw-1', [], {}, 'rg-a'),
        gateway('gw-2', [], {}, 'rg-a'),
      ],
    };
    await withDirectory(
      scenario,
      { ...NO_FILTER, namePatterns: ['gw-*'] },
      async (directory) => {
        const error = await directory.listGateways(target(`/subscriptions/${SUB}`)).then(
          (l) => new Error(`listed ${l.gateways.length}: expected the listing to fail`),
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TargetListUnavailableError);
        expect((error as Error).message).toMatch(problem);
        expect((error as Error).message).toMatch(/No gateway is taken as deleted for missing from it/);
      },
      1,
    );
  });

  // A fan-out trial: gw-1 removed while the pages were read moves back onto page 1, already read, so page 2
  // holds gw-2 alone and counts 2; the pages added up to the last count, and gw-1 was taken as deleted.
  const countDown = (times: number): ScenarioInput => ({
    gateways: [
      gateway(
        'gw-0',
        [],
        {
          faults: [{ on: 'resourceGraph', text: answer([row('gw-2')], { totalRecords: 2 }), page: 2, times }],
        },
        'rg-a',
      ),
      gateway('gw-1', [], {}, 'rg-a'),
      gateway('gw-2', [], {}, 'rg-a'),
    ],
  });

  it('a count that changes between pages lists the target again from the start: nothing skipped', async () => {
    await withDirectory(
      countDown(1),
      { ...NO_FILTER, namePatterns: ['gw-*'] },
      async (directory, emulator) => {
        const listing = await directory.listGateways(target(`/subscriptions/${SUB}`));
        expect(names(listing.present)).toEqual(['gw-0', 'gw-1', 'gw-2']);
        expect(names(listing.gateways)).toEqual(['gw-0', 'gw-1', 'gw-2']);
        // 2 pages, then 3 pages of 1 from the start.
        expect(emulator.requests.filter((r) => r.path.includes('Microsoft.ResourceGraph'))).toHaveLength(5);
      },
      1,
    );
  });

  it('a count that changes between pages again fails the listing: no gateway taken as deleted', async () => {
    await withDirectory(
      countDown(2),
      { ...NO_FILTER, namePatterns: ['gw-*'] },
      async (directory) => {
        const error = await directory.listGateways(target(`/subscriptions/${SUB}`)).then(
          (l) => new Error(`listed ${l.present.length}: expected the listing to fail`),
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TargetListUnavailableError);
        expect((error as Error).message).toMatch(
          /its count of rows changed between pages \(3 rows, then 2 on page 2\), on 2 listings in a row/,
        );
        expect((error as Error).message).toMatch(/No gateway is taken as deleted for missing from it/);
      },
      1,
    );
  });

  it('a scope cut short at the subscription limit (x-ms-tenant-subscription-limit-hit) fails it', async () => {
    await withDirectory(
      { ...fleet, resourceGraph: { subscriptionLimit: 1 } },
      NO_FILTER,
      async (directory) => {
        await expect(directory.listGateways(target(MG))).rejects.toThrow(
          /x-ms-tenant-subscription-limit-hit: true/,
        );
      },
    );
  });
});

describe('Resource Graph discovery: refusals say what to do', () => {
  it('403 on the management group: AuthorizationFailed, Reader on the management group', async () => {
    const scenario = {
      ...fleet,
      gateways: fleet.gateways.map((g, i) =>
        i === 0 ? { ...g, faults: [{ on: 'resourceGraph' as const, status: 403 }] } : g,
      ),
    };
    await withDirectory(scenario, NO_FILTER, async (directory) => {
      const error = await directory.listGateways(target(MG)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingPermissionError);
      expect(error).toMatchObject({ code: 'AuthorizationFailed', scope: MG });
      expect((error as Error).message).toMatch(
        /Resource Graph answered 403 AccessDenied: AccessDenied: Access is denied/,
      );
      expect((error as Error).message).toMatch(
        /Assign the identity Reader .* on the management group \/providers\/Microsoft\.Management\/managementGroups\/mg-web/,
      );
      expect((error as Error).message).toMatch(/its ID, not its display name/);
    });
  });

  it('a management group Resource Graph does not know is answered 403 too, and said so', async () => {
    await withDirectory(fleet, NO_FILTER, async (directory) => {
      const error = await directory
        .listGateways(target('/providers/Microsoft.Management/managementGroups/mg-typo'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingPermissionError);
    });
  });

  it('403 on a filtered subscription: Reader on the subscription', async () => {
    const scenario = { gateways: [gateway('gw', [], { faults: [{ on: 'resourceGraph', status: 403 }] })] };
    await withDirectory(scenario, { ...NO_FILTER, locations: ['westeurope'] }, async (directory) => {
      const error = await directory.listGateways(target(`/subscriptions/${SUB}`)).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(
        new RegExp(`Assign the identity Reader .* on /subscriptions/${SUB}`),
      );
    });
  });

  it('400 to the query: ConfigInvalid naming the discovery settings', async () => {
    const scenario = { gateways: [gateway('gw', [], { faults: [{ on: 'resourceGraph', status: 400 }] })] };
    await withDirectory(scenario, { ...NO_FILTER, locations: ['westeurope'] }, async (directory) => {
      const error = await directory.listGateways(target(`/subscriptions/${SUB}`)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        /InvalidQuery.*discovery\.tags, discovery\.names and discovery\.locations \(APPGW_DISCOVERY_\*\)/,
      );
    });
  });

  it('5xx beyond the retries: TargetListUnavailable (retryable)', async () => {
    const scenario = {
      gateways: [gateway('gw', [], { faults: [{ on: 'resourceGraph', status: 503, times: 3 }] })],
    };
    await withDirectory(scenario, { ...NO_FILTER, locations: ['westeurope'] }, async (directory) => {
      const error = await directory.listGateways(target(`/subscriptions/${SUB}`)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TargetListUnavailableError);
      expect(error).toMatchObject({ retryable: true });
    });
  });
});
