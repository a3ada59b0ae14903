import type { GatewayRef } from './model';

/**
 * What a target ARM id names: one gateway, every gateway of a resource group, of a subscription, or of
 * every subscription under a management group (found through Azure Resource Graph).
 */
export type Target =
  | { readonly kind: 'gateway'; readonly id: string; readonly gateway: GatewayRef }
  | {
      readonly kind: 'resourceGroup';
      readonly id: string;
      readonly subscriptionId: string;
      readonly resourceGroup: string;
    }
  | { readonly kind: 'subscription'; readonly id: string; readonly subscriptionId: string }
  | { readonly kind: 'managementGroup'; readonly id: string; readonly managementGroup: string };

const SEGMENT = '([^/\\s]+)';
const GATEWAY_ID = new RegExp(
  `^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}/providers/Microsoft\\.Network/applicationGateways/${SEGMENT}$`,
  'i',
);
const RESOURCE_GROUP_ID = new RegExp(`^/subscriptions/${SEGMENT}/resourceGroups/${SEGMENT}$`, 'i');
const SUBSCRIPTION_ID = new RegExp(`^/subscriptions/${SEGMENT}$`, 'i');
/**
 * A management group's id. Its name (the group's ID, not its display name) is up to 90 letters, digits,
 * hyphens, underscores, periods and parentheses (learn.microsoft.com azure/governance/management-groups
 * create-management-group-portal, "Management group ID"); anything else is refused here, before it
 * reaches a query.
 */
const MANAGEMENT_GROUP_ID = /^\/providers\/Microsoft\.Management\/managementGroups\/([\w.()-]{1,90})$/i;

/** Parses a target id; returns a reason string when it is not one we can use. ARM ids are case-insensitive. */
export function parseTarget(raw: string): Target | { readonly error: string } {
  const id = raw.trim().replace(/\/+$/, '');
  let m = GATEWAY_ID.exec(id);
  if (m) return { kind: 'gateway', id, gateway: gatewayOfId(id, m) };
  m = RESOURCE_GROUP_ID.exec(id);
  if (m) return { kind: 'resourceGroup', id, subscriptionId: m[1] ?? '', resourceGroup: m[2] ?? '' };
  m = SUBSCRIPTION_ID.exec(id);
  if (m) return { kind: 'subscription', id, subscriptionId: m[1] ?? '' };
  m = MANAGEMENT_GROUP_ID.exec(id);
  if (m) return { kind: 'managementGroup', id, managementGroup: m[1] ?? '' };
  return {
    error:
      'not the ARM id of a management group, subscription, resource group or Microsoft.Network/applicationGateways resource',
  };
}

export function gatewayRef(subscriptionId: string, resourceGroup: string, name: string): GatewayRef {
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/applicationGateways/${name}`,
    subscriptionId,
    resourceGroup,
    name,
  };
}

/**
 * The gateway `id` names (`match`: GATEWAY_ID's), holding one copy of its id. gatewayRef writes the id
 * anew, and the parts it is given are slices of `id` that keep `id` whole in memory: a run held both
 * strings for each of its 20 000 listed gateways (a heap snapshot, 3.4 MiB). Written as gatewayRef
 * writes it (as ARM mostly sends it), `id` is the ref's id; otherwise the parts are taken from the
 * ref's own id.
 */
function gatewayOfId(id: string, match: RegExpExecArray): GatewayRef {
  const [, subscriptionId = '', resourceGroup = '', name = ''] = match;
  const ref = gatewayRef(subscriptionId, resourceGroup, name);
  if (ref.id === id) return { ...ref, id };
  const own = GATEWAY_ID.exec(ref.id);
  return own
    ? { id: ref.id, subscriptionId: own[1] ?? '', resourceGroup: own[2] ?? '', name: own[3] ?? '' }
    : ref;
}

/** Parses a gateway resource id as ARM returns it (e.g. from a list call). */
export function parseGatewayId(id: string): GatewayRef | undefined {
  const target = parseTarget(id);
  return 'kind' in target && target.kind === 'gateway' ? target.gateway : undefined;
}

/**
 * A subscription id as ARM ids hold it (`/subscriptions/<guid>/…`): a GUID, any case. The one pattern
 * for a subscription matcher (matcher-schema.ts) and a subscription's folder of the state
 * (keyed-state-stores.ts).
 */
export const SUBSCRIPTION_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How an application gateway's ARM id is written, for messages that ask for one. */
export const GATEWAY_ID_SHAPE =
  '/subscriptions/<subscription>/resourceGroups/<rg>/providers/Microsoft.Network/applicationGateways/<name>';

/**
 * Why `raw` (e.g. a command-line argument) is not an application gateway's ARM id, or undefined when it
 * is one (as parseGatewayId reads it). The one check and wording wherever a user names a gateway.
 */
export function gatewayIdProblem(raw: string): string | undefined {
  return parseGatewayId(raw) ? undefined : `"${raw}" is not an application gateway id (${GATEWAY_ID_SHAPE})`;
}

/** The last segment of a child resource id (pool, HTTP settings): the name, when $expand was not used. */
export function lastSegment(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const parts = id.split('/').filter(Boolean);
  return parts[parts.length - 1];
}

/** Stable, case-insensitive key for a gateway id (ARM ids differ in case between calls). */
export function gatewayKey(id: string): string {
  return id.toLowerCase();
}

/**
 * Whether a target names this gateway: its subscription, its resource group, or the gateway itself.
 * A management group is never said to: which subscriptions it holds is known only from a listing
 * (src/pipeline/expand-targets.ts), not from the ids.
 */
export function targetCovers(target: Target, gateway: GatewayRef): boolean {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (target.kind === 'managementGroup') return false;
  if (target.kind === 'subscription') return same(target.subscriptionId, gateway.subscriptionId);
  if (target.kind === 'resourceGroup')
    return (
      same(target.subscriptionId, gateway.subscriptionId) && same(target.resourceGroup, gateway.resourceGroup)
    );
  return gatewayKey(target.gateway.id) === gatewayKey(gateway.id);
}

/** Whether any of `targets` covers the gateway (targetCovers): the gateway is one this app watches. */
export function targetsCover(targets: readonly Target[], gateway: GatewayRef): boolean {
  return targets.some((target) => targetCovers(target, gateway));
}

/**
 * Whether the gateway may be one of those `targets` list: covered by its id (targetsCover), or possibly
 * under one of their management groups (which subscriptions a group holds only a listing tells). False
 * only for a gateway no target can hold: the check a queued message's gateway passes before anything is
 * asked of ARM (pipeline/fan-out.ts).
 */
export function targetsMayCover(targets: readonly Target[], gateway: GatewayRef): boolean {
  return targetsCover(targets, gateway) || targets.some((target) => target.kind === 'managementGroup');
}
