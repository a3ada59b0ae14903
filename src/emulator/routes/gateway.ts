/** GET .../applicationGateways/{name}: the gateway resource, shaped like ARM's (only what we model). */
import { key, lastSegment } from '../arm-id';
import type { GatewayEntry } from '../state';
import type { RouteContext } from './context';
import { faultReply, type Reply, resourceNotFound } from './errors';

export interface GatewayParams {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

interface SubResource {
  id: string;
  name: string;
}

function uniqueById(ids: string[]): SubResource[] {
  const seen = new Map<string, SubResource>();
  for (const id of ids) if (!seen.has(key(id))) seen.set(key(id), { id, name: lastSegment(id) });
  return [...seen.values()];
}

/** The ApplicationGateway resource; pools and settings are derived from the scenario's health body. */
export function gatewayResource(entry: GatewayEntry): Record<string, unknown> {
  const pools = entry.gateway.backendHealth.backendAddressPools ?? [];
  const ids = (refs: ReadonlyArray<{ id?: string } | undefined>) =>
    refs.flatMap((ref) => (ref?.id ? [ref.id] : []));
  return {
    id: entry.gateway.id,
    name: entry.parts.name,
    type: 'Microsoft.Network/applicationGateways',
    location: entry.gateway.location,
    properties: {
      provisioningState: 'Succeeded',
      operationalState: 'Running',
      backendAddressPools: uniqueById(ids(pools.map((p) => p.backendAddressPool))),
      backendHttpSettingsCollection: uniqueById(
        ids(pools.flatMap((p) => (p.backendHttpSettingsCollection ?? []).map((s) => s.backendHttpSettings))),
      ),
    },
  };
}

export async function getGateway(ctx: RouteContext, p: GatewayParams): Promise<Reply> {
  const entry = ctx.state.find(p.subscriptionId, p.resourceGroup, p.name);
  if (!entry) return resourceNotFound(p.resourceGroup, p.name);
  await ctx.state.delay(entry.gateway.delayMs);
  const fault = ctx.state.takeFault(entry, 'get');
  if (fault) return faultReply(fault, 'Microsoft.Network/applicationGateways/read', entry.gateway.id);
  return { status: 200, body: gatewayResource(entry) };
}
