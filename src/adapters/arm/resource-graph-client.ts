import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { quotaWaitInMs } from '../../core/discovery/quota';
import { readCaCertFile, type ArmClientFactory } from './client';
import { responseCapturePolicy } from './response-capture';
import { tooManyRequestsRetryPolicy } from './retry';

export interface ResourceGraphClientOptions {
  /** Retries of each kind of transient failure (`arm.maxRetries`), as the ARM clients have. */
  readonly maxRetries: number;
  /** First back-off delay, doubled per retry; default 1 s. Tests shorten it. */
  readonly retryDelayInMs?: number;
}

/**
 * One ResourceGraphClient (`@azure/arm-resourcegraph` v5: `resources(query)`, POST
 * /providers/Microsoft.ResourceGraph/resources) on the ARM clients' endpoint, CA and credential, made on
 * first use and reused. Like them it retries throttling (with or without Retry-After), 5xx and lost
 * connections `maxRetries` times and lets the directory read each page's own text (response-capture.ts);
 * besides, it paces itself by Resource Graph's quota headers (resourceGraphQuotaPolicy). The SDK is
 * required lazily: a cold start that never discovers through Resource Graph does not load it.
 */
export function createResourceGraphClient(
  clientFor: ArmClientFactory,
  options: ResourceGraphClientOptions,
): () => Promise<ResourceGraphClient> {
  let client: Promise<ResourceGraphClient> | undefined;
  const create = async (): Promise<ResourceGraphClient> => {
    const pem = clientFor.caCertFile ? await readCaCertFile(clientFor.caCertFile) : undefined;
    const { ResourceGraphClient } = loadResourceGraph();
    const retryDelay = options.retryDelayInMs === undefined ? {} : { retryDelayInMs: options.retryDelayInMs };
    const created = new ResourceGraphClient(clientFor.credential, {
      endpoint: clientFor.endpoint,
      retryOptions: { maxRetries: options.maxRetries, ...retryDelay },
      additionalPolicies: [
        { policy: responseCapturePolicy, position: 'perRetry' },
        { policy: resourceGraphQuotaPolicy(), position: 'perRetry' },
      ],
      ...(pem ? { tlsOptions: { ca: pem } } : {}),
    });
    created.pipeline.addPolicy(
      tooManyRequestsRetryPolicy({ maxRetries: options.maxRetries, ...retryDelay }),
      {
        phase: 'Retry',
      },
    );
    return created;
  };
  return () => {
    if (!client) {
      client = create();
      client.catch(() => (client = undefined)); // an unreadable CA file is tried again next time
    }
    return client;
  };
}

/**
 * Waits, before each request, for the quota window that the last answer said was used up
 * (`x-ms-user-quota-remaining: 0` and `x-ms-user-quota-resets-after`; src/core/discovery/quota.ts), so
 * the pages of a listing, and the listings of several targets, do not run into Resource Graph's 429s.
 * One per client: the quota is the identity's. The wait ends early when the request is aborted.
 */
export function resourceGraphQuotaPolicy(
  clock: { now(): number } = Date,
  wait: (ms: number, signal?: AbortSignal) => Promise<unknown> = (ms, signal) =>
    sleep(ms, undefined, signal ? { signal } : {}),
): PipelinePolicy {
  let nextAt = 0;
  return {
    name: 'appgwResourceGraphQuota',
    async sendRequest(request, next) {
      const ms = nextAt - clock.now();
      if (ms > 0) await wait(ms, request.abortSignal as AbortSignal | undefined);
      const response = await next(request);
      const after = quotaWaitInMs(
        response.headers.get('x-ms-user-quota-remaining'),
        response.headers.get('x-ms-user-quota-resets-after'),
      );
      if (after > 0) nextAt = Math.max(nextAt, clock.now() + after);
      return response;
    },
  };
}

/** Lazy CommonJS require: no cost until the first Resource Graph query. */
function loadResourceGraph(): typeof import('@azure/arm-resourcegraph') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/arm-resourcegraph');
}
