// Assigns the "App Gateway Backend Health Reader" custom role (backend-health-reader-role.bicep) to
// the function app's system-assigned identity on the resource group this module is deployed to
// (monitoredScope = 'resourceGroup'): the app then sees only the gateways in that group.

@description('Resource id of the custom role definition.')
param roleDefinitionId string

param functionAppName string
param appResourceGroupName string

resource functionApp 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
  scope: resourceGroup(appResourceGroupName)
}

resource backendHealthReaderAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, functionApp.id, roleDefinitionId)
  properties: {
    roleDefinitionId: roleDefinitionId
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
    description: 'appgw-insights reads backend health of the Application Gateways in this resource group.'
  }
}
