/**
 * Whether a backend-health reading covers the gateway: ARM answered it once with
 * `{"backendAddressPools":[]}` (as a gateway under update may), and the run showed that gateway green,
 * with 0 servers, in the summary, report.json and the status page, while a down server of it went
 * unread (a new-user trial). Pure.
 */
import { lastSegment } from './arm-id';
import { hasUnaddressedMembers, type GatewayConfig } from './gateway-config';
import type { BackendHealthBody, BackendHealthPoolBody } from './model';

/** Most pool names said per gateway (ARM allows 100 pools per gateway: Azure subscription limits). */
export const POOLS_NOT_READ_SHOWN = 100;

/** Whether `body` lists any server at all (a reading that lists none may be empty: coverageConfiguration). */
export function listsAnyServer(body: BackendHealthBody): boolean {
  return (body.backendAddressPools ?? []).some(poolListsServer);
}

/**
 * The pools `body` lists with no server under any of its settings (`servers: []`, no settings), by name
 * (or its id's last segment; `"(unnamed)"` with neither), in its order, at most POOLS_NOT_READ_SHOWN. A
 * pool without members is listed so, and so is one whose servers ARM did not read: only the
 * configuration tells them apart (coverageConfiguration). Empty when every listed pool lists a server.
 */
export function poolsListedEmpty(body: BackendHealthBody): string[] {
  return (body.backendAddressPools ?? [])
    .filter((pool) => !poolListsServer(pool))
    .slice(0, POOLS_NOT_READ_SHOWN)
    .map(
      (pool) => pool?.backendAddressPool?.name ?? lastSegment(pool?.backendAddressPool?.id) ?? '(unnamed)',
    );
}

function poolListsServer(pool: BackendHealthPoolBody | undefined): boolean {
  return (pool?.backendHttpSettingsCollection ?? []).some((settings) => (settings.servers ?? []).length > 0);
}

/**
 * Whether `config` can tell which pools a reading should list (poolsNotRead): it has pools, HTTP settings
 * and a routing rule, as every gateway does (ARM refuses one without), and says which pairs its rules
 * route. An answer without them is not the whole resource (a break trial: a GET without
 * `requestRoutingRules` made an empty reading green). A gateway whose rules all redirect routes no
 * pair, and tells that no pool is to be read.
 */
export function tellsCoverage(config: GatewayConfig): boolean {
  return (
    config.pools.length > 0 &&
    config.settings.length > 0 &&
    config.pairs !== undefined &&
    (config.routingRules ?? config.pairs.length) > 0
  );
}

/**
 * The backend pools `config` routes traffic to (a rule or a path map pairs them with HTTP settings:
 * RoutedPair) and that have members (addresses, NICs, or members it does not say: hasUnaddressedMembers), which
 * `body` does not list, or lists with no server: their servers were not read. Names as the configuration spells them, in
 * its order, at most POOLS_NOT_READ_SHOWN; compared case-insensitively, as ARM compares names. Empty when
 * the configuration says no rules or no pools (an answer without them is not the whole resource:
 * absent-servers.ts), when a pool of `body` has neither name nor id (it could be any), and for a pool
 * without members (backend health may list it with no server).
 */
export function poolsNotRead(config: GatewayConfig, body: BackendHealthBody): string[] {
  if (!config.pairs?.length || config.pools.length === 0) return [];
  const routed = new Set(config.pairs.map((pair) => pair.pool.toLowerCase()));
  const pools = body.backendAddressPools ?? [];
  const names = pools.map(
    (pool) => pool.backendAddressPool?.name ?? lastSegment(pool.backendAddressPool?.id),
  );
  // A pool listed without a name or id could be any of them: nothing is said.
  if (names.some((name) => name === undefined)) return [];
  // Listed with no server under any of its settings (`servers: []`, no settings) is not read either.
  const listed = new Set(
    names.flatMap((name, i) => (poolListsServer(pools[i]) ? [(name ?? '').toLowerCase()] : [])),
  );
  return config.pools
    .filter(
      (pool) =>
        routed.has(pool.name.toLowerCase()) &&
        !listed.has(pool.name.toLowerCase()) &&
        (pool.addresses.length > 0 || hasUnaddressedMembers(pool)),
    )
    .slice(0, POOLS_NOT_READ_SHOWN)
    .map((pool) => pool.name);
}
