// The Flex Consumption plan and the function app (Linux, Node 22) with a system-assigned managed
// identity, and its app settings. Follows Azure-Samples/azure-functions-flex-consumption-samples
// (IaC/armtemplate/azuredeploy.json and IaC/bicep/main.bicep @9519a36: raw serverfarm + site,
// functionAppConfig, system-assigned identity) and Azure-Samples/functions-quickstart-typescript-azd
// (infra/app/api.bicep @cba3922: identity-based AzureWebJobsStorage__* settings, the
// 'azd-service-name' tag azd uses to find the app). Not copied: ours uses raw resources only.
//
// On Flex Consumption the runtime is functionAppConfig.runtime; FUNCTIONS_WORKER_RUNTIME and
// WEBSITE_NODE_DEFAULT_VERSION are deprecated there and deliberately not set.

param name string
param planName string
param location string = resourceGroup().location
param tags { *: string } = {}

@description('The azd service name in azure.yaml; azd finds the app by this tag.')
param serviceName string = 'app'

param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('APPGW_TARGETS: comma-separated ARM ids (subscriptions, resource groups or gateways).')
param appgwTargets string

@description('APPGW_SCHEDULE: NCRONTAB, 6 fields, UTC.')
param appgwSchedule string

param insightsContainerName string
param stateContainerName string
param queueName string

@secure()
@description('APPGW_WEBHOOKS: a JSON array of receivers; may hold URLs and secrets, hence secure.')
param appgwWebhooks string

@secure()
@description('More app settings (e.g. the OPS_WEBHOOK_URL a webhook names with fromEnv, APPGW_CONCURRENCY). The settings below win on a name clash.')
param additionalAppSettings { *: string } = {}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Host storage by identity (no AzureWebJobsStorage connection string, no account key). Without
// __clientId the host uses the system-assigned identity. The queue endpoint is needed because the
// app's queue trigger (APPGW_QUEUE_NAME) runs on host storage; the table endpoint serves host
// diagnostics. The app's own blob sink and state store read the same connection
// (APPGW_STORAGE_CONNECTION = AzureWebJobsStorage → AzureWebJobsStorage__blobServiceUri).
var hostStorageSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
}

var monitoringSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' // system-assigned identity: no ClientId
}

// Every name here is one the code reads (src/config/app-settings.ts, src/config/schedule.ts and the
// queue registration); test/infra/templates.test.ts checks that.
var appgwSettings = {
  APPGW_TARGETS: appgwTargets
  APPGW_SCHEDULE: appgwSchedule
  APPGW_STORAGE_CONNECTION: 'AzureWebJobsStorage'
  APPGW_BLOB_CONTAINER: insightsContainerName
  APPGW_STATE_CONTAINER: stateContainerName
  APPGW_QUEUE_NAME: queueName
  APPGW_WEBHOOKS: appgwWebhooks
}

// One 'appsettings' config resource replaces the whole set on every deployment, as the AVM site
// module's `configs: [{ name: 'appsettings' }]` in the Flex samples does: settings added by hand in
// the portal are removed by the next `azd provision`; put them in additionalAppSettings instead.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(additionalAppSettings, hostStorageSettings, monitoringSettings, appgwSettings)
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
