import {
  app,
  type HttpFunctionOptions,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { functionServices } from '../src/app/function-services';
import { gatewayInsightResponse } from '../src/app/gateway-insight-response';
import { noTelemetry } from '../src/pipeline/emit-telemetry';

export const GATEWAY_INSIGHT_ROUTE = 'gateways/{subscription}/{resourceGroup}/{name}/insight';

/** GET /api/gateways/{subscription}/{resourceGroup}/{name}/insight: one gateway now, HTML or JSON. */
export async function gatewayInsight(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const wantsJson = (request.headers.get('accept') ?? '').includes('application/json');
  // A look at one gateway now, not a run: it stores and notifies nothing, and leaves no run telemetry.
  const services = await functionServices(contextLogger(context), noTelemetry);
  return gatewayInsightResponse(request.params, wantsJson, services);
}

export const gatewayInsightOptions: HttpFunctionOptions = {
  methods: ['GET'],
  authLevel: 'function',
  route: GATEWAY_INSIGHT_ROUTE,
  handler: gatewayInsight,
};

app.http('gatewayInsight', gatewayInsightOptions);
