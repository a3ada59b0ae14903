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
 * container twice: a container found silent extends the account's other holds; withUnansweredBreaker).
 */
import { StorageUnansweredError } from '../../errors';
import type { StorageHttp } from './rest/storage-http';

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
}

/** A container that gave no answer: the container, what its request met, and the hold's end. */
export interface Silence {
  /** The container (breakerKey), as the errors name it. */
  readonly service: string;
  /** What the request met (unansweredStorageFailure's words). */
  readonly what: string;
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
}

export function unansweredBreaker(options: UnansweredBreakerOptions): UnansweredBreaker {
  const leftAloneForInMs = options.leftAloneForInMs ?? STORAGE_LEFT_ALONE_FOR_IN_MS;
  const now = options.nowInMs ?? (() => performance.now());
  /** Left alone until `untilInMs` for the silence of `service`: this container, or another of the account. */
  let open: Pick<Silence, 'service' | 'what' | 'untilInMs'> | undefined;
  let probing = false;
  /** When the container last answered (any status), on `now`'s clock. */
  let answeredAtInMs = -Infinity;
  const answered = () => {
    open = undefined;
    answeredAtInMs = now();
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
          const silence = {
            service: options.service,
            what,
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
  };
}

/** The breakers of the storage containers this process has sent to, by `breakerKey`. */
const breakersByContainer = new Map<string, UnansweredBreaker>();

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
 * container of the account is not, unless it is silent too: a container found silent holds the
 * account's other open breakers until its own hold ends. A container that has not been found silent is
 * never held by another's silence, in a run stopped or not: the first request `unanswered` decides for
 * the container (every caller passes the same test). `nowInMs`: the breakers' clock (tests).
 */
export function withUnansweredBreaker(
  http: StorageHttp,
  unanswered: UnansweredBreakerOptions['unanswered'],
  breakers: Map<string, UnansweredBreaker> = breakersByContainer,
  nowInMs: () => number = () => performance.now(),
): StorageHttp {
  const account = serviceKey(http.url);
  /**
   * One container's silence holds the account's other silent containers as long as its own: their
   * waits come one after another (a gateway's state, then its delivery), so a hold of one try's length
   * ran out during the next container's wait, and the first container's next request waited again (a
   * trial: two hung containers cost three 30 s waits, 92.9 s). Containers not found silent are tried:
   * for some hours of 2026-12-05 a stopped run held every container of an account one of whose
   * containers was silent, those not used yet too (so that a silent account cost one 5 s cut, not one
   * per container), and a break trial's run, its state container hung and its sink's containers
   * answering, stopped 1 s in, wrote no insight, report.json or index.html to them. The same rule for
   * a run not stopped held an answering `$web` and lost the status page. A silent account now costs a
   * stopped run one cut per container it uses (stopped-run-cut.ts), one after another.
   */
  const holdTheAccount = (key: string) => (silence: Silence) => {
    for (const [other, breaker] of breakers) {
      if (other === key || !other.startsWith(`${account}/`)) continue;
      breaker.holdUntil(silence.untilInMs);
    }
  };
  const breakerOf = (path: string): UnansweredBreaker => {
    const key = breakerKey(http.url, path);
    let breaker = breakers.get(key);
    if (!breaker) {
      breaker = unansweredBreaker({ service: key, unanswered, onOpen: holdTheAccount(key), nowInMs });
      breakers.set(key, breaker);
    }
    return breaker;
  };
  return { url: http.url, send: (request) => breakerOf(request.path).guard(() => http.send(request)) };
}
