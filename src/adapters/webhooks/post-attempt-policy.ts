import { STATUS_CODES } from 'node:http';
import { RestError, type PipelinePolicy, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { AttemptRecord } from '../../ports';
import { answerSnippet, discardAnswer } from './answer-snippet';
import type { PostProgress } from './post-progress';
import { ANSWER_REFUSED, isRetryableStatus, mayHaveReachedUpstream, parseRetryAfter } from './post-retry';

/** What the attempt policy needs besides the progress it shares with the retry strategy. */
export interface AttemptSettings {
  /** Time-out of one try (connecting, sending, reading the answer's head and error text), in ms. */
  readonly timeoutInMs: number;
  /** The configured URL and extra secrets, only to scrub them out of the receiver's answers. */
  readonly url: string;
  readonly secrets: readonly string[];
  /** The format's reading of a 2xx answer (WebhookFormat.failureIn2xx); absent: a 2xx body is not read. */
  readonly failureIn2xx?: (answer: string) => { readonly status?: number } | undefined;
  /** The caller's signal (the run's); per-try signals are derived from it. */
  readonly abortSignal?: AbortSignal;
  /** The run's stop (CallOptions.stop): no try starts once it fires, a wait before one ends. */
  readonly stop?: AbortSignal;
  /** Waits out the strategy's planned wait (tests inject one that returns at once). */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Wall clock in ms, for `Retry-After: <HTTP-date>`. */
  readonly now: () => number;
}

/** `RestError.code` of a try that got no answer (network error, time-out): retried by the strategy. */
export const ATTEMPT_FAILED = 'WebhookAttemptFailed';

/** Characters of a receiver's error answer kept in the report. */
const SNIPPET_CHARS = 300;

/**
 * One try of a webhook POST, below the `retryPolicy` (added `afterPhase: 'Retry'`, so it runs once per
 * try). In order: waits the delay the retry strategy planned (through `sleep`, cancellable), stops if
 * the caller aborted, bounds the try by `timeoutInMs` cut to what is left of the send budget
 * (`AbortSignal.timeout`, whose timer does not hold a CLI run open), sends, and records the try in
 * `progress.attempts`: status, error text, duration and the receiver's `Retry-After`.
 *
 * An answer is returned whatever its status (the strategy decides); a 2xx body is dropped unread
 * unless the format reads 2xx answers (`failureIn2xx`: Teams' connectors answer 200 to a post that
 * failed), and then, like an error body, it is read only as far as the report needs (answer-snippet.ts).
 * A 2xx so read as a failure throws, as a try with no answer does: `ATTEMPT_FAILED` when the status it
 * names is worth another try, `ANSWER_REFUSED` otherwise. The request asks for every status as a
 * stream (`streamResponseStatusCodes` holds `POSITIVE_INFINITY`), since the Node client otherwise
 * buffers the whole body (@typespec/ts-http-runtime `nodeHttpClient.js`). A try with no answer throws
 * a `RestError` whose message is the record's text ("network error (ECONNRESET)", "no answer within
 * 150 ms"), never the transport's (which names host and port): `retryPolicy` hands only `RestError`s
 * to the strategy. The caller's abort throws an `AbortError`, which ends the loop.
 */
export function webhookAttemptPolicy(progress: PostProgress, settings: AttemptSettings): PipelinePolicy {
  return {
    name: 'webhookAttemptPolicy',
    async sendRequest(request, next) {
      await waitForTurn(progress, settings);
      const attempt = progress.attempts.length + 1;
      const external = settings.abortSignal;
      const budgetLeft = progress.deadline - performance.now();
      const timeoutInMs = Math.max(1, Math.floor(Math.min(settings.timeoutInMs, budgetLeft)));
      const cutByBudget = timeoutInMs < settings.timeoutInMs;
      const timeout = AbortSignal.timeout(timeoutInMs);
      const signal = external ? AbortSignal.any([timeout, external]) : timeout;
      const started = performance.now();
      const elapsed = (): number => Math.round(performance.now() - started);
      const record = (entry: Omit<AttemptRecord, 'attempt' | 'durationInMs'>): void => {
        progress.attempts.push({ attempt, ...entry, durationInMs: elapsed() });
      };
      const outer = request.abortSignal;
      request.abortSignal = signal;
      request.streamResponseStatusCodes = new Set([Number.POSITIVE_INFINITY]);
      try {
        let response: PipelineResponse;
        try {
          response = await next(request);
        } catch (error) {
          if (external?.aborted === true && !timeout.aborted) {
            record({ error: 'cancelled', mayHaveReached: true });
            progress.cancelled = 'during-attempt';
            throw cancelled('cancelled during the attempt');
          }
          const text = timeout.aborted
            ? `no answer within ${timeoutInMs} ms${cutByBudget ? ' (the rest of the total budget)' : ''}`
            : describeNetworkError(error);
          const sent = timeout.aborted || !neverConnected(error);
          record({ error: text, ...(sent ? { mayHaveReached: true } : {}) });
          throw new RestError(text, { code: ATTEMPT_FAILED });
        }
        const answer = await describeAnswer(response, settings, signal);
        record(answer.record);
        if (answer.failedIn2xx) {
          // A 2xx that says the notice was not taken (Teams' connectors): a failed try, retried or not
          // as the status it names. Thrown, so the strategy and httpPost see a failure, not the 2xx.
          const code = answer.failedIn2xx.retryable ? ATTEMPT_FAILED : ANSWER_REFUSED;
          throw new RestError(answer.record.error ?? 'failed', { code });
        }
        return response;
      } finally {
        request.abortSignal = outer;
      }
    },
  };
}

/** Waits the delay the strategy planned, if any; throws (marking `progress`) when the caller aborted. */
async function waitForTurn(progress: PostProgress, settings: AttemptSettings): Promise<void> {
  const wait = progress.nextWaitInMs;
  progress.nextWaitInMs = undefined;
  const { abortSignal, stop } = settings;
  if (wait !== undefined) {
    try {
      await settings.sleep(
        wait,
        abortSignal && stop ? AbortSignal.any([abortSignal, stop]) : (abortSignal ?? stop),
      );
    } catch {
      progress.cancelled = abortSignal?.aborted || !stop?.aborted ? 'while-waiting' : 'stopped';
      throw cancelled('cancelled while waiting to retry');
    }
  }
  if (abortSignal?.aborted) {
    progress.cancelled = 'before-attempt';
    throw cancelled('cancelled before the attempt');
  }
  if (stop?.aborted) {
    progress.cancelled = 'stopped';
    throw cancelled('the run was stopped before the attempt');
  }
}

type AnswerRecord = Omit<AttemptRecord, 'attempt' | 'durationInMs'>;

/**
 * The record of an answered try; reads (and closes) the answer's body. `failedIn2xx`: a 2xx the
 * format's `failureIn2xx` read as a failure (its body is then read as an error answer is).
 */
async function describeAnswer(
  response: PipelineResponse,
  settings: AttemptSettings,
  signal: AbortSignal,
): Promise<{ readonly record: AnswerRecord; readonly failedIn2xx?: { readonly retryable: boolean } }> {
  const status = response.status;
  const body = response.readableStreamBody;
  response.readableStreamBody = undefined;
  const snippetOf = (stream: NodeJS.ReadableStream | undefined): Promise<string> =>
    answerSnippet(stream, { maxChars: SNIPPET_CHARS, url: settings.url, secrets: settings.secrets, signal });
  if (status >= 200 && status <= 299) {
    if (!settings.failureIn2xx) {
      discardAnswer(body);
      return { record: { status } };
    }
    // Read as an error answer is (at most 1200 bytes, within the try's time-out, scrubbed, clipped):
    // a connector's failure text opens its body. A body that stalls holds the try until its time-out,
    // then what arrived decides (a stalled "1" is a success, as before).
    const snippet = await snippetOf(body);
    const failure = settings.failureIn2xx(snippet);
    if (!failure) return { record: { status } };
    const named = failure.status;
    const said = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim();
    return {
      record: {
        status,
        error: `${said}, but the receiver did not take the notice: ${snippet}`,
        // Teams' endpoint answering 502/504 to the connector: it may have posted it all the same.
        ...(named !== undefined && mayHaveReachedUpstream(named) ? { mayHaveReached: true } : {}),
      },
      // Retried as that status would be (429, 5xx); any other, or none named, is final.
      failedIn2xx: { retryable: named !== undefined && (named === 429 || (named >= 500 && named <= 599)) },
    };
  }
  const snippet = await snippetOf(body);
  response.bodyAsText = snippet;
  const retryAfterInMs = isRetryableStatus(status)
    ? parseRetryAfter(response.headers.get('retry-after'), settings.now())
    : undefined;
  const answer = snippet ? `: ${snippet}` : '';
  // The pipeline has no redirectPolicy (see http-post.ts): a 3xx is the answer, and final.
  const redirect =
    status >= 300 && status <= 399 ? ' (redirects are not followed: configure the final URL)' : '';
  return {
    record: {
      status,
      error: `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim() + redirect + answer,
      ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
      // A gateway's 502/504: the receiver behind it may hold the notice, as after a time-out.
      ...(mayHaveReachedUpstream(status) ? { mayHaveReached: true } : {}),
    },
  };
}

/**
 * Sets the attempt's headers (fixed ones, or those made per attempt: a Standard Webhooks signature
 * with that attempt's timestamp), in the pipeline's "Sign" phase, so each try is signed afresh.
 */
export function attemptHeadersPolicy(
  progress: PostProgress,
  headers: Readonly<Record<string, string>> | ((attempt: number) => Readonly<Record<string, string>>),
): PipelinePolicy {
  return {
    name: 'webhookAttemptHeadersPolicy',
    sendRequest(request, next) {
      const attempt = progress.attempts.length + 1;
      const values = typeof headers === 'function' ? headers(attempt) : headers;
      for (const [name, value] of Object.entries(values)) request.headers.set(name, value);
      return next(request);
    },
  };
}

/** The error that ends the send when the caller aborts (`retryPolicy` rethrows it untouched). */
function cancelled(message: string): Error {
  return new DOMException(message, 'AbortError');
}

/** "network error (ECONNREFUSED)": the code only; the transport's messages name the host and port. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = errorCode(cause) ?? errorCode(error);
  return code ? `network error (${code})` : 'network error';
}

/**
 * Error codes of a connection that was never made, so no byte of the request reached the receiver:
 * refused, unresolvable, unreachable, or a TLS certificate our side refused before sending (Node's
 * net/dns/tls error codes). Any other network error (ECONNRESET, EPIPE, a socket hang-up) may come
 * after the request was written.
 */
const NEVER_CONNECTED =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|ERR_TLS_CERT_ALTNAME_INVALID|CERT_\w+|UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)$/;

function neverConnected(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = errorCode(cause) ?? errorCode(error);
  return code !== undefined && NEVER_CONNECTED.test(code);
}

/** A system error code (`ECONNRESET`); not the library's catch-all `REQUEST_SEND_ERROR`. */
function errorCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) && code !== RestError.REQUEST_SEND_ERROR) {
    return code;
  }
  const errors = (value as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.map(errorCode).find((c) => c !== undefined) : undefined;
}
