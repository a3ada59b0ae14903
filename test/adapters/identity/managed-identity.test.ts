import { createArmBackendHealthReader } from '../../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { createEntraCredential } from '../../../src/adapters/identity/entra-credential';
import { createManagedIdentityCredential } from '../../../src/adapters/identity/managed-identity';
import { parseGatewayId } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import { startEmulator } from '../../../src/emulator';
import { AuthenticationError } from '../../../src/errors';
import { rejection } from '../../helpers/failures';
import { startIdentityEndpoint, tokenAnswer, type IdentityAnswer } from '../../helpers/loopback-identity';
import { gateway, gatewayId } from '../../helpers/scenario-builder';

/**
 * The deployed app's managed identity: @azure/identity's ManagedIdentityCredential against the
 * Functions host's identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), here on loopback.
 *
 * MSAL picks the identity source and endpoint once per process (ManagedIdentityClient's static
 * state, including the first credential's HTTP client and so its retry options), so this file runs
 * one endpoint, set in the environment before the first token request, and tells it how to answer
 * test by test. Its tokens expire within MSAL's 5-minute renewal window, so
 * none is served from MSAL's cache and every test reaches the endpoint.
 */
const SECRET_HEADER = 'identity-header-secret-value';
const CLIENT_ID = '0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const ARM = 'https://management.azure.com/.default';
const fast = { retry: { retryDelayInMs: 10 } };

let idp: Awaited<ReturnType<typeof startIdentityEndpoint>>;
const saved = { ...process.env };

beforeAll(async () => {
  idp = await startIdentityEndpoint(SECRET_HEADER);
  Object.assign(process.env, { IDENTITY_ENDPOINT: idp.url, IDENTITY_HEADER: SECRET_HEADER });
  for (const name of ['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_FEDERATED_TOKEN_FILE'])
    delete process.env[name];
  // MSAL keeps the first credential's HTTP client for the whole process (with its retry delays): the
  // first token request here is one with short delays, so the retry tests stay fast.
  answers(tokenAnswer('warm-up'));
  await createManagedIdentityCredential({ host: 'function-app' }, fast).getToken(ARM);
});
afterAll(async () => {
  process.env = saved;
  await idp.close();
});
beforeEach(() => idp.requests.splice(0));

/** The endpoint answers these in order, then the last one again and again. */
function answers(...sequence: IdentityAnswer[]) {
  let next = 0;
  idp.answerWith(() => sequence[Math.min(next++, sequence.length - 1)] as IdentityAnswer);
}

const functionAppEnv = () => ({ IDENTITY_ENDPOINT: idp.url, IDENTITY_HEADER: SECRET_HEADER });

describe('managed identity (ManagedIdentityCredential on the Functions identity endpoint)', () => {
  it('asks for the resource with the secret header; AZURE_CLIENT_ID names a user-assigned identity', async () => {
    answers(tokenAnswer('mi-token'));
    const credential = createEntraCredential({}, { ...functionAppEnv(), AZURE_CLIENT_ID: CLIENT_ID });
    expect(credential.identity).toBe(
      `the Function App's user-assigned managed identity (client id ${CLIENT_ID})`,
    );

    expect((await credential.getToken(ARM))?.token).toBe('mi-token');
    const [request] = idp.requests;
    expect(request?.header).toBe(SECRET_HEADER);
    expect(request?.url.searchParams.get('api-version')).toBe('2019-08-01');
    expect(request?.url.searchParams.get('resource')).toBe('https://management.azure.com');
    expect(request?.url.searchParams.get('client_id')).toBe(CLIENT_ID);
  });

  it.each<[string, IdentityAnswer]>([
    ['503', { status: 503, body: { message: 'Service busy' } }],
    ['500', { status: 500, body: { message: 'boom' } }],
    [
      '429 with Retry-After',
      { status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '0' } },
    ],
    ['a reset connection', 'reset'],
  ])('a passing %s is retried by @azure/identity and the token comes', async (_, failure) => {
    answers(failure, tokenAnswer('after-retry'));
    const credential = createManagedIdentityCredential({ host: 'function-app' }, fast);
    expect((await credential.getToken('https://storage.azure.com/.default'))?.token).toBe('after-retry');
    expect(idp.requests).toHaveLength(2);
  });

  it.each<[string, IdentityAnswer, RegExp]>([
    ['a 500', { status: 500, body: { message: 'boom' } }, /answered HTTP 500 \(boom\)/],
    [
      'a 429 without Retry-After',
      { status: 429, body: { message: 'slow down' } },
      /answered HTTP 429 \(slow down\)/,
    ],
    ['a reset connection', 'reset', /did not answer \(network error\)/],
  ])(
    '%s that lasts: a retryable AuthenticationError naming the identity and the resource, never the secret',
    async (_, failure, detail) => {
      answers(failure);
      const credential = createManagedIdentityCredential({ host: 'function-app' }, fast);
      const error = await rejection(credential.getToken(ARM));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ code: 'AuthenticationFailed', retryable: true });
      const { message } = error as Error;
      expect(message).toContain(
        "The Function App's system-assigned managed identity could not get a token for https://management.azure.com",
      );
      expect(message).toMatch(detail);
      expect(message).toContain('tried again on the next run');
      expect(message).not.toContain(SECRET_HEADER);
      expect(message).not.toContain('az login');
    },
  );

  it('no answer in time: a retryable AuthenticationError', async () => {
    answers('hang');
    const credential = createManagedIdentityCredential(
      { host: 'function-app' },
      { ...fast, tokenTimeoutInMs: 300 },
    );
    const error = await rejection(credential.getToken(ARM));
    expect(error).toMatchObject({ code: 'AuthenticationFailed', retryable: true });
    expect((error as Error).message).toContain('did not answer within 300 ms');
  });

  it.each([
    [
      'the system-assigned identity',
      {},
      "The Function App's system-assigned managed identity could not get a token",
      'Turn the system-assigned identity on',
    ],
    [
      'a user-assigned identity',
      { clientId: CLIENT_ID },
      `The Function App's user-assigned managed identity (client id ${CLIENT_ID}) could not get a token`,
      'Assign that identity to the app',
    ],
  ])('%s the endpoint does not know: not retryable, says what to change', async (_, identity, who, todo) => {
    answers({
      status: 400,
      body: {
        statusCode: 400,
        message: 'No managed identity found for specified ClientId/ResourceId/PrincipalId.',
      },
    });
    const credential = createManagedIdentityCredential({ host: 'function-app', ...identity }, fast);
    const error = await rejection(credential.getToken(ARM));
    expect(error).toMatchObject({ code: 'AuthenticationFailed', retryable: false });
    expect((error as Error).message).toContain(who);
    expect((error as Error).message).toContain('answered HTTP 400 (No managed identity found');
    expect((error as Error).message).toContain(todo);
    expect(idp.requests).toHaveLength(1); // a 400 is not retried
  });

  it('through the real ARM client: the token is sent; a token failure is AuthenticationFailed, not a gateway problem', async () => {
    const emulator = await startEmulator({
      scenario: {
        gateways: [gateway('gw', [{ address: '10.0.0.4', health: 'Down' }])],
        auth: { acceptTokens: ['managed-identity-token'] },
      } as never,
    });
    try {
      const clientFor = createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'default',
        maxRetries: 0,
      });
      const reader = createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 });
      const gw = parseGatewayId(gatewayId('gw')) as GatewayRef;

      answers(tokenAnswer('managed-identity-token'));
      const body = await reader.getBackendHealth(gw);
      expect(body.backendAddressPools?.[0]?.backendHttpSettingsCollection?.[0]?.servers?.[0]?.health).toBe(
        'Down',
      );

      answers({
        status: 400,
        body: { message: 'No managed identity found for specified ClientId/ResourceId/PrincipalId.' },
      });
      const other = createArmClientFactory({
        endpoint: emulator.url,
        caCertFile: emulator.caCertFile,
        credential: 'default',
        maxRetries: 0,
      });
      const error = await rejection(
        createArmBackendHealthReader(other, { pollIntervalInMs: 10 }).getBackendHealth(
          parseGatewayId(gatewayId('gw', 'rg-other')) as GatewayRef,
        ),
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toContain(
        "The Function App's system-assigned managed identity could not get a token for https://management.azure.com",
      );
    } finally {
      await emulator.close();
    }
  });
});
