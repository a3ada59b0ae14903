/**
 * POST …/applicationGateways/{name}/getBackendHealthOnDemand: ARM's on-demand probe of one backend pool
 * under one backend setting (REST spec `ApplicationGateways_BackendHealthOnDemand`, azure-rest-api-specs
 * specification/network/resource-manager/Microsoft.Network/stable/…/applicationGateway.json: body
 * `ApplicationGatewayOnDemandProbe`, answers 200 or 202, `x-ms-long-running-operation-options`
 * `final-state-via: location`; result `ApplicationGatewayBackendHealthOnDemand` =
 * `{backendAddressPool, backendHealthHttpSettings: {backendHttpSettings, servers[]}}`). Runs as the
 * backend-health operation does (the scenario's `lro`, the same poll URLs), and its result is the pool's
 * servers as the scenario's `onDemand` says.
 */
import { randomUUID } from 'node:crypto';
import { key, lastSegment } from '../arm-id';
import type { BackendHealthServerBody } from '../../core/model';
import type { GatewayEntry, Operation } from '../state';
import type { RouteContext } from './context';
import { armError, faultReply, type Reply, gatewayNotFound } from './errors';
import { finalReply, pollHeaders } from './backend-health';
import type { GatewayParams } from './gateway';

const ACTION = 'Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action';

/** The `{id}` of `field` in the request body, or undefined. */
function refId(body: unknown, field: 'backendAddressPool' | 'backendHttpSettings'): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const ref = (body as Record<string, unknown>)[field];
  if (typeof ref !== 'object' || ref === null) return undefined;
  const id = (ref as Record<string, unknown>)['id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Whether `id` names a child of the gateway (same gateway id prefix, any case) of kind `collection`. */
function childOf(entry: GatewayEntry, id: string, collection: string): boolean {
  return key(id).startsWith(`${key(entry.gateway.id)}/${collection.toLowerCase()}/`);
}

export async function postBackendHealthOnDemand(ctx: RouteContext, p: GatewayParams): Promise<Reply> {
  const entry = ctx.state.find(p.subscriptionId, p.resourceGroup, p.name);
  if (!entry) return gatewayNotFound(ctx.state, p);
  await ctx.state.delay(entry.gateway.delayMs);
  const fault = ctx.state.takeFault(entry, 'onDemand');
  if (fault) return faultReply(fault, ACTION, entry.gateway.id);

  let body: unknown;
  try {
    body = JSON.parse(ctx.body ?? '');
  } catch {
    return armError(400, 'InvalidRequestFormat', 'Cannot parse the request: the body is not JSON.');
  }
  const poolId = refId(body, 'backendAddressPool');
  const settingsId = refId(body, 'backendHttpSettings');
  if (!poolId || !settingsId) {
    return armError(
      400,
      'InvalidRequestFormat',
      'The on-demand probe needs backendAddressPool.id and backendHttpSettings.id.',
    );
  }
  const pools = entry.gateway.backendHealth.backendAddressPools ?? [];
  const pool = pools.find((x) => key(x.backendAddressPool?.id ?? '') === key(poolId));
  const settingsKnown = pools.some((x) =>
    (x.backendHttpSettingsCollection ?? []).some(
      (s) => key(s.backendHttpSettings?.id ?? '') === key(settingsId),
    ),
  );
  if (!pool || !childOf(entry, poolId, 'backendAddressPools')) return invalidReference(poolId);
  if (
    !settingsKnown ||
    !(
      childOf(entry, settingsId, 'backendHttpSettingsCollection') ||
      childOf(entry, settingsId, 'backendSettingsCollection')
    )
  )
    return invalidReference(settingsId);

  const { polls, runsForMs } = entry.gateway.lro;
  const onDemand = { poolId, settingsId };
  if (runsForMs === undefined && polls === 0)
    return finalReply(ctx.state, { entry, expand: false, onDemand });
  const op: Operation = {
    id: randomUUID(),
    entry,
    apiVersion: ctx.apiVersion,
    expand: false,
    statusPolls: 0,
    resultPolls: 0,
    startedAtMs: ctx.state.clock.now(),
    onDemand,
  };
  ctx.state.operations.set(key(op.id), op);
  return { status: 202, headers: pollHeaders(ctx, op) };
}

const invalidReference = (id: string): Reply =>
  armError(
    400,
    'InvalidResourceReference',
    `Resource ${id} referenced by the on-demand probe was not found on the application gateway.`,
  );

/**
 * The on-demand result: the pool's servers under the settings (those the scenario's body lists for that
 * pair, else the pool's addresses under any setting, health Unknown), each `Healthy` when the scenario's
 * `onDemand` is `healthy`.
 */
export function onDemandReply(
  entry: GatewayEntry,
  onDemand: { readonly poolId: string; readonly settingsId: string },
): Reply {
  const pool = (entry.gateway.backendHealth.backendAddressPools ?? []).find(
    (x) => key(x.backendAddressPool?.id ?? '') === key(onDemand.poolId),
  );
  const collection = pool?.backendHttpSettingsCollection ?? [];
  const exact = collection.find((s) => key(s.backendHttpSettings?.id ?? '') === key(onDemand.settingsId));
  const servers: BackendHealthServerBody[] = exact
    ? structuredClone(exact.servers ?? [])
    : [...new Set(collection.flatMap((s) => (s.servers ?? []).map((x) => x.address ?? '')))]
        .filter((address) => address !== '')
        .map((address) => ({ address, health: 'Unknown', healthProbeLog: '' }));
  const answered =
    entry.gateway.onDemand === 'healthy'
      ? servers.map((s) => ({ ...s, health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' }))
      : servers;
  return {
    status: 200,
    body: {
      backendAddressPool: { id: onDemand.poolId, name: lastSegment(onDemand.poolId) },
      backendHealthHttpSettings: {
        backendHttpSettings: { id: onDemand.settingsId, name: lastSegment(onDemand.settingsId) },
        servers: answered,
      },
    },
  };
}
