/**
 * POST .../applicationGateways/{name}/backendhealth: ARM's long-running action. Starts an operation and
 * answers 202 with the poll URLs (or 200 at once when the scenario says `polls: 0` and no `runsForMs`).
 */
import { randomUUID } from 'node:crypto';
import { key, lastSegment } from '../arm-id';
import type { BackendHealthBody } from '../../core/model';
import type { BodyFault, TextFault } from '../scenario';
import type { EmulatorState, GatewayEntry, Operation } from '../state';
import type { RouteContext } from './context';
import { armError, faultReply, type Reply, gatewayNotFound } from './errors';
import type { GatewayParams } from './gateway';
import { onDemandReply } from './on-demand';

const EXPAND_RESOURCES = 'backendhealth/applicationgatewayresource';

/**
 * The scenario's body, copied so no client can alter it: ARM's camelCase with every field the scenario
 * gave kept. `expand` adds pool/settings names (from their ids) like ARM's $expand.
 */
export function healthBody(entry: GatewayEntry, expand: boolean): BackendHealthBody {
  const body = structuredClone(entry.gateway.backendHealth);
  if (expand) {
    for (const pool of body.backendAddressPools ?? []) {
      const ref = pool.backendAddressPool;
      if (ref?.id) ref.name ??= lastSegment(ref.id);
      for (const s of pool.backendHttpSettingsCollection ?? []) {
        const settings = s.backendHttpSettings;
        if (settings?.id) settings.name ??= lastSegment(settings.id);
      }
    }
  }
  return body;
}

/** The text of a broken 200 answer (see BODY_FAULTS in scenario.ts), or a `text` fault's own. */
function brokenBody(fault: BodyFault | TextFault, body: BackendHealthBody): Reply {
  const text = (t: string): Reply => ({ status: 200, text: t });
  if ('text' in fault) return text(fault.text);
  const whole = JSON.stringify(body);
  switch (fault.body) {
    case 'malformed':
      return text(whole.replace(/\}$/, ',}'));
    case 'truncated':
      return { status: 200, text: whole, delivery: { kind: 'cut' } };
    case 'empty-object':
      return text('{}');
    case 'empty-array':
      return text('[]');
    case 'null-pools':
      return text('{"backendAddressPools":null}');
    case 'missing-settings':
      return text(
        JSON.stringify({
          ...body,
          backendAddressPools: (body.backendAddressPools ?? []).map((pool) => {
            const { backendHttpSettingsCollection: _dropped, ...rest } = pool;
            return rest;
          }),
        }),
      );
    case 'missing-servers':
      return text(
        JSON.stringify({
          ...body,
          backendAddressPools: (body.backendAddressPools ?? []).map((pool) => ({
            ...pool,
            backendHttpSettingsCollection: (pool.backendHttpSettingsCollection ?? []).map((settings) => {
              const { servers: _dropped, ...rest } = settings;
              return rest;
            }),
          })),
        }),
      );
    case 'slow':
      return { status: 200, text: whole, delivery: { kind: 'slow', delayMs: fault.delayMs ?? 0 } };
  }
}

/** What a failed operation reports (lro.outcome "failed"). */
export const operationFailure = (entry: GatewayEntry) => ({
  code: 'InternalServerError',
  message: `An error occurred while getting the backend health of '${entry.gateway.id}'. (lro.outcome is "failed" in the emulator scenario)`,
});

/** The final answer of an operation: the body (broken, when a body fault is left), or ARM's error for a failed one. */
export function finalReply(
  state: EmulatorState,
  op: Pick<Operation, 'entry' | 'expand'> & Partial<Pick<Operation, 'onDemand'>>,
): Reply {
  if (op.entry.gateway.lro.outcome === 'failed') {
    const f = operationFailure(op.entry);
    return armError(500, f.code, f.message);
  }
  if (op.onDemand) return onDemandReply(op.entry, op.onDemand);
  const body = healthBody(op.entry, op.expand);
  const fault = state.takeBodyFault(op.entry);
  return fault ? brokenBody(fault, body) : { status: 200, body };
}

/** Headers telling the client where and when to poll, in the style the scenario asks for. */
export function pollHeaders(ctx: RouteContext, op: Operation): Record<string, string> {
  const { subscriptionId } = op.entry.parts;
  const base = `${ctx.baseUrl}/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${op.entry.gateway.location}`;
  const q = `?api-version=${encodeURIComponent(op.apiVersion)}`;
  const headers: Record<string, string> = { location: `${base}/operationResults/${op.id}${q}` };
  const { retryAfterSeconds } = op.entry.gateway.lro;
  if (retryAfterSeconds !== null) headers['retry-after'] = String(retryAfterSeconds);
  if (op.entry.gateway.lro.style === 'azure-async-operation') {
    headers['azure-asyncoperation'] = `${base}/operations/${op.id}${q}`;
  }
  return headers;
}

export async function postBackendHealth(ctx: RouteContext, p: GatewayParams): Promise<Reply> {
  const entry = ctx.state.find(p.subscriptionId, p.resourceGroup, p.name);
  if (!entry) return gatewayNotFound(ctx.state, p);
  await ctx.state.delay(entry.gateway.delayMs);
  const fault = ctx.state.takeFault(entry, 'backendHealth');
  if (fault)
    return faultReply(fault, 'Microsoft.Network/applicationGateways/backendhealth/action', entry.gateway.id);

  const expand = key(ctx.query.get('$expand') ?? '') === EXPAND_RESOURCES;
  const { polls, runsForMs } = entry.gateway.lro;
  if (runsForMs === undefined && polls === 0) return finalReply(ctx.state, { entry, expand });

  const op: Operation = {
    id: randomUUID(),
    entry,
    apiVersion: ctx.apiVersion,
    expand,
    statusPolls: 0,
    resultPolls: 0,
    startedAtMs: ctx.state.clock.now(),
  };
  ctx.state.operations.set(key(op.id), op);
  return { status: 202, headers: pollHeaders(ctx, op) };
}
