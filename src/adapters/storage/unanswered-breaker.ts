/**
 * A breaker per storage container (per service URL and container, shared by every connection of the
 * process to it): once a request to it gets no answer at all (its tries ran out of time:
 * connectBlobService's unansweredStorageFailure), the requests after it fail at once with
 * StorageUnansweredError for STORAGE_LEFT_ALONE_FOR_IN_MS, instead of each waiting out its own tries.
 * Then one request is let through to find out (the others still fail at once); an answer of any kind
 * closes it again.
 *
 * Why: a storage account that accepted connections and never answered held a direct run about 2 s a
 * gateway (each gateway's notify state and history calls waited out their own 30 s try, 64 gateways at
 * a time): 300 gateways took 11 min 35 s, where one wait is enough to know (a break trial). Only "no
 * answer" opens it: an HTTP answer (403, 404, 409, 412, 5xx) is about that request or that document,
 * and one failing document never stops the others; a refused connection costs no wait. It sits outside
 * the REST client (rest/), over its one `send`.
 *
 * Why per container, not per account: for a few hours of 2026-12-05 it was the account's, so that
 * `state.blob` and `sinks.blob` on one account that stopped answering waited out one 30 s try, not one
 * each. A break trial then made one container hang on an account whose other container answered: the
 * state's hung container shut off every blob-sink delivery (21 of 21 not sent), and with the sink's
 * container hung, each state answer closed the shared breaker and every sink request waited out its 30
 * s again (124.9 s for 20 gateways, 95.3 before). One failing state document must not stop a sink, nor
 * the reverse: an account that stops answering whole now costs one wait per container in use (no
 * container twice: a container found silent extends the account's other holds), and, once the run is
 * stopped, one wait in all (withUnansweredBreaker).
 */
import { StorageUnansweredError } from '../../errors';
import type { StorageHttp } from './rest/storage-http';
import { isRunStopped } from './stopped-run-cut';

/** How long the requests to a container that gave no answer fail at once, in ms, before one is tried. */
export const STORAGE_LEFT_ALONE_FOR_IN_MS = 30_000;

export interface UnansweredBreaker {
  /**
   * `call`, unless a call got no answer within the last `leftAloneForInMs` (or one is finding out since):
   * then throws StorageUnansweredError without calling it. `call`'s own errors are thrown as they are.
   */
  guard<T>(call: () => Promise<T>): Promise<T>;
  /** When open, leaves the container alone until `untilInMs` (on the breaker's clock) at least. */
  holdUntil(untilInMs: number): void;
  /**
   * Leaves the container alone with another container of its account found silent (`silence`), until
   * `silence.untilInMs`, unless it has answered since that silent request was sent.
   */
  heldBy(silence: Silence): void;
}

/**
 * A container that gave no answer: the container, what its request met, when its first request without
 * an answer was sent, and the hold's end.
 */
export interface Silence {
  /** The container (breakerKey), as the errors name it. */
  readonly service: string;
  /** What the request met (unansweredStorageFailure's words). */
  readonly what: string;
  /** When the first request of its silence was sent (none answered since), on the breakers' clock, in ms. */
  readonly sentAtInMs: number;
  readonly untilInMs: number;
}

export interface UnansweredBreakerOptions {
  /** The service's URL, as the error names it. */
  readonly service: string;
  /** Whether `error` is a request's failure without any answer, and what it met (undefined: answered). */
  readonly unanswered: (error: unknown) => string | undefined;
  readonly leftAloneForInMs?: number;
  /** The clock, in ms (tests); the process's monotonic one by default. */
  readonly nowInMs?: () => number;
  /** Told each time a request's silence opens it. */
  readonly onOpen?: (silence: Silence) => void;
  /** Told each time the container answers (any status), with when, on its clock. */
  readonly onAnswer?: (atInMs: number) => void;
}

export function unansweredBreaker(options: UnansweredBreakerOptions): UnansweredBreaker {
  const leftAloneForInMs = options.leftAloneForInMs ?? STORAGE_LEFT_ALONE_FOR_IN_MS;
  const now = options.nowInMs ?? (() => performance.now());
  /** Left alone until `untilInMs` for the silence of `service`: this container, or another of the account. */
  let open: Pick<Silence, 'service' | 'what' | 'untilInMs'> | undefined;
  let probing = false;
  /** When the container last answered (any status), on `now`'s clock. */
  let answeredAtInMs = -Infinity;
  /** When the first request that got no answer since that answer was sent: the container's silence began. */
  let silentSinceInMs: number | undefined;
  const answered = () => {
    open = undefined;
    silentSinceInMs = undefined;
    answeredAtInMs = now();
    options.onAnswer?.(answeredAtInMs);
  };
  return {
    async guard(call) {
      let probe = false;
      if (open) {
        if (now() < open.untilInMs || probing)
          throw new StorageUnansweredError(open.service, open.what, leftAloneForInMs);
        probing = probe = true;
      }
      const sentAtInMs = now();
      try {
        const result = await call();
        answered();
        return result;
      } catch (error) {
        const what = options.unanswered(error);
        if (what === undefined) answered();
        // Only a request sent after the container's last answer tells that it does not answer now: one
        // sent before, timing out late, would shut off a container a probe had just found back.
        else if (sentAtInMs >= answeredAtInMs) {
          // Sent when its silence began: an answer of another container after that shows the account answers.
          silentSinceInMs = Math.min(silentSinceInMs ?? sentAtInMs, sentAtInMs);
          const silence = {
            service: options.service,
            what,
            sentAtInMs: silentSinceInMs,
            untilInMs: now() + leftAloneForInMs,
          };
          open = silence;
          options.onOpen?.(silence);
        }
        throw error;
      } finally {
        if (probe) probing = false;
      }
    },
    holdUntil(untilInMs) {
      if (open && open.untilInMs < untilInMs) open = { ...open, untilInMs };
    },
    heldBy(silence) {
      if (answeredAtInMs > silence.sentAtInMs) return;
      if (!open || open.untilInMs < silence.untilInMs) open = silence;
    },
  };
}

/** The breakers of the storage containers this process has sent to, by `breakerKey`. */
const breakersByContainer = new Map<string, UnansweredBreaker>();

/** Per map of breakers, each account's last silence found while a run was stopped. */
const accountSilences = new WeakMap<Map<string, UnansweredBreaker>, Map<string, Silence>>();

/** Per map of breakers, when each account last answered (serviceKey → ms on the breakers' clock). */
const accountAnswersOf = new WeakMap<Map<string, UnansweredBreaker>, Map<string, number>>();

/**
 * The account a service URL names: the URL with its host in lowercase and no trailing slash
 * (`https://acct.blob.core.windows.net`, Azurite's `http://127.0.0.1:10000/devstoreaccount1`). Another
 * host name for the same account (an IP address, `localhost`) is another key.
 */
export function serviceKey(url: string): string {
  let href: string;
  try {
    href = new URL(url).href;
  } catch {
    href = url;
  }
  return href.replace(/\/+$/, '');
}

/**
 * The container a request of `http` goes to, as the breakers key it and their errors name it:
 * serviceKey of the URL, then the request path's first segment in lowercase (Azure's container names
 * are lowercase); the account alone for a request to the account itself.
 */
export function breakerKey(url: string, path: string): string {
  const container = (path.split('/')[0] ?? '').toLowerCase();
  return container ? `${serviceKey(url)}/${container}` : serviceKey(url);
}

/**
 * `http` with each request through the breaker of its container: one per breakerKey in `breakers` (the
 * process's by default), so every connection to one container is left alone together, and another
 * container of the account is not, unless it is silent too: a container found silent holds the account's
 * other open breakers until its own hold ends, and, once the run is stopped (`stopped`) and no container
 * of the account has answered since its silence began, every other one that has not answered since. The first request's `unanswered` decides for
 * the container (every caller passes the same test). `nowInMs`: the breakers' clock (tests).
 */
export function withUnansweredBreaker(
  http: StorageHttp,
  unanswered: UnansweredBreakerOptions['unanswered'],
  breakers: Map<string, UnansweredBreaker> = breakersByContainer,
  nowInMs: () => number = () => performance.now(),
  stopped: () => boolean = isRunStopped,
): StorageHttp {
  const account = serviceKey(http.url);
  let silences = accountSilences.get(breakers);
  if (!silences) accountSilences.set(breakers, (silences = new Map()));
  const silenceOfAccount = silences;
  let answers = accountAnswersOf.get(breakers);
  if (!answers) accountAnswersOf.set(breakers, (answers = new Map()));
  /** When each account last answered, through any of its containers. */
  const accountAnswers = answers;
  /**
   * One container's silence holds the account's other silent containers as long as its own: their
   * waits come one after another (a gateway's state, then its delivery), so a hold of one try's length
   * ran out during the next container's wait, and the first container's next request waited again (a
   * trial: two hung containers cost three 30 s waits, 92.9 s). Once the run is stopped, it holds every
   * other container of the account that has not answered since (those not used yet too): a stopped run
   * gives each request 5 s, and a break trial's three containers of a silent account cost 5 s each, one
   * after another (15 s after the stop, not 5).
   */
  const holdTheAccount = (key: string) => (silence: Silence) => {
    // Another of its containers answered after this silence began: the account answers, the container does not.
    const whole = stopped() && (accountAnswers.get(account) ?? -Infinity) <= silence.sentAtInMs;
    if (whole) silenceOfAccount.set(account, silence);
    for (const [other, breaker] of breakers) {
      if (other === key || !other.startsWith(`${account}/`)) continue;
      if (whole) breaker.heldBy(silence);
      else breaker.holdUntil(silence.untilInMs);
    }
  };
  const breakerOf = (path: string): UnansweredBreaker => {
    const key = breakerKey(http.url, path);
    let breaker = breakers.get(key);
    if (!breaker) {
      breaker = unansweredBreaker({
        service: key,
        unanswered,
        onOpen: holdTheAccount(key),
        // The account answers: a silence of one of its containers found before is that container's own.
        onAnswer: (atInMs) => {
          accountAnswers.set(account, atInMs);
          const silence = silenceOfAccount.get(account);
          if (silence && atInMs > silence.sentAtInMs) silenceOfAccount.delete(account);
        },
        nowInMs,
      });
      breakers.set(key, breaker);
      // First used while its account is silent in a stopped run: held with the others.
      const silence = silenceOfAccount.get(account);
      if (silence && stopped() && nowInMs() < silence.untilInMs) breaker.heldBy(silence);
    }
    return breaker;
  };
  return { url: http.url, send: (request) => breakerOf(request.path).guard(() => http.send(request)) };
}
