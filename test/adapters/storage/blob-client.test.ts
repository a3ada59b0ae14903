import { blobStateError } from '../../../src/adapters/state/blob-state-store';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TokenCredential } from '@azure/identity';
import {
  blobConnectionFromAppSettings,
  connectBlobService,
  describeStorageFailure,
  redactSecrets,
  storageReachableAdvice,
  type BlobConnectionOptions,
} from '../../../src/adapters/storage/blob-client';
import { AuthenticationError, ConfigError } from '../../../src/errors';
import { captureError } from '../../helpers/failures';
import { startHttpsRecorder, startTokenEndpoint } from '../../helpers/loopback-identity';

const P = 'APPGW_STORAGE';
const CLIENT_ID = '0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const SECRET_KEY = 'c2VjcmV0LWtleS1kby1ub3QtcHJpbnQ=';
const ACCOUNT_KEY_STRING = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRET_KEY};EndpointSuffix=core.windows.net`;

describe('blobConnectionFromAppSettings', () => {
  test.each<[string, Record<string, string>, BlobConnectionOptions]>([
    [
      'Azurite shortcut',
      { [P]: 'UseDevelopmentStorage=true' },
      { connectionString: 'UseDevelopmentStorage=true', setting: P },
    ],
    [
      'account key connection string',
      { [P]: ACCOUNT_KEY_STRING },
      { connectionString: ACCOUNT_KEY_STRING, setting: P },
    ],
    [
      'SAS connection string',
      { [P]: 'BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2024&sig=abc' },
      {
        connectionString:
          'BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2024&sig=abc',
        setting: P,
      },
    ],
    [
      'service URI (DefaultAzureCredential)',
      { [`${P}__blobServiceUri`]: 'https://acct.blob.core.windows.net' },
      { blobServiceUri: 'https://acct.blob.core.windows.net', setting: P },
    ],
    [
      'service URI + user-assigned managed identity',
      {
        [`${P}__blobServiceUri`]: 'https://acct.blob.core.windows.net/',
        [`${P}__credential`]: 'ManagedIdentity',
        [`${P}__clientId`]: CLIENT_ID,
      },
      {
        blobServiceUri: 'https://acct.blob.core.windows.net/',
        credential: 'managedidentity',
        clientId: CLIENT_ID,
        setting: P,
      },
    ],
    [
      'account name + managed identity by resource id',
      {
        [`${P}__accountName`]: 'acct01',
        [`${P}__credential`]: 'managedidentity',
        [`${P}__managedIdentityResourceId`]:
          '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id',
      },
      {
        accountName: 'acct01',
        credential: 'managedidentity',
        managedIdentityResourceId:
          '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id',
        setting: P,
      },
    ],
    [
      'loopback emulator over http',
      { [`${P}__blobServiceUri`]: 'http://127.0.0.1:10000/devstoreaccount1' },
      { blobServiceUri: 'http://127.0.0.1:10000/devstoreaccount1', setting: P },
    ],
    [
      'blank settings count as unset',
      { [P]: '  ', [`${P}__accountName`]: 'acct', [`${P}__clientId`]: '' },
      { accountName: 'acct', setting: P },
    ],
    [
      "another prefix's settings are ignored",
      { AzureWebJobsStorage: ACCOUNT_KEY_STRING, [`${P}__accountName`]: 'acct' },
      { accountName: 'acct', setting: P },
    ],
  ])('%s', (_label, env, expected) => {
    expect(blobConnectionFromAppSettings(P, env)).toEqual(expected);
  });

  test.each<[string, Record<string, string>, RegExp[]]>([
    [
      'nothing set',
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
      [/APPGW_STORAGE: not set: .*APPGW_STORAGE__blobServiceUri .*APPGW_STORAGE__accountName/],
    ],
    [
      'connection string and identity settings together',
      { [P]: 'UseDevelopmentStorage=true', [`${P}__accountName`]: 'acct' },
      [/APPGW_STORAGE: a connection string, and APPGW_STORAGE__accountName/],
    ],
    [
      'service URI and account name together',
      { [`${P}__blobServiceUri`]: 'https://acct.blob.core.windows.net', [`${P}__accountName`]: 'acct' },
      [/APPGW_STORAGE__blobServiceUri: APPGW_STORAGE__accountName is set too: set only one of them/],
    ],
    [
      'service URI not a URL',
      { [`${P}__blobServiceUri`]: 'acct.blob.core.windows.net' },
      [/APPGW_STORAGE__blobServiceUri: must be an absolute URL/],
    ],
    [
      'service URI over http to a remote host',
      { [`${P}__blobServiceUri`]: 'http://acct.blob.core.windows.net' },
      [/APPGW_STORAGE__blobServiceUri: must use https/],
    ],
    [
      'account name not valid',
      { [`${P}__accountName`]: 'My_Account' },
      [/APPGW_STORAGE__accountName: must be a storage account name/],
    ],
    [
      'client id not a GUID, credential unknown',
      {
        [`${P}__accountName`]: 'acct',
        [`${P}__clientId`]: 'my-identity',
        [`${P}__credential`]: 'clientsecret',
      },
      [
        /APPGW_STORAGE__credential: must be "managedidentity"/,
        /APPGW_STORAGE__clientId: must be the client id/,
      ],
    ],
    [
      'client id and resource id together',
      {
        [`${P}__accountName`]: 'acct',
        [`${P}__clientId`]: CLIENT_ID,
        [`${P}__managedIdentityResourceId`]: '/x',
      },
      [/APPGW_STORAGE__clientId: APPGW_STORAGE__managedIdentityResourceId is set too/],
    ],
    [
      'connection string without account or SAS',
      { [P]: `AccountKey=${SECRET_KEY}` },
      [/APPGW_STORAGE: is not a storage connection string/],
    ],
  ])('refuses %s with a ConfigError naming the setting', (_label, env, patterns) => {
    const error = captureError(() => blobConnectionFromAppSettings(P, env));
    expect(error).toBeInstanceOf(ConfigError);
    for (const pattern of patterns) expect(error.message).toMatch(pattern);
    expect((error as ConfigError).issues.length).toBe(patterns.length);
  });

  test('never echoes a secret: a key, or a SAS in a service URI', () => {
    const sig = 'sig=TOP-SECRET-SIGNATURE';
    const errors = [
      captureError(() => blobConnectionFromAppSettings(P, { [P]: `AccountKey=${SECRET_KEY};Foo=bar` })),
      captureError(() =>
        blobConnectionFromAppSettings(P, {
          [`${P}__blobServiceUri`]: `https://acct.blob.core.windows.net/?sv=1&${sig}`,
        }),
      ),
      captureError(() =>
        blobConnectionFromAppSettings(P, { [P]: ACCOUNT_KEY_STRING, [`${P}__clientId`]: CLIENT_ID }),
      ),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).not.toContain(SECRET_KEY);
      expect(error.message).not.toContain(sig);
    }
    expect(errors[1]?.message).toMatch(/without a query string \(SAS\)/);
  });
});

describe('connectBlobService', () => {
  test.each<[string, BlobConnectionOptions, string]>([
    [
      'UseDevelopmentStorage=true: Azurite on loopback',
      { connectionString: 'UseDevelopmentStorage=true' },
      'http://127.0.0.1:10000/devstoreaccount1',
    ],
    [
      'an account key string: the account URL from the suffix',
      { connectionString: ACCOUNT_KEY_STRING },
      'https://acct.blob.core.windows.net',
    ],
    ['an account name', { accountName: 'acct' }, 'https://acct.blob.core.windows.net'],
    [
      'a service URI (trailing slash dropped)',
      { blobServiceUri: 'https://acct.blob.core.windows.net/' },
      'https://acct.blob.core.windows.net',
    ],
  ])('%s', (_, options, url) => {
    const service = connectBlobService(options, { tokenCredential: fixedToken('t') });
    expect(service.url).toBe(url);
    expect(service.container('c').url).toBe(`${url}/c`);
  });

  test('an identity-based connection signs with the credential, for the storage scope', async () => {
    const server = await startHttpsRecorder();
    const scopes: unknown[] = [];
    try {
      const service = connectBlobService(
        { blobServiceUri: server.url },
        {
          tokenCredential: {
            getToken: async (scope) => (
              scopes.push(scope),
              { token: 'tok', expiresOnTimestamp: Date.now() + 3_600_000 }
            ),
          },
          httpOptions: { tlsOptions: { ca: server.ca }, maxRetries: 0 },
        },
      );
      await service.container('c').createIfNotExists();
      expect(server.requests).toEqual([
        expect.objectContaining({ method: 'PUT', url: '/c?restype=container', authorization: 'Bearer tok' }),
      ]);
      expect(scopes.flat()).toEqual(['https://storage.azure.com/.default']);
    } finally {
      await server.close();
    }
  });

  test("in a Function App, the identity settings pick the host's managed identity (client id passed on)", async () => {
    const idp = await startTokenEndpoint();
    const server = await startHttpsRecorder();
    const saved = { ...process.env };
    Object.assign(process.env, { IDENTITY_ENDPOINT: idp.url, IDENTITY_HEADER: 'h' });
    try {
      const service = connectBlobService(
        { blobServiceUri: server.url, clientId: CLIENT_ID },
        { httpOptions: { tlsOptions: { ca: server.ca }, maxRetries: 0 } },
      );
      await service.container('c').createIfNotExists();
      // A second client for the same identity (the state store beside the sink) reuses its token.
      await connectBlobService(
        { blobServiceUri: server.url, clientId: CLIENT_ID },
        { httpOptions: { tlsOptions: { ca: server.ca }, maxRetries: 0 } },
      )
        .container('d')
        .createIfNotExists();
      expect(idp.requests).toHaveLength(1);
      expect(server.requests[0]?.authorization).toBe('Bearer mi-token');
      expect(server.requests[1]?.authorization).toBe('Bearer mi-token');
      expect(idp.requests[0]?.searchParams.get('client_id')).toBe(CLIENT_ID);
      expect(idp.requests[0]?.searchParams.get('resource')).toBe('https://storage.azure.com');
    } finally {
      process.env = saved;
      await Promise.all([idp.close(), server.close()]);
    }
  });

  test('bad options throw ConfigError without the value', () => {
    const bad = `DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=${SECRET_KEY}`;
    const error = captureError(() => connectBlobService({ connectionString: bad, setting: 'MY_CONN' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /MY_CONN: is not a usable storage connection string: .*BlobEndpoint must be an http\(s\) URL/,
    );
    expect(error.message).not.toContain(SECRET_KEY);
    expect(captureError(() => connectBlobService({ blobServiceUri: 'nope' }))).toBeInstanceOf(ConfigError);
    expect(captureError(() => connectBlobService({ connectionString: '' }))).toBeInstanceOf(ConfigError);
  });
});

/**
 * One parser reads connection strings (rest/connection-string.ts): the settings check and the client
 * agree on every string, the forms the settings check used to sniff on its own included.
 */
describe('a connection string: one reading for the settings and the client', () => {
  const SIG = 'sig=SAS-SECRET-SIGNATURE';
  const SAS = `sv=2025-11-05&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&${SIG}`;
  const secretsIn = (message: string) => [SECRET_KEY, SIG].filter((secret) => message.includes(secret));

  test.each<[string, string, string]>([
    ['development storage', 'UseDevelopmentStorage=true', 'http://127.0.0.1:10000/devstoreaccount1'],
    [
      'development storage with a proxy, any case, spaces',
      ' usedevelopmentstorage = TRUE ;DevelopmentStorageProxyUri=http://127.0.0.1',
      'http://127.0.0.1:10000/devstoreaccount1',
    ],
    ['an account key, as the portal gives it', ACCOUNT_KEY_STRING, 'https://acct.blob.core.windows.net'],
    [
      'an account key without protocol or suffix',
      `AccountName=acct;AccountKey=${SECRET_KEY}`,
      'https://acct.blob.core.windows.net',
    ],
    [
      'an account key, another cloud',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${SECRET_KEY};EndpointSuffix=core.chinacloudapi.cn`,
      'https://acct.blob.core.chinacloudapi.cn',
    ],
    [
      'an account key with explicit endpoints (Azurite, as npm run func:local writes it)',
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${SECRET_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;`,
      'http://127.0.0.1:10000/devstoreaccount1',
    ],
    [
      'a SAS with its blob endpoint',
      `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=${SAS}`,
      'https://acct.blob.core.windows.net',
    ],
  ])('accepted: %s, and the client connects with it', (_label, value, url) => {
    expect(blobConnectionFromAppSettings(P, { [P]: value })).toEqual({
      connectionString: value.trim(),
      setting: P,
    });
    expect(connectBlobService({ connectionString: value, setting: P }).url).toBe(url);
  });

  test.each<[string, string, RegExp]>([
    ['only a key', `AccountKey=${SECRET_KEY}`, /is not a storage connection string \(.*no AccountName/],
    [
      'only an account',
      'AccountName=acct',
      /is not a storage connection string \(.*neither an AccountKey nor/,
    ],
    [
      'an empty key',
      'AccountName=acct;AccountKey=',
      /is not a storage connection string \(.*neither an AccountKey/,
    ],
    [
      'an empty account name',
      `AccountName=;AccountKey=${SECRET_KEY}`,
      /is not a storage connection string \(/,
    ],
    [
      'a SAS without endpoint',
      `SharedAccessSignature=${SAS}`,
      /is not a storage connection string \(.*no BlobEndpoint/,
    ],
    [
      'a SAS with an empty endpoint',
      `BlobEndpoint=;SharedAccessSignature=${SAS}`,
      /is not a storage connection string \(/,
    ],
    [
      "a SAS with the queue's endpoint only",
      `QueueEndpoint=https://acct.queue.core.windows.net;SharedAccessSignature=${SAS}`,
      /is not a storage connection string \(.*no BlobEndpoint/,
    ],
    [
      'not a connection string at all',
      'https://acct.blob.core.windows.net',
      /is not a storage connection string \(/,
    ],
    [
      'an ftp protocol',
      `DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=${SECRET_KEY}`,
      /is not a usable storage connection string: .*BlobEndpoint must be an http\(s\) URL/,
    ],
    [
      'an endpoint that is not a URL',
      `AccountName=acct;AccountKey=${SECRET_KEY};BlobEndpoint=acct.blob.core.windows.net`,
      /is not a usable storage connection string: .*BlobEndpoint is not an absolute URL/,
    ],
  ])(
    'refused: %s, by the settings and the client alike, never quoting a secret',
    (_label, value, pattern) => {
      const fromSettings = captureError(() => blobConnectionFromAppSettings(P, { [P]: value }));
      const fromClient = captureError(() => connectBlobService({ connectionString: value, setting: P }));
      for (const error of [fromSettings, fromClient]) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues).toHaveLength(1);
        expect(error.message).toMatch(new RegExp(`${P}: ${pattern.source}`));
        expect(secretsIn(error.message)).toEqual([]);
      }
      expect(fromClient.message).toBe(fromSettings.message);
    },
  );
});

describe('describeStorageFailure', () => {
  test.each<[unknown, { detail: RegExp; retryable: boolean }]>([
    [
      { name: 'RestError', statusCode: 403, code: 'AuthorizationFailure', message: 'sig=abc' },
      { detail: /^HTTP 403 AuthorizationFailure \(check/, retryable: false },
    ],
    [
      { name: 'RestError', statusCode: 403, code: 'AuthorizationPermissionMismatch' },
      { detail: /Storage Blob Data Contributor/, retryable: false },
    ],
    // A break trial: another holder's lease on index.html was said as a bare "HTTP 412 LeaseIdMissing".
    [
      { name: 'RestError', statusCode: 412, code: 'LeaseIdMissing' },
      {
        detail: /^HTTP 412 LeaseIdMissing \(another holder has a lease on the blob: release it, or break it/,
        retryable: false,
      },
    ],
    [
      { name: 'RestError', statusCode: 412, code: 'ConditionNotMet' },
      { detail: /^HTTP 412 ConditionNotMet$/, retryable: false },
    ],
    [
      { name: 'RestError', statusCode: 503, code: 'ServerBusy' },
      { detail: /^HTTP 503 ServerBusy$/, retryable: true },
    ],
    [
      { name: 'RestError', statusCode: 429 },
      { detail: /^HTTP 429$/, retryable: true },
    ],
    // It passes (Azure takes 30 s or more): a break trial lost a run's result to it, the blob sink's
    // second go after a ContainerNotFound having met it.
    [
      { name: 'RestError', statusCode: 409, code: 'ContainerBeingDeleted' },
      { detail: /^HTTP 409/, retryable: true },
    ],
    [
      { name: 'RestError', statusCode: 409, code: 'ContainerAlreadyExists' },
      { detail: /^HTTP 409/, retryable: false },
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      { detail: /ECONNREFUSED/, retryable: true },
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND nope.blob.core.windows.net'), { code: 'ENOTFOUND' }),
      { detail: /ENOTFOUND.*check the account name/, retryable: true },
    ],
    [new TypeError('a bug'), { detail: /^TypeError: a bug$/, retryable: false }],
    [
      Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }),
      { detail: /^no answer in time/, retryable: true },
    ],
    [
      Object.assign(new Error('no identity'), { name: 'CredentialUnavailableError' }),
      { detail: /^CredentialUnavailableError: no identity$/, retryable: false },
    ],
    [
      new AuthenticationError("The Function App's system-assigned managed identity could not get a token.", {
        retryable: true,
      }),
      {
        detail: /^The Function App's system-assigned managed identity could not get a token$/,
        retryable: true,
      },
    ],
  ])('%j', (error, expected) => {
    const failure = describeStorageFailure(error);
    expect(failure.detail).toMatch(expected.detail);
    expect(failure.retryable).toBe(expected.retryable);
    expect(failure.detail).not.toContain('sig=abc');
  });
});

test('redactSecrets removes keys, SAS signatures and given values', () => {
  expect(
    redactSecrets(`AccountKey=${SECRET_KEY}; url https://a/b?sv=1&sig=XYZ&se=2 SharedKey acct:SIGN== mine`, [
      'mine',
    ]),
  ).toBe(
    'AccountKey=<redacted>; url https://a/b?sv=1&sig=<redacted>&se=2 SharedKey acct:<redacted> <redacted>',
  );
});

test('loading the storage adapters does not load @azure/identity (cold start)', () => {
  const modules = [
    'storage/blob-client',
    'sinks/blob-sink',
    'state/blob-state-store',
    'state/file-state-store',
  ].map((m) => path.resolve(__dirname, `../../../src/adapters/${m}.ts`));
  const script = `
    const fs = require('node:fs');
    const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
    require.extensions['.ts'] = (module, filename) => module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'),
      { filename, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }).code, filename);
    for (const m of ${JSON.stringify(modules)}) require(m);
    const loaded = (name) => Object.keys(require.cache).some((f) => f.includes('node_modules/' + name + '/'));
    process.stdout.write(JSON.stringify({ identity: loaded('@azure/identity'),
      adapters: Object.keys(require.cache).filter((f) => f.includes('src/adapters/')).length }));`;
  const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(JSON.parse(output)).toEqual({ identity: false, adapters: expect.any(Number) });
  expect(JSON.parse(output).adapters).toBeGreaterThanOrEqual(4);
});

const fixedToken = (token: string): TokenCredential => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
});

// A new-user trial: `UseDevelopmentStorage=true` with Azurite not started was told to check "the storage
// account of the state.blob connection" (account name, endpoint, firewall), as if it were in Azure.
describe('storageReachableAdvice', () => {
  it.each([
    ['http://127.0.0.1:10000/devstoreaccount1', true],
    ['http://localhost:10000/devstoreaccount1/', true],
    ['https://acct.blob.core.windows.net', false],
    ['http://127.0.0.1:41234/devstoreaccount1', false], // an Azurite of its own: its address is deliberate
    [undefined, false],
  ])('%s: says how to start Azurite: %s', (url, azurite) => {
    const advice = storageReachableAdvice('the state.blob connection', url);
    expect(advice.startsWith('the storage account of the state.blob connection is reachable')).toBe(true);
    expect(advice.includes('start Azurite (in this project: `npx azurite --location DIR`)')).toBe(azurite);
  });

  it("the state store's error for no answer names it", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000'), {
      code: 'ECONNREFUSED',
    });
    const error = blobStateError(
      'blob appgw-state/x.json',
      'read',
      refused,
      'http://127.0.0.1:10000/devstoreaccount1',
    );
    expect(error.message).toContain("http://127.0.0.1:10000/devstoreaccount1 is Azurite's default address");
  });
});
