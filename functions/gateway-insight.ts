import {
  app,
  type HttpFunctionOptions,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { functionServices } from '../src/app/function-services';
import { gatewayRef } from '../src/core/arm-id';
import { renderGatewayPage } from '../src/insight/gateway-page';
import { evaluateGateway } from '../src/pipeline/evaluate-gateway';
import { httpStatusFor } from '../src/pipeline/http-status';

export const GATEWAY_INSIGHT_ROUTE = 'gateways/{subscription}/{resourceGroup}/{name}/insight';

/**
 * GET /api/gateways/{subscription}/{resourceGroup}/{name}/insight: evaluates one gateway now. HTML by
 * default; JSON with `Accept: application/json`. Nothing is stored or notified: it is a read.
 */
export async function gatewayInsight(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const { subscription = '', resourceGroup = '', name = '' } = request.params;
  if (![subscription, resourceGroup, name].every((part) => /^[\w.()-]{1,90}$/.test(part))) {
    return { status: 400, body: 'subscription, resource group and gateway name must be ARM names\n' };
  }
  const gateway = gatewayRef(subscription, resourceGroup, name);
  const { deps, options } = await functionServices(contextLogger(context));
  const { report, insights } = await evaluateGateway(gateway, { ...deps, ...options });
  const wantsJson = (request.headers.get('accept') ?? '').includes('application/json');
  if (!report.ok) {
    const status = httpStatusFor(report.error?.code);
    const body = { gateway: gateway.id, error: report.error };
    return wantsJson
      ? { status, jsonBody: body }
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

export const gatewayInsightOptions: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: GATEWAY_INSIGHT_ROUTE,
  handler: gatewayInsight,
};

app.http('gatewayInsight', gatewayInsightOptions);
