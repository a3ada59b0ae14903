/**
 * A server a successful backend-health reading no longer lists ends its episode (`recovered`, "no
 * longer listed by the gateway"). That is the gateway's word only while the reading still lists the
 * server's pool and settings with the others: a reading without the whole pair (ARM answered
 * `{"backendAddressPools":[]}` once, as a gateway under update may) sent a false `recovered` for every
 * told server, then a new `degraded` (a break trial). Such an absence is asked of the gateway's
 * configuration first (pipeline/notify/confirm-removed.ts); these are the pure parts. Pure.
 */
import { gatewayKey } from '../arm-id';
import { hasUnaddressedMembers, type GatewayConfig } from '../gateway-config';
import { isGatewayScope } from './inhibit';
import { isEpisode, serverKey, type ServerRecord } from './server-record';

/** The server key without its address: `gateway id|pool|settings` (lower case), as serverKey starts. */
function pairKeyOf(key: string): string {
  return key.slice(0, key.lastIndexOf('|'));
}

/**
 * The open episodes (told or not) of servers of a gateway in `evaluated` (a successful reading this
 * run) whose reading lists neither the server nor any other server of its pool and settings: their
 * absence is not the gateway's word about them. Gateway-level records (inhibit.ts) are not servers.
 */
export function unexplainedAbsences(
  previous: Readonly<Record<string, ServerRecord>>,
  evaluated: ReadonlyMap<string, ReadonlyMap<string, string>>,
): ServerRecord[] {
  const pairsListed = new Map<string, Set<string>>();
  const pairsOf = (gateway: string, listed: ReadonlyMap<string, string>) => {
    let pairs = pairsListed.get(gateway);
    if (!pairs) {
      pairs = new Set([...listed.keys()].map(pairKeyOf));
      pairsListed.set(gateway, pairs);
    }
    return pairs;
  };
  return Object.entries(previous).flatMap(([key, record]) => {
    if (!isEpisode(record) || isGatewayScope(record)) return [];
    const gateway = gatewayKey(record.gateway.id);
    const listed = evaluated.get(gateway);
    if (!listed || listed.has(key) || pairsOf(gateway, listed).has(pairKeyOf(key))) return [];
    return [record];
  });
}

/** Names and addresses compare case-insensitively, as ARM's do. */
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Whether `config` (the gateway's configuration, read after the reading) still has `record`'s server:
 * its pool and settings exist (names compare case-insensitively, as ARM's do), a rule routes the pair
 * when the configuration says its rules, and the pool holds the server's address, or members the
 * configuration gives no address for (NICs, scale-set instances: `backendIPConfigurations`; members it
 * does not say: PoolConfig.membersUnknown); true, too,
 * for an answer without pools, settings (or, for the pair, rules). False: it was removed, so its absence
 * from the reading is the gateway's word.
 */
export function stillConfigured(record: ServerRecord, config: GatewayConfig): boolean {
  // A gateway always has a pool, HTTP settings and a rule (ARM refuses one without): an answer without
  // them is not the whole resource, and says nothing of what was removed (a break trial: a GET without
  // `requestRoutingRules` read as "no rule routes it", and the server as removed).
  if (config.pools.length === 0 || config.settings.length === 0) return true;
  const pool = config.pools.find((p) => same(p.name, record.backendPool));
  if (!pool || !config.settings.some((s) => same(s.name, record.backendSettings))) return false;
  if (
    config.pairs?.length &&
    !config.pairs.some((p) => same(p.pool, record.backendPool) && same(p.settings, record.backendSettings))
  )
    return false;
  return hasUnaddressedMembers(pool) || pool.addresses.some((a) => same(a, record.address));
}

/**
 * Whether `config` keeps `record`'s server only because its pool has members it gives no address for
 * (NICs, members it does not say: hasUnaddressedMembers), not by the server's address: said so where
 * the episode is kept open, not "the configuration still has the server there" (a break trial).
 */
export function keptForUnaddressedMembers(record: ServerRecord, config: GatewayConfig): boolean {
  const pool = config.pools.find((p) => same(p.name, record.backendPool));
  return (
    pool !== undefined && hasUnaddressedMembers(pool) && !pool.addresses.some((a) => same(a, record.address))
  );
}

/**
 * The server keys decide.ts keeps as they are (Observation.keptOpen): each server whose absence was not
 * confirmed, and the gateway-level record (inhibit.ts) of its gateway, whose "every pool bad" a reading
 * short of a pool cannot tell either.
 */
export function keptOpenKeys(
  previous: Readonly<Record<string, ServerRecord>>,
  unconfirmed: readonly ServerRecord[],
): Set<string> {
  const gateways = new Set(unconfirmed.map((r) => gatewayKey(r.gateway.id)));
  const kept = new Set(unconfirmed.map((r) => serverKey(r)));
  for (const [key, record] of Object.entries(previous))
    if (isGatewayScope(record) && gateways.has(gatewayKey(record.gateway.id))) kept.add(key);
  return kept;
}
