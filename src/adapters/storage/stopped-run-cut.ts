/**
 * A stopped run does not wait out a storage request that has no answer: once a CLI run is stopped
 * (Ctrl-C, SIGTERM), each storage request already in flight then gets STORAGE_GRACE_AFTER_STOP_IN_MS
 * more to be answered, and is cut short after that; a request sent after the stop (the report's writes,
 * the status page) keeps its whole try.
 *
 * Why: a break trial's SIGINT, 6 s into a run whose state account accepted connections and never
 * answered, exited at 31.5 s: the run waited out the 30 s try of each request it had sent (a second
 * signal would quit at once, writing no report at all; an orchestrator's SIGKILL comes about 30 s after
 * its SIGTERM). A healthy account answers in well under the grace, so a stop on one cuts nothing; a
 * state write cut short may leave a sent notice unrecorded, which the next run sends again with the
 * same id (at least once, as after any failed state write).
 *
 * It sits outside the REST client (rest/), as the transport every connection of connectBlobService
 * sends through (`httpOptions.httpClient`), so rest/ does not grow.
 */
import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';

/** How long a storage request in flight when the run is stopped may still take, in ms. */
export const STORAGE_GRACE_AFTER_STOP_IN_MS = 5_000;

/** What a request cut short by a stop throws: an AbortError (no answer), saying it was the stop's. */
export interface StorageCutShortError extends Error {
  readonly name: 'AbortError';
  /** The grace it had after the stop, in ms. */
  readonly cutAfterStopInMs: number;
}

/** True for the error a request cut short by a stop threw (stopCutsStorageRequests). */
export function isStorageCutShort(error: unknown): error is StorageCutShortError {
  return (
    error instanceof Error &&
    error.name === 'AbortError' &&
    typeof (error as Partial<StorageCutShortError>).cutAfterStopInMs === 'number'
  );
}

/** The tries of the process's storage connections now waiting for their answer. */
const triesInFlight = new Set<AbortController>();

/**
 * `inner` (core-rest-pipeline's Node client by default) with each try registered while it waits for
 * its answer, so that cutStorageRequestsInFlight can cut it short. Every connection of
 * connectBlobService sends through one.
 */
export function stoppableHttpClient(inner: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    async sendRequest(request) {
      const cut = new AbortController();
      const outer = request.abortSignal;
      // The pipeline's own signal (the try's time limit: storage-http.ts) is an AbortSignal.
      request.abortSignal = outer instanceof AbortSignal ? AbortSignal.any([outer, cut.signal]) : cut.signal;
      triesInFlight.add(cut);
      try {
        return await inner.sendRequest(request);
      } catch (error) {
        throw cut.signal.aborted && !outer?.aborted ? (cut.signal.reason as Error) : error;
      } finally {
        triesInFlight.delete(cut);
        request.abortSignal = outer;
      }
    },
  };
}

/**
 * Cuts short, `graceInMs` from now, every storage try in flight now that still has no answer then
 * (each rejects with a StorageCutShortError); tries sent from now on are left alone. Returns at once;
 * its timer does not keep the process alive.
 */
export function cutStorageRequestsInFlight(graceInMs: number = STORAGE_GRACE_AFTER_STOP_IN_MS): void {
  const inFlight = [...triesInFlight];
  if (inFlight.length === 0) return;
  const timer = setTimeout(() => {
    for (const cut of inFlight) {
      const reason = Object.assign(
        new Error(`no answer ${graceInMs} ms after the run was stopped: cut short so that it can end`),
        { name: 'AbortError' as const, cutAfterStopInMs: graceInMs },
      );
      cut.abort(reason);
    }
  }, graceInMs);
  timer.unref();
}
