// appgw-insights on Azure Functions Flex Consumption, for `azd up`.
//
// targetScope is 'subscription' (as in both azd Flex samples) because this deployment creates things
// above a resource group: the resource group itself, the "App Gateway Backend Health Reader" custom
// role definition, and — by default — that role's assignment on the whole subscription. Everything
// else lives in one resource group, deployed by the modules under app/.
//
// Follows Azure-Samples/functions-quickstart-typescript-azd (infra/main.bicep @cba3922) and
// Azure-Samples/azure-functions-flex-consumption-samples (IaC/bicep/main.bicep,
// IaC/armtemplate/azuredeploy.json @9519a36), with raw resources in place of their br/public:avm
// registry modules and a system-assigned identity in place of the quickstart's user-assigned one.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds the resource names.')
param environmentName string

// The regions offering Flex Consumption, as listed by Azure-Samples/functions-quickstart-typescript-azd
// (infra/main.bicep @cba3922); azd offers exactly these, and a typo fails before anything is deployed.
// A region added to Flex Consumption later: add it here (`az functionapp list-flexconsumption-locations`).
@minLength(1)
@description('Region for every resource; it must offer Flex Consumption.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'eastus2euap'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('APPGW_TARGETS: comma-separated ARM ids (subscription, resource group or gateway). Empty: the monitored scope (this subscription, or monitoredResourceGroup).')
param appgwTargets string = ''

@description('APPGW_SCHEDULE: the timer\'s NCRONTAB schedule, 6 fields, UTC.')
param appgwSchedule string = '0 */5 * * * *'

@secure()
@description('APPGW_WEBHOOKS: JSON array of notify-on-change receivers (see src/adapters/webhooks/README.md). Empty: [].')
param appgwWebhooks string = ''

@description('Where the function app may read gateways and their backend health: the whole subscription, or one resource group.')
@allowed(['subscription', 'resourceGroup'])
param monitoredScope string = 'subscription'

@description('The resource group holding the gateways when monitoredScope is resourceGroup (it must exist).')
param monitoredResourceGroup string = ''

@secure()
@description('More app settings for the function app, e.g. {"OPS_WEBHOOK_URL": "…", "APPGW_CONCURRENCY": "16"}; provisioning replaces the app\'s settings, so keep them here.')
param additionalAppSettings { *: string } = {}

@description('Name of the custom role; unique per tenant.')
param backendHealthReaderRoleName string = 'App Gateway Backend Health Reader'

@description('Name of the custom role with the backend-health poll reads, assigned on the subscription when monitoredScope is resourceGroup; unique per tenant.')
param operationStatusReaderRoleName string = 'App Gateway Operation Status Reader'

@minValue(40)
@maxValue(1000)
@description('Flex Consumption scale-out limit (instances).')
param maximumInstanceCount int = 40

@description('E-mail address the alerts on the watcher go to (ALERT_EMAIL); empty: none.')
param alertEmailAddress string = ''

@secure()
@description('Webhook the alerts on the watcher are posted to, common alert schema (ALERT_WEBHOOK_URL); empty: none.')
param alertWebhookUrl string = ''

@description('Minutes between discovery runs, for an APPGW_SCHEDULE whose period cannot be read from it (ALERT_SCHEDULE_PERIOD_MINUTES); empty: read from the schedule.')
param alertSchedulePeriodInMinutes string = ''

@description('Application gateway ARM ids, comma-separated (GATEWAY_ALERT_IDS): an Azure Monitor metric alert on each one\'s UnhealthyHostCount, wired to the azureMonitorAlert function; empty: none.')
param gatewayAlertIds string = ''

@minValue(0)
@maxValue(4)
@description('Severity of the gateway alert rules (Azure Monitor Baseline Alerts: 1).')
param gatewayAlertSeverity int = 1

@minValue(0)
@description('The gateway alert rules fire above this average unhealthy host count (Azure Monitor Baseline Alerts: 0).')
param gatewayAlertThreshold int = 0

@secure()
@description('Value of the function key the gateway alerts\' action group calls the function with; a new one each deployment by default.')
param gatewayAlertKey string = newGuid()

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
// As the quickstart sample names it (infra/main.bicep @cba3922).
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
// Names known before anything is deployed, passed to the modules instead of other modules' outputs so
// What-If can predict every resource (lint rule what-if-short-circuiting); dependsOn keeps the order.
var storageAccountName = 'st${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var insightsContainerName = 'insights'
var stateContainerName = 'appgw-state'
var queueName = 'appgw-evaluate'

// APPGW_TARGETS defaults to what the identity may read: this subscription, or the monitored group.
var ownSubscription = '/subscriptions/${subscription().subscriptionId}'
var defaultTargets = monitoredScope == 'resourceGroup' ? '${ownSubscription}/resourceGroups/${monitoredResourceGroup}' : ownSubscription
var targets = empty(appgwTargets) ? defaultTargets : appgwTargets
// azd passes an unset environment variable as '', which would override a parameter's default.
var schedule = empty(appgwSchedule) ? '0 */5 * * * *' : appgwSchedule
var webhooks = empty(appgwWebhooks) ? '[]' : appgwWebhooks

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    appContainerNames: [insightsContainerName, stateContainerName]
    queueNames: [queueName, '${queueName}-poison']
  }
}

module functionApp './app/function-app.bicep' = {
  name: 'functionApp'
  scope: rg
  dependsOn: [monitoring, storage]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: 'app'
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: 2048
    appgwTargets: targets
    appgwSchedule: schedule
    insightsContainerName: insightsContainerName
    stateContainerName: stateContainerName
    queueName: queueName
    appgwWebhooks: webhooks
    additionalAppSettings: additionalAppSettings
  }
}

// Storage (blob, queue, table) and Application Insights roles on those resources only.
module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  dependsOn: [functionApp]
  params: {
    functionAppName: functionAppName
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
  }
}

// Alerts on the watcher itself (no discovery run, poisoned gateway, identity refused, undelivered
// notices), over the telemetry in Application Insights, with an action group when an address is given.
module alerts './app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  dependsOn: [monitoring]
  params: {
    functionAppName: functionAppName
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
    appgwSchedule: schedule
    schedulePeriodInMinutes: empty(alertSchedulePeriodInMinutes) ? 0 : int(alertSchedulePeriodInMinutes)
    alertEmailAddress: alertEmailAddress
    alertWebhookUrl: alertWebhookUrl
  }
}

// Optional: metric alerts on the chosen gateways' UnhealthyHostCount, whose action group posts to the
// azureMonitorAlert function (an evaluation of the gateway at once). Off while gatewayAlertIds is empty.
var alertedGateways = filter(map(split(gatewayAlertIds, ','), id => trim(id)), id => !empty(id))

module gatewayAlerts './app/gateway-alerts.bicep' = if (!empty(alertedGateways)) {
  name: 'gatewayAlerts'
  scope: rg
  dependsOn: [functionApp]
  params: {
    functionAppName: functionAppName
    tags: tags
    gatewayIds: alertedGateways
    severity: gatewayAlertSeverity
    threshold: gatewayAlertThreshold
    alertKey: gatewayAlertKey
  }
}

// The ARM side: custom role + assignment at the monitored scope (a subscription-scoped module), and
// for a resource-group scope the poll reads on the subscription.
module backendHealthReader './app/backend-health-reader-role.bicep' = {
  name: 'backendHealthReader-${resourceToken}' // a subscription-level deployment: one per environment
  dependsOn: [functionApp]
  params: {
    roleName: backendHealthReaderRoleName
    operationStatusReaderRoleName: operationStatusReaderRoleName
    functionAppName: functionAppName
    appResourceGroupName: rg.name
    monitoredScope: monitoredScope
    monitoredResourceGroup: monitoredResourceGroup
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
// Not named after an input variable: azd writes outputs back into the environment it reads inputs from.
output BACKEND_HEALTH_READER_ROLE_ID string = backendHealthReader.outputs.roleDefinitionId
output BACKEND_HEALTH_READER_SCOPE string = backendHealthReader.outputs.assignedScope
