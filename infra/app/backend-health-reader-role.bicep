// Least privilege for Azure Resource Manager: a custom role with exactly the operations the app calls,
// assigned to the function app's system-assigned identity at the scope it watches (the whole
// subscription by default, or one resource group):
//   Microsoft.Network/applicationGateways/read                 list and read gateways
//   Microsoft.Network/applicationGateways/backendhealth/action POST …/backendhealth (an action, so the
//                                                              built-in Reader role does not grant it)
//   Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action
//                                                              POST …/getBackendHealthOnDemand: recheck's
//                                                              on-demand probe of one pool and setting
//                                                              (an action too; polled at the same URLs)
//   Microsoft.Network/locations/operations/read                GET the Azure-AsyncOperation poll URL
//   Microsoft.Network/locations/operationResults/read          GET the Location poll URL (the result)
//
// The backend-health POST is a long-running operation: ARM answers 202 with poll URLs that are NOT under
// the gateway but under the subscription,
//   /subscriptions/{s}/providers/Microsoft.Network/locations/{region}/operationResults/{id}  (Location)
//   /subscriptions/{s}/providers/Microsoft.Network/locations/{region}/operations/{id}        (Azure-AsyncOperation)
// (azure-rest-api-specs, Microsoft.Network stable/2025-05-01 and 2026-01-01
// examples/ApplicationGatewayBackendHealthGet.json: the 202's location header). The two action names are
// Microsoft.Network's own ("Gets operation result of an async POST or DELETE operation", "Gets operation
// resource that represents status of an asynchronous operation"; learn.microsoft.com
// azure/role-based-access-control/permissions/networking). Polls are authorised outside the gateway:
// "Track asynchronous Azure operations" (learn.microsoft.com azure/azure-resource-manager/management/
// async-operations, "Permission for tracking async status", added for MicrosoftDocs/azure-docs#111535)
// says resource-level permission can start an operation but not track it, and ARM has refused
// Microsoft.Network/locations/operations/read to a principal whose roles sat lower than the
// subscription (Azure/azure-xplat-cli#2051); services that poll Network operations ask for both
// actions on the subscription (e.g. GitHub Docs, "About Azure private networking for GitHub-hosted
// runners", the GitHub Actions service permissions). So, when the monitored scope is one resource group, a
// second role with just those two location-level reads is assigned on the subscription: the
// resource-group assignment alone could start the operation and then fail on its first poll. These
// reads show the status of an operation only to the principal that started it (ARM checks a hash of the
// original caller in the poll URL: MicrosoftDocs/azure-docs#119301), so they expose nothing else.
//
// targetScope is 'subscription' because a custom role definition is created at subscription scope
// (its assignableScopes must include the scope it is assigned at) and so is a subscription-wide
// role assignment; a resource-group assignment goes through backend-health-reader-assignment.bicep.
// Shape of the role definition as in Azure/azure-quickstart-templates
// (subscription-deployments/create-role-def/main.bicep).
targetScope = 'subscription'

@description('Role name; custom role names are unique per Microsoft Entra tenant, so change it when another subscription of the tenant already has a role by this name.')
param roleName string = 'App Gateway Backend Health Reader'

@description('The function app whose system-assigned identity gets the role.')
param functionAppName string

@description('Resource group of the function app.')
param appResourceGroupName string

@description('Where the role is assigned: the whole subscription, or one resource group.')
@allowed(['subscription', 'resourceGroup'])
param monitoredScope string = 'subscription'

@description('The resource group holding the gateways, when monitoredScope is resourceGroup.')
param monitoredResourceGroup string = ''

@description('Name of the second custom role (the poll reads on the subscription, for monitoredScope resourceGroup); unique per tenant.')
param operationStatusReaderRoleName string = 'App Gateway Operation Status Reader'

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
  scope: resourceGroup(appResourceGroupName)
}

// The id is derived from the subscription and the name, so every azd environment in one subscription
// updates the same definition instead of colliding on the (tenant-unique) role name.
resource backendHealthReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, roleName)
  properties: {
    roleName: roleName
    description: 'Read Application Gateways and their backend health (POST backendhealth, or getBackendHealthOnDemand to confirm a fix, then poll the operation). Used by appgw-insights.'
    type: 'customRole'
    permissions: [
      {
        actions: [
          'Microsoft.Network/applicationGateways/read'
          'Microsoft.Network/applicationGateways/backendhealth/action'
          'Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action'
          'Microsoft.Network/locations/operations/read'
          'Microsoft.Network/locations/operationResults/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    // Assignable at the subscription and at any resource group in it.
    assignableScopes: [
      subscription().id
    ]
  }
}

resource subscriptionAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (monitoredScope == 'subscription') {
  name: guid(subscription().id, functionApp.id, backendHealthReader.id)
  properties: {
    roleDefinitionId: backendHealthReader.id
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'appgw-insights reads backend health of every Application Gateway in this subscription.'
  }
}

// ARM validates a module's scope even when its condition is false (Azure/bicep#1492), so the scope
// names an existing group then too; an empty monitoredResourceGroup with 'resourceGroup' fails loudly.
module resourceGroupAssignment './backend-health-reader-assignment.bicep' = if (monitoredScope == 'resourceGroup') {
  name: 'backendHealthReader-${functionAppName}'
  scope: resourceGroup(monitoredScope == 'resourceGroup' ? monitoredResourceGroup : appResourceGroupName)
  params: {
    roleDefinitionId: backendHealthReader.id
    functionAppName: functionAppName
    appResourceGroupName: appResourceGroupName
  }
}

// monitoredScope 'resourceGroup': the poll URLs sit under the subscription (see the top of this file),
// so the identity gets just the two location-level reads there.
resource operationStatusReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (monitoredScope == 'resourceGroup') {
  name: guid(subscription().id, operationStatusReaderRoleName)
  properties: {
    roleName: operationStatusReaderRoleName
    description: 'Read the status and result of Microsoft.Network long-running operations the principal started (backend-health polls). Used by appgw-insights.'
    type: 'customRole'
    permissions: [
      {
        actions: [
          'Microsoft.Network/locations/operations/read'
          'Microsoft.Network/locations/operationResults/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource operationStatusAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (monitoredScope == 'resourceGroup') {
  name: guid(subscription().id, functionApp.id, operationStatusReader.id)
  properties: {
    roleDefinitionId: operationStatusReader.id
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'appgw-insights polls the backend-health operations it starts (their URLs are subscription-level).'
  }
}

output roleDefinitionId string = backendHealthReader.id
output assignedScope string = monitoredScope == 'subscription' ? subscription().id : '${subscription().id}/resourceGroups/${monitoredResourceGroup}'
