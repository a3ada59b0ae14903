import type { NetworkManagementClientOptionalParams } from '@azure/arm-network';
import {
  createApplicationGatewaysClient,
  type ApplicationGatewaysClient,
} from './application-gateways-client';
import {
  createDefaultHttpClient,
  type HttpClient,
  type Pipeline,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { createSecureContext } from 'node:tls';
import { readTextFile } from '../files/json-file';
import { ConfigError } from '../../errors';
import { createEntraCredential, type DescribedCredential } from '../identity/entra-credential';
import { createDevelopmentCredential } from './credential';
import { failedAttemptPolicy } from './failed-attempts';
import { responseCapturePolicy } from './response-capture';
import { tooManyRequestsRetryPolicy } from './retry';
import { subscriptionPacingPolicy, type PacingObserver } from './pacing-policy';
import { throttleHandBackPolicy } from './throttle-hand-back';
import { answeringAtMost, ARM_OPEN_CONNECTIONS_PER_PLACE } from './answering-requests';

export interface ArmClientOptions {
  /** https://management.azure.com in Azure; the emulator's URL locally. */
  readonly endpoint: string;
  /** PEM file of a CA to trust besides the system's (the emulator's self-signed certificate). */
  readonly caCertFile?: string;
  readonly credential: 'default' | 'development';
  /** Retries of each kind of transient failure (throttling, 5xx, no connection). */
  readonly maxRetries: number;
  /** First back-off delay, doubled per retry; default 1 s (the SDK's). Tests shorten it. */
  readonly retryDelayInMs?: number;
  /**
   * Told of every request to a subscription and every answer (remaining-quota headers, 429s): the run's
   * subscription pacer (subscription-pacer.ts), which also admits the retries of throttled requests
   * (pacing-policy.ts). Absent: nothing is observed.
   */
  readonly observer?: PacingObserver;
  /**
   * Most requests being answered at once, for every client of the factory (answering-requests.ts);
   * default ARM_MAX_CONNECTIONS. The connections open are bounded at ARM_OPEN_CONNECTIONS_PER_PLACE
   * times it.
   */
  readonly maxConnections?: number;
}

/**
 * Most requests to ARM one run has being answered at once, and so about the TLS connections it keeps
 * open (requests past it wait for a place: answering-requests.ts, which also lets a request that hangs
 * stop holding its place, the agent's `maxSockets` being 8 times this). Uncapped, a run opened one
 * connection per request in flight (about 1 000 at
 * `concurrency: "auto"`), each with its TLS state in native memory (about 80 KB measured) and a
 * handshake (much of a CPU-bound run's CPU), and most went idle and were closed by the server before
 * they were used again (4 400 handshakes for 5 000 gateways, bench/README.md "Scale"). 128 connections
 * carry 640 requests a second at ARM's ~200 ms a request, above what ARM's limits let 50 subscriptions
 * send (10 writes a second each, plus their polls; src/core/pacing/request-limits.ts).
 */
export const ARM_MAX_CONNECTIONS = 128;

/** What every client on the ARM endpoint is made with (both SDKs take these `ClientOptions`). */
export type ArmClientSetup = Required<
  Pick<
    NetworkManagementClientOptionalParams,
    'endpoint' | 'retryOptions' | 'additionalPolicies' | 'httpClient'
  >
> &
  Pick<NetworkManagementClientOptionalParams, 'tlsOptions'>;

/**
 * What the app calls of a subscription's `NetworkManagementClient`: its pipeline (the backend-health
 * operation and the on-demand probe are sent through it: arm-operation.ts) and its applicationGateways
 * operations (scripts/bundle.js's substitute client, in the Functions bundle, has these).
 */
export type ArmNetworkClient = ApplicationGatewaysClient;

/**
 * One client per subscription, plus what error messages need to know about all of them: the endpoint
 * (ARM unreachable), whether a CA file is configured (TLS failures), and whose token is sent (401).
 * `buildClient` makes another SDK's client (Resource Graph's) on the same endpoint, CA (read once for
 * all), credential, retries and policies: `make` gets the options, `extraPolicies` are added after ours.
 * `httpClient` is the one HTTP client every client of the factory sends through (its connections):
 * a pipeline's `sendRequest` takes it (arm-operation.ts armSender).
 */
export type ArmClientFactory = ((subscriptionId: string) => Promise<ArmNetworkClient>) & {
  readonly endpoint: string;
  readonly caCertFile?: string;
  readonly credential: DescribedCredential;
  readonly httpClient: HttpClient;
  readonly buildClient: <C extends { readonly pipeline: Pipeline }>(
    make: (credential: DescribedCredential, setup: ArmClientSetup) => C,
    extraPolicies?: ArmClientSetup['additionalPolicies'],
  ) => Promise<C>;
};

/**
 * One NetworkManagementClient per subscription, created on first use and reused (one SDK client per
 * app, as the Functions guidance says). The SDK is required lazily: it is large, and a cold start that
 * never calls ARM should not pay for it. Each client retries throttling (with or without Retry-After),
 * 5xx and lost connections `maxRetries` times through the SDK's pipeline (see retry.ts).
 */
export function createArmClientFactory(options: ArmClientOptions): ArmClientFactory {
  const credential =
    options.credential === 'development' ? createDevelopmentCredential() : createEntraCredential();
  let tls: Promise<TlsSettings> | undefined;
  // One HTTP client for all (lists, Resource Graph, backend health): its keep-alive agents are its own,
  // so the SDK's cached client for lists and another for the POSTs and polls held two connection pools.
  const places = options.maxConnections ?? ARM_MAX_CONNECTIONS;
  const httpClient = answeringAtMost(createDefaultHttpClient(), places);
  const clients = new Map<string, Promise<ArmNetworkClient>>();

  const buildClient: ArmClientFactory['buildClient'] = async (make, extraPolicies = []) => {
    const maxSockets = places * ARM_OPEN_CONNECTIONS_PER_PLACE;
    const tlsOptions = await (tls ??= options.caCertFile
      ? readCaCertFile(options.caCertFile)
          .then((pem) => sharedTlsSettings(pem, maxSockets))
          .catch((error: unknown) => {
            tls = undefined; // an unreadable CA file is read again next time
            throw error;
          })
      : Promise.resolve(sharedTlsSettings(undefined, maxSockets)));
    const retryDelay = options.retryDelayInMs === undefined ? {} : { retryDelayInMs: options.retryDelayInMs };
    const client = make(credential, {
      endpoint: options.endpoint,
      httpClient,
      retryOptions: { maxRetries: options.maxRetries, ...retryDelay },
      // Lets the readers read ARM's own text: the final backend-health body, each list page (response-capture.ts).
      additionalPolicies: [
        // Every attempt's answer feeds the subscription's request estimate, and a throttled request's
        // retry waits there for its place (pacing-policy.ts): before the policy below, which tells the
        // call its try is out with ARM only once it is sent.
        ...(options.observer
          ? [{ policy: subscriptionPacingPolicy(options.observer), position: 'perRetry' as const }]
          : []),
        { policy: responseCapturePolicy, position: 'perRetry' },
        // Each failed try (5xx, 408) told to the call that made it, before the SDK retries it.
        { policy: failedAttemptPolicy, position: 'perRetry' },
        // After the observer, which must see the 429: marked requests get it back, not retried.
        { policy: throttleHandBackPolicy, position: 'perRetry' },
        ...extraPolicies,
      ],
      // The same object for every client: the SDK keeps one keep-alive agent per TLS settings object.
      tlsOptions,
    });
    client.pipeline.addPolicy(tooManyRequestsRetryPolicy({ maxRetries: options.maxRetries, ...retryDelay }), {
      phase: 'Retry',
    });
    return client;
  };

  const create = (subscriptionId: string): Promise<ArmNetworkClient> =>
    // Only what the app calls is made (application-gateways-client.ts): the classic client builds its
    // ~170 operation groups in its constructor, 138 KiB a subscription (a heap snapshot at 50
    // subscriptions: 6.7 MiB; a management group of 500, 67), and loads them all first.
    buildClient((cred, setup) => createApplicationGatewaysClient(cred, subscriptionId, setup));

  const factory = (subscriptionId: string): Promise<ArmNetworkClient> => {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = create(subscriptionId);
      // A failed creation (an unreadable CA file) is tried again next time.
      client.catch(() => clients.delete(key));
      clients.set(key, client);
    }
    return client;
  };
  return Object.assign(factory, {
    endpoint: options.endpoint,
    ...(options.caCertFile ? { caCertFile: options.caCertFile } : {}),
    credential,
    httpClient,
    buildClient,
  });
}

/**
 * The TLS settings every client of one factory shares: the connection cap, and a CA of our own
 * (`arm.caCertFile`) when one is configured.
 *
 * - One object: the SDK's HTTP client (@typespec/ts-http-runtime nodeHttpClient.js `getOrCreateAgent`,
 *   under @azure/core-rest-pipeline 1.24; one client per process, shared by every SDK client) keeps a
 *   keep-alive https.Agent per `tlsSettings` object it is handed. A `{ ca }` literal per SDK client made
 *   a connection pool per subscription, so each subscription opened its own connections.
 * - One SecureContext: the agent passes its options to `tls.connect`, which builds a SecureContext
 *   from `ca` for every connection unless `secureContext` is given (node lib/internal/tls/wrap.js
 *   `connect`). `TlsSettings` does not name `secureContext`; the agent is made with
 *   `new https.Agent({ keepAlive, ...tlsSettings })`, so it reaches `tls.connect` all the same, and
 *   `ca` stays for an HTTP client that would pass only the named settings on.
 *
 * Through a proxy (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY unless NO_PROXY), the pipeline's proxyPolicy
 * connects with its own agent and ignores these settings, as it did with `{ ca }` alone.
 */
function sharedTlsSettings(pem: string | undefined, maxSockets: number): TlsSettings {
  // `maxSockets` reaches the agent the same way as `secureContext` (spread into its options): the cap
  // on this run's connections (ARM_MAX_CONNECTIONS).
  const settings =
    pem === undefined
      ? { maxSockets }
      : { ca: pem, secureContext: createSecureContext({ ca: pem }), maxSockets };
  return settings;
}

/** The PEM file as Windows or Linux saved it (a BOM or UTF-16 from PowerShell would break TLS). */
export async function readCaCertFile(file: string): Promise<string> {
  const read = await readTextFile(file);
  if (!read.ok) throw new ConfigError([`arm.caCertFile: ${file}: ${read.problem}`]);
  return read.value;
}
