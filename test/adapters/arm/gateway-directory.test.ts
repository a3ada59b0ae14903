import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { createArmGatewayDirectory } from '../../../src/adapters/arm/gateway-directory';
import { gatewayKey, parseTarget, type Target } from '../../../src/core/arm-id';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import { TargetListUnavailableError, TargetNotFoundError } from '../../../src/errors';
import { SUB, gateway, gatewayId } from '../../helpers/scenario-builder';

const target = (id: string) => parseTarget(id) as Target;

describe('ARM gateway directory (real list/listAll against the emulator)', () => {
  let emulator: RunningEmulator;
  let directory: ReturnType<typeof createArmGatewayDirectory>;

  beforeAll(async () => {
    const gateways: ScenarioInput['gateways'] = [];
    for (let i = 0; i < 120; i++) gateways.push(gateway(`gw-${i}`, [], {}, i < 70 ? 'rg-big' : 'rg-small'));
    emulator = await startEmulator({ scenario: { gateways } as never });
    directory = createArmGatewayDirectory(
      createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'development',
        maxRetries: 0,
      }),
    );
  });
  afterAll(() => emulator.close());

  it('lists every gateway of a subscription once, following nextLink pages', async () => {
    const {
      gateways: found,
      present,
      shownScopes,
    } = await directory.listGateways(target(`/subscriptions/${SUB}`));
    expect(found).toHaveLength(120);
    expect(new Set(found.map((g) => g.id.toLowerCase())).size).toBe(120);
    // ARM's list shows its scope whole: a gateway of it not listed is gone.
    expect(present).toEqual(found);
    expect(shownScopes).toEqual([{ subscriptionId: SUB }]);
    expect(
      emulator.requests.filter((r) => r.method === 'GET' && r.query['$skipToken']).length,
    ).toBeGreaterThanOrEqual(2);
  });

  // Issue 14 (new-user trial): a listing held every configuration of its target until its last page,
  // about 100 MiB at 20 000 gateways in one subscription. Each page's go on as the page is read.
  it("hands each page's configurations on as the page is read, every gateway's once; holds none", async () => {
    const pages: string[][] = [];
    const requestedAt: number[] = [];
    const listCalls = () => emulator.requests.filter((r) => /applicationGateways$/i.test(r.path)).length;
    const { gateways: found } = await directory.listGateways(target(`/subscriptions/${SUB}`), {
      keepConfigurations: async (page) => {
        requestedAt.push(listCalls());
        pages.push([...page.keys()]);
      },
    });
    // Each page handed on before the next was asked for.
    expect(requestedAt.map((n) => n - requestedAt[0]!)).toEqual([0, 1, 2]);
    // 120 gateways, 50 a page: three pages, each handed on before the next was asked for.
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(new Set(pages.flat())).toEqual(new Set(found.map((g) => gatewayKey(g.id))));
    expect(Object.keys(await directory.listGateways(target(`/subscriptions/${SUB}`)))).toEqual([
      'gateways',
      'present',
      'shownScopes',
    ]);
  });

  it('lists a resource group (paged past 50)', async () => {
    const found = (await directory.listGateways(target(`/subscriptions/${SUB}/resourceGroups/rg-big`)))
      .gateways;
    expect(found.map((g) => g.name).sort()).toEqual(Array.from({ length: 70 }, (_, i) => `gw-${i}`).sort());
  });

  it('takes a gateway target as is, without a call', async () => {
    const before = emulator.requests.length;
    const found = (await directory.listGateways(target(gatewayId('gw-1', 'rg-big')))).gateways;
    expect(found.map((g) => g.name)).toEqual(['gw-1']);
    expect(emulator.requests.length).toBe(before);
  });

  it('maps an unknown resource group to TargetNotFoundError', async () => {
    await expect(
      directory.listGateways(target(`/subscriptions/${SUB}/resourceGroups/rg-none`)),
    ).rejects.toBeInstanceOf(TargetNotFoundError);
  });
});

// A listing that succeeds says which gateways are gone (their servers are sent as recovered), so a
// page that is not ARM's complete shape fails the whole listing, saying what ARM sent: never a shorter
// "successful" one (issue 11's kind). Each page is served by the emulator exactly as written.
describe('ARM gateway directory: a page that is not a complete listing fails it (real SDK, emulator)', () => {
  const OTHER = '22222222-2222-2222-2222-222222222222';
  const entry = (name: string, rg = 'rg-a', sub = SUB) => ({
    id: gatewayId(name, rg, sub),
    name,
    type: 'Microsoft.Network/applicationGateways',
  });
  const text = (page: unknown) => JSON.stringify(page);

  async function listing(
    faults: NonNullable<ScenarioInput['gateways'][number]['faults']>,
    targetId: string,
    count = 1,
  ): Promise<{ error: unknown; requests: string[] }> {
    const gateways: ScenarioInput['gateways'] = Array.from({ length: count }, (_, i) =>
      gateway(i === 0 ? 'gw1' : `gw-${String(i).padStart(2, '0')}`, [], i === 0 ? { faults } : {}, 'rg-a'),
    );
    const emulator = await startEmulator({ scenario: { gateways } as never });
    try {
      const directory = createArmGatewayDirectory(
        createArmClientFactory({
          endpoint: emulator.url,
          caCertFile: emulator.caCertFile,
          credential: 'development',
          maxRetries: 1,
          retryDelayInMs: 5,
        }),
      );
      const error = await directory.listGateways(target(targetId)).then(
        (found) => new Error(`listed ${found.gateways.length} gateway(s): expected the listing to fail`),
        (e: unknown) => e,
      );
      return {
        error,
        requests: emulator.requests.map((r) => `${r.query['$skipToken'] ?? 'first'} ${r.status}`),
      };
    } finally {
      await emulator.close();
    }
  }

  const SUBSCRIPTION = `/subscriptions/${SUB}`;
  const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-a`;

  it.each<[string, string, string, string]>([
    [
      'an entry without an id',
      text({ value: [{ name: 'gw1' }] }),
      SUBSCRIPTION,
      `value[0].id: expected the gateway's ARM id, found nothing (its name is "gw1")`,
    ],
    [
      '{}',
      '{}',
      SUBSCRIPTION,
      'value: expected an array of gateways (an empty array when the scope has none), found nothing',
    ],
    [
      '{"value":null}',
      '{"value":null}',
      SUBSCRIPTION,
      'value: expected an array of gateways (an empty array when the scope has none), found null',
    ],
    ['{"value":{}}', '{"value":{}}', SUBSCRIPTION, 'found an empty object {}'],
    ['[]', '[]', SUBSCRIPTION, "(root): expected ARM's list page"],
    [
      'a null entry',
      text({ value: [entry('gw1'), null] }),
      SUBSCRIPTION,
      'value[1]: expected an application gateway {"id", "name", "type", …}, found null',
    ],
    [
      'an id that is not an application gateway',
      text({
        value: [
          {
            id: `/subscriptions/${SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/gw1`,
            name: 'gw1',
          },
        ],
      }),
      SUBSCRIPTION,
      'value[0].id: expected an application gateway id',
    ],
    [
      'an id of another subscription',
      text({ value: [entry('gw1', 'rg-a', OTHER)] }),
      SUBSCRIPTION,
      `is not in the scope listed (/subscriptions/${SUB})`,
    ],
    [
      'an id of another resource group',
      text({ value: [entry('gw1', 'rg-b')] }),
      GROUP,
      `is not in the scope listed (${GROUP})`,
    ],
    [
      'a type that is not an application gateway',
      text({ value: [{ ...entry('gw1'), type: 'Microsoft.Network/virtualNetworks' }] }),
      SUBSCRIPTION,
      'value[0].type: expected "Microsoft.Network/applicationGateways"',
    ],
    [
      'the same gateway twice',
      text({ value: [entry('gw1'), entry('gw1')] }),
      SUBSCRIPTION,
      'is listed twice (also at value[0])',
    ],
    [
      '"NextLink" for "nextLink"',
      text({ value: [entry('gw1')], NextLink: 'https://127.0.0.1/next' }),
      SUBSCRIPTION,
      'NextLink: expected "nextLink"',
    ],
    [
      'an empty nextLink',
      text({ value: [entry('gw1')], nextLink: '' }),
      SUBSCRIPTION,
      `nextLink: expected the next page's absolute URL or null, found string ""`,
    ],
    [
      'a nextLink that is a number',
      text({ value: [entry('gw1')], nextLink: 2 }),
      SUBSCRIPTION,
      `nextLink: expected the next page's absolute URL or null, found number 2`,
    ],
    [
      'text that is not JSON',
      '{"value":[',
      SUBSCRIPTION,
      'ARM answered 200 to the list call with a body that is not JSON (10 characters;',
    ],
    ['an empty body', '', SUBSCRIPTION, 'ARM answered 200 to the list call with an empty body'],
  ])('%s', async (_name, page, targetId, expected) => {
    const { error } = await listing([{ on: 'list', text: page }], targetId);
    expect(error).toBeInstanceOf(TargetListUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(expected);
    expect(message).toContain('No gateway is taken as deleted for missing from it');
    expect(message).not.toMatch(/gatewayTimeoutInMs|Cannot read properties/);
  });

  // 60 gateways in rg-a: ARM pages them 50 + 10. The first page is good; the nextLink page is not.
  it.each<[string, (firstPage: unknown[]) => Record<string, unknown>, string]>([
    [
      '{}',
      () => ({ text: '{}' }),
      "ARM answered 200 to the call for list page 2 (the previous page's nextLink) with what is not a complete listing of the scope: value: expected an array",
    ],
    [
      'an entry without an id',
      () => ({ text: text({ value: [{ name: 'gw-55' }] }) }),
      "list page 2 (the previous page's nextLink) with what is not a complete listing of the scope: value[0].id: expected the gateway's ARM id, found nothing",
    ],
    [
      'the first page again (pages that overlap)',
      (first) => ({ text: text({ value: first }) }),
      'is listed twice (also at an earlier page)',
    ],
    [
      'not JSON',
      () => ({ text: '<html>' }),
      "ARM answered 200 to the call for list page 2 (the previous page's nextLink) with a body that is not JSON",
    ],
    ['a 500, beyond the retries', () => ({ status: 500, times: 9 }), 'ARM answered 500 InternalServerError'],
    [
      'a 404 (the scope exists: its first page was read; the link is what ARM does not know)',
      () => ({ status: 404 }),
      "ARM answered 404 ResourceNotFound to the call for list page 2 (the previous page's nextLink), after 1 good page(s)",
    ],
  ])('a nextLink page that is %s fails the listing: no partial one', async (_name, fault, expected) => {
    const firstPage = Array.from({ length: 50 }, (_, i) =>
      entry(i === 0 ? 'gw1' : `gw-${String(i).padStart(2, '0')}`),
    );
    const { error, requests } = await listing(
      [{ on: 'list', page: 2, ...fault(firstPage) } as never],
      GROUP,
      60,
    );
    expect(error).toBeInstanceOf(TargetListUnavailableError);
    expect((error as Error).message).toContain(expected);
    expect(requests[0]).toBe('first 200');
    expect(requests.slice(1).every((r) => r.startsWith('50 '))).toBe(true);
  });

  it('the same listing without the fault is whole (the cases above fail because of the page alone)', async () => {
    const emulator = await startEmulator({
      scenario: {
        gateways: Array.from({ length: 60 }, (_, i) =>
          gateway(`gw-${String(i).padStart(2, '0')}`, [], {}, 'rg-a'),
        ),
      } as never,
    });
    try {
      const directory = createArmGatewayDirectory(
        createArmClientFactory({
          endpoint: emulator.url,
          caCertFile: emulator.caCertFile,
          credential: 'development',
          maxRetries: 0,
        }),
      );
      expect((await directory.listGateways(target(GROUP))).gateways).toHaveLength(60);
    } finally {
      await emulator.close();
    }
  });
});
