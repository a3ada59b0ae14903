import { parseGatewayId } from '../arm-id';
import { VALUE_CAPS, capText } from '../caps';
import { describe, quote } from '../json-describe';
import type { GatewayRef } from '../model';

/**
 * Reading an Azure Monitor alert notification in the common alert schema, as an action group's webhook
 * posts it (`useCommonAlertSchema: true`), for a metric alert on an Application Gateway's
 * `UnhealthyHostCount`: the one kind of alert this app can enrich. Pure: the function handler gives it
 * the parsed body; nothing here trusts a field it did not check.
 *
 * Sources (the field names and values are Microsoft's):
 * - learn.microsoft.com/azure/azure-monitor/alerts/alerts-common-schema (`schemaId`
 *   `azureMonitorCommonAlertSchema`; `data.essentials`: `alertId`, `alertRule`, `severity` Sev0–Sev4,
 *   `signalType`, `monitorCondition` Fired/Resolved, `alertTargetIDs`, `firedDateTime`,
 *   `resolvedDateTime`; `data.alertContext` by signal type);
 * - learn.microsoft.com/azure/azure-monitor/alerts/alerts-payload-samples (metric alert contexts:
 *   `conditionType` `SingleResourceMultipleMetricCriteria` for a static threshold,
 *   `DynamicThresholdCriteria` for a dynamic one, `condition.allOf[]` with `metricName`,
 *   `metricNamespace`, `operator`, `threshold` (a string), `timeAggregation`, `dimensions[] {name,
 *   value}`, `metricValue`); the ids in `alertTargetIDs` are written in lower case there;
 * - the metric's dimension `BackendSettingsPool`, valued `<pool>~<backend settings>`
 *   (learn.microsoft.com/azure/application-gateway/monitor-application-gateway-reference, and the
 *   AGIC autoscaling sample's filter `BackendSettingsPool eq '<backend-pool-name>~<backend-http-setting-name>'`).
 */

/** The one metric whose alerts are taken (learn.microsoft.com … monitor-application-gateway-reference). */
export const ALERT_METRIC = 'UnhealthyHostCount';
/** The metric namespace of Application Gateway (a `metricNamespace` field, when present, must be it). */
export const ALERT_METRIC_NAMESPACE = 'Microsoft.Network/applicationGateways';
/** The dimension that names a pool and its backend settings: `<pool>~<settings>`. */
export const POOL_DIMENSION = 'BackendSettingsPool';
/** Metric alert condition types (alerts-payload-samples); web tests and log alerts are refused. */
export const METRIC_CONDITION_TYPES = [
  'SingleResourceMultipleMetricCriteria',
  'MultipleResourceMultipleMetricCriteria',
  'DynamicThresholdCriteria',
] as const;
/** One alert names one resource (a multi-resource rule fires one alert per resource); a few are allowed. */
export const MAX_ALERT_TARGETS = 10;
/** At most this many `BackendSettingsPool` values are kept (a gateway has at most 100 pools). */
export const MAX_POOL_VALUES = 100;
/** Longest alert id kept: ARM ids run to a few hundred characters. */
export const MAX_ALERT_ID = 1_024;

export type MonitorCondition = 'Fired' | 'Resolved';

/** An alert this app can act on: which gateways to evaluate now, and what to record about why. */
export interface GatewayAlert {
  /** `essentials.alertId`: the alert instance's ARM id (`/subscriptions/…/providers/Microsoft.AlertsManagement/alerts/<guid>`). */
  readonly alertId: string;
  /** `essentials.alertRule`: the rule's name (capped to VALUE_CAPS.name). */
  readonly alertRule: string;
  /** `essentials.severity`: `Sev0` (critical) … `Sev4` (verbose). */
  readonly severity: string;
  readonly monitorCondition: MonitorCondition;
  /** ISO 8601 UTC. */
  readonly firedAt: string;
  /** ISO 8601 UTC; `Resolved` only. */
  readonly resolvedAt?: string;
  /** `alertTargetIDs` that are application gateways (as the alert writes them: often in lower case); never empty. */
  readonly gateways: readonly GatewayRef[];
  /**
   * The other `alertTargetIDs` (a multi-resource rule may name a VM or a load balancer beside a
   * gateway): left out, saying why, while the gateways are still taken. Empty when every target is one.
   */
  readonly notTaken: readonly NotTakenTarget[];
  /** `BackendSettingsPool` dimension values (`<pool>~<settings>`) the alert was raised for; may be empty. */
  readonly backendSettingsPools: readonly string[];
  /** The condition type (one of METRIC_CONDITION_TYPES). */
  readonly conditionType: string;
}

/** One alert target left out of an alert that is otherwise taken (its gateways are still evaluated). */
export interface NotTakenTarget {
  /** The target id as the alert wrote it, capped at MAX_TARGET_TEXT characters. */
  readonly target: string;
  /** `NotApplicationGateway` here; `NotWatched` added by the HTTP answer for a gateway outside the targets. */
  readonly code: 'NotApplicationGateway' | 'NotWatched';
  /** What to change, for a person (the id quoted and escaped). */
  readonly message: string;
}

/** Longest target id kept in a NotTakenTarget (ARM ids run to a few hundred characters). */
export const MAX_TARGET_TEXT = 300;

/** Why a body is not taken: the HTTP status to answer and a code and message saying what to change. */
export interface AlertRefusal {
  /** 400: not the common alert schema, or not well formed; 422: well formed, but not an alert this app takes. */
  readonly status: 400 | 422;
  readonly code:
    | 'NotCommonAlertSchema'
    | 'InvalidAlert'
    | 'NotMetricAlert'
    | 'MetricNotSupported'
    | 'NotApplicationGateway';
  readonly message: string;
}

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SEVERITIES = new Set(['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4']);
/** ISO 8601 date-time with a zone (the samples write 7 fraction digits and `Z`). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The alert in `body` (a parsed JSON value), or why it is refused. Strict: every field this app uses
 * must be there with its documented type; a signal other than Metric, a rule with no condition on
 * UnhealthyHostCount, or one whose targets are none of them a `Microsoft.Network/applicationGateways` id
 * is refused saying so (an action group shared with other rules posts those too, and each refusal names
 * the rule to unhook). Per target and per condition it is lenient instead: one gateway among other
 * resources is taken (the others listed in `notTaken`), and UnhealthyHostCount beside other metrics in
 * `allOf` is taken (the others are not read): one target or condition this app cannot use never stops
 * the gateway it can evaluate.
 */
export function readGatewayAlert(body: Json): GatewayAlert | AlertRefusal {
  if (!isObject(body)) return invalid(`the body must be a JSON object; found ${describe(body)}`);
  if (body['schemaId'] !== 'azureMonitorCommonAlertSchema')
    return {
      status: 400,
      code: 'NotCommonAlertSchema',
      message: `schemaId must be "azureMonitorCommonAlertSchema" (found ${describe(body['schemaId'])}): turn on "Enable the common alert schema" (useCommonAlertSchema) for this webhook in the action group`,
    };
  const data = body['data'];
  if (!isObject(data)) return invalid(`data must be an object; found ${describe(data)}`);
  const essentials = data['essentials'];
  if (!isObject(essentials))
    return invalid(`data.essentials must be an object; found ${describe(essentials)}`);
  const text = (name: string, max: number): string | AlertRefusal => {
    const value = essentials[name];
    if (typeof value !== 'string' || value.trim() === '')
      return invalid(`data.essentials.${name} must be a non-empty string; found ${describe(value)}`);
    if (value.length > max)
      return invalid(`data.essentials.${name} is ${value.length} characters long; at most ${max} are taken`);
    return value;
  };
  const alertId = text('alertId', MAX_ALERT_ID);
  if (typeof alertId !== 'string') return alertId;
  const ruleText = essentials['alertRule'];
  if (typeof ruleText !== 'string' || ruleText.trim() === '')
    return invalid(`data.essentials.alertRule must be a non-empty string; found ${describe(ruleText)}`);
  const alertRule = capText(ruleText, VALUE_CAPS.name);
  const where = `alert rule ${quote(alertRule)}`;
  const severity = essentials['severity'];
  if (typeof severity !== 'string' || !SEVERITIES.has(severity))
    return invalid(`data.essentials.severity must be one of Sev0 … Sev4; found ${describe(severity)}`);
  const signalType = essentials['signalType'];
  if (signalType !== 'Metric')
    return {
      status: 422,
      code: 'NotMetricAlert',
      message: `${where}: only metric alerts (signalType "Metric") on ${ALERT_METRIC} are taken; found signalType ${describe(signalType)}. Remove this webhook from the rule's action group`,
    };
  const monitorCondition = essentials['monitorCondition'];
  if (monitorCondition !== 'Fired' && monitorCondition !== 'Resolved')
    return invalid(
      `data.essentials.monitorCondition must be "Fired" or "Resolved"; found ${describe(monitorCondition)}`,
    );
  const firedAt = dateTime(essentials['firedDateTime'], 'firedDateTime');
  if (typeof firedAt !== 'string') return firedAt;
  let resolvedAt: string | undefined;
  if (monitorCondition === 'Resolved') {
    const resolved = dateTime(essentials['resolvedDateTime'], 'resolvedDateTime');
    if (typeof resolved !== 'string') return resolved;
    resolvedAt = resolved;
  }
  const targets = readTargets(essentials['alertTargetIDs'], where);
  if ('status' in targets) return targets;
  const context = readMetricContext(data['alertContext'], where);
  if ('status' in context) return context;
  return {
    alertId,
    alertRule,
    severity,
    monitorCondition,
    firedAt,
    ...(resolvedAt !== undefined ? { resolvedAt } : {}),
    gateways: targets.gateways,
    notTaken: targets.notTaken,
    backendSettingsPools: context.pools,
    conditionType: context.conditionType,
  };
}

/** Whether readGatewayAlert refused the body. */
export function isAlertRefusal(value: GatewayAlert | AlertRefusal): value is AlertRefusal {
  return 'status' in value;
}

function invalid(message: string): AlertRefusal {
  return { status: 400, code: 'InvalidAlert', message };
}

function dateTime(value: Json, name: string): string | AlertRefusal {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
    return invalid(
      `data.essentials.${name} must be an ISO 8601 date-time (2019-03-22T13:58:24.3713213Z); found ${describe(value)}`,
    );
  return new Date(Date.parse(value)).toISOString();
}

function readTargets(
  value: Json,
  where: string,
): { gateways: GatewayRef[]; notTaken: NotTakenTarget[] } | AlertRefusal {
  if (!Array.isArray(value) || value.length === 0)
    return invalid(
      `data.essentials.alertTargetIDs must be a non-empty array of ARM ids; found ${describe(value)}`,
    );
  if (value.length > MAX_ALERT_TARGETS)
    return invalid(
      `data.essentials.alertTargetIDs names ${value.length} resources; at most ${MAX_ALERT_TARGETS} are taken (a metric alert names one)`,
    );
  const gateways: GatewayRef[] = [];
  const notTaken: NotTakenTarget[] = [];
  for (const [i, id] of value.entries()) {
    if (typeof id !== 'string')
      return invalid(`data.essentials.alertTargetIDs[${i}] must be a string; found ${describe(id)}`);
    const gateway = parseGatewayId(id);
    if (!gateway) {
      // Left out, not refused: a multi-resource rule may name a gateway beside it, and that one is taken.
      notTaken.push({
        target: capText(id, MAX_TARGET_TEXT),
        code: 'NotApplicationGateway',
        message: `alertTargetIDs[${i}] ${quote(id, MAX_TARGET_TEXT)} is not a Microsoft.Network/applicationGateways resource; only application gateways are evaluated`,
      });
      continue;
    }
    if (!gateways.some((g) => g.id.toLowerCase() === gateway.id.toLowerCase())) gateways.push(gateway);
  }
  if (gateways.length === 0)
    return {
      status: 422,
      code: 'NotApplicationGateway',
      message: `${where}: ${notTaken.map((t) => t.message).join('; ')}. Remove this webhook from the rule's action group`,
    };
  return { gateways, notTaken };
}

function readMetricContext(
  context: Json,
  where: string,
): { pools: string[]; conditionType: string } | AlertRefusal {
  if (!isObject(context)) return invalid(`data.alertContext must be an object; found ${describe(context)}`);
  const conditionType = context['conditionType'];
  if (
    typeof conditionType !== 'string' ||
    !(METRIC_CONDITION_TYPES as readonly string[]).includes(conditionType)
  )
    return {
      status: 422,
      code: 'NotMetricAlert',
      message: `${where}: data.alertContext.conditionType must be a metric criteria (${METRIC_CONDITION_TYPES.join(', ')}); found ${describe(conditionType)}`,
    };
  const condition = context['condition'];
  if (!isObject(condition))
    return invalid(`data.alertContext.condition must be an object; found ${describe(condition)}`);
  const allOf = condition['allOf'];
  if (!Array.isArray(allOf) || allOf.length === 0)
    return invalid(`data.alertContext.condition.allOf must be a non-empty array; found ${describe(allOf)}`);
  const pools: string[] = [];
  // Conditions on other metrics (a rule may watch UnhealthyHostCount and FailedRequests together) are
  // checked for shape but not read: the alert is taken when any condition is UnhealthyHostCount.
  const others: string[] = [];
  let taken = false;
  for (const [i, criterion] of allOf.entries()) {
    const at = `data.alertContext.condition.allOf[${i}]`;
    if (!isObject(criterion)) return invalid(`${at} must be an object; found ${describe(criterion)}`);
    const metricName = criterion['metricName'];
    if (typeof metricName !== 'string')
      return invalid(`${at}.metricName must be a string; found ${describe(metricName)}`);
    // Metric names are matched as Azure Monitor matches them: in any case.
    if (metricName.toLowerCase() !== ALERT_METRIC.toLowerCase()) {
      others.push(`metric ${quote(metricName)}`);
      continue;
    }
    const namespace = criterion['metricNamespace'];
    if (namespace !== undefined && namespace !== null) {
      if (typeof namespace !== 'string' || namespace.toLowerCase() !== ALERT_METRIC_NAMESPACE.toLowerCase()) {
        others.push(`${at}.metricNamespace ${describe(namespace)}`);
        continue;
      }
    }
    taken = true;
    const dimensions = criterion['dimensions'];
    if (dimensions === undefined || dimensions === null) continue;
    if (!Array.isArray(dimensions))
      return invalid(`${at}.dimensions must be an array; found ${describe(dimensions)}`);
    for (const [j, dimension] of dimensions.entries()) {
      if (
        !isObject(dimension) ||
        typeof dimension['name'] !== 'string' ||
        typeof dimension['value'] !== 'string'
      )
        return invalid(
          `${at}.dimensions[${j}] must be {"name": string, "value": string}; found ${describe(dimension)}`,
        );
      if (dimension['name'].toLowerCase() !== POOL_DIMENSION.toLowerCase()) continue;
      const value = capText(dimension['value'], VALUE_CAPS.name * 2);
      if (!pools.includes(value) && pools.length < MAX_POOL_VALUES) pools.push(value);
    }
  }
  if (!taken)
    return {
      status: 422,
      code: 'MetricNotSupported',
      message: `${where}: no condition is on ${ALERT_METRIC} of ${ALERT_METRIC_NAMESPACE} (the only metric that says which backend servers to look at; metricNamespace must be ${ALERT_METRIC_NAMESPACE}); found ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}. Remove this webhook from the rule's action group`,
    };
  return { pools, conditionType };
}
