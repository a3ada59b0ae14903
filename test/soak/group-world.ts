/**
 * The grouping soak's truth (group-soak.ts): gateways of 2 to 56 servers in one or two pools, whose
 * servers flap one by one and whose gateways go all bad at once and come partly back (inhibition), with
 * a scripted start so every run of the soak meets an all-bad gateway, its release, and a flush of more
 * than one message's worth of notices (MAX_NOTICES_PER_GROUP_MESSAGE). The product sees none of this.
 */
import type { ScenarioInput } from '../../src/emulator';
import type { Random } from './random';
import { BAD_PROBE_LOGS, RESOURCE_GROUP, SUBSCRIPTIONS, serverKey, type Truth } from './world';

export interface GroupSoakGateway {
  readonly id: string;
  readonly subscription: string;
  readonly name: string;
  /** Addresses by pool (`pool-a`, `pool-b`). */
  readonly pools: readonly (readonly string[])[];
  readonly addresses: readonly string[];
}

const gateway = (name: string, sub: number, g: number, pools: readonly number[]): GroupSoakGateway => {
  const subscription = SUBSCRIPTIONS[sub] as string;
  let n = 0;
  const byPool = pools.map((size) => Array.from({ length: size }, () => `10.${20 + g}.0.${4 + n++}`));
  return {
    id: `/subscriptions/${subscription}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/applicationGateways/${name}`,
    subscription,
    name,
    pools: byPool,
    addresses: byPool.flat(),
  };
};

/** Four gateways: two servers, three in two pools, four, and 56 in two pools (more than a message holds). */
export const GROUP_GATEWAYS: readonly GroupSoakGateway[] = [
  gateway('gw-pair', 0, 0, [2]),
  gateway('gw-split', 0, 1, [2, 1]),
  gateway('gw-four', 1, 2, [4]),
  gateway('gw-big', 1, 3, [40, 16]),
];
export const BIG = GROUP_GATEWAYS[3] as GroupSoakGateway;

const healthy = (random: Random): Truth => ({ kind: 'healthy', health: random.pick(['Healthy', 'Up']) });
const bad = (random: Random, log = random.int(0, BAD_PROBE_LOGS.length - 1)): Truth => ({
  kind: 'bad',
  health: random.pick(['Unhealthy', 'Down'] as const),
  log,
});

/** Every server healthy: the soak starts from a quiet estate. */
export function initialGroupTruth(random: Random): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const g of GROUP_GATEWAYS) for (const a of g.addresses) truth.set(serverKey(g.id, a), healthy(random));
  return truth;
}

/** Whether every server the gateway lists (at least two) is bad: the gateway-level notice's condition. */
/**
 * Whether no server of `g` serves: it lists one or more, every one bad. An open gateway-level episode
 * is kept open so (src/core/notice/inhibit.ts noServerServing: "not every pool bad any more" would be
 * false), though it opens only when allBad (two or more). The soak's seed 1120370798: its pool-b emptied
 * while open, the one server left Down, and the oracle called the episode stuck.
 */
export function noneServing(truth: ReadonlyMap<string, Truth>, g: GroupSoakGateway): boolean {
  const listed = g.addresses
    .map((a) => truth.get(serverKey(g.id, a)))
    .filter((t) => t && t.kind !== 'absent');
  return listed.length >= 1 && listed.every((t) => t?.kind === 'bad');
}

export function allBad(truth: ReadonlyMap<string, Truth>, g: GroupSoakGateway): boolean {
  const listed = g.addresses
    .map((a) => truth.get(serverKey(g.id, a)))
    .filter((t) => t && t.kind !== 'absent');
  return listed.length >= 2 && listed.every((t) => t?.kind === 'bad');
}

/**
 * The scripted start (iteration → what happens), then random: gw-pair goes all bad at run 1 and
 * recovers whole at 3 (its held `degraded`s end silently); gw-big goes all bad at 2 and two servers
 * come back at 5 (54 held `degraded`s released at once: two messages).
 */
const SCRIPT: ReadonlyMap<
  number,
  ReadonlyArray<{ gateway: string; event: 'all-bad' | 'all-back' | 'partly-back' }>
> = new Map([
  [1, [{ gateway: 'gw-pair', event: 'all-bad' }]],
  [2, [{ gateway: 'gw-big', event: 'all-bad' }]],
  [3, [{ gateway: 'gw-pair', event: 'all-back' }]],
  [5, [{ gateway: 'gw-big', event: 'partly-back' }]],
]);

/** The next run's truth: the script, else gateways going all bad and partly back, servers flapping. */
export function evolveGroups(
  previous: ReadonlyMap<string, Truth>,
  iteration: number,
  random: Random,
): Map<string, Truth> {
  const next = new Map(previous);
  const scripted = SCRIPT.get(iteration) ?? [];
  for (const g of GROUP_GATEWAYS) {
    const keys = g.addresses.map((a) => serverKey(g.id, a));
    const event =
      scripted.find((s) => s.gateway === g.name)?.event ??
      (iteration <= 6
        ? undefined
        : allBad(previous, g)
          ? random.chance(0.35)
            ? random.pick(['partly-back', 'all-back'] as const)
            : undefined
          : random.chance(0.07)
            ? ('all-bad' as const)
            : undefined);
    if (event === 'all-bad') {
      const log = random.int(0, BAD_PROBE_LOGS.length - 1);
      // Mostly one cause (a gateway down as a whole), a few servers with another.
      for (const k of keys) next.set(k, bad(random, random.chance(0.85) ? log : undefined));
      continue;
    }
    if (event === 'all-back') {
      for (const k of keys) next.set(k, healthy(random));
      continue;
    }
    if (event === 'partly-back') {
      const back = random.int(1, Math.max(1, Math.min(3, keys.length - 1)));
      for (const k of [...keys].sort(() => random.next() - 0.5).slice(0, back)) next.set(k, healthy(random));
      continue;
    }
    if (iteration <= 6 && g === BIG) continue; // the script's incident stays as set
    const flap = g === BIG ? 0.04 : 0.15;
    for (const k of keys) {
      const t = previous.get(k) as Truth;
      let now: Truth = t;
      if (t.kind === 'absent') {
        if (random.chance(0.4)) now = random.chance(0.5) ? bad(random) : healthy(random);
      } else if (random.chance(0.02)) now = { kind: 'absent' };
      else if (t.kind === 'healthy') {
        if (random.chance(flap)) now = bad(random);
      } else if (random.chance(g === BIG ? 0.08 : 0.25)) now = healthy(random);
      else if (random.chance(0.1))
        now = bad(random, (t.log + random.int(1, BAD_PROBE_LOGS.length - 1)) % BAD_PROBE_LOGS.length);
      next.set(k, now);
    }
  }
  return next;
}

/** The emulator's scenario: the truth as backend-health bodies; `failing` gateways' reads fail. */
export function groupScenario(
  truth: ReadonlyMap<string, Truth>,
  failing: ReadonlySet<string>,
): ScenarioInput {
  return {
    gateways: GROUP_GATEWAYS.map((g) => ({
      id: g.id,
      location: 'westeurope',
      backendHealth: {
        backendAddressPools: g.pools.map((addresses, p) => ({
          backendAddressPool: { id: `${g.id}/backendAddressPools/pool-${'ab'[p]}` },
          backendHttpSettingsCollection: [
            {
              backendHttpSettings: { id: `${g.id}/backendHttpSettingsCollection/settings-a` },
              servers: addresses.flatMap((address) => {
                const t = truth.get(serverKey(g.id, address));
                if (!t || t.kind === 'absent') return [];
                return [
                  t.kind === 'bad'
                    ? { address, health: t.health, healthProbeLog: BAD_PROBE_LOGS[t.log] }
                    : { address, health: t.health, healthProbeLog: 'Success. Received 200 status code' },
                ];
              }),
            },
          ],
        })),
      },
      lro: { polls: 1, retryAfterSeconds: 0, style: 'location' as const },
      // A read that fails past the client's one retry (a gateway the run cannot read: nothing decided).
      faults: failing.has(g.id)
        ? [{ on: 'backendHealth' as const, status: 500, retryAfterSeconds: 0, times: 2 }]
        : [],
    })),
  };
}
