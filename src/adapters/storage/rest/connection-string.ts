import type { StorageAuth } from './storage-http';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const DEVELOPMENT = {
  accountName: 'devstoreaccount1',
  accountKey: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  endpoints: { blob: 'http://127.0.0.1:10000', queue: 'http://127.0.0.1:10001' },
} as const;

export type StorageService = 'blob' | 'queue';

/** Where one storage service of a connection string lives, and how to sign in to it. */
export interface StorageEndpoint {
  /** Service URL without a trailing slash or query, e.g. https://acct.blob.core.windows.net. */
  readonly url: string;
  readonly auth: StorageAuth;
}

/**
 * Reads a storage connection string the way the Azure SDKs and the Functions host do:
 * `UseDevelopmentStorage=true` (Azurite on 127.0.0.1), `AccountName=…;AccountKey=…` with
 * `DefaultEndpointsProtocol` / `EndpointSuffix` or an explicit `BlobEndpoint=` / `QueueEndpoint=`, or a
 * SAS (`SharedAccessSignature=…` with the service's endpoint). Throws an Error naming the missing part,
 * never quoting the string (it holds a key).
 */
export function parseConnectionString(value: string, service: StorageService): StorageEndpoint {
  const parts = new Map<string, string>();
  for (const pair of value.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    const { accountName, accountKey } = DEVELOPMENT;
    return {
      url: `${DEVELOPMENT.endpoints[service]}/${accountName}`,
      auth: { sharedKey: { accountName, accountKey } },
    };
  }
  const accountName = parts.get('accountname');
  const explicit = parts.get(`${service}endpoint`);
  const protocol = (parts.get('defaultendpointsprotocol') ?? 'https').toLowerCase();
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const derived = accountName ? `${protocol}://${accountName}.${service}.${suffix}` : undefined;
  const url = trimEndpoint(explicit ?? derived, service);

  const accountKey = parts.get('accountkey');
  if (accountKey) {
    if (!accountName) throw new Error('the connection string has an AccountKey but no AccountName');
    return { url, auth: { sharedKey: { accountName, accountKey } } };
  }
  const sas = parts.get('sharedaccesssignature');
  if (sas) return { url, auth: { sas: sas.replace(/^\?/, '') } };
  throw new Error('the connection string has neither an AccountKey nor a SharedAccessSignature');
}

function trimEndpoint(endpoint: string | undefined, service: StorageService): string {
  const name = `${service[0]?.toUpperCase()}${service.slice(1)}Endpoint`;
  if (!endpoint) throw new Error(`the connection string names no ${name} and no AccountName`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`the connection string's ${name} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`the connection string's ${name} must be an http(s) URL`);
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}
