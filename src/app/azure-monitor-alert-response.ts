import { targetsCover } from '../core/arm-id';
import { isAlertRefusal, readGatewayAlert } from '../core/alerts/common-alert-schema';
import { quote } from '../core/json-describe';
import type { Config } from '../config/schema';
import { isAppGwInsightsError } from '../errors';
import { takeGatewayAlert, type AlertIntakeDependencies } from '../pipeline/alert-intake';
import { withTimeout } from '../pipeline/timeout';
import type { CappedBody } from './capped-body';
import { errorAnswer, type HttpAnswer } from './http-answer';

/** The function's route: POST /api/alerts/azure-monitor (infra/app/gateway-alerts.bicep posts there). */
export const AZURE_MONITOR_ALERT_ROUTE = 'alerts/azure-monitor';

/**
 * The largest body taken, in bytes: Azure Monitor caps a common-schema alert at 256 KB
 * (learn.microsoft.com/azure/azure-monitor/alerts/alerts-payload-samples, "Sample log search alerts":
 * "an upper size limit of 256 KB per alert"); a metric alert is about 2 KB.
 */
export const MAX_ALERT_BODY_BYTES = 256 * 1024;

/**
 * How long the intake (read the dedupe mark, write it, queue the message) may take before the answer
 * is 503: well within the time an action group waits for a webhook, so it retries (it retries 408,
 * 429, 503 and 504: learn.microsoft.com/azure/azure-monitor/alerts/action-groups, "Webhook retry
 * behavior") rather than give up on a slow storage account.
 */
export const ALERT_INTAKE_BUDGET_IN_MS = 10_000;

/** Seconds an action group is asked to wait before retrying a 503. */
const RETRY_AFTER_SECONDS = '5';

/** What the intake needs: its dependencies, the config (targets) and the dedupe window. */
export interface AlertServices {
  readonly deps: AlertIntakeDependencies;
  readonly config: Pick<Config, 'targets'>;
  readonly dedupWindowInMs: number;
  /** The messages' run id: `alert-<invocation id>`. */
  readonly runId: string;
  /** Overrides ALERT_INTAKE_BUDGET_IN_MS (tests). */
  readonly budgetInMs?: number;
}

/**
 * POST /api/alerts/azure-monitor: an action group's webhook (common alert schema) for a metric alert on
 * a gateway's UnhealthyHostCount. Answers, without waiting on ARM:
 * - 202 `{status: "accepted", alert, queued, duplicates, note}`: an evaluation of each gateway queued on
 *   the fan-out queue (or, within APPGW_ALERT_DEDUP_WINDOW of one, the one already queued: `duplicates`);
 * - 400 a body that is not JSON or not the common alert schema (code `NotCommonAlertSchema`: the action
 *   group's webhook must have "Enable the common alert schema" on) or lacks a field (`InvalidAlert`);
 *   413 past MAX_ALERT_BODY_BYTES; 415 a content type other than JSON;
 * - 422 an alert this app does not take, saying why: not a metric alert (`NotMetricAlert`), another
 *   metric (`MetricNotSupported`), a resource that is not an application gateway
 *   (`NotApplicationGateway`), a gateway outside APPGW_TARGETS (`NotWatched`: the function key opens
 *   the watched gateways only). An action group does not retry these (it retries 408, 429, 503, 504);
 * - 503 with Retry-After when the dedupe mark or the queue cannot be reached within
 *   ALERT_INTAKE_BUDGET_IN_MS: the action group retries, and nothing was queued twice.
 */
export async function azureMonitorAlertResponse(
  body: CappedBody,
  contentType: string | null,
  services: AlertServices,
): Promise<HttpAnswer> {
  if ('tooLarge' in body)
    return errorAnswer(
      413,
      'PayloadTooLarge',
      `the body is larger than ${MAX_ALERT_BODY_BYTES} bytes (Azure Monitor's cap for one alert)`,
    );
  if (contentType !== null && !/^application\/(.+\+)?json\b/i.test(contentType.trim()))
    return errorAnswer(
      415,
      'UnsupportedMediaType',
      `the content type must be application/json; found ${quote(contentType)}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.text);
  } catch {
    return errorAnswer(
      400,
      'InvalidAlert',
      'the body is not JSON: an action group webhook posts the alert as a JSON object',
    );
  }
  const alert = readGatewayAlert(parsed);
  if (isAlertRefusal(alert)) return errorAnswer(alert.status, alert.code, alert.message);
  const outside = alert.gateways.filter((gateway) => !targetsCover(services.config.targets, gateway));
  if (outside.length > 0)
    return errorAnswer(
      422,
      'NotWatched',
      `${outside.map((g) => g.id).join(', ')} ${outside.length > 1 ? 'are' : 'is'} not among the gateways this app watches (APPGW_TARGETS; a management-group target is not matched from an alert's id, name the subscription or resource group too): alert rule ${quote(alert.alertRule)} was not taken`,
    );
  const budget = services.budgetInMs ?? ALERT_INTAKE_BUDGET_IN_MS;
  let taken;
  try {
    taken = await withTimeout(
      budget,
      () =>
        takeGatewayAlert(services.deps, alert, {
          runId: services.runId,
          dedupWindowInMs: services.dedupWindowInMs,
        }),
      (ms) => new IntakeTimeout(ms),
    );
  } catch (error) {
    // Storage (the dedupe mark or the queue) failed or was slow: the action group retries a 503.
    if (!isAppGwInsightsError(error) && !(error instanceof IntakeTimeout)) throw error;
    services.deps.logger.warn(`alert ${quote(alert.alertRule)} not taken yet: ${error.message}`);
    return errorAnswer(
      503,
      'IntakeUnavailable',
      `the alert could not be queued (${error.message}); Azure Monitor retries it`,
      { headers: { 'retry-after': RETRY_AFTER_SECONDS } },
    );
  }
  return {
    status: 202,
    jsonBody: {
      status: 'accepted',
      alert: { id: alert.alertId, rule: alert.alertRule, monitorCondition: alert.monitorCondition },
      queued: taken.queued,
      duplicates: taken.duplicates,
      note:
        alert.monitorCondition === 'Resolved'
          ? 'Resolved: the gateway is evaluated now; recovered is sent only when the evaluation reads its servers healthy (notify.recoverAfter), never on the alert alone'
          : 'Fired: the gateway is evaluated now; its insights and notices go to the sinks and receivers as for a scheduled run',
    },
  };
}

/** The intake's storage was slower than its budget (answered 503; never thrown past this module). */
class IntakeTimeout extends Error {
  constructor(budgetInMs: number) {
    super(`the state store or the queue did not answer within ${budgetInMs} ms`);
  }
}
