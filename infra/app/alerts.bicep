// Alerts on the watcher itself: log search alert rules over the telemetry records the app writes to
// Application Insights (README "Telemetry": one trace per record, message `<name> <JSON>`), and the
// action group they notify.
//
// - no completed discovery run (`appgw.run`, step `discover`) for 3 periods of the timer's schedule;
// - a poisoned gateway message (`appgw.gateway`, step `poison`);
// - Resource Manager refusing the app's identity (`appgw.gateway` / `appgw.target` with errorCode
//   AuthorizationFailed or AuthenticationFailed);
// - a notice undelivered for more than an hour (`appgw.notify`, oldestUndeliveredAgeInMs).
//
// Resource shapes: Microsoft.Insights/scheduledQueryRules 2023-12-01 (azure-rest-api-specs,
// specification/monitor/resource-manager/Microsoft.Insights/stable/2023-12-01/scheduledQueryRule_API.json)
// and Microsoft.Insights/actionGroups 2023-01-01. Allowed evaluation frequencies and windows are those
// the service takes, as hashicorp/terraform-provider-azurerm validates them
// (internal/services/monitor/monitor_scheduled_query_rules_alert_v2_resource.go): frequency PT1M–PT6H or
// P1D, window the same or P2D. Frequency from 1 minute to 1 day and a time range of at most 2 days:
// https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-create-log-alert-rule. A 1-minute
// frequency restricts the query (no union, search, take), so these rules run every 5 minutes at most.

@description('Names the rules and the action group after the app.')
param functionAppName string

param location string = resourceGroup().location
param tags { *: string } = {}

@description('The Application Insights component the app sends its telemetry to: the rules\' scope.')
param applicationInsightsName string

@description('APPGW_SCHEDULE, the discovery timer\'s NCRONTAB schedule (6 fields, or 5) or hh:mm:ss: the "no discovery run" rule looks back 3 of its periods.')
param appgwSchedule string

@minValue(0)
@description('The schedule\'s period in minutes, for a schedule whose period cannot be read from it (see below); 0: read it from appgwSchedule.')
param schedulePeriodInMinutes int = 0

@description('E-mail address the alerts go to; empty: none.')
param alertEmailAddress string = ''

@secure()
@description('Webhook (https) the alerts are posted to, in the common alert schema; empty: none. Secure: such URLs often carry a token.')
param alertWebhookUrl string = ''

// ---------------------------------------------------------------- the schedule's period
// Read from the NCRONTAB fields (second minute hour day month day-of-week; 5 fields start at the
// minute), separated by single spaces, for the shapes a watcher uses: every N minutes (`0 */5 * * * *`,
// `0 5/10 * * * *`), every minute (`0 * * * * *`), hourly (`0 15 * * * *`), every N hours
// (`0 0 */2 * * *`), daily (`0 30 6 * * *`), and the hh:mm:ss interval form (`00:10:00`). Any other
// shape (lists, ranges, particular days) has no single period: the deployment then fails asking for
// schedulePeriodInMinutes (azd: ALERT_SCHEDULE_PERIOD_MINUTES).
var scheduleFields = split(appgwSchedule, ' ')
var isTimeSpan = length(scheduleFields) == 1 && length(split(appgwSchedule, ':')) == 3
var fieldOffset = length(scheduleFields) == 6 ? 1 : 0
var minuteField = length(scheduleFields) >= 5 ? scheduleFields[fieldOffset] : ''
var hourField = length(scheduleFields) >= 5 ? scheduleFields[fieldOffset + 1] : ''
var everyDay = length(scheduleFields) >= 5 && join(skip(scheduleFields, fieldOffset + 2), ' ') == '* * *'
var minuteIsNumber = !empty(minuteField) && !contains(minuteField, '*') && !contains(minuteField, '/') && !contains(minuteField, ',') && !contains(minuteField, '-')
var hourIsNumber = !empty(hourField) && !contains(hourField, '*') && !contains(hourField, '/') && !contains(hourField, ',') && !contains(hourField, '-')
var minuteIsStep = contains(minuteField, '/') && !contains(minuteField, ',') && !contains(minuteField, '-')
var hourIsStep = contains(hourField, '/') && !contains(hourField, ',') && !contains(hourField, '-')
var timeSpanParts = split(appgwSchedule, ':')
var derivedPeriodInMinutes = isTimeSpan
  ? max(1, (int(timeSpanParts[0]) * 3600 + int(timeSpanParts[1]) * 60 + int(timeSpanParts[2]) + 59) / 60)
  : !everyDay
      ? 0
      : minuteIsStep && hourField == '*'
          ? int(last(split(minuteField, '/')))
          : minuteField == '*' && hourField == '*'
              ? 1
              : minuteIsNumber && hourField == '*'
                  ? 60
                  : minuteIsNumber && hourIsStep ? 60 * int(last(split(hourField, '/'))) : minuteIsNumber && hourIsNumber ? 1440 : 0
var periodInMinutes = schedulePeriodInMinutes > 0
  ? schedulePeriodInMinutes
  : derivedPeriodInMinutes > 0
      ? derivedPeriodInMinutes
      : fail('APPGW_SCHEDULE "${appgwSchedule}" has no single period the "no discovery run" alert can count in (a list, a range or particular days): set schedulePeriodInMinutes (azd env set ALERT_SCHEDULE_PERIOD_MINUTES <minutes between runs>).')

// Every rule looks back 3 periods (at most the 2 days an alert query may span) and runs every period
// (at least every 5 minutes, at most every hour).
var lookbackInMinutes = min(3 * periodInMinutes, 2880)
var windows = [
  { minutes: 5, duration: 'PT5M' }
  { minutes: 10, duration: 'PT10M' }
  { minutes: 15, duration: 'PT15M' }
  { minutes: 30, duration: 'PT30M' }
  { minutes: 45, duration: 'PT45M' }
  { minutes: 60, duration: 'PT1H' }
  { minutes: 120, duration: 'PT2H' }
  { minutes: 180, duration: 'PT3H' }
  { minutes: 240, duration: 'PT4H' }
  { minutes: 300, duration: 'PT5H' }
  { minutes: 360, duration: 'PT6H' }
  { minutes: 1440, duration: 'P1D' }
  { minutes: 2880, duration: 'P2D' }
]
// The smallest window holding the lookback (the query's own ago() then narrows it to exactly that).
var windowSize = (first(filter(windows, w => w.minutes >= lookbackInMinutes)) ?? last(windows)).duration
// The longest frequency up to one period, between 5 minutes and an hour.
var evaluationFrequency = (last(filter(windows, w => w.minutes >= 5 && w.minutes <= 60 && w.minutes <= max(5, periodInMinutes))) ?? first(windows)).duration

// Each query reads the records as README "Telemetry" shows: `<name> <JSON>` in the trace's message.
var record = 'extend r = parse_json(substring(message, indexof(message, " ") + 1))'

var rules = [
  {
    name: 'no-discovery-run'
    displayName: 'appgw-insights: no discovery run'
    severity: 1
    operator: 'LessThan'
    threshold: 1
    description: 'No discovery run of appgw-insights completed in ${lookbackInMinutes} minutes (3 periods of its schedule): gateways are not being checked. Check in the portal that the function app is running and look at discoverGateways\' failures (Application Insights, exceptions). An app setting that is wrong stops every function at start, naming the setting: fix it (azd env set, azd provision). A run that cannot queue its gateways needs Storage Queue Data Contributor for the app\'s identity on its storage account (azd provision restores it).'
    query: format('''traces
| where timestamp > ago({0}m)
| where message startswith "appgw.run "
| {1}
| where tostring(r.step) == "discover"
| project timestamp, runId = tostring(r.runId), ok = tobool(r.ok)''', lookbackInMinutes, record)
  }
  {
    name: 'poisoned-gateway'
    displayName: 'appgw-insights: a gateway message was poisoned'
    severity: 2
    operator: 'GreaterThan'
    threshold: 0
    description: 'A gateway could not be evaluated in any of the Functions host\'s tries and its queue message went to the poison queue. The alert\'s results name the gateway and run; README "Telemetry", query "Failed gateways by error" (without its retrying filter) shows the errors of its tries (throttling, time-outs, ARM unreachable, a sink). Fix that cause; the next scheduled run checks the gateway again.'
    query: format('''traces
| where timestamp > ago({0}m)
| where message startswith "appgw.gateway "
| {1}
| where tostring(r.step) == "poison"
| project timestamp, runId = tostring(r.runId), gatewayId = tostring(r.gatewayId)''', lookbackInMinutes, record)
  }
  {
    name: 'identity-refused'
    displayName: 'appgw-insights: Resource Manager refuses the app\'s identity'
    severity: 1
    operator: 'GreaterThan'
    threshold: 0
    description: 'Azure Resource Manager refused appgw-insights\' managed identity (AuthorizationFailed: a role is missing; AuthenticationFailed: no valid token) for a gateway or a target: those gateways are not being checked. Assign the role App Gateway Backend Health Reader to the function app\'s identity on the monitored scope, and the poll reads on the subscription (infra/README.md, "Least privilege"); azd provision restores both. The alert\'s results name each gateway or target.'
    query: format('''traces
| where timestamp > ago({0}m)
| where message startswith "appgw.gateway " or message startswith "appgw.target "
| {1}
| where tostring(r.errorCode) in ("AuthorizationFailed", "AuthenticationFailed")
| project timestamp, errorCode = tostring(r.errorCode), gatewayId = tostring(r.gatewayId), target = tostring(r.target)''', lookbackInMinutes, record)
  }
  {
    name: 'notices-undelivered'
    displayName: 'appgw-insights: notices undelivered for over an hour'
    severity: 2
    operator: 'GreaterThan'
    threshold: 0
    description: 'A notice to a webhook receiver has been undelivered for more than an hour: the receiver keeps failing (it waits and is sent again each run) or refused it for good (a dead letter). The alert\'s results name the receiver and gateway. See which and why: appgw-insights notify list --config <a config with the app\'s state.blob>. Fix the receiver (its URL, secret or availability); dead letters are sent again only with appgw-insights notify resend (README "Notify on change").'
    query: format('''traces
| where timestamp > ago({0}m)
| where message startswith "appgw.notify "
| {1}
| summarize arg_max(timestamp, r) by receiver = tostring(r.receiver), gatewayId = tostring(r.gatewayId), step = tostring(r.step)
| where tolong(r.oldestUndeliveredAgeInMs) > 3600000
| project timestamp, receiver, gatewayId, pending = toint(r.pending), deadLetters = toint(r.deadLetters), oldestUndeliveredAt = tostring(r.oldestUndeliveredAt)''', lookbackInMinutes, record)
  }
]

// Without an e-mail address or a webhook the rules are deployed all the same, without actions: fired
// alerts show in the portal (Monitor > Alerts) and an action group can be added to them later.
var hasActions = !empty(alertEmailAddress) || !empty(alertWebhookUrl)

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (hasActions) {
  name: 'ag-${functionAppName}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'appgw-watch'
    enabled: true
    emailReceivers: empty(alertEmailAddress)
      ? []
      : [
          {
            name: 'email'
            emailAddress: alertEmailAddress
            useCommonAlertSchema: true
          }
        ]
    webhookReceivers: empty(alertWebhookUrl)
      ? []
      : [
          {
            name: 'webhook'
            serviceUri: alertWebhookUrl
            useCommonAlertSchema: true
          }
        ]
  }
}

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in rules: {
    name: '${functionAppName}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [applicationInsights.id]
      evaluationFrequency: evaluationFrequency
      windowSize: windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Count'
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: hasActions ? [actionGroup.id] : []
      }
    }
  }
]

output alertRuleNames string[] = [for (rule, i) in rules: alertRules[i].name]
output schedulePeriodInMinutes int = periodInMinutes
