import {
  app,
  type HttpFunctionOptions,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { functionRecheckServices } from '../src/app/function-services';
import { readCappedBody } from '../src/app/capped-body';
import { MAX_RECHECK_BODY_BYTES, recheckResponse } from '../src/app/recheck-response';

export const RECHECK_ROUTE = 'gateways/{subscription}/{resourceGroup}/{name}/recheck';

/** POST /api/gateways/{subscription}/{resourceGroup}/{name}/recheck `{"pool","settings"}`: confirm a fix. */
export async function recheckGatewayHttp(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const body = await readCappedBody(request, MAX_RECHECK_BODY_BYTES);
  const services = functionRecheckServices(contextLogger(context), context.invocationId);
  return recheckResponse(request.params, body, services);
}

export const recheckGatewayOptions: HttpFunctionOptions = {
  methods: ['POST'],
  authLevel: 'function',
  route: RECHECK_ROUTE,
  handler: recheckGatewayHttp,
};

app.http('recheckGateway', recheckGatewayOptions);
