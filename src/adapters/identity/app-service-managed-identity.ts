import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { AuthenticationError } from '../../errors';

/**
 * Managed-identity tokens from the endpoint Azure Functions / App Service give every app with an
 * identity (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, protocol version 2019-08-01). The deployed app
 * uses this instead of @azure/identity, whose MSAL stack is most of its cold start; everywhere else
 * (CLI, local runs) @azure/identity's DefaultAzureCredential is used. `IDENTITY_HEADER` is a secret:
 * it is sent only to the endpoint and never appears in an error.
 */
export interface AppServiceManagedIdentityOptions {
  readonly endpoint: string;
  readonly secretHeader: string;
  /** A user-assigned identity's client id; without it, the system-assigned identity. */
  readonly clientId?: string;
  /** A user-assigned identity's resource id (alternative to `clientId`). */
  readonly resourceId?: string;
  /** Renew this long before expiry. Default 5 minutes. */
  readonly refreshBeforeInMs?: number;
  readonly timeoutInMs?: number;
}

const API_VERSION = '2019-08-01';

export function createAppServiceManagedIdentityCredential(
  options: AppServiceManagedIdentityOptions,
): TokenCredential {
  const refreshBefore = options.refreshBeforeInMs ?? 5 * 60_000;
  const cache = new Map<string, Promise<AccessToken>>();

  // Calls for one resource share one request, so no caller's abort signal may end it: a time-out does.
  const fetchToken = async (resource: string): Promise<AccessToken> => {
    const url = new URL(options.endpoint);
    url.searchParams.set('api-version', API_VERSION);
    url.searchParams.set('resource', resource);
    if (options.clientId) url.searchParams.set('client_id', options.clientId);
    else if (options.resourceId) url.searchParams.set('mi_res_id', options.resourceId);
    const timeout = AbortSignal.timeout(options.timeoutInMs ?? 15_000);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { 'X-IDENTITY-HEADER': options.secretHeader, Metadata: 'true' },
        signal: timeout,
      });
    } catch (error) {
      throw new AuthenticationError(
        `the managed identity endpoint did not answer (${(error as Error).name})`,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new AuthenticationError(
        `the managed identity endpoint answered HTTP ${response.status} for ${resource}: ${describeError(text)}`,
      );
    }
    const body = parse(text);
    const expiresOn = Number(body?.['expires_on']);
    if (typeof body?.['access_token'] !== 'string' || !Number.isFinite(expiresOn)) {
      throw new AuthenticationError(
        'the managed identity endpoint answered without access_token / expires_on',
      );
    }
    return { token: body['access_token'], expiresOnTimestamp: expiresOn * 1000 };
  };

  return {
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      const resource = toResource(scopes);
      const cached = cache.get(resource);
      if (cached) {
        const token = await cached.catch(() => undefined);
        if (token && token.expiresOnTimestamp - refreshBefore > Date.now()) return token;
      }
      const pending = fetchToken(resource);
      cache.set(resource, pending);
      pending.catch(() => cache.delete(resource)); // a failure is not cached
      return pending;
    },
  };
}

/**
 * The credential for the deployed app: what DefaultAzureCredential would pick in a Function App with a
 * managed identity, without loading it. Undefined (so the caller uses @azure/identity) outside Azure,
 * or when the app is configured for a service principal or workload identity instead.
 */
export function appServiceManagedIdentityFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  identity: { clientId?: string; resourceId?: string } = {},
): TokenCredential | undefined {
  const endpoint = env['IDENTITY_ENDPOINT']?.trim();
  const secretHeader = env['IDENTITY_HEADER']?.trim();
  if (!endpoint || !secretHeader) return undefined;
  const otherCredential = [
    'AZURE_CLIENT_SECRET',
    'AZURE_CLIENT_CERTIFICATE_PATH',
    'AZURE_FEDERATED_TOKEN_FILE',
  ];
  if (otherCredential.some((name) => env[name]?.trim())) return undefined;
  // As DefaultAzureCredential: AZURE_CLIENT_ID names a user-assigned identity when nothing else does.
  const clientId =
    identity.clientId ?? (identity.resourceId ? undefined : env['AZURE_CLIENT_ID']?.trim() || undefined);
  return createAppServiceManagedIdentityCredential({
    endpoint,
    secretHeader,
    ...(clientId ? { clientId } : {}),
    ...(identity.resourceId && !clientId ? { resourceId: identity.resourceId } : {}),
  });
}

/** "https://management.azure.com/.default" → "https://management.azure.com" (v1 resource form). */
export function toResource(scopes: string | string[]): string {
  const scope = Array.isArray(scopes) ? scopes[0] : scopes;
  if (!scope) throw new AuthenticationError('no scope was asked for');
  return scope.replace(/\/\.default$/, '');
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoint's own error text, short; it carries no secret (the header is ours, not echoed). */
function describeError(text: string): string {
  const body = parse(text);
  const message = body?.['message'] ?? body?.['error_description'] ?? body?.['error'] ?? text;
  return String(message).replace(/\s+/g, ' ').slice(0, 300) || '(no message)';
}

/**
 * @azure/identity, for runs outside a Function App's managed identity. The deployed bundle leaves it
 * out (see scripts/bundle.js): there, a missing managed identity is the error to report.
 */
export function loadAzureIdentity(): typeof import('@azure/identity') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@azure/identity');
  } catch (error) {
    throw new AuthenticationError(
      'no managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER) and @azure/identity is not deployed: ' +
        'give the Function App a managed identity (the deployed app authenticates with it), or run from the ' +
        'project (npm ci) for az login / service-principal credentials',
      { cause: error },
    );
  }
}
