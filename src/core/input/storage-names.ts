import { isLoopbackHost } from './loopback-host';

/**
 * Azure Storage's rules for what the config and the app settings name: account, container and queue
 * names, a managed identity's client id, a service URL. One home for the config schema
 * (config/storage-schema.ts), the app-settings reader and the storage adapters, so a value is refused
 * the same way, in the same words, wherever it is given. Each returns the problem (a phrase to follow
 * the setting's name), or undefined when the value is fine.
 */

/**
 * Storage account names: 3-24 lower-case letters and digits
 * (learn.microsoft.com/azure/storage/common/storage-account-overview#storage-account-name).
 */
export function accountNameProblem(name: string): string | undefined {
  return /^[a-z0-9]{3,24}$/.test(name)
    ? undefined
    : 'must be a storage account name: 3-24 lower-case letters and digits';
}

/** What `storageNameProblem` asks of a name, for messages that word it themselves. */
export const storageNameRule = (maxLength = 63): string =>
  `3-${maxLength} lower-case letters, digits and single hyphens`;

/**
 * Container and queue names: 3-63 lower-case letters, digits and hyphens, starting and ending with a
 * letter or digit, no two hyphens in a row (learn.microsoft.com/rest/api/storageservices/
 * naming-and-referencing-containers--blobs--and-metadata, …/naming-queues-and-metadata). A
 * `maxLength` under 63 leaves room for a suffix (a queue's `-poison`).
 */
export function storageNameProblem(name: string, maxLength = 63): string | undefined {
  const fits = name.length >= 3 && name.length <= maxLength;
  return fits && /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(name)
    ? undefined
    : `must be ${storageNameRule(maxLength)}`;
}

/** A user-assigned managed identity's client id: a GUID. */
export function clientIdProblem(clientId: string): string | undefined {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)
    ? undefined
    : 'must be the client id (a GUID) of a user-assigned managed identity';
}

/**
 * A storage service URL (`service`: blob or queue) for an identity-based connection: absolute, https
 * (http only to a loopback emulator), and bare. The problem never repeats the value: a query here is
 * usually a SAS token.
 */
export function serviceUriProblem(value: string, service: 'blob' | 'queue' = 'blob'): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute URL such as https://<account>.${service}.core.windows.net`;
  }
  if (url.search || url.username || url.password) {
    return 'must be the bare service URL, without a query string (SAS) or user info';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return 'must use https (http only for a loopback emulator)';
  }
  return undefined;
}
