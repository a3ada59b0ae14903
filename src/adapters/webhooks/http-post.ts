import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { DeliveryError } from '../../errors';
import type { AttemptRecord } from '../../ports';
import { singleLine, clip } from './text';
import { scrubUrl, webhookUrlProblem } from './url-policy';

/**
 * The one POST every webhook format uses (Alertmanager's notify.PostJSON + Retrier, plus a budget):
 * per-attempt time-out, retries with exponential backoff and full jitter, `Retry-After` honoured, and a
 * bounded total time. 2xx is success (a 202 with an empty body too: Teams Workflows answers that);
 * network errors, 408, 429 and 5xx are retried; any other status is permanent. Redirects are not
 * followed (the body would go where the config does not say). Records and errors never hold the URL,
 * headers or secrets.
 */

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
}

/** One attempt, for the run report. Holds no URL, header or secret. */
export type { AttemptRecord } from '../../ports';

export type PostResult =
  | { readonly ok: true; readonly status: number; readonly attempts: AttemptRecord[] }
  | { readonly ok: false; readonly attempts: AttemptRecord[]; readonly error: DeliveryError };

/** 408, 429 and 5xx may succeed later; other non-2xx statuses will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` as delta-seconds or an HTTP-date, in ms from `nowInMs`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, nowInMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowInMs);
}

/** Full-jitter exponential backoff before retry number `retry` (1-based). */
export function backoffInMs(retry: number, options: PostOptions, random: () => number): number {
  const cap = Math.min(options.maxBackoffInMs, options.initialBackoffInMs * 2 ** (retry - 1));
  const factor = Math.min(Math.max(random(), 0), 1);
  return Math.floor(factor * cap);
}

interface AttemptOutcome {
  readonly record: Omit<AttemptRecord, 'waitInMs'>;
  readonly success: boolean;
  readonly retryable: boolean;
  readonly cancelled: boolean;
}

/** POSTs `request.body`; never throws. The result lists every attempt. */
export async function httpPost(request: PostRequest, options: PostOptions): Promise<PostResult> {
  const attempts: AttemptRecord[] = [];
  const fail = (detail: string, retryable: boolean): PostResult => ({
    ok: false,
    attempts,
    error: new DeliveryError(request.sink, detail, { retryable }),
  });
  const problem = webhookUrlProblem(request.url);
  if (problem) return fail(`the webhook URL ${problem}; nothing was sent`, false);

  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const external = options.abortSignal;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  const deadline = performance.now() + options.totalTimeoutInMs;
  const tally = (): string => `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`;

  for (let attempt = 1; ; attempt++) {
    if (external?.aborted) return fail(`cancelled before attempt ${attempt} (${tally()} made)`, true);
    const budgetLeft = deadline - performance.now();
    const timeoutInMs = Math.max(1, Math.floor(Math.min(options.timeoutInMs, budgetLeft)));
    const cutByBudget = timeoutInMs < options.timeoutInMs;
    const outcome = await attemptOnce(request, attempt, timeoutInMs, cutByBudget, now, external);
    if (outcome.success) {
      attempts.push(outcome.record);
      return { ok: true, status: outcome.record.status ?? 200, attempts };
    }
    const reason = outcome.record.error ?? 'failed';
    if (outcome.cancelled) {
      attempts.push(outcome.record);
      return fail(`cancelled during attempt ${attempt} (${tally()} made)`, true);
    }
    if (!outcome.retryable) {
      attempts.push(outcome.record);
      return fail(`${reason}; not retried, the receiver refused the notice (${tally()})`, false);
    }
    if (attempt >= maxAttempts) {
      attempts.push(outcome.record);
      return fail(`${reason} (gave up after ${tally()}, the maximum)`, true);
    }
    const retryAfter = outcome.record.retryAfterInMs;
    const wait = Math.max(backoffInMs(attempt, options, random), retryAfter ?? 0);
    if (performance.now() + wait >= deadline) {
      attempts.push(outcome.record);
      const asked = retryAfter !== undefined ? `the receiver asked to wait ${retryAfter} ms, ` : '';
      return fail(
        `${reason} (gave up after ${tally()}: ${asked}waiting would overrun the ${options.totalTimeoutInMs} ms budget)`,
        true,
      );
    }
    attempts.push({ ...outcome.record, waitInMs: wait });
    try {
      await sleep(wait, external);
    } catch {
      return fail(`cancelled while waiting to retry (${tally()} made)`, true);
    }
  }
}

async function attemptOnce(
  request: PostRequest,
  attempt: number,
  timeoutInMs: number,
  cutByBudget: boolean,
  now: () => number,
  external?: AbortSignal,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutInMs);
  const signal = external ? AbortSignal.any([timeout, external]) : timeout;
  const elapsed = (): number => Math.round(performance.now() - started);
  const headers = typeof request.headers === 'function' ? request.headers(attempt) : request.headers;
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { ...headers },
      body: request.body,
      redirect: 'manual',
      signal,
    });
    const status = response.status;
    if (status >= 200 && status <= 299) {
      await response.body?.cancel().catch(() => undefined);
      return {
        record: { attempt, status, durationInMs: elapsed() },
        success: true,
        retryable: false,
        cancelled: false,
      };
    }
    const snippet = await readSnippet(response, 300, request);
    const retryAfterInMs = isRetryableStatus(status)
      ? parseRetryAfter(response.headers.get('retry-after'), now())
      : undefined;
    const answer = snippet ? `: ${snippet}` : '';
    const redirect =
      status >= 300 && status <= 399 ? ' (redirects are not followed: configure the final URL)' : '';
    const error = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim() + redirect + answer;
    return {
      record: {
        attempt,
        status,
        error,
        durationInMs: elapsed(),
        ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
      },
      success: false,
      retryable: isRetryableStatus(status),
      cancelled: false,
    };
  } catch (error) {
    const cancelled = external?.aborted === true && !timeout.aborted;
    const message = cancelled
      ? 'cancelled'
      : timeout.aborted
        ? `no answer within ${timeoutInMs} ms${cutByBudget ? ' (the rest of the total budget)' : ''}`
        : describeNetworkError(error);
    return {
      record: { attempt, error: message, durationInMs: elapsed() },
      success: false,
      retryable: true,
      cancelled,
    };
  }
}

/**
 * Up to `max` characters of the answer, one line, scrubbed of the URL's secrets and the request's
 * secrets BEFORE it is cut (a token straddling the cut would otherwise leave its first part behind).
 * The answer is read only up to 4 × `max` bytes, never whole; a secret cut by that read is removed too.
 */
async function readSnippet(response: Response, max: number, request: PostRequest): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cutOff = false;
  try {
    while (size < max * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    cutOff = size >= max * 4;
  } catch {
    cutOff = true; // a body that breaks off still tells us the status
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks)
    .subarray(0, max * 4)
    .toString('utf8');
  return clip(singleLine(scrubUrl(text, request.url, request.secrets ?? [], { cutOff })), max);
}

/** "network error (ECONNREFUSED)": the code only; undici's messages may name the host and port. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = errorCode(cause) ?? errorCode(error);
  return code ? `network error (${code})` : 'network error';
}

function errorCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  const errors = (value as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.map(errorCode).find((c) => c !== undefined) : undefined;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}
