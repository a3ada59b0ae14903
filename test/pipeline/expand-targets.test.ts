import { gatewayRef, parseTarget, type Target } from '../../src/core/arm-id';
import { silentLogger } from '../../src/pipeline/logger';
import type { GatewayDirectory, TargetListing } from '../../src/ports';
import type { GatewayRef } from '../../src/core/model';
import {
  MissingPermissionError,
  TargetListUnavailableError,
  TargetNotFoundError,
  ThrottledError,
} from '../../src/errors';
import { expandTargets } from '../../src/pipeline/expand-targets';
import { noAnswerWithin } from '../../src/pipeline/timeout';
import {
  NEVER,
  UNTIL_ABORTED,
  gatewayNamed,
  memoryGatewayDirectory,
  memoryLogger,
  target,
  type Answer,
} from '../helpers/memory';
import { OTHER_SUB, SUB, gatewayId } from '../helpers/scenario-builder';

const SUB_ID = `/subscriptions/${SUB}`;
const RG_WEB = `/subscriptions/${SUB}/resourceGroups/rg-web`;
const RG_DATA = `/subscriptions/${SUB}/resourceGroups/rg-data`;
const gwWeb1 = gatewayNamed('gw-web-1', 'rg-web');
const gwWeb2 = gatewayNamed('gw-web-2', 'rg-web');
const gwData = gatewayNamed('gw-data', 'rg-data');
const gwOther = gatewayNamed('gw-other', 'rg-web', OTHER_SUB);

function expand(
  directory: ReturnType<typeof memoryGatewayDirectory>,
  targets: readonly string[],
  options: { timeoutInMs?: number; onListed?: (gateways: readonly GatewayRef[]) => void } = {},
) {
  const logger = memoryLogger();
  const run = expandTargets(directory, targets.map(target), {
    timeoutInMs: options.timeoutInMs ?? 5_000,
    logger,
    ...(options.onListed ? { onListed: options.onListed } : {}),
  });
  return { run, logger };
}

describe('expandTargets: targets → gateways', () => {
  it('lists each target once and reports it, and gives each gateway once however many targets name it', async () => {
    const directory = memoryGatewayDirectory([gwWeb1, gwWeb2, gwData, gwOther]);
    // The gateway target spells the id in another case: ARM ids are case-insensitive.
    const gwWeb1Upper = gatewayId('gw-web-1', 'RG-WEB').replace('applicationGateways', 'APPLICATIONGATEWAYS');
    const { run } = expand(directory, [RG_WEB, SUB_ID, gwWeb1Upper]);
    const expanded = await run;

    expect(directory.calls.map((c) => c.target.id)).toEqual([RG_WEB, SUB_ID, gwWeb1Upper]);
    expect(expanded.targets).toEqual([
      { id: RG_WEB, ok: true, error: null, gateways: 2 },
      { id: SUB_ID, ok: true, error: null, gateways: 3 },
      { id: gwWeb1Upper, ok: true, error: null, gateways: 1 },
    ]);
    // First listing wins; other subscriptions' gateways are not in a target.
    expect(expanded.gateways).toEqual([gwWeb1, gwWeb2, gwData]);
  });

  it('no targets: nothing listed, nothing gone', async () => {
    const directory = memoryGatewayDirectory([gwWeb1]);
    const expanded = await expand(directory, []).run;
    expect(expanded).toMatchObject({ targets: [], gateways: [] });
    expect(expanded.isGone(gwWeb1)).toBe(false);
    expect(directory.calls).toEqual([]);
  });

  const failures: Array<
    [string, Answer<GatewayRef[]>, { code: string; retryable: boolean; message: RegExp | string }]
  > = [
    [
      'a target that does not exist',
      new TargetNotFoundError(RG_DATA, 'Resource group rg-data', 'ResourceGroupNotFound'),
      { code: 'TargetNotFound', retryable: false, message: /rg-data does not exist/ },
    ],
    [
      'no permission to list',
      new MissingPermissionError(RG_DATA, 'Microsoft.Network/applicationGateways/read', '403'),
      { code: 'AuthorizationFailed', retryable: false, message: /lacks permission/ },
    ],
    [
      'throttled',
      new ThrottledError(RG_DATA, '429'),
      { code: 'Throttled', retryable: true, message: /throttled/ },
    ],
    [
      'ARM failing the list call',
      new TargetListUnavailableError(RG_DATA, 'ARM answered 500'),
      { code: 'TargetListUnavailable', retryable: true, message: /ARM answered 500/ },
    ],
    [
      'a bug (an unmapped error)',
      new TypeError('Cannot read properties of undefined'),
      { code: 'Unexpected', retryable: true, message: /Cannot read properties/ },
    ],
    [
      'something thrown that is not an Error',
      () => Promise.reject('a bare string'),
      { code: 'Unexpected', retryable: true, message: /^a bare string$/ },
    ],
    [
      'a directory that throws at once (no promise)',
      () => {
        throw new Error('thrown synchronously');
      },
      { code: 'Unexpected', retryable: true, message: /^thrown synchronously$/ },
    ],
    [
      'no answer (the call honours the abort signal)',
      UNTIL_ABORTED,
      { code: 'TargetListUnavailable', retryable: true, message: noAnswerWithin(30) },
    ],
    [
      'no answer (the call ignores the abort signal)',
      NEVER,
      { code: 'TargetListUnavailable', retryable: true, message: noAnswerWithin(30) },
    ],
  ];

  it.each(failures)(
    '%s: that target is reported failed and the run goes on with the others',
    async (_, answer, expected) => {
      const directory = memoryGatewayDirectory([gwWeb1, gwWeb2, gwData]);
      directory.answers.set(RG_DATA, answer);
      const { run, logger } = expand(directory, [RG_WEB, RG_DATA, gwData.id], { timeoutInMs: 30 });
      const expanded = await run;

      const failed = expanded.targets[1];
      expect(failed).toEqual({
        id: RG_DATA,
        ok: false,
        error: {
          code: expected.code,
          retryable: expected.retryable,
          message:
            typeof expected.message === 'string'
              ? expect.stringContaining(expected.message)
              : expect.stringMatching(expected.message),
        },
        gateways: 0,
      });
      expect(expanded.targets[0]).toEqual({ id: RG_WEB, ok: true, error: null, gateways: 2 });
      expect(expanded.targets[2]).toEqual({ id: gwData.id, ok: true, error: null, gateways: 1 });
      expect(expanded.gateways).toEqual([gwWeb1, gwWeb2, gwData]);
      expect(logger.at('warn')).toEqual([expect.stringContaining(`${RG_DATA}: `)]);
      // A listing that had no answer was told to stop.
      expect(directory.calls[1]?.abortSignal?.aborted).toBe(typeof answer === 'symbol');
    },
  );

  it('a time-out is a listing error, not a backend-health one', async () => {
    const directory = memoryGatewayDirectory();
    directory.answers.set(SUB_ID, UNTIL_ABORTED);
    const { targets } = await expand(directory, [SUB_ID], { timeoutInMs: 10 }).run;
    expect(targets[0]?.error?.code).toBe('TargetListUnavailable');
    expect(targets[0]?.error?.message).toMatch(/^The gateways of \/subscriptions\/.* could not be listed/);
  });

  it('every target failing: no gateways, every failure reported', async () => {
    const directory = memoryGatewayDirectory([gwWeb1]);
    directory.answers.set(SUB_ID, new ThrottledError(SUB_ID, '429'));
    directory.answers.set(RG_WEB, new ThrottledError(RG_WEB, '429'));
    const expanded = await expand(directory, [SUB_ID, RG_WEB]).run;
    expect(expanded.gateways).toEqual([]);
    expect(expanded.targets.map((t) => [t.id, t.ok, t.error?.code])).toEqual([
      [SUB_ID, false, 'Throttled'],
      [RG_WEB, false, 'Throttled'],
    ]);
  });

  // A break trial: listed `concurrency` at a time, one hung listing held back the targets after it.
  it("lists every target at once, gives each one's new gateways as its listing ends, and reports them in the order given", async () => {
    const directory = memoryGatewayDirectory();
    let inFlight = 0;
    let most = 0;
    const ids = ['rg-1', 'rg-2', 'rg-3', 'rg-4', 'rg-5'].map(
      (rg) => `/subscriptions/${SUB}/resourceGroups/${rg}`,
    );
    ids.forEach((id, index) =>
      directory.answers.set(id, async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        // The first targets answer last.
        for (let tick = index; tick < ids.length; tick++) await new Promise((r) => setImmediate(r));
        inFlight -= 1;
        return [gatewayNamed(`gw-${index}`, `rg-${index + 1}`)];
      }),
    );
    // gw-web-1 is rg-5's too (a second target naming it): given once, by the listing that ended first.
    directory.answers.set(ids[4]!, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      inFlight -= 1;
      return [gatewayNamed('gw-4', 'rg-5'), gatewayNamed('gw-0', 'rg-1')];
    });
    const given: string[][] = [];
    const expanded = await expand(directory, ids, { onListed: (g) => given.push(g.map((x) => x.name)) }).run;
    expect(most).toBe(5);
    expect(given).toEqual([['gw-4', 'gw-0'], ['gw-3'], ['gw-2'], ['gw-1'], []]);
    expect(expanded.targets.map((t) => t.id)).toEqual(ids);
    expect(expanded.gateways.map((g) => g.name)).toEqual(['gw-0', 'gw-1', 'gw-2', 'gw-3', 'gw-4']);
  });
});

describe('expandTargets: which gateways are gone (a listing of a scope covering them lacked them)', () => {
  const gone = gatewayNamed('gw-deleted', 'rg-web');
  const cases: Array<
    [string, boolean, readonly string[], ReadonlyArray<[string, Answer<GatewayRef[]>]>, GatewayRef]
  > = [
    ['its subscription was listed without it', true, [SUB_ID], [], gone],
    ['its resource group was listed without it', true, [RG_WEB], [], gone],
    ['its subscription failed to list', false, [SUB_ID], [[SUB_ID, new ThrottledError(SUB_ID, '429')]], gone],
    ['its resource group had no answer', false, [RG_WEB], [[RG_WEB, UNTIL_ABORTED]], gone],
    [
      'its resource group failed, but its subscription listed without it',
      true,
      [SUB_ID, RG_WEB],
      [[RG_WEB, new ThrottledError(RG_WEB, '429')]],
      gone,
    ],
    ['only another resource group was listed', false, [RG_DATA], [], gone],
    ['only another gateway was a target', false, [gwWeb1.id], [], gone],
    // A gateway target is no listing of a scope: its backend-health call says whether it exists.
    ['it is a gateway target that listed nothing', false, [gone.id], [[gone.id, []]], gone],
    ['it is in another subscription', false, [SUB_ID], [], gatewayNamed('gw-deleted', 'rg-web', OTHER_SUB)],
    [
      'it was listed (its id in another case)',
      false,
      [SUB_ID],
      [],
      { ...gwWeb1, id: gwWeb1.id.toUpperCase() },
    ],
  ];

  it.each(cases)('%s → gone: %s', async (_, expected, targets, answers, gateway) => {
    const directory = memoryGatewayDirectory([gwWeb1, gwData]);
    for (const [id, answer] of answers) directory.answers.set(id, answer);
    const expanded = await expand(directory, targets, { timeoutInMs: 10 }).run;
    expect(expanded.isGone(gateway)).toBe(expected);
  });
});

// Which gateways a run takes as deleted (their servers sent as recovered) follows from what each
// listing shows whole: a stand-in directory answers the listings the adapters would.
const S1 = 'sub-1';
const S2 = 'sub-2';
const gw = (name: string, sub = S1, rg = 'rg-a') => gatewayRef(sub, rg, name);
const t = (id: string) => parseTarget(id) as Target;
const MG = '/providers/Microsoft.Management/managementGroups/mg';

function directory(answers: Record<string, TargetListing | Error>): GatewayDirectory {
  return {
    async listGateways(target) {
      const answer = answers[target.id];
      if (answer === undefined) throw new Error(`no answer for ${target.id}`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

async function gone(answers: Record<string, TargetListing | Error>, probe: GatewayRef): Promise<boolean> {
  const expanded = await expandTargets(directory(answers), Object.keys(answers).map(t), {
    timeoutInMs: 5_000,
    logger: silentLogger,
  });
  return expanded.isGone(probe);
}

describe('expandTargets: a gateway is gone only where a listing shows its scope whole', () => {
  const picked = gw('picked');
  const left = gw('left-out');
  // A Resource Graph listing of S1 with a filter: `left-out` found but not picked.
  const filtered: TargetListing = {
    gateways: [picked],
    present: [picked, left],
    shownScopes: [{ subscriptionId: S1 }],
  };

  it.each<[string, Record<string, TargetListing | Error>, GatewayRef, boolean]>([
    [
      'ARM list of its subscription, without it',
      {
        [`/subscriptions/${S1}`]: {
          gateways: [picked],
          present: [picked],
          shownScopes: [{ subscriptionId: S1 }],
        },
      },
      gw('deleted'),
      true,
    ],
    ['a filtered listing that found it but left it out', { [`/subscriptions/${S1}`]: filtered }, left, false],
    [
      'a filtered listing of its subscription, without it',
      { [`/subscriptions/${S1}`]: filtered },
      gw('deleted'),
      true,
    ],
    [
      'a management group listing that returned nothing from its subscription',
      { [MG]: { gateways: [picked], present: [picked], shownScopes: [{ subscriptionId: S1 }] } },
      gw('x', S2),
      false,
    ],
    [
      'a management group listing that returned others of its subscription',
      { [MG]: { gateways: [picked], present: [picked], shownScopes: [{ subscriptionId: S1 }] } },
      gw('deleted'),
      true,
    ],
    [
      'an empty Resource Graph answer',
      { [`/subscriptions/${S1}`]: { gateways: [], present: [], shownScopes: [] } },
      gw('x'),
      false,
    ],
    [
      'a listing of another resource group',
      {
        [`/subscriptions/${S1}/resourceGroups/rg-b`]: {
          gateways: [],
          present: [],
          shownScopes: [{ subscriptionId: S1, resourceGroup: 'rg-b' }],
        },
      },
      gw('x'),
      false,
    ],
    [
      'a failed listing',
      {
        [`/subscriptions/${S1}`]: new TargetListUnavailableError(`/subscriptions/${S1}`, 'ARM answered 500'),
      },
      gw('x'),
      false,
    ],
    [
      'one listing left it out, another evaluated it',
      {
        [`/subscriptions/${S1}`]: filtered,
        [gw('left-out').id]: { gateways: [left], present: [left], shownScopes: [] },
      },
      left,
      false,
    ],
  ])('%s: gone = %s', async (_, answers, probe, expected) => {
    expect(await gone(answers, probe)).toBe(expected);
  });

  it('reports the gateways picked per target, not those found', async () => {
    const expanded = await expandTargets(
      directory({ [`/subscriptions/${S1}`]: filtered }),
      [t(`/subscriptions/${S1}`)],
      {
        timeoutInMs: 5_000,
        logger: silentLogger,
      },
    );
    expect(expanded.targets).toEqual([
      { id: `/subscriptions/${S1}`, ok: true, error: null, gateways: 1, leftOut: 1 },
    ]);
    expect(expanded.gateways.map((g) => g.name)).toEqual(['picked']);
  });

  // Nothing to check is no failure (the target is `ok`), but never silent: a misspelt tag value would
  // otherwise read as "all healthy".
  it.each<[string, TargetListing, RegExp | undefined]>([
    [
      'the filter left out every gateway found',
      { gateways: [], present: [picked, left], shownScopes: [{ subscriptionId: S1 }] },
      /the discovery filter left out all 2 gateways found there, so none is checked; check discovery\.tags/,
    ],
    [
      'the scope has no gateway',
      { gateways: [], present: [], shownScopes: [{ subscriptionId: S1 }] },
      /no Application Gateway found there, so none is checked; check the target/,
    ],
    ['the filter picked some', filtered, undefined],
  ])('%s: warned = %s', async (_, listing, warning) => {
    const logger = memoryLogger();
    const expanded = await expandTargets(
      directory({ [`/subscriptions/${S1}`]: listing }),
      [t(`/subscriptions/${S1}`)],
      {
        timeoutInMs: 5_000,
        logger,
      },
    );
    expect(expanded.targets[0]?.ok).toBe(true);
    const warnings = logger.at('warn');
    if (warning) expect(warnings).toEqual([expect.stringMatching(warning)]);
    else expect(warnings).toEqual([]);
  });
});

describe('expandTargets: isGone does work linear in the scopes, not scopes × gateways asked about', () => {
  it('each scope a listing shows whole is read a bounded number of times, however many gateways are asked about', async () => {
    // A management group's discovery shows 50 subscriptions whole; 200 deleted gateways are asked about.
    let reads = 0;
    const scopes = Array.from(
      { length: 50 },
      (_, i) =>
        new Proxy(
          { subscriptionId: `sub-${i}` },
          {
            get(target, property, receiver) {
              reads += 1;
              return Reflect.get(target, property, receiver) as unknown;
            },
          },
        ),
    );
    const expanded = await expandTargets(
      directory({ [MG]: { gateways: [], present: [], shownScopes: scopes } }),
      [t(MG)],
      { timeoutInMs: 5_000, logger: silentLogger },
    );
    const asked = Array.from({ length: 200 }, (_, i) => gw(`deleted-${i}`, `sub-${i % 60}`));
    const gone = asked.filter((g) => expanded.isGone(g));
    // sub-50 … sub-59 are not shown whole: their gateways are not taken as gone.
    expect(gone).toEqual(asked.filter((g) => Number(g.subscriptionId.slice('sub-'.length)) < 50));
    expect(reads / scopes.length).toBeLessThanOrEqual(4);
  });
});
