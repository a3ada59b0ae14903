import {
  app,
  type HttpFunctionOptions,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { functionAlertServices } from '../src/app/function-services';
import {
  AZURE_MONITOR_ALERT_ROUTE,
  MAX_ALERT_BODY_BYTES,
  azureMonitorAlertResponse,
} from '../src/app/azure-monitor-alert-response';
import { readCappedBody } from '../src/app/capped-body';

/**
 * POST /api/alerts/azure-monitor: an action group's webhook (common alert schema) for a metric alert on
 * UnhealthyHostCount → an evaluation of the gateway queued now (202). See azure-monitor-alert-response.ts.
 */
export async function azureMonitorAlert(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const body = await readCappedBody(request, MAX_ALERT_BODY_BYTES);
  const services = functionAlertServices(contextLogger(context));
  return azureMonitorAlertResponse(body, request.headers.get('content-type'), {
    ...services,
    runId: `alert-${context.invocationId}`,
  });
}

export const azureMonitorAlertOptions: HttpFunctionOptions = {
  methods: ['POST'],
  authLevel: 'function',
  route: AZURE_MONITOR_ALERT_ROUTE,
  handler: azureMonitorAlert,
};

app.http('azureMonitorAlert', azureMonitorAlertOptions);
