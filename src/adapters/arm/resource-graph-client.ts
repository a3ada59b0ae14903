import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { quotaWaitInMs } from '../../core/discovery/quota';
import { waitFor } from './abortable-wait';
import { waitingOnQuota } from './failed-attempts';
import type { ArmClientFactory } from './client';

/**
 * One ResourceGraphClient (`@azure/arm-resourcegraph` v5: `resources(query)`, POST
 * /providers/Microsoft.ResourceGraph/resources), made on first use and reused, by the ARM client
 * factory (client.ts `buildClient`): the ARM clients' endpoint, CA, credential, retries (throttling with
 * or without Retry-After, 5xx and lost connections, `arm.maxRetries` times) and response capture, so
 * the directory reads each page's own text (response-capture.ts); besides, it paces itself by Resource
 * Graph's quota headers (resourceGraphQuotaPolicy). The SDK is required lazily: a cold start that never
 * discovers through Resource Graph does not load it.
 */
export function createResourceGraphClient(clientFor: ArmClientFactory): () => Promise<ResourceGraphClient> {
  let client: Promise<ResourceGraphClient> | undefined;
  return () => {
    if (!client) {
      client = clientFor.buildClient(
        (credential, setup) => new (loadResourceGraph().ResourceGraphClient)(credential, setup),
        [{ policy: resourceGraphQuotaPolicy(), position: 'perRetry' }],
      );
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
export function resourceGraphQuotaPolicy(): PipelinePolicy {
  let nextAt = 0;
  return {
    name: 'appgwResourceGraphQuota',
    async sendRequest(request, next) {
      const ms = nextAt - Date.now();
      if (ms > 0)
        await waitingOnQuota(() =>
          waitFor(ms, request.abortSignal as AbortSignal | undefined, "the wait for Resource Graph's quota"),
        );
      const response = await next(request);
      const after = quotaWaitInMs(
        response.headers.get('x-ms-user-quota-remaining'),
        response.headers.get('x-ms-user-quota-resets-after'),
      );
      if (after > 0) nextAt = Math.max(nextAt, Date.now() + after);
      return response;
    },
  };
}

/** Lazy CommonJS require: no cost until the first Resource Graph query. */
function loadResourceGraph(): typeof import('@azure/arm-resourcegraph') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/arm-resourcegraph');
}
