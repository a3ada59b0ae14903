/**
 * The raw text of the last `200` answer within one SDK call, long-running polls included (the
 * backend-health reader), or of each list page as the SDK takes it (the gateway directory, which reads
 * ARM's page text strictly rather than the SDK's model; see gateway-directory.ts).
 *
 * Why: `@azure/arm-network` (v39) maps the final backend-health body through its model deserializer,
 * which drops every field the model lacks (`healthProbeErrorName`, live gateways' extras) and turns an
 * answer without `backendAddressPools` into an empty result. `onResponse` does not help: the SDK hands it
 * to the initial POST only; the LRO's polls go through `client.pathUnchecked(...).get({ abortSignal })`
 * (arm-network `static-helpers/pollingHelpers.js`). Every request does go through the client's
 * pipeline, so one policy, added at construction (`additionalPolicies`), records the answers, and an
 * AsyncLocalStorage scope ties them to the call that made them: concurrent gateways share one client
 * per subscription but never one scope.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { jsonErrorReason } from '../../core/input/json-text';

/** What one call's last `200` answer carried (`undefined` until one arrived). */
export interface CapturedAnswer {
  last?: {
    readonly text: string | undefined;
    /** Its headers (Resource Graph says in one when a scope was cut short). */
    readonly headers?: { get(name: string): string | undefined };
  };
}

const scope = new AsyncLocalStorage<CapturedAnswer>();

/** Records `200` answers for the capturing call it runs under; a no-op for every other request. */
export const responseCapturePolicy: PipelinePolicy = {
  name: 'appgwInsightsResponseCapture',
  async sendRequest(request, next) {
    const response = await next(request);
    const capture = scope.getStore();
    if (capture && response.status === 200)
      capture.last = { text: response.bodyAsText ?? undefined, headers: response.headers };
    return response;
  },
};

/**
 * Runs `work` (an SDK call on a client built with `responseCapturePolicy`) recording into `capture`.
 * `work` may return a thenable that starts only when awaited (the SDK's PollerLike polls from its
 * `then`): it is awaited inside the scope so the polls are recorded too.
 */
export function capturingResponses<T>(capture: CapturedAnswer, work: () => PromiseLike<T>): Promise<T> {
  return scope.run(capture, async () => await work());
}

/**
 * A captured `200` text as a JSON value, or what `from` sent instead, worded "ARM answered 200`to` with …"
 * (`to`: e.g. " to the list call"; `from`: "ARM", or "Resource Graph"): an empty body, or one that is
 * not JSON (its length and the parser's reason, never the text). The one first step of reading any ARM
 * answer strictly.
 */
export function answerJson(
  text: string | undefined,
  to = '',
  from = 'ARM',
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly detail: string } {
  if (text === undefined || text.trim() === '')
    return { ok: false, detail: `${from} answered 200${to} with an empty body` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      detail: `${from} answered 200${to} with a body that is not JSON (${text.length} characters; ${jsonErrorReason(error)})`,
    };
  }
}
