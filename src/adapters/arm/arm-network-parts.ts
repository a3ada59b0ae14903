/**
 * Loads the two modular parts of `@azure/arm-network` that application-gateways-client.ts makes a
 * client of, from the installed package: `createNetworkManagement` (its public `./api` export) and
 * `_getApplicationGatewaysOperations` (dist/commonjs/classic/applicationGateways/index.js, which its
 * exports map does not name, so required by its path beside the package's package.json, which the map
 * does name). Undefined where either is not there (another layout of the package: the caller then
 * makes the classic client). The Functions bundle replaces this file with one that returns undefined
 * (scripts/bundle.js): its `@azure/arm-network` is a lean client already.
 */
import path from 'node:path';
import type { ApplicationGatewaysOperations } from '@azure/arm-network';
import type { NetworkManagementContext } from '@azure/arm-network/api';

export interface ArmNetworkParts {
  readonly createNetworkManagement: typeof import('@azure/arm-network/api').createNetworkManagement;
  /** The classic client's `applicationGateways`, bound to `context`. */
  readonly applicationGatewaysOf: (context: NetworkManagementContext) => ApplicationGatewaysOperations;
}

/** Where the classic applicationGateways group is, under the package's folder (@azure/arm-network 39). */
export const APPLICATION_GATEWAYS_GROUP_FILE = 'dist/commonjs/classic/applicationGateways/index.js';

let loaded: ArmNetworkParts | null | undefined;

/** The parts, loaded once; undefined when the installed package does not have them where expected. */
export function loadArmNetworkParts(): ArmNetworkParts | undefined {
  if (loaded === undefined) loaded = load() ?? null;
  return loaded ?? undefined;
}

function load(): ArmNetworkParts | undefined {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const api = require('@azure/arm-network/api') as typeof import('@azure/arm-network/api');
    const packageDir = path.dirname(require.resolve('@azure/arm-network/package.json'));
    const group = require(path.join(packageDir, APPLICATION_GATEWAYS_GROUP_FILE)) as {
      _getApplicationGatewaysOperations?: ArmNetworkParts['applicationGatewaysOf'];
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const applicationGatewaysOf = group._getApplicationGatewaysOperations;
    if (typeof api.createNetworkManagement !== 'function' || typeof applicationGatewaysOf !== 'function')
      return undefined;
    return { createNetworkManagement: api.createNetworkManagement, applicationGatewaysOf };
  } catch {
    return undefined;
  }
}
