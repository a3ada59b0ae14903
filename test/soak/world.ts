/**
 * The soak's truth: which gateways exist, each server's real health in each run, and the ARM faults
 * the emulator injects in that run, with what each fault must do to the gateway's read. The product
 * sees none of this; the checks compare what it said against it.
 */
import { BODY_FAULTS, type ScenarioInput } from '../../src/emulator';
import type { Random } from './random';

export type GatewayInput = ScenarioInput['gateways'][number];
type Fault = NonNullable<GatewayInput['faults']>[number];
type Lro = NonNullable<GatewayInput['lro']>;

export const SUBSCRIPTIONS = ['5a5a5a5a-0000-4000-8000-000000000001', '5a5a5a5a-0000-4000-8000-000000000002'];
export const RESOURCE_GROUP = 'rg-soak';

export interface SoakGateway {
  readonly id: string;
  readonly subscription: string;
  readonly name: string;
  readonly addresses: readonly string[];
}

/** Five gateways in two subscriptions (two targets), three servers each. */
export const GATEWAYS: readonly SoakGateway[] = [
  ['gw-1', 0],
  ['gw-2', 0],
  ['gw-3', 0],
  ['gw-4', 1],
  ['gw-5', 1],
].map(([name, sub], g) => {
  const subscription = SUBSCRIPTIONS[sub as number] as string;
  return {
    id: `/subscriptions/${subscription}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Network/applicationGateways/${name}`,
    subscription,
    name: name as string,
    addresses: [`10.${g}.0.4`, `10.${g}.0.5`, `app${g}.contoso.internal`],
  };
});

/**
 * Probe messages of the troubleshooting guide with three different causes, so a change of message is
 * a change of cause (a new `degraded`).
 */
export const BAD_PROBE_LOGS = [
  'Application Gateway could not connect to the backend. Check that the backend responds on the port used for the probe. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend.',
  "Time taken by the backend to respond to application gateway's health probe is more than the timeout threshold in the probe setting.",
  "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:503.",
] as const;
const HEALTHY_LOG = 'Success. Received 200 status code';

/** One server's real state in one run. */
export type Truth =
  | { readonly kind: 'healthy'; readonly health: 'Healthy' | 'Up' }
  | { readonly kind: 'bad'; readonly health: 'Unhealthy' | 'Down'; readonly log: number }
  | { readonly kind: 'absent' };

export const serverKey = (gatewayId: string, address: string) => `${gatewayId.toLowerCase()}|${address}`;

/** Every server's truth for the first run: mostly healthy. */
export function initialTruth(random: Random): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const g of GATEWAYS) {
    for (const address of g.addresses) {
      truth.set(
        serverKey(g.id, address),
        random.chance(0.3) ? bad(random) : { kind: 'healthy', health: random.pick(['Healthy', 'Up']) },
      );
    }
  }
  return truth;
}

const bad = (random: Random, log = random.int(0, BAD_PROBE_LOGS.length - 1)): Truth => ({
  kind: 'bad',
  health: random.pick(['Unhealthy', 'Down'] as const),
  log,
});

/** The next run's truth: servers go bad and recover, change cause, leave the pool and come back. */
export function evolve(previous: ReadonlyMap<string, Truth>, random: Random): Map<string, Truth> {
  const next = new Map<string, Truth>();
  for (const [key, truth] of previous) {
    let now: Truth = truth;
    if (truth.kind === 'absent') {
      if (random.chance(0.3)) now = random.chance(0.5) ? bad(random) : { kind: 'healthy', health: 'Healthy' };
    } else if (random.chance(0.03)) {
      now = { kind: 'absent' };
    } else if (truth.kind === 'healthy') {
      if (random.chance(0.2)) now = bad(random);
      else if (random.chance(0.1)) now = { kind: 'healthy', health: random.pick(['Healthy', 'Up']) };
    } else if (random.chance(0.25)) {
      now = { kind: 'healthy', health: random.pick(['Healthy', 'Up']) };
    } else if (random.chance(0.12)) {
      now = bad(random, (truth.log + random.int(1, BAD_PROBE_LOGS.length - 1)) % BAD_PROBE_LOGS.length);
    } else if (random.chance(0.2)) {
      now = { ...truth, health: truth.health === 'Down' ? 'Unhealthy' : 'Down' }; // the same state, named otherwise
    }
    next.set(key, now);
  }
  return next;
}

/**
 * An ARM fault for one gateway's backend-health read, or for its subscription's listing (`list`),
 * and whether the read then fails in a direct run with `arm.maxRetries` 1 (`fails`). `slow`: it ends
 * only at `gatewayTimeoutInMs`.
 */
export interface ArmFault {
  readonly kind: string;
  readonly faults: readonly Fault[];
  readonly lro?: Partial<Lro>;
  readonly fails: boolean;
  readonly slow?: boolean;
}

type Call = 'backendHealth' | 'poll';

/** The faults one gateway's read may meet, by kind, with their weights. */
function gatewayFault(random: Random): ArmFault {
  const on = random.pick<Call>(['backendHealth', 'poll']);
  const at = on === 'backendHealth' ? 'post' : 'poll';
  const kind = random.weighted({
    '5xx-once': 3,
    '503-retry-after-once': 3,
    '5xx-beyond-retries': 3,
    '429-retry-after-once': 4,
    '429-once': 1,
    '429-beyond-retries': 3,
    'reset-once': 2,
    'reset-beyond-retries': 3,
    hang: 1,
    '401': 1,
    '403': 2,
    '404': 2,
    'lro-failed': 3,
    body: 8,
  });
  const one = (fault: Fault, fails: boolean, slow = false): ArmFault => ({
    kind: `${at} ${kind}`,
    faults: [fault],
    fails,
    ...(slow ? { slow } : {}),
  });
  switch (kind) {
    case '5xx-once':
      return one({ on, status: random.pick([500, 502, 504]) }, false);
    case '503-retry-after-once':
      return one({ on, status: 503, retryAfterSeconds: 0 }, false);
    case '5xx-beyond-retries':
      return one({ on, status: random.pick([500, 503]), retryAfterSeconds: 0, times: 2 }, true);
    case '429-retry-after-once':
      return one({ on, status: 429, retryAfterSeconds: 0 }, false);
    case '429-once':
      return one({ on, status: 429 }, false);
    case '429-beyond-retries':
      return one({ on, status: 429, retryAfterSeconds: 0, times: 2 }, true);
    case 'reset-once':
      return one({ on, connection: 'reset' }, false);
    case 'reset-beyond-retries':
      return one({ on, connection: 'reset', times: 2 }, true);
    case 'hang':
      return one({ on, connection: 'hang', times: 3 }, true, true);
    case '401':
      return one({ on, status: 401, code: 'InvalidAuthenticationToken' }, true);
    case '403':
      return one({ on, status: 403 }, true);
    case '404':
      return one({ on, status: 404, ...(on === 'poll' ? { code: 'NotFound' } : {}) }, true);
    case 'lro-failed': {
      const style = random.pick(['location', 'azure-async-operation'] as const);
      return { kind: `lro-failed ${style}`, faults: [], lro: { style, outcome: 'failed' }, fails: true };
    }
    case 'body': {
      const body = random.pick(BODY_FAULTS);
      return {
        kind: `body ${body}`,
        faults: [{ on: 'backendHealth', body, ...(body === 'slow' ? { delayMs: 600_000 } : {}) }],
        fails: true,
        ...(body === 'slow' ? { slow: true } : {}),
      };
    }
  }
}

/** The faults one subscription's listing may meet. */
function listFault(random: Random): ArmFault {
  const kind = random.weighted({
    '503-retry-after-once': 2,
    '429-retry-after-once': 2,
    '5xx-beyond-retries': 2,
    'reset-beyond-retries': 1,
    '403': 1,
    hang: 1,
  });
  const one = (fault: Omit<Fault, 'on'>, fails: boolean, slow = false): ArmFault => ({
    kind: `list ${kind}`,
    faults: [{ on: 'list', ...fault } as Fault],
    fails,
    ...(slow ? { slow } : {}),
  });
  switch (kind) {
    case '503-retry-after-once':
      return one({ status: 503, retryAfterSeconds: 0 }, false);
    case '429-retry-after-once':
      return one({ status: 429, retryAfterSeconds: 0 }, false);
    case '5xx-beyond-retries':
      return one({ status: 503, retryAfterSeconds: 0, times: 2 }, true);
    case 'reset-beyond-retries':
      return one({ connection: 'reset', times: 2 }, true);
    case '403':
      return one({ status: 403 }, true);
    case 'hang':
      return one({ connection: 'hang', times: 3 }, true, true);
  }
}

/** The ARM faults of one run: per gateway (id → fault) and per subscription (its listing). */
export interface ArmFaults {
  readonly gateways: ReadonlyMap<string, ArmFault>;
  readonly lists: ReadonlyMap<string, ArmFault>;
}

export function chooseArmFaults(random: Random, faulty: boolean): ArmFaults {
  const gateways = new Map<string, ArmFault>();
  const lists = new Map<string, ArmFault>();
  if (!faulty) return { gateways, lists };
  for (const g of GATEWAYS) if (random.chance(0.3)) gateways.set(g.id, gatewayFault(random));
  for (const s of SUBSCRIPTIONS) if (random.chance(0.06)) lists.set(s, listFault(random));
  return { gateways, lists };
}

/** Whether the gateway's read must fail in a direct run (its own fault, or its listing's). */
export function readMustFail(faults: ArmFaults, gateway: SoakGateway): boolean {
  return (
    (faults.gateways.get(gateway.id)?.fails ?? false) ||
    (faults.lists.get(gateway.subscription)?.fails ?? false)
  );
}

/** Whether any fault touches the gateway's read in this run. */
export function touched(faults: ArmFaults, gateway: SoakGateway): boolean {
  return faults.gateways.has(gateway.id) || faults.lists.has(gateway.subscription);
}

/** The emulator's scenario for one run: the truth as backend-health bodies, with the run's faults. */
export function scenarioFor(truth: ReadonlyMap<string, Truth>, faults: ArmFaults): ScenarioInput {
  return {
    gateways: GATEWAYS.map((g) => {
      const servers = g.addresses.flatMap((address) => {
        const t = truth.get(serverKey(g.id, address));
        if (!t || t.kind === 'absent') return [];
        return [
          t.kind === 'bad'
            ? { address, health: t.health, healthProbeLog: BAD_PROBE_LOGS[t.log] }
            : { address, health: t.health, healthProbeLog: HEALTHY_LOG },
        ];
      });
      const own = faults.gateways.get(g.id);
      // A list fault belongs to a gateway of the listed scope: the first of its subscription.
      const first = GATEWAYS.find((x) => x.subscription === g.subscription) === g;
      const list = first ? faults.lists.get(g.subscription) : undefined;
      return {
        id: g.id,
        location: 'westeurope',
        backendHealth: {
          backendAddressPools: [
            {
              backendAddressPool: { id: `${g.id}/backendAddressPools/pool-a` },
              backendHttpSettingsCollection: [
                { backendHttpSettings: { id: `${g.id}/backendHttpSettingsCollection/settings-a` }, servers },
              ],
            },
          ],
        },
        lro: { polls: 1, retryAfterSeconds: 0, style: 'location', ...own?.lro },
        faults: [...(own?.faults ?? []), ...(list?.faults ?? [])],
      };
    }),
  };
}
