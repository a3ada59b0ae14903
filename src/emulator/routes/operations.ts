/**
 * The poll URLs handed out by backendhealth POSTs:
 * - `.../locations/{loc}/operationResults/{id}` (Location): 202 while running, then the result;
 * - `.../locations/{loc}/operations/{id}` (Azure-AsyncOperation): `{"status": ...}` documents.
 * A poll answered with an injected fault does not count towards `lro.polls`. A 403 fault names the
 * action of that URL (`Microsoft.Network/locations/operationResults/read` or `…/operations/read`) over
 * the subscription, as ARM authorises these subscription-level URLs there (infra/app/
 * backend-health-reader-role.bicep has the sources).
 */
import { key } from '../arm-id';
import type { Operation } from '../state';
import { finalReply, operationFailure, pollHeaders } from './backend-health';
import type { RouteContext } from './context';
import { type ArmAction, faultReply, operationNotFound, type Reply } from './errors';

export interface OperationParams {
  readonly subscriptionId: string;
  readonly location: string;
  readonly operationId: string;
}

type Lookup = { op: Operation } | { reply: Reply };

/**
 * The RBAC action ARM checks on each poll URL, and the scope it names in a 403 (the URL's own path):
 * `Microsoft.Network/locations/operationResults/read` (Location) and
 * `Microsoft.Network/locations/operations/read` (Azure-AsyncOperation), as listed for Microsoft.Network
 * in Azure's resource provider operations.
 */
type PollAction = Extract<ArmAction, `Microsoft.Network/locations/${string}`>;

async function lookUp(ctx: RouteContext, p: OperationParams, action: PollAction): Promise<Lookup> {
  const op = ctx.state.operations.get(key(p.operationId));
  if (
    !op ||
    key(op.entry.parts.subscriptionId) !== key(p.subscriptionId) ||
    key(op.entry.gateway.location) !== key(p.location)
  ) {
    return { reply: operationNotFound(p.operationId) };
  }
  await ctx.state.delay(op.entry.gateway.delayMs);
  const fault = ctx.state.takeFault(op.entry, 'poll');
  if (fault) {
    return {
      reply: faultReply(fault, action, ctx.path),
    };
  }
  return { op };
}

/**
 * Counts this poll of `url`, then says whether the operation still runs. With `lro.runsForMs`: until that
 * long after its POST by the emulator's clock, however often either URL is polled. Otherwise by count:
 * the first `polls` polls of each URL; in the async style the Location URL is the result as soon as the
 * Azure-AsyncOperation URL has reported the end (the SDK's final GET), so a client may poll either URL
 * (ARM's RPC lets it poll Location alone).
 */
function stillRunning(ctx: RouteContext, op: Operation, url: 'result' | 'status'): boolean {
  const { polls, runsForMs, style } = op.entry.gateway.lro;
  const pollsOfUrl = url === 'result' ? ++op.resultPolls : ++op.statusPolls;
  if (runsForMs !== undefined) return ctx.state.clock.now() - op.startedAtMs < runsForMs;
  return pollsOfUrl <= polls && (url === 'status' || style === 'location' || op.statusPolls <= polls);
}

/** Location URL: 202 while the operation runs (stillRunning), then the result. */
export async function getOperationResult(ctx: RouteContext, p: OperationParams): Promise<Reply> {
  const found = await lookUp(ctx, p, 'Microsoft.Network/locations/operationResults/read');
  if ('reply' in found) return found.reply;
  const { op } = found;
  return stillRunning(ctx, op, 'result')
    ? { status: 202, headers: pollHeaders(ctx, op) }
    : finalReply(ctx.state, op);
}

/** Azure-AsyncOperation URL: `InProgress` while the operation runs (stillRunning), then Succeeded or Failed. */
export async function getOperationStatus(ctx: RouteContext, p: OperationParams): Promise<Reply> {
  const found = await lookUp(ctx, p, 'Microsoft.Network/locations/operations/read');
  if ('reply' in found) return found.reply;
  const { op } = found;
  const { style, outcome, retryAfterSeconds } = op.entry.gateway.lro;
  if (style !== 'azure-async-operation') return operationNotFound(p.operationId);
  if (stillRunning(ctx, op, 'status')) {
    return {
      status: 200,
      body: { id: ctx.path, name: op.id, status: 'InProgress' },
      headers: retryAfterSeconds === null ? {} : { 'retry-after': String(retryAfterSeconds) },
    };
  }
  const done = { id: ctx.path, name: op.id };
  return {
    status: 200,
    body:
      outcome === 'failed'
        ? { ...done, status: 'Failed', error: operationFailure(op.entry) }
        : { ...done, status: 'Succeeded' },
  };
}
