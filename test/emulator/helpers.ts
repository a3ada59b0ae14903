/** Shared set-up for the emulator tests: the real ARM SDK pointed at a running emulator. */
import { NetworkManagementClient } from '@azure/arm-network';
import * as https from 'node:https';
import { ScenarioError } from '../../src/errors';
import {
  parseScenario,
  startEmulator,
  type RunningEmulator,
  type ScenarioInput,
  type StartEmulatorOptions,
} from '../../src/emulator';

export const SUB = '11111111-2222-3333-4444-555555555555';

export type GatewayInput = ScenarioInput['gateways'][number];

export function gatewayId(rg: string, name: string, sub = SUB): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`;
}

/** A small backend-health body in ARM's shape for gateway `id`. */
export function healthBody(id: string) {
  return {
    backendAddressPools: [
      {
        backendAddressPool: { id: `${id}/backendAddressPools/pool-a` },
        backendHttpSettingsCollection: [
          {
            backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-a` },
            servers: [
              { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
              { address: 'app.contoso.internal', health: 'Down', healthProbeLog: 'TCP connect error' },
            ],
          },
        ],
      },
      {
        backendAddressPool: { id: `${id}/backendAddressPools/pool-empty` },
        backendHttpSettingsCollection: [],
      },
    ],
  };
}

/** A gateway that answers fast (Retry-After: 0) unless `extra` says otherwise. */
export function gateway(
  rg: string,
  name: string,
  extra: Partial<GatewayInput> = {},
  sub = SUB,
): GatewayInput {
  const id = gatewayId(rg, name, sub);
  return {
    id,
    location: 'westeurope',
    backendHealth: healthBody(id),
    lro: { polls: 1, retryAfterSeconds: 0 },
    ...extra,
  };
}

/**
 * Starts emulators for one test file (with `options` such as a `clock`) and closes each after its
 * test.
 */
export function useEmulators(): (
  scenario: ScenarioInput,
  options?: Omit<StartEmulatorOptions, 'scenario'>,
) => Promise<RunningEmulator> {
  const running: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
  });
  return async (scenario, options = {}) => {
    const emulator = await startEmulator({ ...options, scenario: parseScenario(scenario) });
    running.push(emulator);
    return emulator;
  };
}

/**
 * A clock the test moves itself, for `startEmulator`'s `clock`: ARM's buckets refill, operations run and
 * Resource Graph's quota window passes only when it does.
 */
export function fakeClock(startMs = 0): { now: () => number; advance: (ms: number) => void } {
  let now = startMs;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export interface ClientOptions {
  token?: string;
  maxRetries?: number;
}

export function armClient(emulator: RunningEmulator, options: ClientOptions = {}): NetworkManagementClient {
  const token = options.token ?? 'dev';
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  return new NetworkManagementClient(credential, SUB, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.caCertPem },
    // Short retry delays keep the 5xx tests fast; throttling retries follow Retry-After regardless.
    retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
}

/** "POST 202"-style lines, one per recorded request, with the route kind for poll URLs. */
export function callLog(emulator: RunningEmulator): string[] {
  return emulator.requests.map((r) => {
    const kind = /\/operationResults\//i.test(r.path)
      ? ' location'
      : /\/operations\//i.test(r.path)
        ? ' async'
        : /\/backendhealth$/i.test(r.path)
          ? ' backendhealth'
          : '';
    return `${r.method}${kind} ${r.status}`;
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A plain HTTPS request, for what the SDK would never send (no token, no api-version, a body as
 * written); the answer's body parsed as JSON.
 */
export function rawRequest(
  emulator: RunningEmulator,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${emulator.url}${path}`,
      { method, headers, ca: emulator.caCertPem },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The issues `parseScenario` names for `json`; fails the test when it accepts it or throws another error. */
export function issuesOf(json: unknown): readonly string[] {
  try {
    parseScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}
