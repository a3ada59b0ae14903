// Least privilege for Azure Resource Manager: a custom role with exactly the two operations the app
// calls — list/read Application Gateways, and POST …/backendhealth (an action, so the built-in Reader
// role does not grant it) — assigned to the function app's system-assigned identity at the scope it
// watches: the whole subscription (default) or one resource group.
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

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
  scope: resourceGroup(appResourceGroupName)
}

// The id is derived from the subscription and the name, so every azd environment in one subscription
// updates the same definition instead of colliding on the (tenant-unique) role name.
resource backendHealthReader 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, roleName)
  properties: {
    roleName: roleName
    description: 'Read Application Gateways and their backend health (POST backendhealth). Used by appgw-insights.'
    type: 'customRole'
    permissions: [
      {
        actions: [
          'Microsoft.Network/applicationGateways/read'
          'Microsoft.Network/applicationGateways/backendhealth/action'
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

output roleDefinitionId string = backendHealthReader.id
output assignedScope string = monitoredScope == 'subscription' ? subscription().id : '${subscription().id}/resourceGroups/${monitoredResourceGroup}'
