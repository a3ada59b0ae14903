// Optional: an Azure Monitor metric alert on each chosen gateway's UnhealthyHostCount, as Azure Monitor
// Baseline Alerts define it, with an action group whose webhook posts the alert (common alert schema)
// to this app's azureMonitorAlert function, which queues an evaluation of that gateway at once and
// sends the insight (which server, why, what to do) to the receivers.
//
// The rule, from Azure/azure-monitor-baseline-alerts services/Network/applicationGateways
// (templates/bicep/UnhealthyHostCount_c88acf4e-2d23-4ac7-93fb-e44ded53ecee.bicep, and alerts.yaml):
// metric UnhealthyHostCount of Microsoft.Network/applicationGateways, StaticThresholdCriterion,
// timeAggregation Average, operator GreaterThan, threshold 0, windowSize PT5M, evaluationFrequency PT1M,
// severity 1. (The ALZ policy Deploy-AGW-UnhealthyHostCount-Alert.json uses severity 2 and threshold 20
// with autoMitigate true; both are parameters here.) Ours adds the split by the metric's dimension
// BackendSettingsPool (`<pool>~<settings>`, operator Include, values ['*']): one alert per pool and
// setting, so the alert names the pool; and autoMitigate true, so Azure Monitor sends Resolved (the app
// evaluates again then; it sends `recovered` only on its own reading).
//
// Resource shapes: Microsoft.Insights/metricAlerts 2018-03-01 (SingleResourceMultipleMetricCriteria:
// one resource per rule, dimensions allowed), Microsoft.Insights/actionGroups 2023-01-01 (webhook
// receiver with useCommonAlertSchema), Microsoft.Web/sites/host/functionKeys (a host-level function key:
// "Add or update a host level secret", Web Apps REST API; below). The key's value is a secure parameter
// (main.bicep's default is newGuid(), so every provision rotates it and rewires the action group in the
// same deployment); it is never an output. A host key opens every function with authLevel 'function'.

@description('Names the key and the action group after the app.')
param functionAppName string

param tags { *: string } = {}

@minLength(1)
@description('Application gateway ARM ids, one metric alert rule each (of this subscription: a rule lives in this resource group).')
param gatewayIds string[]

@minValue(0)
@maxValue(4)
@description('Severity of the rules (0 critical … 4 verbose); Azure Monitor Baseline Alerts: 1.')
param severity int = 1

@minValue(0)
@description('The rule fires when the average unhealthy host count over 5 minutes is greater than this; Azure Monitor Baseline Alerts: 0.')
param threshold int = 0

@secure()
@description('The value of the function key the action group calls the function with.')
param alertKey string

var keyName = 'azure-monitor-alerts'

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// The compiler has no types for these two (BCP081 warns, and infra:build fails on any warning): the
// Azure Functions docs' own Bicep example for a host-level key uses this type and says the same
// (learn.microsoft.com/azure/azure-functions/function-keys-how-to, "Microsoft.Web/sites/host/functionKeys
// @2022-09-01"). Its shape: name `<site>/default/<key>`, properties {name, value}.
#disable-next-line BCP081
resource host 'Microsoft.Web/sites/host@2022-09-01' existing = {
  parent: functionApp
  name: 'default'
}

#disable-next-line BCP081
resource functionKey 'Microsoft.Web/sites/host/functionKeys@2022-09-01' = {
  parent: host
  name: keyName
  properties: {
    name: keyName
    value: alertKey
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${functionAppName}-gateways'
  location: 'Global'
  tags: tags
  dependsOn: [functionKey]
  properties: {
    groupShortName: 'appgw-enrich'
    enabled: true
    webhookReceivers: [
      {
        name: 'appgw-insights'
        serviceUri: 'https://${functionApp.properties.defaultHostName}/api/alerts/azure-monitor?code=${alertKey}'
        useCommonAlertSchema: true
      }
    ]
  }
}

resource unhealthyHostCount 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for id in gatewayIds: {
    name: 'agw-unhealthy-hosts-${last(split(id, '/'))}-${uniqueString(toLower(id))}'
    location: 'global'
    tags: tags
    properties: {
      description: 'Number of unhealthy backend hosts (Azure Monitor Baseline Alerts), split by BackendSettingsPool; the webhook asks appgw-insights which servers and why.'
      severity: severity
      enabled: true
      scopes: [id]
      evaluationFrequency: 'PT1M'
      windowSize: 'PT5M'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: 'UnhealthyHostCount'
            metricNamespace: 'Microsoft.Network/applicationGateways'
            metricName: 'UnhealthyHostCount'
            dimensions: [
              {
                name: 'BackendSettingsPool'
                operator: 'Include'
                values: ['*']
              }
            ]
            operator: 'GreaterThan'
            threshold: threshold
            timeAggregation: 'Average'
          }
        ]
      }
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]
