/**
 * GET .../applicationGateways at subscription or resource-group scope, paged like ARM: `value` plus an
 * absolute `nextLink` carrying `$skipToken` and the caller's api-version while more remain. Each entry
 * is the whole resource, as the GET answers it (ARM's list does: the REST spec's example
 * `ApplicationGatewayListAll.json`); a `get` fault changes the GET's answer only.
 */
import type { RouteContext } from './context';
import {
  faultReply,
  invalidSkipToken,
  type Reply,
  resourceGroupNotFound,
  subscriptionNotFound,
} from './errors';
import { gatewayResourceInFull } from './gateway';

export const PAGE_SIZE = 50;

export interface ListParams {
  readonly subscriptionId: string;
  readonly resourceGroup?: string;
}

export async function listGateways(ctx: RouteContext, p: ListParams): Promise<Reply> {
  const scope = ctx.state.listScope(p.subscriptionId, p.resourceGroup);
  const inScope = scope.entries;
  if (inScope.length === 0) {
    // "Exists" means "held a gateway of a scenario this emulator served": the emulator knows no other
    // resources. A scope whose gateways were all deleted since lists none, as ARM's does.
    if (!ctx.state.scopeExists(p.subscriptionId)) return subscriptionNotFound(p.subscriptionId);
    if (p.resourceGroup !== undefined && !ctx.state.scopeExists(p.subscriptionId, p.resourceGroup))
      return resourceGroupNotFound(p.resourceGroup);
    return { status: 200, body: { value: [] } };
  }

  const skipToken = ctx.query.get('$skipToken') ?? ctx.query.get('$skiptoken');
  const skip = skipToken === null ? 0 : Number(skipToken);
  if (!Number.isSafeInteger(skip) || skip < 0 || skip > inScope.length)
    return invalidSkipToken(skipToken ?? '');

  // Slowest gateway in scope sets the pace; the first gateway (scenario order) with a "list" fault left
  // for this page answers it: an error, or the fault's text as the page.
  // Only the gateways with list faults are looked at: a page costs its own 50, whatever the scope holds.
  await ctx.state.delay(scope.delayMs);
  const scopeId = `/subscriptions/${p.subscriptionId}${p.resourceGroup ? `/resourceGroups/${p.resourceGroup}` : ''}`;
  const pageNumber = Math.floor(skip / PAGE_SIZE) + 1;
  for (const entry of scope.withListFaults) {
    const fault = ctx.state.takeListFault(entry, pageNumber);
    if (fault && 'text' in fault) return { status: 200, text: fault.text };
    if (fault) return faultReply(fault, 'Microsoft.Network/applicationGateways/read', scopeId);
  }

  const page = inScope.slice(skip, skip + PAGE_SIZE);
  const next = skip + PAGE_SIZE;
  const body: Record<string, unknown> = { value: page.map(gatewayResourceInFull) };
  if (next < inScope.length) {
    const q = new URLSearchParams({ 'api-version': ctx.apiVersion, $skipToken: String(next) });
    body['nextLink'] = `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
  }
  return { status: 200, body };
}
