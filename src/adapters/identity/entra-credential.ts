import type { TokenCredential } from '@azure/identity';
import { appServiceManagedIdentityFromEnv, loadAzureIdentity } from './app-service-managed-identity';

/** Which identity to use, as the Functions connection settings say it (`__credential`, `__clientId` …). */
export interface EntraCredentialOptions {
  /** `managedidentity`: a managed identity only; otherwise the DefaultAzureCredential chain. */
  readonly credential?: 'managedidentity';
  /** A user-assigned managed identity's client id. */
  readonly clientId?: string;
  /** A user-assigned managed identity's resource id (alternative to `clientId`). */
  readonly managedIdentityResourceId?: string;
}

/**
 * The one place that picks a Microsoft Entra credential, for ARM and storage alike. In a Function App
 * with a managed identity: its token endpoint (no MSAL to load). Elsewhere: @azure/identity, required
 * lazily: ManagedIdentityCredential when asked for, else DefaultAzureCredential (`az login`,
 * environment, service principal, …).
 */
export function createEntraCredential(
  options: EntraCredentialOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): TokenCredential {
  const { clientId, managedIdentityResourceId: resourceId } = options;
  const managed = appServiceManagedIdentityFromEnv(env, {
    ...(clientId ? { clientId } : {}),
    ...(resourceId ? { resourceId } : {}),
  });
  if (managed) return managed;
  const identity = loadAzureIdentity();
  if (options.credential === 'managedidentity') {
    if (clientId) return new identity.ManagedIdentityCredential({ clientId });
    if (resourceId) return new identity.ManagedIdentityCredential({ resourceId });
    return new identity.ManagedIdentityCredential();
  }
  if (clientId) return new identity.DefaultAzureCredential({ managedIdentityClientId: clientId });
  if (resourceId) return new identity.DefaultAzureCredential({ managedIdentityResourceId: resourceId });
  return new identity.DefaultAzureCredential();
}
