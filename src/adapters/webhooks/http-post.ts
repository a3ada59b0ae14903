import { setTimeout as delay } from 'node:timers/promises';
import {
  createDefaultHttpClient,
  createEmptyPipeline,
  createPipelineRequest,
  isRestError,
  proxyPolicy,
  retryPolicy,
  userAgentPolicy,
  type HttpClient,
  type Pipeline,
} from '@azure/core-rest-pipeline';
import { DeliveryError } from '../../errors';
import type { AttemptRecord } from '../../ports';
import { ATTEMPT_FAILED, attemptHeadersPolicy, webhookAttemptPolicy } from './post-attempt-policy';
import type { PostProgress } from './post-progress';
import { ANSWER_REFUSED, isRetryableStatus, SEND_BUDGET_OVERRUN, webhookRetryStrategy } from './post-retry';
import { webhookUrlProblem } from './url-policy';

/**
 * The one POST every webhook format uses (Alertmanager's notify.PostJSON + Retrier, plus a budget),
 * over `@azure/core-rest-pipeline`, the HTTP stack ARM and storage use: per-attempt time-out, retries
 * with exponential backoff and full jitter, `Retry-After` honoured, and a bounded total time. 2xx is
 * success (a 202 with an empty body too: Teams Workflows answers that), unless the format reads its
 * body as a failure (`failureIn2xx`: a Teams connector's 200 "Webhook message delivery failed …"),
 * which is retried or not as the status it names; network errors, 408, 429 and 5xx are retried; any
 * other status is permanent. Redirects are not followed (the body would go where
 * the config does not say). Records and errors never hold the URL, headers or secrets, and nothing
 * the pipeline logs names the URL.
 */

export { backoffInMs, isRetryableStatus, parseRetryAfter } from './post-retry';

export interface PostOptions {
  /** Time-out of one attempt: connecting, sending, and reading the answer. */
  readonly timeoutInMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The backoff cap before the first retry; it doubles per retry up to `maxBackoffInMs`. */
  readonly initialBackoffInMs: number;
  readonly maxBackoffInMs: number;
  /** Everything (attempts and waits) ends within this budget; a wait that would cross it is not started. */
  readonly totalTimeoutInMs: number;
  readonly abortSignal?: AbortSignal;
  /** The run's stop (CallOptions.stop): no try starts once it fires; one under way goes on. */
  readonly stop?: AbortSignal;
  /** In [0, 1); full jitter: wait = random() × min(maxBackoff, initialBackoff × 2^(retry-1)). */
  readonly random?: () => number;
  /** Waits between attempts (tests inject one that records and returns at once). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Wall clock in ms, for `Retry-After: <HTTP-date>`. */
  readonly now?: () => number;
}

export const DEFAULT_POST_OPTIONS = {
  timeoutInMs: 10_000,
  maxAttempts: 5,
  initialBackoffInMs: 500,
  maxBackoffInMs: 30_000,
  totalTimeoutInMs: 60_000,
} as const satisfies PostOptions;

export interface PostRequest {
  /** Names the receiver in errors, e.g. "webhook[ops]"; never the URL. */
  readonly sink: string;
  readonly url: string;
  readonly body: string;
  /** Fixed headers, or headers made per attempt (a signature with that attempt's timestamp). */
  readonly headers:
    Readonly<Record<string, string>> | ((attempt: number) => Readonly<Record<string, string>>);
  /** Strings to scrub from receiver answers besides the URL's parts (e.g. a signing secret). */
  readonly secrets?: readonly string[];
  /** The format's reading of a 2xx answer (WebhookFormat.failureIn2xx); absent: every 2xx is a success. */
  readonly failureIn2xx?: (answer: string) => { readonly status?: number } | undefined;
}

/** One attempt, for the run report. Holds no URL, header or secret. */
export type { AttemptRecord } from '../../ports';

export type PostResult =
  | { readonly ok: true; readonly status: number; readonly attempts: AttemptRecord[] }
  | { readonly ok: false; readonly attempts: AttemptRecord[]; readonly error: DeliveryError };

/** One Node HTTP client for every send: its keep-alive agents are shared, as the SDK clients share theirs. */
let sharedHttpClient: HttpClient | undefined;

/** POSTs `request.body`; never throws. The result lists every attempt. */
export async function httpPost(request: PostRequest, options: PostOptions): Promise<PostResult> {
  const progress: PostProgress = {
    attempts: [],
    deadline: performance.now() + options.totalTimeoutInMs,
  };
  const attempts = progress.attempts;
  const fail = (detail: string, retryable: boolean): PostResult => ({
    ok: false,
    attempts,
    error: new DeliveryError(request.sink, detail, { retryable }),
  });
  const problem = webhookUrlProblem(request.url);
  if (problem) return fail(`the webhook URL ${problem}; nothing was sent`, false);

  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  const tally = (): string => `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`;
  const pipeline = webhookPipeline(request, options, progress, maxAttempts);
  const pipelineRequest = createPipelineRequest({
    url: request.url,
    method: 'POST',
    body: request.body,
    // http:// only reaches here for a loopback host (webhookUrlProblem).
    allowInsecureConnection: request.url.startsWith('http:'),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  sharedHttpClient ??= createDefaultHttpClient();
  try {
    const response = await pipeline.sendRequest(sharedHttpClient, pipelineRequest);
    const reason = attempts.at(-1)?.error ?? 'failed';
    if (response.status >= 200 && response.status <= 299) {
      return { ok: true, status: response.status, attempts };
    }
    if (!isRetryableStatus(response.status)) {
      return fail(`${reason}; not retried, the receiver refused the notice (${tally()})`, false);
    }
    return fail(`${reason} (gave up after ${tally()}, the maximum)`, true);
  } catch (error) {
    const last = attempts.at(-1);
    const reason = last?.error ?? 'failed';
    switch (progress.cancelled) {
      case 'before-attempt':
        return fail(`cancelled before attempt ${attempts.length + 1} (${tally()} made)`, true);
      case 'during-attempt':
        return fail(`cancelled during attempt ${attempts.length} (${tally()} made)`, true);
      case 'while-waiting':
        return fail(`cancelled while waiting to retry (${tally()} made)`, true);
      case 'stopped':
        return fail(
          `${attempts.length > 0 ? `${reason}; ` : ''}not tried again: the run was stopped (${tally()} made); the next run sends it`,
          true,
        );
    }
    if (options.abortSignal?.aborted) {
      // retryPolicy's own check between tries
      return fail(`cancelled before attempt ${attempts.length + 1} (${tally()} made)`, true);
    }
    if (isRestError(error) && error.code === SEND_BUDGET_OVERRUN) {
      const retryAfter = last?.retryAfterInMs;
      const asked = retryAfter !== undefined ? `the receiver asked to wait ${retryAfter} ms, ` : '';
      return fail(
        `${reason} (gave up after ${tally()}: ${asked}waiting would overrun the ${options.totalTimeoutInMs} ms budget)`,
        true,
      );
    }
    if (isRestError(error) && error.code === ANSWER_REFUSED) {
      // a 2xx whose body says the receiver did not take it, for good (failureIn2xx)
      return fail(`${reason}; not retried, the receiver refused the notice (${tally()})`, false);
    }
    if (isRestError(error) && error.code === ATTEMPT_FAILED) {
      // retryPolicy rethrows the last try's error once maxRetries is reached
      return fail(`${reason} (gave up after ${tally()}, the maximum)`, true);
    }
    // A bug, not the receiver: its message may quote the URL, so only its name is kept.
    const name = error instanceof Error ? error.name : typeof error;
    return fail(`the send broke off unexpectedly (${name}) after ${tally()}`, true);
  }
}

/**
 * The send's pipeline: `@azure/core-rest-pipeline`'s, built from an empty one so that each policy is a
 * choice (its `createPipelineFromOptions` would add the ones left out below):
 * - `proxyPolicy()`: `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY`, as for ARM and storage
 *   (fetch before honoured a proxy only with `NODE_USE_ENV_PROXY`; the SDK's Node client uses its own
 *   agents, which that flag does not reach);
 * - `userAgentPolicy`: `appgw-insights` and the SDK's user agent (some receivers' firewalls refuse a
 *   request without one);
 * - `retryPolicy([webhookRetryStrategy])` in the Retry phase, `maxRetries` = maxAttempts - 1
 *   (post-retry.ts);
 * - after it, per try: `webhookAttemptPolicy` (wait, time-out, record) and, in the Sign phase,
 *   `attemptHeadersPolicy` (post-attempt-policy.ts).
 * Left out on purpose:
 * - `redirectPolicy`: it would re-send the POST (300 and 307, any method; 303 as a GET) to the
 *   `Location` of the same origin (@typespec/ts-http-runtime `policies/redirectPolicy.js`): the body
 *   and its signature would go where the config does not say. A 3xx is final.
 * - `logPolicy`: it logs each request's URL with only the query values redacted
 *   (`util/sanitizer.js` `sanitizeUrl` keeps the path), and Slack and Teams URLs carry their token in
 *   the path. What is logged at all (the retry policy's lines) names no URL: see the logging test.
 * - `decompressResponsePolicy`: without `Accept-Encoding` receivers answer uncompressed, and the error
 *   text is read only up to 1200 bytes of what arrives.
 * - `tlsPolicy`: the webhook config has no CA settings; `NODE_EXTRA_CA_CERTS` applies as before.
 * - `setClientRequestIdPolicy`, tracing: Azure's, not a receiver's.
 */
function webhookPipeline(
  request: PostRequest,
  options: PostOptions,
  progress: PostProgress,
  maxAttempts: number,
): Pipeline {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(proxyPolicy());
  pipeline.addPolicy(userAgentPolicy({ userAgentPrefix: 'appgw-insights' }));
  const strategy = webhookRetryStrategy(progress, {
    initialBackoffInMs: options.initialBackoffInMs,
    maxBackoffInMs: options.maxBackoffInMs,
    random: options.random ?? Math.random,
  });
  pipeline.addPolicy(retryPolicy([strategy], { maxRetries: maxAttempts - 1 }), { phase: 'Retry' });
  pipeline.addPolicy(
    webhookAttemptPolicy(progress, {
      timeoutInMs: options.timeoutInMs,
      url: request.url,
      secrets: request.secrets ?? [],
      ...(request.failureIn2xx ? { failureIn2xx: request.failureIn2xx } : {}),
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(options.stop ? { stop: options.stop } : {}),
    }),
    { afterPhase: 'Retry' },
  );
  pipeline.addPolicy(attemptHeadersPolicy(progress, request.headers), { phase: 'Sign' });
  return pipeline;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}
