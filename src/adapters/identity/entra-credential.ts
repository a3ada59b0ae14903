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
  // One credential per identity, so its token cache is shared: the blob sink, the state stores and the
  // work queue of one instance fetch one storage token, not one each (locally: one `az` call, not three).
  const key = JSON.stringify([
    options.credential,
    options.clientId,
    options.managedIdentityResourceId,
    ...IDENTITY_ENV.map((name) => env[name]?.trim() || undefined),
  ]);
  let credential = credentials.get(key);
  if (!credential) {
    credential = chooseCredential(options, env);
    credentials.set(key, credential);
  }
  return credential;
}

/** The environment variables that change which credential is chosen (see appServiceManagedIdentityFromEnv). */
const IDENTITY_ENV = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_FEDERATED_TOKEN_FILE',
];
const credentials = new Map<string, TokenCredential>();

function chooseCredential(
  options: EntraCredentialOptions,
  env: Readonly<Record<string, string | undefined>>,
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
