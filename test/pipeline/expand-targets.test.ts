import { gatewayRef, parseTarget, type Target } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import { silentLogger } from '../../src/pipeline/logger';
import { expandTargets } from '../../src/pipeline/expand-targets';
import { TargetListUnavailableError } from '../../src/errors';
import type { GatewayDirectory, TargetListing } from '../../src/ports';

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
    concurrency: 2,
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
        concurrency: 1,
        timeoutInMs: 5_000,
        logger: silentLogger,
      },
    );
    expect(expanded.targets).toEqual([{ id: `/subscriptions/${S1}`, ok: true, error: null, gateways: 1 }]);
    expect(expanded.gateways.map((g) => g.name)).toEqual(['picked']);
  });
});
