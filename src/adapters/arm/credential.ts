import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  appServiceManagedIdentityFromEnv,
  loadAzureIdentity,
} from '../identity/app-service-managed-identity';

/**
 * The fixed token the emulator accepts. Only ever sent to a loopback endpoint: the config schema
 * refuses `credential: "development"` with any other endpoint.
 */
export const DEVELOPMENT_TOKEN = 'appgw-insights-development-token';

export function createDevelopmentCredential(token = DEVELOPMENT_TOKEN): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

/**
 * In a Function App with a managed identity, its token endpoint (no MSAL to load); elsewhere
 * DefaultAzureCredential (`az login`, environment, …), required lazily.
 */
export function createAzureCredential(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TokenCredential {
  const managed = appServiceManagedIdentityFromEnv(env);
  if (managed) return managed;
  const { DefaultAzureCredential } = loadAzureIdentity();
  return new DefaultAzureCredential();
}
