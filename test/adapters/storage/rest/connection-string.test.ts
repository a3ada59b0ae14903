import { inspect } from 'node:util';
import {
  parseConnectionString,
  type StorageEndpoint,
  type StorageService,
} from '../../../../src/adapters/storage/rest/connection-string';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Made-up secrets: base64 with padding (a key) and a SAS signature, to look for in error messages. */
const KEY = 'c2VjcmV0LWtleS12YWx1ZS1mb3ItdGVzdHM=';
const SIG = 'SiGsEcReT%2Bvalue%3D';
const SAS = `sv=2025-11-05&ss=bq&srt=sco&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&sig=${SIG}`;

describe('parseConnectionString', () => {
  test.each<[string, string, StorageService, StorageEndpoint]>([
    [
      'development storage, blob',
      'UseDevelopmentStorage=true',
      'blob',
      {
        url: 'http://127.0.0.1:10000/devstoreaccount1',
        auth: { sharedKey: { accountName: DEV_ACCOUNT, accountKey: DEV_KEY } },
      },
    ],
    [
      'development storage, queue',
      'UseDevelopmentStorage=true',
      'queue',
      {
        url: 'http://127.0.0.1:10001/devstoreaccount1',
        auth: { sharedKey: { accountName: DEV_ACCOUNT, accountKey: DEV_KEY } },
      },
    ],
    [
      'development storage, keys and value in any case, trailing semicolon',
      'usedevelopmentstorage=TRUE;',
      'blob',
      {
        url: 'http://127.0.0.1:10000/devstoreaccount1',
        auth: { sharedKey: { accountName: DEV_ACCOUNT, accountKey: DEV_KEY } },
      },
    ],
    [
      'account key without protocol or suffix: https, core.windows.net',
      `AccountName=acct;AccountKey=${KEY}`,
      'blob',
      {
        url: 'https://acct.blob.core.windows.net',
        auth: { sharedKey: { accountName: 'acct', accountKey: KEY } },
      },
    ],
    [
      'account key without protocol or suffix, queue',
      `AccountName=acct;AccountKey=${KEY}`,
      'queue',
      {
        url: 'https://acct.queue.core.windows.net',
        auth: { sharedKey: { accountName: 'acct', accountKey: KEY } },
      },
    ],
    [
      'account key with protocol and suffix',
      `DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn`,
      'queue',
      {
        url: 'http://acct.queue.core.chinacloudapi.cn',
        auth: { sharedKey: { accountName: 'acct', accountKey: KEY } },
      },
    ],
    [
      'case-insensitive keys and protocol; spaces around pairs; the signing name keeps its case',
      ` defaultendpointsprotocol=HTTPS ; ACCOUNTNAME=Acct ; accountkey=${KEY} ; endpointSUFFIX=example.net `,
      'blob',
      { url: 'https://acct.blob.example.net', auth: { sharedKey: { accountName: 'Acct', accountKey: KEY } } },
    ],
    [
      'explicit endpoint: trailing slash trimmed',
      `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:41000/${DEV_ACCOUNT}/;`,
      'blob',
      {
        url: `http://127.0.0.1:41000/${DEV_ACCOUNT}`,
        auth: { sharedKey: { accountName: DEV_ACCOUNT, accountKey: KEY } },
      },
    ],
    [
      'explicit endpoint: query dropped, several trailing slashes trimmed',
      `AccountName=acct;AccountKey=${KEY};BlobEndpoint=https://blobs.example.org//?foo=bar&sig=x`,
      'blob',
      { url: 'https://blobs.example.org', auth: { sharedKey: { accountName: 'acct', accountKey: KEY } } },
    ],
    [
      'explicit endpoint: a fragment is dropped with the trailing slash',
      `AccountName=acct;AccountKey=${KEY};BlobEndpoint=https://blobs.example.org/x/#frag`,
      'blob',
      { url: 'https://blobs.example.org/x', auth: { sharedKey: { accountName: 'acct', accountKey: KEY } } },
    ],
    [
      'explicit endpoint of the other service is ignored',
      `AccountName=acct;AccountKey=${KEY};BlobEndpoint=https://blobs.example.org`,
      'queue',
      {
        url: 'https://acct.queue.core.windows.net',
        auth: { sharedKey: { accountName: 'acct', accountKey: KEY } },
      },
    ],
    [
      'explicit queue endpoint',
      `AccountName=acct;AccountKey=${KEY};QueueEndpoint=http://localhost:10001/acct/`,
      'queue',
      { url: 'http://localhost:10001/acct', auth: { sharedKey: { accountName: 'acct', accountKey: KEY } } },
    ],
    [
      'SAS with a leading "?"',
      `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=?${SAS}`,
      'blob',
      { url: 'https://acct.blob.core.windows.net', auth: { sas: SAS } },
    ],
    [
      'SAS without "?" (values keep their "=" and percent-encoding)',
      `QueueEndpoint=https://acct.queue.core.windows.net;SharedAccessSignature=${SAS}`,
      'queue',
      { url: 'https://acct.queue.core.windows.net', auth: { sas: SAS } },
    ],
    [
      'SAS with an account name instead of an endpoint',
      `AccountName=acct;SharedAccessSignature=${SAS}`,
      'blob',
      { url: 'https://acct.blob.core.windows.net', auth: { sas: SAS } },
    ],
    [
      'key values with "=" (base64 padding) kept whole',
      'AccountName=acct;AccountKey=YQ==',
      'blob',
      {
        url: 'https://acct.blob.core.windows.net',
        auth: { sharedKey: { accountName: 'acct', accountKey: 'YQ==' } },
      },
    ],
    [
      'an account key wins over a SAS',
      `AccountName=acct;AccountKey=${KEY};SharedAccessSignature=${SAS}`,
      'blob',
      {
        url: 'https://acct.blob.core.windows.net',
        auth: { sharedKey: { accountName: 'acct', accountKey: KEY } },
      },
    ],
  ])('%s', (_name, value, service, expected) => {
    expect(parseConnectionString(value, service)).toEqual(expected);
  });

  test.each<[string, string, StorageService, RegExp]>([
    ['an empty string', '', 'blob', /names no BlobEndpoint and no AccountName/],
    [
      'no key and no SAS',
      'AccountName=acct;EndpointSuffix=core.windows.net',
      'blob',
      /neither an AccountKey nor/,
    ],
    ['an empty key', 'AccountName=acct;AccountKey=', 'queue', /neither an AccountKey nor/],
    [
      'a key without account name (explicit endpoint)',
      `BlobEndpoint=https://acct.blob.core.windows.net;AccountKey=${KEY}`,
      'blob',
      /has an AccountKey but no AccountName/,
    ],
    [
      'a key without account name or endpoint',
      `DefaultEndpointsProtocol=https;AccountKey=${KEY}`,
      'blob',
      /names no BlobEndpoint and no AccountName/,
    ],
    [
      'a SAS without endpoint',
      `SharedAccessSignature=${SAS}`,
      'blob',
      /names no BlobEndpoint and no AccountName/,
    ],
    [
      "a SAS with the other service's endpoint only",
      `BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=${SAS}`,
      'queue',
      /names no QueueEndpoint and no AccountName/,
    ],
    [
      'a non-URL endpoint',
      `AccountName=acct;AccountKey=${KEY};BlobEndpoint=acct.blob.core.windows.net`,
      'blob',
      /BlobEndpoint is not an absolute URL/,
    ],
    [
      'an ftp endpoint',
      `AccountName=acct;AccountKey=${KEY};QueueEndpoint=ftp://acct.queue.core.windows.net`,
      'queue',
      /QueueEndpoint must be an http\(s\) URL/,
    ],
    [
      'an ftp endpoint holding the SAS',
      `BlobEndpoint=ftp://host/?${SAS};SharedAccessSignature=${SAS}`,
      'blob',
      /BlobEndpoint must be an http\(s\) URL/,
    ],
  ])('refuses %s without quoting it', (_name, value, service, message) => {
    let error: unknown;
    try {
      parseConnectionString(value, service);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    for (const text of [(error as Error).message, String(error), inspect(error, { depth: 8 })]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(SIG);
      expect(text).not.toContain(decodeURIComponent(SIG));
    }
  });
});
