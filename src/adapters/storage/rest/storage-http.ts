import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  RestError,
  type HttpClient,
  type PipelinePolicy,
  type PipelineResponse,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { storageSharedKeyCredentialPolicy } from '@azure/storage-common';

/**
 * The storage REST version we speak: generally available in Azure and in Azurite. Every operation we
 * use (container/queue create, Put Blob, Get Blob, List Blobs, Delete Blob, Put Message) has kept its
 * wire format for years.
 */
export const STORAGE_API_VERSION = '2025-11-05';

/** Microsoft Entra scope for Blob and Queue data access. */
const STORAGE_SCOPE = 'https://storage.azure.com/.default';

/** How requests are signed: an account key, a SAS token (query string), or a Microsoft Entra token. */
export type StorageAuth =
  | { readonly sharedKey: { readonly accountName: string; readonly accountKey: string } }
  | { readonly sas: string }
  | { readonly credential: TokenCredential };

export interface StorageHttpOptions {
  /** Retries after the first try, for throttling (429/503 with Retry-After), 5xx and network errors. Default 3. */
  readonly maxRetries?: number;
  /** Time limit of one try. Default 30 s. */
  readonly requestTimeoutInMs?: number;
  /** CAs to trust besides the system's (a loopback stand-in with its own certificate). */
  readonly tlsOptions?: TlsSettings;
  /** Transport (tests); default: core-rest-pipeline's Node client. */
  readonly httpClient?: HttpClient;
}

export interface StorageRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  /** Path below the service URL, each segment already percent-encoded (e.g. `container/a%20b.json`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: Buffer;
  /** Error statuses that are an answer, not a failure (409 "already exists" for a create). */
  readonly accept?: readonly number[];
}

export interface StorageAnswer {
  readonly status: number;
  header(name: string): string | undefined;
  readonly bodyText: string;
}

/** One storage service (blob or queue) of one account, over Azure's own HTTP pipeline. */
export interface StorageHttp {
  /** Service URL, without query (a SAS never shows in it). */
  readonly url: string;
  /** Sends `request`; a status >= 300 not in `accept` throws a RestError with the service's error code. */
  send(request: StorageRequest): Promise<StorageAnswer>;
}

/**
 * A client for one storage service endpoint. Requests go through `@azure/core-rest-pipeline` (retries
 * with Retry-After, redirects, logging with secrets redacted, user agent, tracing), signed by the
 * Storage SDK's own shared-key policy, by a SAS in the query, or by a bearer token for
 * `https://storage.azure.com/.default`.
 */
export function createStorageHttp(
  serviceUrl: string,
  auth: StorageAuth,
  options: StorageHttpOptions = {},
): StorageHttp {
  const url = serviceUrl.replace(/\/+$/, '');
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: options.maxRetries ?? 3 },
    userAgentOptions: { userAgentPrefix: 'appgw-insights' },
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
  });
  if ('sharedKey' in auth) {
    const { accountName, accountKey } = auth.sharedKey;
    pipeline.addPolicy(
      storageSharedKeyCredentialPolicy({ accountName, accountKey: Buffer.from(accountKey, 'base64') }),
      { phase: 'Sign' },
    );
  } else if ('credential' in auth) {
    pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: auth.credential, scopes: STORAGE_SCOPE }),
      { phase: 'Sign' },
    );
  }
  const timeoutInMs = options.requestTimeoutInMs ?? 30_000;
  if (timeoutInMs > 0) pipeline.addPolicy(tryTimeoutPolicy(timeoutInMs), { afterPhase: 'Retry' });
  const sas = 'sas' in auth ? auth.sas : undefined;
  const httpClient = options.httpClient ?? createDefaultHttpClient();

  return {
    url,
    async send(request) {
      const target = `${url}/${request.path}${queryString(request.query, sas)}`;
      const headers = createHttpHeaders({ 'x-ms-version': STORAGE_API_VERSION });
      for (const [name, value] of Object.entries(request.headers ?? {})) {
        if (value !== undefined) headers.set(name, value);
      }
      // Storage wants a length on every write (no chunked uploads), 0 included.
      if (request.method === 'PUT' || request.method === 'POST') {
        headers.set('content-length', String(request.body?.length ?? 0));
      }
      const pipelineRequest = createPipelineRequest({
        url: target,
        method: request.method,
        headers,
        // http only where the settings say so (Azurite, `DefaultEndpointsProtocol=http`); bearer tokens
        // are still refused over it by their policy.
        allowInsecureConnection: target.startsWith('http:'),
        ...(request.body ? { body: request.body } : {}),
      });
      const response = await pipeline.sendRequest(httpClient, pipelineRequest);
      if (response.status >= 300 && !request.accept?.includes(response.status)) {
        throw storageError(response);
      }
      return {
        status: response.status,
        header: (name) => response.headers.get(name),
        bodyText: response.bodyAsText ?? '',
      };
    },
  };
}

/**
 * `?name=value&…` with every value percent-encoded (`%20`, never `+`: the shared-key signature decodes
 * values with decodeURIComponent, as the service does), then the SAS token as issued (already encoded).
 */
function queryString(query: StorageRequest['query'], sas: string | undefined): string {
  const pairs = Object.entries(query ?? {}).flatMap(([name, value]) =>
    value === undefined ? [] : [`${encodeURIComponent(name)}=${encodeURIComponent(value)}`],
  );
  if (sas) pairs.push(sas);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

/**
 * Bounds each try (retries included) with `AbortSignal.timeout`, whose timer does not keep the process
 * alive. The transport's own `timeout` leaves its timer running when a try fails without an answer
 * (connection refused), which would hold a CLI run open for the whole time limit.
 */
function tryTimeoutPolicy(timeoutInMs: number): PipelinePolicy {
  return {
    name: 'appgwTryTimeoutPolicy',
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const timer = AbortSignal.timeout(timeoutInMs);
      request.abortSignal = outer instanceof AbortSignal ? AbortSignal.any([outer, timer]) : timer;
      try {
        return await next(request);
      } finally {
        request.abortSignal = outer;
      }
    },
  };
}

/**
 * The service's answer as a RestError: status and `x-ms-error-code` (ContainerNotFound,
 * AuthorizationPermissionMismatch …), as the Storage SDK reports them. The message names neither the
 * URL nor the body, which may echo request details.
 */
function storageError(response: PipelineResponse): RestError {
  const code = response.headers.get('x-ms-error-code') ?? errorCodeFromBody(response.bodyAsText);
  return new RestError(`Storage answered HTTP ${response.status}${code ? ` ${code}` : ''}.`, {
    statusCode: response.status,
    ...(code ? { code } : {}),
    request: response.request,
    response,
  });
}

/** `<Error><Code>…</Code>` of an XML error body, for answers without the header (HEAD has no body). */
function errorCodeFromBody(body: string | null | undefined): string | undefined {
  const code = /<Code>([A-Za-z0-9]+)<\/Code>/.exec(body ?? '')?.[1];
  return code;
}
