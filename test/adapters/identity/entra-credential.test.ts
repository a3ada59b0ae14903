import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  chooseManagedIdentity,
  createEntraCredential,
  type EntraCredentialOptions,
} from '../../../src/adapters/identity/entra-credential';
import { AuthenticationError } from '../../../src/errors';
import { rejection } from '../../helpers/failures';
import { signedOutEnv } from '../../helpers/signed-out';

const CLIENT_ID = '0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const OTHER_CLIENT_ID = '9e8d7c6b-5a49-4837-a625-140312e0f9d8';
const RESOURCE_ID =
  '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id';
const FUNCTION_APP = { IDENTITY_ENDPOINT: 'http://127.0.0.1:41741/msi/token', IDENTITY_HEADER: 'h' };

describe('which identity: a managed identity where DefaultAzureCredential would pick one, else the developer chain', () => {
  test.each<
    [string, EntraCredentialOptions, Record<string, string>, ReturnType<typeof chooseManagedIdentity>]
  >([
    ['a workstation', {}, {}, undefined],
    ['a workstation, user-assigned id for storage', { clientId: CLIENT_ID }, {}, undefined],
    ['only IDENTITY_ENDPOINT', {}, { IDENTITY_ENDPOINT: FUNCTION_APP.IDENTITY_ENDPOINT }, undefined],
    ['a Function App: system-assigned', {}, FUNCTION_APP, { host: 'function-app' }],
    [
      'a Function App: AZURE_CLIENT_ID names a user-assigned one',
      {},
      { ...FUNCTION_APP, AZURE_CLIENT_ID: CLIENT_ID },
      { host: 'function-app', clientId: CLIENT_ID },
    ],
    [
      "a Function App: the connection's clientId wins over AZURE_CLIENT_ID",
      { clientId: OTHER_CLIENT_ID },
      { ...FUNCTION_APP, AZURE_CLIENT_ID: CLIENT_ID },
      { host: 'function-app', clientId: OTHER_CLIENT_ID },
    ],
    [
      'a Function App: a resource id',
      { managedIdentityResourceId: RESOURCE_ID },
      { ...FUNCTION_APP, AZURE_CLIENT_ID: CLIENT_ID },
      { host: 'function-app', resourceId: RESOURCE_ID },
    ],
    ['a Function App with a service principal', {}, { ...FUNCTION_APP, AZURE_CLIENT_SECRET: 's' }, undefined],
    [
      'a Function App with workload identity',
      {},
      { ...FUNCTION_APP, AZURE_FEDERATED_TOKEN_FILE: '/f' },
      undefined,
    ],
    [
      '"managedidentity" asked for, off App Service',
      { credential: 'managedidentity' },
      {},
      { host: 'azure' },
    ],
    [
      '"managedidentity" with a client id',
      { credential: 'managedidentity', clientId: CLIENT_ID },
      {},
      { host: 'azure', clientId: CLIENT_ID },
    ],
  ])('%s', (_, options, env, chosen) => {
    expect(chooseManagedIdentity(options, env)).toEqual(chosen);
  });

  test('each credential says whose tokens it gets (for the messages of a refused token)', () => {
    expect(createEntraCredential({}, FUNCTION_APP).identity).toBe(
      "the Function App's system-assigned managed identity",
    );
    expect(
      createEntraCredential({ credential: 'managedidentity', managedIdentityResourceId: RESOURCE_ID }, {})
        .identity,
    ).toBe(`the user-assigned managed identity (resource id ${RESOURCE_ID})`);
    const developer = createEntraCredential({}, {});
    expect(developer.identity).toBe('your Azure sign-in');
    expect(developer.whenRefused).toContain('az login');
  });
});

test('one credential per identity: asked twice, the same instance (one token cache); another identity, another', () => {
  const a = createEntraCredential({ clientId: CLIENT_ID }, FUNCTION_APP);
  expect(createEntraCredential({ clientId: CLIENT_ID }, { ...FUNCTION_APP })).toBe(a);
  expect(createEntraCredential({}, FUNCTION_APP)).not.toBe(a);
  expect(
    createEntraCredential({ clientId: CLIENT_ID }, { ...FUNCTION_APP, IDENTITY_HEADER: 'other' }),
  ).not.toBe(a);
  expect(createEntraCredential({ clientId: CLIENT_ID }, {})).not.toBe(a);
});

test('without az login (nor any other sign-in): AuthenticationFailed saying "az login", not a gateway problem', async () => {
  // DefaultAzureCredential's developer credentials only (AZURE_TOKEN_CREDENTIALS=dev: no managed
  // identity probe), with no az/azd/pwsh on PATH and an empty home: nothing to sign in with.
  const home = await mkdtemp(path.join(os.tmpdir(), 'appgw-home-'));
  const saved = { ...process.env };
  const signedOut = signedOutEnv(home);
  for (const name of Object.keys(process.env)) if (!(name in signedOut)) delete process.env[name];
  Object.assign(process.env, signedOut);
  try {
    const error = await rejection(
      createEntraCredential({}, {}).getToken('https://management.azure.com/.default'),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'AuthenticationFailed', retryable: false });
    const { message } = error as Error;
    expect(message).toContain('Could not get a token for https://management.azure.com: no sign-in was found');
    expect(message).toContain('Sign in with "az login"');
    expect(message).not.toMatch(/gatewayTimeoutInMs|backend health/i);
  } finally {
    process.env = saved;
    await rm(home, { recursive: true, force: true });
  }
});

test('@azure/identity is loaded when the first token is asked for, not when the credential is made', () => {
  const module = path.resolve(__dirname, '../../../src/adapters/identity/entra-credential.ts');
  const script = `
    const fs = require('node:fs');
    const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
    require.extensions['.ts'] = (module, filename) => module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'),
      { filename, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }).code, filename);
    const loaded = () => Object.keys(require.cache).some((f) => f.includes('node_modules/@azure/identity/'));
    const { createEntraCredential } = require(${JSON.stringify(module)});
    const env = { IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi/token', IDENTITY_HEADER: 'h' };
    Object.assign(process.env, env);
    const credential = createEntraCredential({}, env);
    const made = loaded();
    credential.getToken('https://management.azure.com/.default', {}).catch(() => undefined).finally(() =>
      process.stdout.write(JSON.stringify({ made, asked: loaded() })));`;
  const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(JSON.parse(output)).toEqual({ made: false, asked: true });
});
