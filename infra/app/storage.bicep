// Host storage for the Functions app: blob (deployment package, timer locks, insights, notify state),
// queue (the appgw-evaluate fan-out queue the app's queue trigger reads), table (host diagnostics).
// Keyless: shared-key access is off, so every client — the Functions host, the deployment engine and
// the app's own blob code — authenticates with the app's system-assigned managed identity.
// Modelled on the raw-resource ARM template in Azure-Samples/azure-functions-flex-consumption-samples
// (IaC/armtemplate/azuredeploy.json @9519a36) and the storage settings of
// Azure-Samples/functions-quickstart-typescript-azd (infra/main.bicep @cba3922).

param name string
param location string = resourceGroup().location
param tags { *: string } = {}

@description('Blob container holding the zip package Flex Consumption runs from (functionAppConfig.deployment).')
param deploymentContainerName string

@description('Blob containers the app writes to: the insights (APPGW_BLOB_CONTAINER) and the notify state (APPGW_STATE_CONTAINER).')
param appContainerNames string[]

@description('Queues the app uses on host storage (APPGW_QUEUE_NAME and its -poison queue).')
param queueNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false // no account keys, no connection strings: identity only
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in concat([deploymentContainerName], appContainerNames): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

output name string = storage.name
