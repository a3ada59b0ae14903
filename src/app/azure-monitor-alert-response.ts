import { targetsCover } from '../core/arm-id';
import {
  MAX_TARGET_TEXT,
  isAlertRefusal,
  readGatewayAlert,
  type NotTakenTarget,
} from '../core/alerts/common-alert-schema';
import { capText } from '../core/caps';
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
 * - 202 `{status: "accepted", alert, queued, duplicates, notTaken, note}`: an evaluation of each watched
 *   gateway queued on the fan-out queue (or, within APPGW_ALERT_DEDUP_WINDOW of one, the one already
 *   queued: `duplicates`); `notTaken` lists the alert's other targets, each `{target, code, message}`
 *   (`NotApplicationGateway`, or `NotWatched` for a gateway outside APPGW_TARGETS): one target this app
 *   cannot evaluate never stops the ones it can;
 * - 400 a body that is not JSON or not the common alert schema (code `NotCommonAlertSchema`: the action
 *   group's webhook must have "Enable the common alert schema" on) or lacks a field (`InvalidAlert`);
 *   413 past MAX_ALERT_BODY_BYTES; 415 a content type other than JSON, or none;
 * - 422 an alert this app does not take, saying why: not a metric alert (`NotMetricAlert`), no condition
 *   on UnhealthyHostCount (`MetricNotSupported`), no target an application gateway
 *   (`NotApplicationGateway`), no gateway among APPGW_TARGETS (`NotWatched`: the function key opens the
 *   watched gateways only). An action group does not retry these (it retries 408, 429, 503, 504);
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
  // No Content-Type is refused too: an action group always sends `application/json`
  // (learn.microsoft.com/azure/azure-monitor/alerts/action-groups, webhooks), so this loses no real
  // alert, and a webhook that runs work on a POST takes only what declares itself JSON (a browser's
  // no-cors fetch of a Blob sends none) rather than guess; the README promised this 415 already.
  if (contentType === null || !/^application\/(.+\+)?json\b/i.test(contentType.trim()))
    return errorAnswer(
      415,
      'UnsupportedMediaType',
      `the content type must be application/json; found ${contentType === null ? 'no Content-Type header' : quote(contentType)}`,
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
  const watched = alert.gateways.filter((gateway) => targetsCover(services.config.targets, gateway));
  const notTaken: NotTakenTarget[] = [
    ...alert.notTaken,
    ...alert.gateways
      .filter((gateway) => !watched.includes(gateway))
      .map((gateway) => ({
        target: capText(gateway.id, MAX_TARGET_TEXT),
        code: 'NotWatched' as const,
        message: `${quote(gateway.id, MAX_TARGET_TEXT)} is not among the gateways this app watches (APPGW_TARGETS; a management-group target is not matched from an alert's id, name the subscription or resource group too)`,
      })),
  ];
  // Refused only when nothing can be evaluated; otherwise the watched gateways are queued and the
  // others listed in the 202 (one target this app cannot take never stops the others).
  if (watched.length === 0)
    return errorAnswer(
      422,
      'NotWatched',
      `${notTaken.map((t) => t.message).join('; ')}: alert rule ${quote(alert.alertRule)} was not taken`,
    );
  if (notTaken.length > 0)
    services.deps.logger.warn(
      `alert ${quote(alert.alertRule)}: ${notTaken.length} of its targets not evaluated: ${notTaken.map((t) => t.message).join('; ')}`,
    );
  const budget = services.budgetInMs ?? ALERT_INTAKE_BUDGET_IN_MS;
  let taken;
  try {
    taken = await withTimeout(
      budget,
      () =>
        takeGatewayAlert(
          services.deps,
          { ...alert, gateways: watched },
          {
            runId: services.runId,
            dedupWindowInMs: services.dedupWindowInMs,
          },
        ),
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
      notTaken,
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
