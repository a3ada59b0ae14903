import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { isAppGwInsightsError } from '../../errors';
import {
  managedIdentityFailure,
  managedIdentityTimeout,
  type ManagedIdentityName,
} from './credential-failure';
import { loadAzureIdentity } from './load-azure-identity';

/** Which managed identity: a user-assigned one by client id or resource id; neither: system-assigned. */
export interface ManagedIdentity {
  readonly clientId?: string;
  readonly resourceId?: string;
  /** Where it is: the Function App's identity endpoint, or any Azure host (IMDS …). Words only. */
  readonly host: 'function-app' | 'azure';
}

export interface ManagedIdentityCredentialOptions {
  /**
   * @azure/identity's own retries of the identity endpoint (5xx, 408, a 429 with Retry-After, no
   * answer): its defaults (3 retries, exponential from 1 s) unless given; tests shorten the delay.
   */
  readonly retry?: { readonly maxRetries?: number; readonly retryDelayInMs?: number };
  /**
   * A token request with no answer this long fails (retryable): the endpoint's HTTP client has no
   * time limit of its own. Default 60 s, above the retries' own waits.
   */
  readonly tokenTimeoutInMs?: number;
}

/**
 * `@azure/identity`'s ManagedIdentityCredential, required when the first token is asked for (its MSAL
 * stack is most of a cold start; an instance that never calls Azure does not pay for it). In a Function
 * App it uses the host's endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, App Service protocol
 * 2019-08-01) and retries it with the Azure SDK's retry policy. A failure names the identity and the
 * resource and, when the endpoint failed in passing, is retryable (see credential-failure.ts).
 */
export function createManagedIdentityCredential(
  identity: ManagedIdentity,
  options: ManagedIdentityCredentialOptions = {},
): TokenCredential {
  const who = nameManagedIdentity(identity);
  const timeoutInMs = options.tokenTimeoutInMs ?? 60_000;
  let credential: TokenCredential | undefined;
  const load = (): TokenCredential => {
    const { ManagedIdentityCredential } = loadAzureIdentity();
    const retryOptions = options.retry ? { retryOptions: options.retry } : {};
    if (identity.clientId)
      return new ManagedIdentityCredential({ clientId: identity.clientId, ...retryOptions });
    if (identity.resourceId)
      return new ManagedIdentityCredential({ resourceId: identity.resourceId, ...retryOptions });
    return new ManagedIdentityCredential(retryOptions);
  };
  return {
    async getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken> {
      const resource = toResource(scopes);
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(managedIdentityTimeout(who, resource, timeoutInMs)), timeoutInMs);
      });
      try {
        credential ??= load();
        const token = await Promise.race([credential.getToken(scopes, getTokenOptions), expired]);
        if (!token) throw new Error('ManagedIdentityCredential returned no token');
        return token;
      } catch (error) {
        throw isAppGwInsightsError(error) ? error : managedIdentityFailure(error, who, resource);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** How messages name the identity, and what to change when the endpoint says it does not exist. */
export function nameManagedIdentity(identity: ManagedIdentity): ManagedIdentityName {
  const owner = identity.host === 'function-app' ? "the Function App's " : 'the ';
  const assign = 'Assign that identity to the app ("Identity" > "User assigned"), or correct its';
  if (identity.clientId) {
    return {
      identity: `${owner}user-assigned managed identity (client id ${identity.clientId})`,
      whenMissing: `${assign} client id (AZURE_CLIENT_ID, or the connection's "__clientId" setting).`,
    };
  }
  if (identity.resourceId) {
    return {
      identity: `${owner}user-assigned managed identity (resource id ${identity.resourceId})`,
      whenMissing: `${assign} resource id.`,
    };
  }
  return {
    identity: `${owner}system-assigned managed identity`,
    whenMissing:
      'Turn the system-assigned identity on ("Identity" > "System assigned"), or set AZURE_CLIENT_ID to the ' +
      'client id of a user-assigned identity assigned to the app.',
  };
}

/** "https://management.azure.com/.default" → "https://management.azure.com": the resource asked for. */
export function toResource(scopes: string | string[]): string {
  const scope = (Array.isArray(scopes) ? scopes[0] : scopes) ?? '';
  return scope.replace(/\/\.default$/, '');
}
