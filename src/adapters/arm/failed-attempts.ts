/**
 * Tells a call's caller of each try ARM answered with a failure the client's retries take again (5xx,
 * 408), as it is answered (ArmCallOptions.onFailedAttempt): the SDK's retries hide them, and a call that
 * ARM kept failing until the caller's time-out was reported as "no answer", advising a longer time-out
 * (a new-user trial). One policy on every client (perRetry: each try), and an AsyncLocalStorage scope
 * that ties a try to the call that made it, as response-capture.ts does: clients are shared by every
 * gateway of a subscription, scopes never.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy, PipelineResponse } from '@azure/core-rest-pipeline';
import { capText } from '../../core/caps';
import { throttleRetryAfterInMs } from '../../core/retry-after';
import type { FailedAttempt } from '../../ports';

interface Listener {
  readonly from: string;
  readonly tell: (attempt: FailedAttempt) => void;
}

const scope = new AsyncLocalStorage<Listener>();

/** Longest ARM error code kept (codes are short words; the answer is untrusted). */
const CODE_CAP = 80;

/** Tells the scope's listener of each failed try that will be retried; passes every answer on as it is. */
export const failedAttemptPolicy: PipelinePolicy = {
  name: 'appgwInsightsFailedAttempts',
  async sendRequest(request, next) {
    const response = await next(request);
    const listener = scope.getStore();
    if (listener && (response.status >= 500 || response.status === 408)) {
      try {
        listener.tell(failedAttempt(listener.from, response));
      } catch {
        // A listener that throws must not fail the request it was told of.
      }
    }
    return response;
  },
};

/**
 * Runs `work` (calls on clients built with failedAttemptPolicy) telling `tell` of each failed try,
 * worded as answered by `from` (`ARM`, `Resource Graph`). Without `tell`: `work` as it is.
 */
export function tellingFailedAttempts<T>(
  tell: ((attempt: FailedAttempt) => void) | undefined,
  work: () => PromiseLike<T>,
  from = 'ARM',
): Promise<T> {
  if (!tell) return Promise.resolve(work());
  return scope.run({ from, tell }, async () => await work());
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
