/**
 * Tells a call's caller of each try ARM answered with a failure the client's retries take again (5xx,
 * 408, 429), as it is answered (ArmCallOptions.onFailedAttempt): the SDK's retries hide them, and a call that
 * ARM kept failing until the caller's time-out was reported as "no answer", advising a longer time-out
 * (a new-user trial). And of each 429 answered to it, which the client's retry waits out, until its
 * next try is sent (ArmCallOptions.onQuotaWait `throttled`). One policy on every client (perRetry: each
 * try), and an AsyncLocalStorage scope that ties a try to the call that made it, as
 * response-capture.ts does: clients are shared by every gateway of a subscription, scopes never.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';
import { capText } from '../../core/caps';
import { throttleRetryAfterInMs } from '../../core/retry-after';
import type { ArmCallOptions, FailedAttempt } from '../../ports';

interface Listener {
  readonly from: string;
  readonly tell?: ArmCallOptions['onFailedAttempt'];
  readonly quotaWait?: ArmCallOptions['onQuotaWait'];
  readonly tryOut?: ArmCallOptions['onTryOut'];
}

const scope = new AsyncLocalStorage<Listener>();

/** Longest ARM error code kept (codes are short words; the answer is untrusted). */
const CODE_CAP = 80;

/**
 * Tells the scope's listener of each failed try that will be retried, and of each 429 until the next
 * try; passes every answer on as it is.
 */
export const failedAttemptPolicy: PipelinePolicy = {
  name: 'appgwInsightsFailedAttempts',
  async sendRequest(request, next) {
    const listener = scope.getStore();
    quietly(() => listener?.quotaWait?.(undefined)); // this try is sent: no longer the quota's
    quietly(() => listener?.tryOut?.(true));
    let response: PipelineResponse;
    try {
      response = await next(request);
    } finally {
      quietly(() => listener?.tryOut?.(false)); // answered, or its connection failed: out no longer
    }
    // A 429 too: one a resource provider answers with the subscription's quota left (or
    // RetryableErrorDueToAnotherOperation) pauses nothing, and its time-out said "no answer" (a break trial).
    if (listener?.tell && (response.status >= 500 || response.status === 408 || response.status === 429)) {
      const tell = listener.tell;
      quietly(() => tell(failedAttempt(listener.from, response)));
    }
    // If the client retries it, the next try waits out its Retry-After; if not, the call ends with it.
    if (response.status === 429) quietly(() => listener?.quotaWait?.('throttled'));
    return response;
  },
};

/**
 * Runs `wait`, a wait of the try under way on its quota before the try is sent (Resource Graph's quota
 * headers: resource-graph-client.ts), told to its call as one: `paced`, its try not out meanwhile. A
 * policy after this one's told the call its try was out with ARM from the start of that wait, so a
 * listing held by Resource Graph's quota could be "no answer" (a break trial, read in the code).
 */
export async function waitingOnQuota<T>(wait: () => Promise<T>): Promise<T> {
  const listener = scope.getStore();
  quietly(() => listener?.tryOut?.(false));
  quietly(() => listener?.quotaWait?.('paced'));
  try {
    return await wait();
  } finally {
    quietly(() => listener?.quotaWait?.(undefined));
    quietly(() => listener?.tryOut?.(true));
  }
}

/** A listener that throws must not fail the request it was told of. */
function quietly(tell: () => void): void {
  try {
    tell();
  } catch {
    // ignored: see above
  }
}

/**
 * Runs `work` (calls on clients built with failedAttemptPolicy) telling `callOptions.onFailedAttempt`
 * of each failed try, worded as answered by `from` (`ARM`, `Resource Graph`), and
 * `callOptions.onQuotaWait` of each 429 answered to it and each try sent, and `callOptions.onTryOut`
 * of each try sent and ended. Without any of them: `work` as it is.
 */
export function tellingFailedAttempts<T>(
  callOptions: Pick<ArmCallOptions, 'onFailedAttempt' | 'onQuotaWait' | 'onTryOut'>,
  work: () => PromiseLike<T>,
  from = 'ARM',
): Promise<T> {
  const { onFailedAttempt: tell, onQuotaWait: quotaWait, onTryOut: tryOut } = callOptions;
  if (!tell && !quotaWait && !tryOut) return Promise.resolve(work());
  return scope.run({ from, tell, quotaWait, tryOut }, async () => await work());
}

function failedAttempt(from: string, response: PipelineResponse): FailedAttempt {
  const code = errorCode(response.bodyAsText);
  const retryAfterInMs = throttleRetryAfterInMs((name) => response.headers.get(name), Date.now());
  return {
    from,
    status: response.status,
    ...(code ? { code: capText(code, CODE_CAP) } : {}),
    ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
  };
}

/** ARM's `{"error":{"code"}}` of a failed answer's text; undefined when it is not that. */
function errorCode(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && code.trim() !== '' ? code : undefined;
  } catch {
    return undefined;
  }
}
