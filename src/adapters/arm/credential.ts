import type { AccessToken, TokenCredential } from '@azure/identity';

/**
 * The fixed token the emulator accepts. Only ever sent to a loopback endpoint: the config schema
 * refuses `credential: "development"` with any other endpoint.
 */
export const DEVELOPMENT_TOKEN = 'appgw-insights-development-token';

export function createDevelopmentCredential(token = DEVELOPMENT_TOKEN): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}
