import { targetsCover } from '../core/arm-id';
import { renderGatewayPage } from '../insight/gateway-page';
import { GatewayNotWatchedError } from '../errors';
import { checkGateway } from '../pipeline/check-gateway';
import type { FanOutDependencies, FanOutOptions } from '../pipeline/fan-out';
import {
  errorAnswer,
  routeGateway,
  ROUTE_NOT_ARM_NAMES,
  type GatewayRouteParams,
  type HttpAnswer,
} from './http-answer';
import { httpStatusFor } from './http-status';

/**
 * One gateway of APPGW_TARGETS, evaluated now: the insight page as HTML, or JSON when asked. Nothing is
 * stored or notified (a read). Errors become the HTTP status that tells the caller what went wrong; a
 * gateway outside the targets is 404 `NotWatched`, before anything is asked of ARM.
 */
export async function gatewayInsightResponse(
  params: GatewayRouteParams,
  wantsJson: boolean,
  services: { deps: FanOutDependencies; options: FanOutOptions },
): Promise<HttpAnswer> {
  const gateway = routeGateway(params);
  if (!gateway) return { status: 400, body: `${ROUTE_NOT_ARM_NAMES}\n` };
  const { deps, options } = services;
  // The key opens the watched gateways only, not whatever else the app's identity may read.
  if (!targetsCover(options.targets, gateway)) {
    const error = new GatewayNotWatchedError(gateway.id, 'APPGW_TARGETS', 'Nothing was asked of ARM.');
    const status = httpStatusFor(error.code);
    return wantsJson
      ? errorAnswer(status, error.code, error.message, { gatewayId: gateway.id })
      : { status, body: `${error.code}: ${error.message}\n` };
  }
  const { report, insights } = await checkGateway(gateway, { ...deps, ...options });
  if (!report.ok) {
    const status = httpStatusFor(report.error?.code);
    return wantsJson
      ? { status, jsonBody: { gateway: gateway.id, error: report.error } }
      : { status, body: `${report.error?.code}: ${report.error?.message}\n` };
  }
  if (wantsJson) {
    return {
      status: 200,
      jsonBody: {
        gateway: report,
        insights: insights.map(({ path, title, summary, markdown }) => ({ path, title, summary, markdown })),
      },
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: renderGatewayPage(
      gateway,
      report.servers,
      insights,
      deps.clock.now(),
      report.poolsNotRead,
      report.notReported,
    ),
  };
}
