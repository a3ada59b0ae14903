import { isAppGwInsightsError } from '../errors';
import type { Config } from '../config/schema';
import type { RecheckDependencies } from '../pipeline/recheck';
import type { CappedBody } from './capped-body';
import {
  errorAnswer,
  routeGateway,
  ROUTE_NOT_ARM_NAMES,
  type GatewayRouteParams,
  type HttpAnswer,
} from './http-answer';
import { httpStatusFor } from './http-status';
import { recheckGateway, recheckReport } from './recheck-gateway';
import { gatewayChildNameProblem } from '../core/arm-name';
import { HTTP_INPUTS, type RecheckAsked } from '../pipeline/recheck';

/**
 * The largest body read, in bytes: `{"pool","settings"}` with two ARM names (90 characters each) is
 * well under 1 KB; past this the body is not read (413).
 */
export const MAX_RECHECK_BODY_BYTES = 16 * 1024;

/**
 * POST /api/gateways/{subscription}/{resourceGroup}/{name}/recheck with `{"pool","settings"}`: the CLI's
 * `recheck` (pipeline/recheck.ts) for a gateway of APPGW_TARGETS, answered synchronously with its
 * result (200, the CLI's `--json` shape). Why not 202 and a status URL: the on-demand operation is one
 * pool's probes, done in seconds (ARM polls every few seconds), and bounded here by
 * `gatewayTimeoutInMs` (below the HTTP trigger's 230 s: learn.microsoft.com azure-functions
 * functions-scale, "Timeout"); a status resource would need storage of its own for a result the caller
 * can get by asking again. Past the bound: 504 (nothing changed for the servers not yet reported).
 * 400: a body that is not `{"pool": string, "settings"?: string}` (naming the field), a name no gateway
 * can have (the CLI's check: core/arm-name.ts, saying what a name may be), a pool or setting the gateway
 * does not have or probe, `settings` left out (each message lists the names it has), or ARM refusing the
 * probe's pool or setting; 413 a body past MAX_RECHECK_BODY_BYTES; 404 `NotWatched`: a gateway outside
 * APPGW_TARGETS, before anything is asked of ARM; 404 `ResourceNotFound`: no such gateway (the message
 * says what to check in the URL); other errors by httpStatusFor.
 */
export async function recheckResponse(
  params: GatewayRouteParams,
  body: CappedBody,
  services: { readonly deps: RecheckDependencies; readonly config: Config; readonly runId: string },
): Promise<HttpAnswer> {
  const gateway = routeGateway(params);
  if (!gateway) return bad(ROUTE_NOT_ARM_NAMES);
  if ('tooLarge' in body)
    return errorAnswer(
      413,
      'PayloadTooLarge',
      `the body is larger than ${MAX_RECHECK_BODY_BYTES} bytes; a recheck's is {"pool", "settings"}`,
    );
  const asked = readBody(parseJson(body.text));
  if (typeof asked === 'string') return bad(asked);
  try {
    const result = await recheckGateway(services.deps, services.config, gateway, asked, services.runId, {
      abortSignal: AbortSignal.timeout(services.config.gatewayTimeoutInMs),
      inputs: HTTP_INPUTS,
    });
    return { status: 200, jsonBody: recheckReport(result) };
  } catch (error) {
    if (!isAppGwInsightsError(error)) throw error;
    return errorAnswer(httpStatusFor(error.code), error.code, error.message, { gatewayId: gateway.id });
  }
}

function bad(message: string): HttpAnswer {
  return errorAnswer(400, 'BadRequest', message);
}

/** The body's JSON value; undefined when it is not JSON (readBody then says what it must be). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `{"pool","settings"}`, or what is wrong with the body, naming the field. The names get the CLI's one
 * check (core/arm-name.ts). `settings` may be left out: the recheck then answers 400 listing the settings
 * that pair with the pool (pipeline/recheck.ts, recheckTarget).
 */
function readBody(body: unknown): RecheckAsked | string {
  const shape = 'the body must be a JSON object {"pool": "<backend pool>", "settings": "<backend setting>"}';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return shape;
  const { pool, settings } = body as Record<string, unknown>;
  if (pool === undefined) return `"pool" is missing: ${shape}`;
  if (typeof pool !== 'string') return `"pool" is not a string: ${shape}`;
  if (settings !== undefined && typeof settings !== 'string') return `"settings" is not a string: ${shape}`;
  const problem =
    gatewayChildNameProblem('"pool"', pool) ??
    (settings === undefined ? undefined : gatewayChildNameProblem('"settings"', settings));
  if (problem) return problem;
  return { backendPool: pool, ...(settings !== undefined ? { backendSettings: settings } : {}) };
}
