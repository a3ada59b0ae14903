import { gatewayRef } from '../core/arm-id';
import { isAppGwInsightsError, isGatewayNotWatchedError, isRecheckTargetError } from '../errors';
import type { Config } from '../config/schema';
import type { RecheckDependencies } from '../pipeline/recheck';
import { httpStatusFor } from './http-status';
import type { InsightResponse } from './gateway-insight-response';
import { recheckGateway, recheckReport } from './recheck-gateway';

const ARM_NAME = /^[\w.()-]{1,90}$/;

/**
 * POST /api/gateways/{subscription}/{resourceGroup}/{name}/recheck with `{"pool","settings"}`: the CLI's
 * `recheck` (pipeline/recheck.ts) for a gateway of APPGW_TARGETS, answered synchronously with its
 * result (200, the CLI's `--json` shape). Why not 202 and a status URL: the on-demand operation is one
 * pool's probes, done in seconds (ARM polls every few seconds), and bounded here by
 * `gatewayTimeoutInMs` (below the HTTP trigger's 230 s: learn.microsoft.com azure-functions
 * functions-scale, "Timeout"); a status resource would need storage of its own for a result the caller
 * can get by asking again. Past the bound: 504 (nothing changed for the servers not yet reported).
 * 400: a body that is not `{"pool": string, "settings": string}`, names that are not ARM names, or a
 * pool or setting the gateway does not have (the message lists its names); 404 `NotWatched`: a gateway
 * outside APPGW_TARGETS, before anything is asked of ARM; other errors by httpStatusFor.
 */
export async function recheckResponse(
  params: { subscription?: string; resourceGroup?: string; name?: string },
  body: unknown,
  services: { readonly deps: RecheckDependencies; readonly config: Config; readonly runId: string },
): Promise<InsightResponse> {
  const { subscription = '', resourceGroup = '', name = '' } = params;
  if (![subscription, resourceGroup, name].every((part) => ARM_NAME.test(part)))
    return bad('subscription, resource group and gateway name must be ARM names');
  const asked = readBody(body);
  if (typeof asked === 'string') return bad(asked);
  const gateway = gatewayRef(subscription, resourceGroup, name);
  try {
    const result = await recheckGateway(services.deps, services.config, gateway, asked, services.runId, {
      abortSignal: AbortSignal.timeout(services.config.gatewayTimeoutInMs),
    });
    return { status: 200, jsonBody: recheckReport(result) };
  } catch (error) {
    if (!isAppGwInsightsError(error)) throw error;
    const status = isGatewayNotWatchedError(error)
      ? 404
      : isRecheckTargetError(error)
        ? 400
        : httpStatusFor(error.code);
    return {
      status,
      jsonBody: { gateway: gateway.id, error: { code: error.code, message: error.message } },
    };
  }
}

function bad(message: string): InsightResponse {
  return { status: 400, jsonBody: { error: { code: 'BadRequest', message } } };
}

/** `{"pool","settings"}` (ARM names), or what is wrong with the body. */
function readBody(body: unknown): { backendPool: string; backendSettings: string } | string {
  const shape = 'the body must be a JSON object {"pool": "<backend pool>", "settings": "<backend setting>"}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return shape;
  const { pool, settings } = body as Record<string, unknown>;
  if (typeof pool !== 'string' || typeof settings !== 'string') return shape;
  if (!ARM_NAME.test(pool) || !ARM_NAME.test(settings)) return 'pool and settings must be ARM names';
  return { backendPool: pool, backendSettings: settings };
}
