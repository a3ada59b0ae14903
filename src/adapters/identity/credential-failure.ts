import { clipMessage } from '../../core/text-clip';
import { AuthenticationError } from '../../errors';

/**
 * Turns a failed token request into the AuthenticationError a user can act on, worded for where the
 * app runs: a developer's sign-in (`az login`) or a managed identity (named, with the resource asked
 * for). @azure/identity's errors are read by shape (`name`, `cause`), as they may come from another
 * copy of the package.
 *
 * What @azure/identity 4.x throws (read in its source, credentials/managedIdentityCredential/index.ts
 * and credentials/chainedTokenCredential.ts):
 * - ManagedIdentityCredential: `CredentialUnavailableError` whose `cause` is MSAL's error: a
 *   `ServerError` with the endpoint's HTTP `status` and its message in `errorMessage`
 *   ("… Description: <the endpoint's message> - Correlation ID: …"), or a `ClientAuthError` with
 *   `errorCode: "network_error"` when nothing answered.
 * - DefaultAzureCredential: `AggregateAuthenticationError` (`errors`: one per credential tried) when
 *   no credential of its chain could sign in; `CredentialUnavailableError` / `AuthenticationError`
 *   from the one credential that was used.
 */

/** Who asks for tokens, for messages ("the Function App's system-assigned managed identity"). */
export interface ManagedIdentityName {
  /** e.g. "the Function App's user-assigned managed identity (client id 0f4c…)". */
  readonly identity: string;
  /** What to change when the endpoint says this identity does not exist. */
  readonly whenMissing: string;
}

/** What the caller of `getToken` gets when a managed identity could not get a token for `resource`. */
export function managedIdentityFailure(
  error: unknown,
  who: ManagedIdentityName,
  resource: string,
): AuthenticationError {
  const failure = readManagedIdentityFailure(error);
  const subject = `${capitalise(who.identity)} could not get a token for ${resource}: ${failure.detail}`;
  return failure.transient
    ? new AuthenticationError(
        `${subject}. The identity endpoint failed in passing (after @azure/identity's retries): ` +
          'it is tried again on the next run; if it persists, check the app\'s "Identity" settings and Azure status.',
        { retryable: true, cause: error },
      )
    : new AuthenticationError(`${subject}. ${who.whenMissing}`, { cause: error });
}

/** A managed-identity token request that had no answer within `timeoutInMs`: retryable. */
export function managedIdentityTimeout(
  who: ManagedIdentityName,
  resource: string,
  timeoutInMs: number,
): AuthenticationError {
  return new AuthenticationError(
    `${capitalise(who.identity)} could not get a token for ${resource}: the identity endpoint did not ` +
      `answer within ${timeoutInMs} ms. It is tried again on the next run; if it persists, check the app's ` +
      '"Identity" settings and Azure status.',
    { retryable: true },
  );
}

/** The advice for a workstation: sign in, or give a service principal. */
export const SIGN_IN_ADVICE =
  'Sign in with "az login" (add --tenant <tenant id> for the subscriptions\' tenant), or set ' +
  'AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal; then run again.';

/** What the caller of `getToken` gets when DefaultAzureCredential (az login & co.) has no token. */
export function signInFailure(error: unknown, resource: string): AuthenticationError {
  const e = error as { name?: unknown; errors?: unknown; message?: unknown };
  const tried = Array.isArray(e.errors) ? (e.errors as unknown[]) : [error];
  // A credential that was there but failed (an expired `az login`, another tenant) says more than
  // the ones that were not set up at all.
  // @azure/identity's AuthenticationError (not ours, which has the same name: isAuthenticationError).
  const failed = tried.find((x) => (x as { name?: unknown }).name === 'AuthenticationError');
  const detail = failed
    ? `your sign-in failed (${firstLine(failed)})`
    : 'no sign-in was found (DefaultAzureCredential tried environment variables, workload identity, ' +
      'managed identity, Azure CLI, Azure PowerShell and Azure Developer CLI)';
  return new AuthenticationError(`Could not get a token for ${resource}: ${detail}. ${SIGN_IN_ADVICE}`, {
    cause: error,
  });
}

interface ManagedIdentityFailureDetail {
  readonly detail: string;
  /** Worth trying again later: 5xx, 408, 429, or no answer at all. */
  readonly transient: boolean;
}

function readManagedIdentityFailure(error: unknown): ManagedIdentityFailureDetail {
  const cause = (error as { cause?: unknown } | undefined)?.cause as
    { status?: unknown; errorCode?: unknown; errorMessage?: unknown } | undefined;
  const status = typeof cause?.status === 'number' ? cause.status : undefined;
  if (status !== undefined) {
    const said = endpointMessage(cause?.errorMessage);
    return {
      detail: `the identity endpoint answered HTTP ${status}${said ? ` (${said})` : ''}`,
      transient: status >= 500 || status === 408 || status === 429,
    };
  }
  if (cause?.errorCode === 'network_error') {
    return { detail: 'the identity endpoint did not answer (network error)', transient: true };
  }
  return { detail: firstLine(error), transient: false };
}

/** MSAL wraps the endpoint's message: "Error(s): … - Description: <message> - Correlation ID: …". */
function endpointMessage(text: unknown): string {
  if (typeof text !== 'string') return '';
  const described = /Description: (.*?)(?: - Correlation ID:|$)/s.exec(text)?.[1] ?? text;
  return cap(described.replace(/\s+/g, ' ').trim());
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return cap(message);
}

/** One line, its start and its end (the identity endpoint's advice comes last), the cut marker between. */
function cap(text: string): string {
  return clipMessage(text, 400, { oneLine: true });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
