// Log Analytics workspace + workspace-based Application Insights with local (instrumentation-key)
// authentication disabled: the app sends telemetry with its managed identity
// (APPLICATIONINSIGHTS_AUTHENTICATION_STRING = 'Authorization=AAD' + Monitoring Metrics Publisher,
// granted in rbac.bicep). Raw resources in place of the AVM modules used by
// Azure-Samples/functions-quickstart-typescript-azd (infra/main.bicep @cba3922); API versions and
// properties as in Azure-Samples/azure-functions-flex-consumption-samples
// (IaC/armtemplate/azuredeploy.json @9519a36).

param logAnalyticsName string
param applicationInsightsName string
param location string = resourceGroup().location
param tags { *: string } = {}

@minValue(30)
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionInDays
    sku: {
      name: 'PerGB2018'
    }
    features: {
      searchVersion: 1
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true // Entra ID ingestion only, as the azd sample's disableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
output logAnalyticsName string = logAnalytics.name
