import { VALUE_CAPS, capText } from '../caps';
import type { GatewayAlert } from './common-alert-schema';
import { MAX_ALERT_ID, MAX_POOL_VALUES } from './common-alert-schema';

/**
 * Why a gateway was evaluated out of schedule: the Azure Monitor alert that asked for it. Carried by
 * the queue message (GatewayEvaluation.trigger, and its continuations), recorded in the gateway's
 * result in the report (`gateways[].trigger`) and in the log. Field names are a contract (report
 * readers): add, never rename. The fields are the alert's own, as GatewayAlert documents them
 * (`essentials.alertId`, `alertRule`, `severity`, `monitorCondition`, the two times in ISO 8601 UTC,
 * and the `BackendSettingsPool` values `<pool>~<settings>`, possibly none).
 */
export type AlertTrigger = { readonly kind: 'azure-monitor-alert' } & Pick<
  GatewayAlert,
  | 'alertId'
  | 'alertRule'
  | 'severity'
  | 'monitorCondition'
  | 'firedAt'
  | 'resolvedAt'
  | 'backendSettingsPools'
>;

/** The trigger an alert gives its evaluation. */
export function alertTrigger(alert: GatewayAlert): AlertTrigger {
  return {
    kind: 'azure-monitor-alert',
    alertId: alert.alertId,
    alertRule: alert.alertRule,
    severity: alert.severity,
    monitorCondition: alert.monitorCondition,
    firedAt: alert.firedAt,
    ...(alert.resolvedAt !== undefined ? { resolvedAt: alert.resolvedAt } : {}),
    backendSettingsPools: alert.backendSettingsPools,
  };
}

/**
 * One line for logs and summaries: `triggered by Azure Monitor alert "rule" (Fired 2026-…Z; pools
 * pool-a~settings-a)`. The rule name is quoted with JSON's escapes, so a crafted name cannot break a line.
 */
export function triggerText(trigger: AlertTrigger): string {
  const when =
    trigger.monitorCondition === 'Resolved' ? (trigger.resolvedAt ?? trigger.firedAt) : trigger.firedAt;
  const pools = trigger.backendSettingsPools.length
    ? `; ${trigger.backendSettingsPools
        .slice(0, 5)
        .map((p) => JSON.stringify(p))
        .join(', ')}${trigger.backendSettingsPools.length > 5 ? ', …' : ''}`
    : '';
  return `triggered by Azure Monitor alert ${JSON.stringify(trigger.alertRule)} (${trigger.severity}, ${trigger.monitorCondition} ${when}${pools})`;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isIso = (value: unknown): value is string => isString(value) && !Number.isNaN(Date.parse(value));

/**
 * A trigger read back from a queue message (untrusted: anyone with the queue's connection may write
 * one); undefined when it is not one. Values are re-capped.
 */
export function readAlertTrigger(value: unknown): AlertTrigger | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const t = value as Record<string, unknown>;
  if (
    t['kind'] !== 'azure-monitor-alert' ||
    !isString(t['alertId']) ||
    !isString(t['alertRule']) ||
    !isString(t['severity']) ||
    (t['monitorCondition'] !== 'Fired' && t['monitorCondition'] !== 'Resolved') ||
    !isIso(t['firedAt']) ||
    (t['resolvedAt'] !== undefined && !isIso(t['resolvedAt'])) ||
    !Array.isArray(t['backendSettingsPools']) ||
    !t['backendSettingsPools'].every(isString)
  )
    return undefined;
  return {
    kind: 'azure-monitor-alert',
    alertId: capText(t['alertId'], MAX_ALERT_ID),
    alertRule: capText(t['alertRule'], VALUE_CAPS.name),
    severity: capText(t['severity'], 8),
    monitorCondition: t['monitorCondition'],
    firedAt: new Date(Date.parse(t['firedAt'])).toISOString(),
    ...(t['resolvedAt'] !== undefined
      ? { resolvedAt: new Date(Date.parse(t['resolvedAt'] as string)).toISOString() }
      : {}),
    backendSettingsPools: (t['backendSettingsPools'] as string[])
      .slice(0, MAX_POOL_VALUES)
      .map((p) => capText(p, VALUE_CAPS.name * 2)),
  };
}
