import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import {
  appServiceManagedIdentityFromEnv,
  createAppServiceManagedIdentityCredential,
  toResource,
} from '../../../src/adapters/identity/app-service-managed-identity';
import { parseGatewayId } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import { startEmulator } from '../../../src/emulator';
import { AuthenticationError } from '../../../src/errors';
import { gateway, gatewayId } from '../../helpers/scenario-builder';

const SECRET_HEADER = 'identity-header-secret-value';

/** A stand-in for the Functions host's managed-identity endpoint (App Service protocol 2019-08-01). */
async function startIdentityEndpoint(answer: (url: URL) => { status: number; body: unknown }) {
  const requests: Array<{ url: URL; header: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ url, header: req.headers['x-identity-header'] as string | undefined });
    const { status, body } =
      req.headers['x-identity-header'] === SECRET_HEADER
        ? answer(url)
        : { status: 401, body: { message: 'bad header' } };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
  return { endpoint, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const token = (value: string, inSeconds: number) => ({
  status: 200,
  body: {
    access_token: value,
    expires_on: String(Math.floor(Date.now() / 1000) + inSeconds),
    token_type: 'Bearer',
  },
});

describe('App Service managed identity credential', () => {
  it('asks the endpoint for the scope’s resource with the secret header, and caches the token', async () => {
    const idp = await startIdentityEndpoint((url) => token(`t-${url.searchParams.get('resource')}`, 3600));
    try {
      const credential = createAppServiceManagedIdentityCredential({
        endpoint: idp.endpoint,
        secretHeader: SECRET_HEADER,
      });
      const [a, b] = await Promise.all([
        credential.getToken('https://management.azure.com/.default'),
        credential.getToken(['https://management.azure.com/.default']),
      ]);
      expect(a?.token).toBe('t-https://management.azure.com');
      expect(b?.token).toBe(a?.token);
      expect((await credential.getToken('https://storage.azure.com/.default'))?.token).toBe(
        't-https://storage.azure.com',
      );
      expect(idp.requests).toHaveLength(2);
      expect(idp.requests[0]?.url.searchParams.get('api-version')).toBe('2019-08-01');
      expect(idp.requests[0]?.header).toBe(SECRET_HEADER);
    } finally {
      await idp.close();
    }
  });

  it('renews a token about to expire, and names a user-assigned identity by client id', async () => {
    const idp = await startIdentityEndpoint(() => token(`t-${Date.now()}`, 60));
    try {
      const credential = createAppServiceManagedIdentityCredential({
        endpoint: idp.endpoint,
        secretHeader: SECRET_HEADER,
        clientId: 'c-1',
      });
      await credential.getToken('https://management.azure.com/.default');
      await credential.getToken('https://management.azure.com/.default');
      expect(idp.requests).toHaveLength(2); // 60 s left is inside the 5-minute renewal window
      expect(idp.requests[1]?.url.searchParams.get('client_id')).toBe('c-1');
    } finally {
      await idp.close();
    }
  });

  it('fails with AuthenticationError quoting the endpoint, never the secret header, and does not cache the failure', async () => {
    let fail = true;
    const idp = await startIdentityEndpoint(() =>
      fail ? { status: 400, body: { message: 'No managed identity' } } : token('ok', 3600),
    );
    try {
      const credential = createAppServiceManagedIdentityCredential({
        endpoint: idp.endpoint,
        secretHeader: SECRET_HEADER,
      });
      const error = await credential
        .getToken('https://management.azure.com/.default')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toContain('No managed identity');
      expect((error as Error).message).not.toContain(SECRET_HEADER);
      fail = false;
      expect((await credential.getToken('https://management.azure.com/.default'))?.token).toBe('ok');
    } finally {
      await idp.close();
    }
  });

  it.each([
    [{}, false],
    [{ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi' }, false],
    [{ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi', IDENTITY_HEADER: 'h' }, true],
    [{ IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi', IDENTITY_HEADER: 'h', AZURE_CLIENT_SECRET: 's' }, false],
    [
      { IDENTITY_ENDPOINT: 'http://127.0.0.1:1/msi', IDENTITY_HEADER: 'h', AZURE_FEDERATED_TOKEN_FILE: '/f' },
      false,
    ],
  ])('is chosen, as DefaultAzureCredential would choose managed identity, for %j → %s', (env, chosen) => {
    expect(appServiceManagedIdentityFromEnv(env) !== undefined).toBe(chosen);
  });

  it.each([
    ['https://management.azure.com/.default', 'https://management.azure.com'],
    [['https://storage.azure.com/.default'], 'https://storage.azure.com'],
    ['https://vault.azure.net', 'https://vault.azure.net'],
  ])('scope %j is resource %s', (scopes, resource) => expect(toResource(scopes)).toBe(resource));

  it('authenticates the real ARM client against the emulator in a Function App environment', async () => {
    const idp = await startIdentityEndpoint(() => token('managed-identity-token', 3600));
    const emulator = await startEmulator({
      scenario: {
        gateways: [gateway('gw', [{ address: '10.0.0.4', health: 'Down' }])],
        auth: { acceptTokens: ['managed-identity-token'] },
      } as never,
    });
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { IDENTITY_ENDPOINT: idp.endpoint, IDENTITY_HEADER: SECRET_HEADER });
      delete process.env['AZURE_CLIENT_SECRET'];
      const clientFor = createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'default',
        maxRetries: 0,
      });
      const reader = createArmBackendHealthReader(clientFor, { pollIntervalInMs: 20 });
      const body = await reader.getBackendHealth(parseGatewayId(gatewayId('gw')) as GatewayRef);
      expect(body.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers?.[0]?.health).toBe(
        'Down',
      );
      expect(idp.requests[0]?.url.searchParams.get('resource')).toBe('https://management.azure.com');
    } finally {
      process.env = saved;
      await Promise.all([emulator.close(), idp.close()]);
    }
  });
});
