import { gatewayRef, targetCovers } from '../core/arm-id';
import { renderGatewayPage } from '../insight/gateway-page';
import { checkGateway } from '../pipeline/check-gateway';
import type { FanOutDependencies, FanOutOptions } from '../pipeline/fan-out';
import { httpStatusFor } from './http-status';

/** What the on-demand endpoint answers; the shape of the Functions library's HttpResponseInit. */
export interface InsightResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly jsonBody?: unknown;
}

const ARM_NAME = /^[\w.()-]{1,90}$/;

/**
 * One gateway of APPGW_TARGETS, evaluated now: the insight page as HTML, or JSON when asked. Nothing is
 * stored or notified (a read). Errors become the HTTP status that tells the caller what went wrong; a
 * gateway outside the targets is 404 `NotWatched`, before anything is asked of ARM.
 */
export async function gatewayInsightResponse(
  params: { subscription?: string; resourceGroup?: string; name?: string },
  wantsJson: boolean,
  services: { deps: FanOutDependencies; options: FanOutOptions },
): Promise<InsightResponse> {
  const { subscription = '', resourceGroup = '', name = '' } = params;
  if (![subscription, resourceGroup, name].every((part) => ARM_NAME.test(part))) {
    return { status: 400, body: 'subscription, resource group and gateway name must be ARM names\n' };
  }
  const gateway = gatewayRef(subscription, resourceGroup, name);
  const { deps, options } = services;
  // The key opens the watched gateways only, not whatever else the app's identity may read.
  if (!options.targets.some((target) => targetCovers(target, gateway))) {
    const message = `${gateway.id} is not among the gateways this app watches (APPGW_TARGETS)`;
    return wantsJson
      ? { status: 404, jsonBody: { gateway: gateway.id, error: { code: 'NotWatched', message } } }
      : { status: 404, body: `NotWatched: ${message}\n` };
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
    body: renderGatewayPage(gateway, report.servers, insights, deps.clock.now()),
  };
}
