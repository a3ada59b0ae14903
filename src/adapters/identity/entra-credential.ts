import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { isAppGwInsightsError } from '../../errors';
import { SIGN_IN_ADVICE, signInFailure } from './credential-failure';
import { loadAzureIdentity } from './load-azure-identity';
import {
  createManagedIdentityCredential,
  nameManagedIdentity,
  toResource,
  type ManagedIdentity,
} from './managed-identity';

/** Which identity to use, as the Functions connection settings say it (`__credential`, `__clientId` …). */
export interface EntraCredentialOptions {
  /** `managedidentity`: a managed identity only; otherwise the DefaultAzureCredential chain. */
  readonly credential?: 'managedidentity';
  /** A user-assigned managed identity's client id. */
  readonly clientId?: string;
  /** A user-assigned managed identity's resource id (alternative to `clientId`). */
  readonly managedIdentityResourceId?: string;
}

/** A token credential that can say whose tokens it gets, so a refused token (401) says what to do. */
export interface DescribedCredential extends TokenCredential {
  /** e.g. "the Function App's system-assigned managed identity", "your Azure sign-in". */
  readonly identity: string;
  /** What to do when a service refuses this identity's token (ARM's 401). */
  readonly whenRefused: string;
}

/**
 * The one place that picks a Microsoft Entra credential, for ARM and storage alike; nothing of
 * @azure/identity is loaded until the first token is asked for.
 * - In a Function App with a managed identity (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, and no service
 *   principal or workload identity configured, as DefaultAzureCredential decides), or when
 *   `credential: "managedidentity"` is asked for: @azure/identity's ManagedIdentityCredential, for the
 *   user-assigned identity named by `clientId` / `managedIdentityResourceId` / `AZURE_CLIENT_ID`, else
 *   the system-assigned one.
 * - Elsewhere: DefaultAzureCredential (`az login`, environment, service principal, …).
 * Every failure is an AuthenticationError saying what to do there (credential-failure.ts).
 */
export function createEntraCredential(
  options: EntraCredentialOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): DescribedCredential {
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

/** The environment variables that change which credential is chosen. */
const IDENTITY_ENV = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_FEDERATED_TOKEN_FILE',
];
const credentials = new Map<string, DescribedCredential>();

/**
 * The managed identity this app should use, or undefined for DefaultAzureCredential. In a Function App
 * (App Service's identity endpoint) the managed identity is what DefaultAzureCredential would pick,
 * unless a service principal or workload identity is configured (its EnvironmentCredential and
 * WorkloadIdentityCredential come first in the chain).
 */
export function chooseManagedIdentity(
  options: EntraCredentialOptions,
  env: Readonly<Record<string, string | undefined>>,
): ManagedIdentity | undefined {
  const inFunctionApp =
    Boolean(env['IDENTITY_ENDPOINT']?.trim() && env['IDENTITY_HEADER']?.trim()) &&
    !['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE'].some((name) =>
      env[name]?.trim(),
    );
  if (!inFunctionApp && options.credential !== 'managedidentity') return undefined;
  const { clientId, managedIdentityResourceId: resourceId } = options;
  // As DefaultAzureCredential: AZURE_CLIENT_ID names a user-assigned identity when nothing else does.
  const fromEnv = clientId || resourceId ? undefined : env['AZURE_CLIENT_ID']?.trim() || undefined;
  return {
    host: inFunctionApp ? 'function-app' : 'azure',
    ...(clientId || fromEnv ? { clientId: clientId ?? fromEnv } : resourceId ? { resourceId } : {}),
  };
}

function chooseCredential(
  options: EntraCredentialOptions,
  env: Readonly<Record<string, string | undefined>>,
): DescribedCredential {
  const managed = chooseManagedIdentity(options, env);
  if (managed) {
    const name = nameManagedIdentity(managed);
    return Object.assign(createManagedIdentityCredential(managed), {
      identity: name.identity,
      whenRefused:
        `Check that ${name.identity} belongs to the tenant of the subscription, and that the app's ` +
        '"Identity" settings have not changed since the token was issued.',
    });
  }
  return developerCredential(options);
}

/** DefaultAzureCredential, created on the first token request; failures say "az login". */
function developerCredential(options: EntraCredentialOptions): DescribedCredential {
  let credential: TokenCredential | undefined;
  const load = (): TokenCredential => {
    const { DefaultAzureCredential } = loadAzureIdentity();
    if (options.clientId) return new DefaultAzureCredential({ managedIdentityClientId: options.clientId });
    if (options.managedIdentityResourceId)
      return new DefaultAzureCredential({ managedIdentityResourceId: options.managedIdentityResourceId });
    return new DefaultAzureCredential();
  };
  return {
    identity: 'your Azure sign-in',
    whenRefused: `The token may have expired, or be for another tenant than the subscription's. ${SIGN_IN_ADVICE}`,
    async getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken> {
      try {
        credential ??= load();
        const token = await credential.getToken(scopes, getTokenOptions);
        if (!token) throw new Error('DefaultAzureCredential returned no token');
        return token;
      } catch (error) {
        if (isAppGwInsightsError(error)) throw error;
        throw signInFailure(error, toResource(scopes));
      }
    },
  };
}
