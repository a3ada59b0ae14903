import type { AccessToken } from '@azure/identity';
import type { DescribedCredential } from '../identity/entra-credential';

/**
 * The fixed token the emulator accepts. Only ever sent to a loopback endpoint: the config schema
 * refuses `credential: "development"` with any other endpoint.
 */
export const DEVELOPMENT_TOKEN = 'appgw-insights-development-token';

export function createDevelopmentCredential(token = DEVELOPMENT_TOKEN): DescribedCredential {
  return {
    identity: 'the development credential (arm.credential "development")',
    whenRefused:
      "It sends the emulator's fixed token: point arm.endpoint (APPGW_ARM_ENDPOINT) at the emulator, or use " +
      'arm.credential "default"; against the emulator, the scenario\'s auth.acceptTokens must list it.',
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}
