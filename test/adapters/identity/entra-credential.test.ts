import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import {
  createEntraCredential,
  type EntraCredentialOptions,
} from '../../../src/adapters/identity/entra-credential';

const CLIENT_ID = '0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const RESOURCE_ID =
  '/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id';
const FUNCTION_APP = { IDENTITY_ENDPOINT: 'http://127.0.0.1:41741/msi/token', IDENTITY_HEADER: 'h' };

describe('createEntraCredential outside a Function App (no IDENTITY_ENDPOINT)', () => {
  test.each<[EntraCredentialOptions, new (...args: never[]) => unknown]>([
    [{}, DefaultAzureCredential],
    [{ clientId: CLIENT_ID }, DefaultAzureCredential],
    [{ managedIdentityResourceId: RESOURCE_ID }, DefaultAzureCredential],
    [{ credential: 'managedidentity' }, ManagedIdentityCredential],
    [{ credential: 'managedidentity', clientId: CLIENT_ID }, ManagedIdentityCredential],
    [{ credential: 'managedidentity', managedIdentityResourceId: RESOURCE_ID }, ManagedIdentityCredential],
  ])('%j → %p', (options, type) => {
    expect(createEntraCredential(options, {})).toBeInstanceOf(type);
  });

  test('a user-assigned managed identity is named by client id or resource id', () => {
    expect(createEntraCredential({ credential: 'managedidentity', clientId: CLIENT_ID }, {})).toMatchObject({
      clientId: CLIENT_ID,
    });
    expect(
      createEntraCredential({ credential: 'managedidentity', managedIdentityResourceId: RESOURCE_ID }, {}),
    ).toMatchObject({ resourceId: RESOURCE_ID });
  });
});

test("in a Function App the host's identity endpoint is used, whatever the options", () => {
  for (const options of [{}, { credential: 'managedidentity' as const, clientId: CLIENT_ID }]) {
    const credential = createEntraCredential(options, FUNCTION_APP);
    expect(credential).not.toBeInstanceOf(DefaultAzureCredential);
    expect(credential).not.toBeInstanceOf(ManagedIdentityCredential);
    expect(typeof credential.getToken).toBe('function');
  }
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
