/**
 * A stopped run does not wait out storage requests that get no answer: once a CLI run is stopped
 * (Ctrl-C, SIGTERM, `runDeadlineInMs`), each storage try, whether in flight then or sent after (the
 * notices' state, the status page's histories, the report's writes), has STORAGE_GRACE_AFTER_STOP_IN_MS
 * (from the stop, or from its start) to be answered, and is cut short after that, instead of its 30 s.
 *
 * Why: a break trial's SIGINT, 6 s into a run whose state account accepted connections and never
 * answered, exited at 31.5 s: the run waited out the 30 s try of each request it had sent. Cutting only
 * the requests in flight at the stop was not enough: a later trial's SIGINT before any storage request
 * still took 31.9 s, the status page's history listing, sent after the stop, waiting out its whole try.
 * A second signal quits at once but writes no report at all, and an orchestrator's SIGKILL comes about
 * 30 s after its SIGTERM. A healthy account answers well within the grace, so a stop cuts nothing there;
 * a state write cut short may leave a sent notice unrecorded, which the next run sends again with the
 * same id (at least once, as after any failed state write). A report.json or index.html of up to 1 Mi
 * characters (one Put Blob) must then reach the account within the grace too; larger ones go in blocks
 * through @azure/storage-blob, which this does not cut.
 *
 * It sits outside the REST client (rest/), as the transport every connection of connectBlobService
 * sends through (`httpOptions.httpClient`), so rest/ does not grow. Process-wide: a CLI process runs one
 * run at a time.
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

/** While a run is stopped: how long each try may wait for its answer, in ms. */
let stoppedTryLimitInMs: number | undefined;

/** Cuts `cut`'s try short after `graceInMs` (a StorageCutShortError); the timer keeps no process alive. */
function cutAfter(cut: AbortController, graceInMs: number): NodeJS.Timeout {
  return setTimeout(() => {
    const reason = Object.assign(
      new Error(
        `no answer in the ${graceInMs} ms a stopped run gives a storage request: cut short so that the run can end`,
      ),
      { name: 'AbortError' as const, cutAfterStopInMs: graceInMs },
    );
    cut.abort(reason);
  }, graceInMs).unref();
}

/**
 * `inner` (core-rest-pipeline's Node client by default) with each try registered while it waits for
 * its answer, so that a stop (limitStorageTriesAfterStop) can cut it short. Every connection of
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
      const limit = stoppedTryLimitInMs === undefined ? undefined : cutAfter(cut, stoppedTryLimitInMs);
      try {
        return await inner.sendRequest(request);
      } catch (error) {
        throw cut.signal.aborted && !outer?.aborted ? (cut.signal.reason as Error) : error;
      } finally {
        clearTimeout(limit);
        triesInFlight.delete(cut);
        request.abortSignal = outer;
      }
    },
  };
}

/** Whether a run of this process is stopped (limitStorageTriesAfterStop, until it ends). */
export function isRunStopped(): boolean {
  return stoppedTryLimitInMs !== undefined;
}

/**
 * The run is stopped: every storage try in flight now is cut short `graceInMs` from now if it still has
 * no answer then, and every try sent from now on `graceInMs` after it is sent (each rejects with a
 * StorageCutShortError). Returns at once, with the function that ends it (the run is over: tries get
 * their whole time again).
 */
export function limitStorageTriesAfterStop(graceInMs: number = STORAGE_GRACE_AFTER_STOP_IN_MS): () => void {
  stoppedTryLimitInMs = graceInMs;
  const timers = [...triesInFlight].map((cut) => cutAfter(cut, graceInMs));
  return () => {
    stoppedTryLimitInMs = undefined;
    for (const timer of timers) clearTimeout(timer);
  };
}
