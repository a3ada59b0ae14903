/**
 * An environment in which DefaultAzureCredential finds nothing to sign in with: its developer
 * credentials only (AZURE_TOKEN_CREDENTIALS=dev: no managed-identity probe), no az, azd or pwsh on PATH,
 * an empty home, and none of the variables of a service principal or a managed identity.
 */
export function signedOutEnv(home: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, AZURE_TOKEN_CREDENTIALS: 'dev', PATH: home, HOME: home };
  for (const name of [
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'AZURE_TENANT_ID',
    'IDENTITY_ENDPOINT',
    'IDENTITY_HEADER',
  ])
    delete env[name];
  return env;
}
