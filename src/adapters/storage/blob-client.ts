import type { TokenCredential } from '@azure/identity';
import { accountNameProblem, clientIdProblem, serviceUriProblem } from '../../core/input/storage-names';
import { ConfigError, isAppGwInsightsError, isCancellation } from '../../errors';
import { createEntraCredential } from '../identity/entra-credential';
import { createBlobService, type BlobService } from './rest/blob-service';
import { parseConnectionString, type StorageEndpoint, type StorageService } from './rest/connection-string';
import { createStorageHttp, type StorageHttp, type StorageHttpOptions } from './rest/storage-http';
import { isStorageCutShort, stoppableHttpClient } from './stopped-run-cut';
import { withUnansweredBreaker } from './unanswered-breaker';
import { isLeaseRefusal, leaseBreakCommand, leasedBlobOf, withLeasedBlobsNamed } from './blob-lease';

/** Identity-based connection properties, as the Functions host reads them (`<PREFIX>__clientId` …). */
export interface BlobIdentityOptions {
  /** `managedidentity`: use ManagedIdentityCredential only; otherwise DefaultAzureCredential. */
  readonly credential?: 'managedidentity';
  /** Client id of a user-assigned managed identity. Without it: the system-assigned one. */
  readonly clientId?: string;
  /** Resource id of a user-assigned managed identity (alternative to `clientId`). */
  readonly managedIdentityResourceId?: string;
}

/**
 * How to reach Blob Storage; one of the three shapes the Functions app-settings convention allows.
 * `setting` names where the value came from, for error messages (never the value itself).
 */
export type BlobConnectionOptions =
  | { readonly connectionString: string; readonly setting?: string }
  | ({ readonly accountName: string; readonly setting?: string } & BlobIdentityOptions)
  | ({ readonly blobServiceUri: string; readonly setting?: string } & BlobIdentityOptions);

export interface BlobClientExtras {
  /** Overrides the credential chosen for identity-based connections (tests, custom chains). */
  readonly tokenCredential?: TokenCredential;
  /** Retries, time-outs, TLS, transport of the storage requests. */
  readonly httpOptions?: StorageHttpOptions;
}

type AppSettings = Readonly<Record<string, string | undefined>>;

/**
 * Reads a storage connection the way Azure Functions does for a connection named `prefix`
 * (e.g. `AzureWebJobsStorage`): either `<prefix>` holds a connection string (`UseDevelopmentStorage=true`
 * for Azurite), or `<prefix>__blobServiceUri` / `<prefix>__accountName` name the account for an
 * identity-based connection, with optional `__credential`, `__clientId`, `__managedIdentityResourceId`.
 * Throws ConfigError listing every problem, naming settings, never echoing their values.
 */
export function blobConnectionFromAppSettings(prefix: string, env: AppSettings): BlobConnectionOptions {
  const read = (suffix: string): string | undefined => {
    const value = env[`${prefix}${suffix}`]?.trim();
    return value ? value : undefined;
  };
  const connectionString = read('');
  const blobServiceUri = read('__blobServiceUri');
  const accountName = read('__accountName');
  const credential = read('__credential');
  const clientId = read('__clientId');
  const managedIdentityResourceId = read('__managedIdentityResourceId');
  const identitySettings = [
    ['__blobServiceUri', blobServiceUri],
    ['__accountName', accountName],
    ['__credential', credential],
    ['__clientId', clientId],
    ['__managedIdentityResourceId', managedIdentityResourceId],
  ].flatMap(([suffix, value]) => (value === undefined ? [] : [`${prefix}${suffix}`]));

  if (connectionString !== undefined) {
    if (identitySettings.length > 0) {
      throw configError(prefix, [
        `${prefix}: a connection string, and ${identitySettings.join(', ')} (an identity-based ` +
          `connection) is set too: keep one of them`,
      ]);
    }
    const options = { connectionString, setting: prefix };
    assertNoIssues(validateConnection(options), prefix);
    return options;
  }
  if (blobServiceUri === undefined && accountName === undefined) {
    throw configError(prefix, [
      `${prefix}: not set: set it to a storage connection string ("UseDevelopmentStorage=true" for ` +
        `Azurite), or set ${prefix}__blobServiceUri (https://<account>.blob.core.windows.net) or ` +
        `${prefix}__accountName for an identity-based connection`,
    ]);
  }
  if (blobServiceUri !== undefined && accountName !== undefined) {
    throw configError(prefix, [
      `${prefix}__blobServiceUri: ${prefix}__accountName is set too: set only one of them`,
    ]);
  }
  const issues: string[] = [];
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    issues.push(`${prefix}__credential: must be "managedidentity" when set`);
  }
  const identity: BlobIdentityOptions = {
    ...(credential !== undefined ? { credential: 'managedidentity' as const } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(managedIdentityResourceId !== undefined ? { managedIdentityResourceId } : {}),
  };
  const options: BlobConnectionOptions =
    blobServiceUri !== undefined
      ? { blobServiceUri, setting: prefix, ...identity }
      : { accountName: accountName as string, setting: prefix, ...identity };
  issues.push(...validateConnection(options));
  assertNoIssues(issues, prefix);
  return options;
}

/**
 * Connects to Blob Storage as `options` say: a connection string (shared key or SAS;
 * `UseDevelopmentStorage=true` → Azurite on 127.0.0.1:10000), or an account URL + Microsoft Entra
 * credential (the Function App's managed identity; elsewhere DefaultAzureCredential, or
 * ManagedIdentityCredential when `credential: 'managedidentity'`). This picks the endpoint and the
 * sign-in; `createBlobService` (rest/blob-service.ts) speaks the Blob REST API over that endpoint.
 */
export function connectBlobService(
  options: BlobConnectionOptions,
  extras: BlobClientExtras = {},
): BlobService {
  const source = options.setting ?? 'storage connection';
  assertNoIssues(validateConnection(options), source);
  // A stopped run cuts short the requests it would otherwise wait out (stopped-run-cut.ts).
  const httpOptions = {
    ...extras.httpOptions,
    httpClient: stoppableHttpClient(extras.httpOptions?.httpClient),
  };
  let http: StorageHttp;
  if ('connectionString' in options) {
    const endpoint = endpointOfConnectionString(options.connectionString, 'blob', source);
    http = createStorageHttp(endpoint.url, endpoint.auth, httpOptions);
  } else {
    const url =
      'blobServiceUri' in options
        ? options.blobServiceUri.replace(/\/+$/, '')
        : `https://${options.accountName}.blob.core.windows.net`;
    const credential = extras.tokenCredential ?? createEntraCredential(options);
    http = createStorageHttp(url, { credential }, httpOptions);
  }
  return withLeasedBlobsNamed(createBlobService(withUnansweredBreaker(http, unansweredStorageFailure)));
}

/**
 * What a storage request whose tries all ran out of time without an answer met (`no answer in time
 * (the request was aborted)`): connectBlobService's breaker (unanswered-breaker.ts) then leaves the
 * account alone a while, instead of every document's and every blob's request waiting out its own
 * time-out. Undefined for any other outcome: an answer (any status), a failure on
 * our side, and a connection refused or reset, which costs no wait (an account that refused one
 * request and came back was left alone for nothing: the next delivery must try again).
 */
export function unansweredStorageFailure(error: unknown): string | undefined {
  if (isAppGwInsightsError(error) || !isCancellation(error)) return undefined;
  return describeStorageFailure(error).detail;
}

/**
 * Where `service` lives in a connection string, and how to sign in to it. An unusable string is a
 * ConfigError naming `source` (the setting), never quoting the value.
 */
export function endpointOfConnectionString(
  connectionString: string,
  service: StorageService,
  source: string,
): StorageEndpoint {
  const read = readConnectionString(connectionString, service);
  if ('endpoint' in read) return read.endpoint;
  throw configError(source, [`${source}: is not a usable storage connection string: ${read.problem}`]);
}

/**
 * The connection string read by the one parser (`parseConnectionString`, rest/connection-string.ts,
 * which the Functions host's and the SDKs' forms are tested against), or what is wrong with it, without
 * any secret of the string.
 */
function readConnectionString(
  value: string,
  service: StorageService,
): { endpoint: StorageEndpoint } | { problem: string; endpointOnly: boolean } {
  try {
    return { endpoint: parseConnectionString(value, service) };
  } catch (error) {
    const problem = redactSecrets((error as Error).message, [value]);
    // The parser names a malformed endpoint as "the connection string's <Service>Endpoint …"; every other
    // refusal is a missing account, key or SAS: the string is none of the forms a portal hands out.
    return { problem, endpointOnly: /^the connection string's \w+Endpoint /.test(problem) };
  }
}

/**
 * Problems with a connection before it is used (the configuration is checked as a whole when it is
 * loaded): each names `options.setting`, never quoting a connection string or key.
 */
export function blobConnectionProblems(options: BlobConnectionOptions): string[] {
  return validateConnection(options);
}

/** Problems with `options`, naming the setting and never quoting a connection string or key. */
function validateConnection(options: BlobConnectionOptions): string[] {
  const name = (suffix: string) => (options.setting ? `${options.setting}${suffix}` : suffix.slice(2));
  if ('connectionString' in options) {
    return validateConnectionString(options.connectionString, options.setting ?? 'connectionString');
  }
  // The rules live in core/input/storage-names.ts, shared with the config schema.
  const problems = [
    ['__blobServiceUri', 'blobServiceUri' in options ? serviceUriProblem(options.blobServiceUri) : undefined],
    ['__accountName', 'accountName' in options ? accountNameProblem(options.accountName) : undefined],
    ['__clientId', options.clientId !== undefined ? clientIdProblem(options.clientId) : undefined],
  ] as const;
  const issues = problems.flatMap(([suffix, problem]) => (problem ? [`${name(suffix)}: ${problem}`] : []));
  if (options.clientId !== undefined && options.managedIdentityResourceId !== undefined) {
    issues.push(
      `${name('__clientId')}: ${name('__managedIdentityResourceId')} is set too: set only one of them`,
    );
  }
  return issues;
}

/**
 * Problems with a blob connection string, read by the one parser: one that is none of the forms
 * (no account, key or SAS) is told the forms to copy; one with a malformed endpoint is told which.
 */
function validateConnectionString(value: string, setting: string): string[] {
  if (!value.trim())
    return [
      `${setting}: is empty: give a storage connection string, e.g. "UseDevelopmentStorage=true" for Azurite`,
    ];
  const read = readConnectionString(value, 'blob');
  if ('endpoint' in read) return [];
  if (read.endpointOnly) return [`${setting}: is not a usable storage connection string: ${read.problem}`];
  return [
    `${setting}: is not a storage connection string (${read.problem}): expected "UseDevelopmentStorage=true", ` +
      `"DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net" ` +
      `or "BlobEndpoint=…;SharedAccessSignature=…" (copy it from the account's "Access keys" page)`,
  ];
}

function assertNoIssues(issues: readonly string[], source: string): void {
  if (issues.length > 0) throw configError(source, issues);
}

function configError(source: string, issues: readonly string[]): ConfigError {
  return new ConfigError(issues, `storage connection settings (${source})`);
}

/**
 * Removes what could be a secret from a message: the given values, and any account key, SAS signature
 * or `SharedAccessSignature=` / `AccountKey=` part.
 */
export function redactSecrets(message: string, secrets: readonly string[] = []): string {
  let text = message;
  for (const secret of secrets) if (secret) text = text.split(secret).join('<redacted>');
  return text
    .replace(/(AccountKey|SharedAccessSignature)=[^;\s]*/gi, '$1=<redacted>')
    .replace(/([?&]sig=)[^&\s'"]*/gi, '$1<redacted>')
    .replace(/(SharedKey(?:Lite)?\s+[^:\s]+:)[^\s'"]+/gi, '$1<redacted>');
}

/**
 * What to check when a storage account gave no answer at all (`where` names its connection), as the
 * clause after "check that": the state store's advice and the blob sink's say it in the same words.
 * `serviceUrl`, the blob endpoint called, adds how to start Azurite when it is Azurite's default one.
 */
export function storageReachableAdvice(where: string, serviceUrl?: string): string {
  // Azurite's account at its default address: what is not reachable is most likely Azurite not started
  // (a new-user trial with `UseDevelopmentStorage=true` read the advice as about an account in Azure).
  const azurite =
    serviceUrl !== undefined && AZURITE_DEFAULT.test(serviceUrl)
      ? `: ${serviceUrl} is Azurite's default address (\`UseDevelopmentStorage=true\`): start Azurite (in this project: \`npx azurite --location DIR\`), or point the connection at a running one`
      : '';
  return `the storage account of ${where} is reachable (account name, endpoint, firewall)${azurite}`;
}

/** Azurite's blob service at its default address and account (`UseDevelopmentStorage=true`). */
const AZURITE_DEFAULT = /^https?:\/\/(?:127\.0\.0\.1|localhost):10000\/devstoreaccount1\/?$/i;

/** What went wrong in a storage call, safe to show: status and service error code, no secrets. */
export interface StorageFailure {
  /** HTTP status; undefined when no response came (network, credential). */
  readonly statusCode: number | undefined;
  /** The service's error code (`AuthorizationFailure`, `ContainerNotFound` …) or a Node error code. */
  readonly code: string | undefined;
  readonly detail: string;
  /** True when trying again later can help (time-outs, throttling, 5xx, network). */
  readonly retryable: boolean;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Error codes of other statuses that pass: a container being deleted (409 ContainerBeingDeleted; Azure
 * takes at least 30 s, and a container deleted under a running app is made again once it has gone: a
 * break trial lost a run's result when the blob sink's second go met it).
 */
const PASSING_CODES = new Set(['ContainerBeingDeleted']);

/**
 * Reads a storage error (RestError, Node system error, credential error) without echoing its
 * message where the service could have put request details: only status and code for HTTP answers.
 */
export function describeStorageFailure(error: unknown): StorageFailure {
  // Ours already (a token the identity could not get): its message says what to do, and whether later helps.
  if (isAppGwInsightsError(error)) {
    return {
      statusCode: undefined,
      code: error.code,
      detail: error.message.replace(/\.$/, ''),
      retryable: error.retryable,
    };
  }
  const e = (error ?? {}) as { statusCode?: unknown; code?: unknown; name?: unknown; message?: unknown };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' && e.code ? e.code : undefined;
  if (statusCode !== undefined) {
    return {
      statusCode,
      code,
      detail: `HTTP ${statusCode}${code ? ` ${code}` : ''}${hintFor(statusCode, code, error)}`,
      retryable: RETRYABLE_STATUS.has(statusCode) || (code !== undefined && PASSING_CODES.has(code)),
    };
  }
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message.split('\n')[0] : String(error);
  const dns = code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  // The pipeline aborts a try that outlives its time limit (requestTimeoutInMs); we abort nothing else.
  const timedOut = isCancellation(error);
  return {
    statusCode,
    code,
    detail: isStorageCutShort(error)
      ? error.message
      : timedOut
        ? 'no answer in time (the request was aborted)'
        : redactSecrets(`${name}: ${message}`) + (dns ? ' (check the account name or service URL)' : ''),
    // No answer at all (refused, reset, time-out, DNS) is worth retrying; a missing identity or a bug is not.
    retryable:
      timedOut ||
      (code !== undefined && NETWORK_CODES.has(code)) ||
      (name === 'RestError' && code === undefined),
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'REQUEST_SEND_ERROR',
]);

function hintFor(statusCode: number, code: string | undefined, error: unknown): string {
  if (statusCode === 403 && code === 'AuthorizationPermissionMismatch') {
    return ' (give the identity "Storage Blob Data Contributor" on the account or container)';
  }
  if (statusCode === 403)
    return " (check the account key or SAS, or the identity's data role on the account)";
  if (statusCode === 401) return ' (the credential was not accepted)';
  if (statusCode === 404 && code === 'ResourceNotFound') return ' (check the account name or service URL)';
  if (isLeaseRefusal({ statusCode, code })) {
    // The blob, when the container noted it (blob-lease.ts): a write's step names its folder at most.
    const blob = leasedBlobOf(error);
    return blob
      ? ` (another holder has a lease on ${blob.blobName}: release it, or break it with \`${leaseBreakCommand(blob)}\`)`
      : ' (another holder has a lease on the blob: release it, or break it with `az storage blob lease break`)';
  }
  return '';
}
